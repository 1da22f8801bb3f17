"""The query text and protocol dataset sent to the backend for one of our queries.

pyoxigraph has parsed the query already (with the predeclared prefixes, see
:mod:`spine_evidence.sparql`), so what is sent is a valid SPARQL 1.1 query:
the text as the client wrote it, after a prologue declaring the predeclared
prefixes it uses but does not declare itself, and its base IRI. The backend
knows none of our prefixes.

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
Dataset = tuple[list[str], list[str]]  # default graphs, named graphs


def declared_prefixes(text: str) -> set[str]:
    """The prefix names ``text`` declares itself (``PREFIX name:``)."""
    return {match.group(1) for match in re.finditer(r"PREFIX\s+([A-Za-z][\w.-]*|):", text, re.IGNORECASE)}


def prologue(text: str, prefixes: Mapping[str, str] | None, base_iri: str | None) -> str:
    """``BASE`` and the ``PREFIX`` lines that the backend needs in front of ``text``."""
    own = declared_prefixes(text)
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    lines += [f"PREFIX {name}: <{iri}>" for name, iri in (prefixes or {}).items() if name not in own]
    return "".join(line + "\n" for line in lines)


def from_clauses(text: str, prefixes: Mapping[str, str] | None) -> Dataset | None:
    """The graphs of the query's ``FROM`` and ``FROM NAMED`` clauses (``None`` when it has neither)."""
    tokens = significant_tokens(text)
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
                 named_graphs: Sequence[object] | None) -> list[tuple[str, str]]:
    """The ``default-graph-uri`` / ``named-graph-uri`` parameters for this query (module docstring)."""
    chosen: Dataset
    if default_graph is not None or named_graphs is not None:
        chosen = ([iri_of(g) for g in default_graph or ()], [iri_of(g) for g in named_graphs or ()])
    else:
        chosen = from_clauses(text, prefixes) or (list(ours), list(ours))
    kept = set(ours)
    default = [g for g in chosen[0] if g in kept] or [EMPTY_GRAPH]
    named = [g for g in chosen[1] if g in kept] or [EMPTY_GRAPH]
    return [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]


def iri_of(graph: object) -> str:
    """The IRI of a pyoxigraph graph name given to ``query`` (a ``NamedNode``; anything else names no graph of ours)."""
    value = getattr(graph, "value", None)
    return value if isinstance(value, str) and type(graph).__name__ == "NamedNode" else EMPTY_GRAPH
