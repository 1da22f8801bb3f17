"""The query text and protocol dataset sent to the backend for one of our queries.

pyoxigraph has parsed the query already (with the predeclared prefixes, see
:mod:`spine_evidence.sparql`), so what is sent is a valid SPARQL 1.1 query:
the text as the client wrote it, after a prologue declaring the predeclared
prefixes it uses but does not declare itself, and its base IRI (the URL it
was asked at) when it needs one: when it has a relative IRI or calls
``IRI()``/``URI()`` (:func:`needs_base`). The backend knows none of our
prefixes.

So one query is one request, byte for byte, from every worker and replica,
whatever URL it was asked at (the graphs of the dataset too: the publication
record's, in IRI order). The store then compiles it once and runs one plan
for it: Virtuoso 7 chooses a plan per distinct text (it samples its indexes
while compiling), and one query sent as four texts ran in 33, 58, 59 and
60 ms over the 1M benchmark store (bench/NOTES.md).

The dataset is always sent explicitly (``default-graph-uri`` /
``named-graph-uri``), so that the backend's answer is the embedded store's:
Virtuoso's default graph is otherwise the union of all its graphs, its system
graphs included. Our graphs are those of the publication record. The protocol
dataset of the request wins; else the query's own ``FROM`` / ``FROM NAMED``
(their graphs kept to ours, as the embedded store holds no other); else our
graphs as the default graph (their union, as the embedded store's default
graph is) and as the named graphs. An empty graph list is sent as
:data:`EMPTY_GRAPH`, a graph no store holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import urljoin

from ..web.query_bounds import decoded
from ..web.safety import significant_tokens

EMPTY_GRAPH = "urn:x-spine-evidence:no-graph"
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # RFC 3986: a scheme, then ':'
RESOLVING_FUNCTIONS = frozenset({"IRI", "URI"})  # SPARQL 1.1 §17.4.2.8: a relative IRI is resolved against the base
Dataset = tuple[list[str], list[str]]  # default graphs, named graphs
Tokens = list[tuple[str, str]]  # a query's significant tokens (``web.safety.significant_tokens``)


def declared_prefixes(text: str) -> set[str]:
    """The prefix names ``text`` declares itself (``PREFIX name:``)."""
    return {match.group(1) for match in re.finditer(r"PREFIX\s+([A-Za-z][\w.-]*|):", text, re.IGNORECASE)}


def needs_base(tokens: Tokens) -> bool:
    """Whether a query's ``tokens`` have a relative IRI (``PREFIX`` and ``BASE`` ones too) or call ``IRI()``/``URI()``.

    Both resolve against the base IRI. A ``<`` operator the tokenizer reads
    as the start of an IRI can only make this say yes, never hide one.
    """
    for kind, value in tokens:
        if kind == "iri" and not ABSOLUTE_IRI.match(decoded(value[1:-1])):
            return True
        if kind == "name" and value.upper() in RESOLVING_FUNCTIONS:
            return True
    return False


def prologue(text: str, prefixes: Mapping[str, str] | None, base_iri: str | None, tokens: Tokens | None = None) -> str:
    """``BASE`` (when :func:`needs_base`) and the ``PREFIX`` lines that the backend needs in front of ``text``.

    ``tokens``: the text's, when the caller has read them already.
    """
    own = declared_prefixes(text)
    lines = [f"BASE <{base_iri}>"] if base_iri and needs_base(tokens_of(text, tokens)) else []
    lines += [f"PREFIX {name}: <{iri}>" for name, iri in (prefixes or {}).items() if name not in own]
    return "".join(line + "\n" for line in lines)


def tokens_of(text: str, tokens: Tokens | None) -> Tokens:
    """``tokens`` when given, else ``text``'s (one scan of it)."""
    return tokens if tokens is not None else significant_tokens(text)


def from_clauses(tokens: Tokens, prefixes: Mapping[str, str] | None) -> Dataset | None:
    """The graphs of a query's ``FROM`` and ``FROM NAMED`` clauses, from its ``tokens`` (``None``: it has neither)."""
    known, base = dict(prefixes or {}), ""
    default: list[str] = []
    named: list[str] = []
    found = False
    for at, (kind, value) in enumerate(tokens):
        word = value.upper() if kind == "name" else ""
        following = tokens[at + 1: at + 3]
        if word == "BASE" and following[:1] and following[0][0] == "iri":
            base = urljoin(base, decoded(following[0][1][1:-1]))
        elif word == "PREFIX" and len(following) == 2 and following[1][0] == "iri":
            known[following[0][1][:-1]] = urljoin(base, decoded(following[1][1][1:-1]))
        elif word == "FROM" and following:
            found = True
            into = default
            if following[0][1].upper() == "NAMED":
                into, following = named, following[1:]
            if following:
                into.append(resolved(following[0], known, base))
    return (default, named) if found else None


def resolved(token: tuple[str, str], prefixes: Mapping[str, str], base: str) -> str:
    """The IRI of an IRI or prefixed-name token (pyoxigraph has checked the query: the prefix is declared)."""
    kind, value = token
    if kind == "iri":
        return urljoin(base, decoded(value[1:-1]))
    prefix, _, local = value.partition(":")
    return prefixes.get(prefix, "") + local


def dataset_form(ours: Sequence[str], text: str, prefixes: Mapping[str, str] | None,
                 default_graph: Sequence[object] | None,
                 named_graphs: Sequence[object] | None, tokens: Tokens | None = None) -> list[tuple[str, str]]:
    """The ``default-graph-uri`` / ``named-graph-uri`` parameters for this query (module docstring).

    ``tokens``: the text's, when the caller has read them already.
    """
    chosen: Dataset
    if default_graph is not None or named_graphs is not None:
        chosen = ([iri_of(g) for g in default_graph or ()], [iri_of(g) for g in named_graphs or ()])
    else:
        chosen = from_clauses(tokens_of(text, tokens), prefixes) or (list(ours), list(ours))
    kept = set(ours)
    default = [g for g in chosen[0] if g in kept] or [EMPTY_GRAPH]
    named = [g for g in chosen[1] if g in kept] or [EMPTY_GRAPH]
    return [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]


def iri_of(graph: object) -> str:
    """The IRI of a pyoxigraph graph name given to ``query`` (a ``NamedNode``; anything else names no graph of ours)."""
    value = getattr(graph, "value", None)
    return value if isinstance(value, str) and type(graph).__name__ == "NamedNode" else EMPTY_GRAPH
