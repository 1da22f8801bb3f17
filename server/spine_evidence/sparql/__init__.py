"""The SPARQL core shared by the CLI, the library and the endpoint: parse, detect updates, evaluate.

Every entry point (``spine-evidence query``, :func:`spine_evidence.query.query`,
the ``/sparql`` endpoint) evaluates through :func:`evaluate`, so one query text
means the same thing wherever it runs; answers are written by
:mod:`.serialization`. The predeclared prefixes are ``namespaces.PREFIXES``
(the prefix table of ``docs/MODEL.md``), as Wikidata's query service
predeclares its own. They are handed to pyoxigraph's parser
(``Store.query(prefixes=...)``), not written in front of the text, so:

- a ``PREFIX`` the query declares itself wins over the predeclared one;
- the query's ``BASE`` stays where the query put it;
- line and column numbers of a syntax error are those of the text the user wrote.

Handing over the 40 prefixes costs pyoxigraph about 20 µs per query (measured:
``ASK {}`` 20 µs without, 40 µs with, pyoxigraph 0.5.13: it parses each IRI and
fills a map), so only those whose ``prefix:`` occurs in the text are handed
over (:func:`predeclared_in`, 40 substring tests, 5 µs): a prefixed name the
query uses can only be written that way (pyoxigraph decodes no escape outside
strings and IRIs), so the query means the same.

The endpoint's ``SERVICE`` screen (``web.safety``), which reads the query's
text before the engine does, resolves prefixed names with the same table
(:data:`PREDECLARED_PREFIXES`), which an explicit ``PREFIX`` overrides there too.

A function pyoxigraph does not know is, as SPARQL says, an expression error
(unbound value, false filter), not a failed query: each one it names is given
an implementation that returns no value, and the query is parsed again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import pyoxigraph as ox

from ..errors import SpineEvidenceError
from ..iris import PREFIXES

__all__ = ["PREDECLARED_PREFIXES", "QueryEvaluationError", "QuerySyntaxError", "Results", "SparqlError", "select",
           "evaluate", "syntax_message", "update_operation"]

PREDECLARED_PREFIXES: dict[str, str] = PREFIXES  # prefix → namespace IRI; never changed at run time
UNKNOWN_FUNCTION = re.compile(r"custom function <([^>]*)> is not supported")
MAX_UNKNOWN_FUNCTIONS = 16
MAX_MESSAGE = 160
# Whitespace, comments and the prologue (BASE, PREFIX) that may precede an update operation.
_PROLOGUE = r"(?:\s|#[^\n]*(?:\n|$)|BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)*"
_UPDATE_START = re.compile(_PROLOGUE + r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)

# Each predeclared prefix as it is written in a prefixed name ("se:"), with its name and namespace.
_PREFIX_MARKS = tuple((name + ":", name, namespace) for name, namespace in PREDECLARED_PREFIXES.items())

Results = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
CustomFunctions = dict[ox.NamedNode, Callable[..., Term | None]]


class SparqlError(SpineEvidenceError):
    """A query that cannot be answered; the message is one readable line."""


class QuerySyntaxError(SparqlError):
    """pyoxigraph could not parse the query; ``parser_message`` is the parser's own text."""

    def __init__(self, parser_message: str) -> None:
        super().__init__(f"the query is not valid SPARQL 1.1: {parser_message}")
        self.parser_message = parser_message


class QueryEvaluationError(SparqlError):
    """pyoxigraph parsed the query but could not evaluate it (or write its results)."""


def evaluate(store: ox.Store, text: str, *, default_graphs: Sequence[str] | None = None,
             named_graphs: Sequence[str] | None = None, base_iri: str | None = None) -> Results:
    """Parse ``text`` with the predeclared prefixes and start evaluating it on ``store``.

    ``default_graphs``/``named_graphs`` (graph IRIs) are the protocol
    dataset: when given they replace the query's FROM / FROM NAMED.
    ``base_iri`` resolves the query's relative IRIs. Raises
    :class:`QuerySyntaxError` or :class:`QueryEvaluationError`; evaluation is
    lazy, so errors met later surface when the results are written.
    """
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None
    named: list[ox.NamedNode | ox.BlankNode] | None = None
    if default_graphs is not None:
        default = [ox.NamedNode(iri) for iri in default_graphs]
    if named_graphs is not None:
        named = [ox.NamedNode(iri) for iri in named_graphs]
    functions: CustomFunctions = {}
    for _ in range(MAX_UNKNOWN_FUNCTIONS + 1):
        try:
            return store.query(text, prefixes=predeclared_in(text), base_iri=base_iri, default_graph=default,
                               named_graphs=named, custom_functions=functions or None)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from None
        except (RuntimeError, ValueError, OSError) as error:
            unknown = UNKNOWN_FUNCTION.search(str(error))
            if unknown is None:
                raise QueryEvaluationError(f"the query could not be evaluated: {error}") from None
            functions[ox.NamedNode(unknown.group(1))] = no_value
    raise QueryEvaluationError(f"the query calls more than {MAX_UNKNOWN_FUNCTIONS} unknown functions")


def select(store: ox.Store, text: str) -> ox.QuerySolutions:
    """The solutions of the SELECT query ``text`` (see :func:`evaluate`); ``TypeError`` for another query form.

    For the package's own queries, whose form is known: a ``TypeError`` is a programming error.
    """
    solutions = evaluate(store, text)
    if not isinstance(solutions, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {text[:80]}")
    return solutions


def predeclared_in(text: str) -> dict[str, str]:
    """The predeclared prefixes whose ``prefix:`` occurs in ``text`` (a superset of those the query uses)."""
    return {name: namespace for mark, name, namespace in _PREFIX_MARKS if mark in text}


def no_value(*_terms: object) -> None:
    """The value of a function the engine does not know: none (an expression error)."""
    return None


def update_operation(text: str) -> str | None:
    """The SPARQL Update keyword ``text`` starts with (after comments and its prologue), or ``None``."""
    match = _UPDATE_START.match(text)
    return match.group(1).upper() if match else None


def syntax_message(parser_message: str) -> str:
    """pyoxigraph's parse error on one line, its long lists of expected characters cut short."""
    message = " ".join(parser_message.split())
    if "Prefix not found" in message:
        return message.split(" expected", 1)[0] + " undeclared prefix"
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"
