"""Safety checks on query text: no SPARQL Update, no SERVICE outside the allow-list.

pyoxigraph executes ``SERVICE`` (and ``LOAD``) with its own HTTP client, so a
query naming a SERVICE is checked *before* it reaches the store (on the query
thread, within the query's deadline: rdflib's parser can take seconds): the targets
are read from rdflib's parse of the query (which resolves prefixes and
``\\u`` escapes) and each must be on the allow-list; a variable target is
never allowed. Queries that do not contain the word "service" at all (any
case) cannot hold the keyword and skip the parse. FROM, FROM NAMED and the
graph-uri parameters only select graphs of the local store (pyoxigraph never
fetches them), and the store is opened read-only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..sparql import PREDECLARED_PREFIXES

# Whitespace, comments and the prologue (BASE, PREFIX) that may precede an update operation.
_PROLOGUE = r"(?:\s|#[^\n]*(?:\n|$)|BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)*"
_UPDATE_START = re.compile(
    _PROLOGUE + r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)
_SERVICE_WORD = re.compile(r"service", re.IGNORECASE)


class Refused(Exception):
    """A query refused for safety; carries the HTTP status and a readable message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def update_operation(text: str) -> str | None:
    """The SPARQL Update keyword ``text`` starts with (after its prologue), or ``None``."""
    match = _UPDATE_START.match(text)
    return match.group(1).upper() if match else None


def refuse_update(text: str) -> None:
    """403 when ``text`` is a SPARQL Update (sent as a query)."""
    operation = update_operation(text)
    if operation is not None:
        raise Refused(403, f"this endpoint is read-only: SPARQL Update ({operation}) is refused")


def service_targets(text: str) -> list[object]:
    """The targets (IRIs or variables) of every SERVICE clause of the query ``text``.

    Raises ``Refused`` (400) when the query cannot be parsed for the check.
    rdflib is imported here, on the rare path, to keep worker start-up fast.
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(text), initNs=PREDECLARED_PREFIXES).algebra  # as the engine reads it
    except Exception as error:  # rdflib raises pyparsing and many other exception types
        message = " ".join(str(error).split())[:300]
        raise Refused(400, f"the query mentions SERVICE and could not be parsed to check it: {message}") from None
    return [node["term"] for node in walk(algebra) if getattr(node, "name", None) == "ServiceGraphPattern"]


def walk(node: object) -> Iterator[object]:
    """Every node of an rdflib algebra tree, depth first."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple, set)):
            stack.extend(current)


def check_services(text: str, allow: Iterable[str]) -> None:
    """403 unless every SERVICE target of ``text`` is an IRI on the ``allow`` list."""
    if not _SERVICE_WORD.search(text):
        return
    from rdflib.term import URIRef

    allowed = set(allow)
    for target in service_targets(text):
        if not isinstance(target, URIRef):
            raise Refused(403, f"SERVICE with a variable target (?{target}) is refused: no outbound requests")
        if str(target) not in allowed:
            listed = ", ".join(sorted(allowed)) or "empty"
            raise Refused(403, f"SERVICE <{target}> is refused: it is not on the allow-list ({listed})")

