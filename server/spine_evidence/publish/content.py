"""What publish sends and compares: a named graph's N-Triples, its canonical checksum, the difference of two.

A graph is dumped from the pyoxigraph store as N-Triples into a file (so the
request body is streamed from disk, blank nodes as labels that the receiving
store maps to its own), parsed by pyoxigraph into sorted N-Triples lines, and
summarised by a checksum that does not depend on blank-node labels: the
SHA-256 of the sorted lines, of rdflib's canonical form
(``rdflib.compare.to_canonical_graph``) when the graph has blank nodes. Two
graphs with the same checksum are isomorphic (up to a hash collision); a
differing checksum is confirmed with ``rdflib.compare.isomorphic``. rdflib's
canonicalisation is the cost: 2.4 s for the ontology's 1,521 triples with
804 blank nodes; graphs without blank nodes never reach rdflib.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_canonical_graph, to_isomorphic

DIFF_SHOWN = 5  # triples shown on each side of a difference


@dataclass
class GraphContent:
    """One named graph as publish sees it: its IRI, its triples as sorted N-Triples lines, their checksum.

    The lines are pyoxigraph's N-Triples of each triple (one form whatever
    the sender's escaping), without duplicates. ``graph`` (rdflib) is made
    only when needed: for blank nodes, and to show a difference.
    """

    iri: str
    lines: list[str]
    blank: bool
    checksum: str = field(init=False)

    def __post_init__(self) -> None:
        self.checksum = canonical_checksum(self)

    @property
    def triples(self) -> int:
        """The number of triples."""
        return len(self.lines)

    @cached_property
    def graph(self) -> Graph:
        """The triples as an rdflib graph."""
        graph = Graph()
        graph.parse(data="\n".join(self.lines), format="nt")
        return graph


def canonical_checksum(content: GraphContent) -> str:
    """``sha256:HEX`` of the sorted N-Triples lines: of rdflib's canonical form when there are blank nodes."""
    lines = content.lines
    if content.blank:
        lines = sorted(line for line in to_canonical_graph(content.graph).serialize(format="nt").splitlines()
                       if line.strip())
    return "sha256:" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def read_content(source: IO[bytes] | bytes, iri: str) -> GraphContent:
    """The content of N-Triples (a file or bytes), parsed by pyoxigraph; ``SyntaxError`` when unreadable."""
    lines, blank = set(), False
    for triple in ox.parse(source, format=ox.RdfFormat.N_TRIPLES):
        blank = blank or isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
        lines.add(f"{triple} .")
    return GraphContent(iri, sorted(lines), blank)


def content_of(graph: Graph, iri: str) -> GraphContent:
    """The :class:`GraphContent` of an rdflib graph."""
    return read_content(graph.serialize(format="nt", encoding="utf-8"), iri)


def dump_graph(store: ox.Store, iri: str, target: Path) -> GraphContent:
    """Write the named graph ``iri`` of ``store`` as N-Triples into ``target``; its content."""
    with target.open("wb") as sink:
        store.dump(sink, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri))
    with target.open("rb") as source:
        return read_content(source, iri)


def parse_ntriples(data: bytes, iri: str) -> GraphContent:
    """The content of N-Triples bytes (a store's answer; UTF-8 whatever the charset says)."""
    return read_content(data, iri)


def same_graph(ours: GraphContent, theirs: GraphContent) -> bool:
    """Whether the two graphs are isomorphic (blank nodes mapped), not just of the same size.

    Without blank nodes: the same lines. With them: equal canonical
    checksums, or ``rdflib.compare.isomorphic`` when the checksums differ and
    the sizes agree (it canonicalises again: slow, but only on a mismatch).
    """
    if ours.triples != theirs.triples or ours.blank != theirs.blank:
        return False
    if not ours.blank:
        return ours.lines == theirs.lines
    return ours.checksum == theirs.checksum or isomorphic(ours.graph, theirs.graph)


def difference(ours: GraphContent, theirs: GraphContent, shown: int = DIFF_SHOWN) -> tuple[str, list[str]]:
    """How two graphs differ: a one-line count, and a few triples only in each (``-`` ours, ``+`` theirs)."""
    if ours.blank or theirs.blank:
        _, mine, yours = graph_diff(to_isomorphic(ours.graph), to_isomorphic(theirs.graph))
        only_ours, only_theirs = (sorted(line for line in g.serialize(format="nt").splitlines() if line.strip())
                                  for g in (mine, yours))
    else:
        only_ours = sorted(set(ours.lines) - set(theirs.lines))
        only_theirs = sorted(set(theirs.lines) - set(ours.lines))
    lines: list[str] = []
    for sign, triples in (("-", only_ours), ("+", only_theirs)):
        lines += [f"{sign} {line}" for line in triples[:shown]]
        lines += [f"{sign} … and {len(triples) - shown} more"] if len(triples) > shown else []
    return f"{len(only_ours)} triple(s) only in ours (-), {len(only_theirs)} only in theirs (+)", lines
