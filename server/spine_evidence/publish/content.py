"""What publish sends and compares: a named graph's N-Triples, its canonical checksum, the difference of two.

A graph is dumped from the pyoxigraph store as N-Triples into a file (so the
request body is streamed from disk, blank nodes as labels that the receiving
store maps to its own), parsed with rdflib, and summarised by a checksum that
does not depend on blank-node labels: the SHA-256 of the sorted N-Triples of
rdflib's canonical form (``rdflib.compare.to_canonical_graph``). Two graphs
with the same checksum are isomorphic (up to a hash collision); the
read-back check confirms a differing checksum with ``rdflib.compare.isomorphic``.
rdflib's canonicalisation is the cost: 2.4 s for the ontology's 1,521
triples with 804 blank nodes; graphs without blank nodes skip it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.compare import graph_diff, isomorphic, to_canonical_graph, to_isomorphic

DIFF_SHOWN = 5  # triples shown on each side of a difference


@dataclass(frozen=True)
class GraphContent:
    """One named graph as publish sees it: its IRI, its triples (rdflib), their count and checksum."""

    iri: str
    graph: Graph
    checksum: str

    @property
    def triples(self) -> int:
        """The number of triples."""
        return len(self.graph)


def canonical_checksum(graph: Graph) -> str:
    """``sha256:HEX`` of the sorted N-Triples of the canonical form of ``graph`` (blank-node labels do not count)."""
    blank = any(isinstance(term, BNode) for triple in graph for term in triple)
    canonical = to_canonical_graph(graph) if blank else graph  # without blank nodes a graph is its own canonical form
    lines = sorted(line for line in canonical.serialize(format="nt").splitlines() if line.strip())
    return "sha256:" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def content_of(graph: Graph, iri: str) -> GraphContent:
    """The :class:`GraphContent` of an rdflib graph."""
    return GraphContent(iri, graph, canonical_checksum(graph))


def dump_graph(store: ox.Store, iri: str, target: Path) -> GraphContent:
    """Write the named graph ``iri`` of ``store`` as N-Triples into ``target``; its content."""
    with target.open("wb") as sink:
        store.dump(sink, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri))
    graph = Graph()
    graph.parse(target, format="nt")
    return content_of(graph, iri)


def parse_ntriples(data: bytes, iri: str) -> GraphContent:
    """The content of N-Triples bytes (a store's answer; UTF-8 whatever the charset says)."""
    graph = Graph()
    graph.parse(data=data.decode("utf-8"), format="nt")
    return content_of(graph, iri)


def same_graph(ours: GraphContent, theirs: GraphContent) -> bool:
    """Whether the two graphs are isomorphic (blank nodes mapped), not just of the same size.

    Equal canonical checksums mean isomorphic graphs; differing ones are
    confirmed with ``rdflib.compare.isomorphic`` when the sizes agree (it
    canonicalises again: slow on many blank nodes, but only on a mismatch).
    """
    if ours.triples != theirs.triples:
        return False
    return ours.checksum == theirs.checksum or isomorphic(ours.graph, theirs.graph)


def difference(ours: GraphContent, theirs: GraphContent, shown: int = DIFF_SHOWN) -> tuple[str, list[str]]:
    """How two graphs differ: a one-line count, and a few triples only in each (``-`` ours, ``+`` theirs)."""
    _, only_ours, only_theirs = graph_diff(to_isomorphic(ours.graph), to_isomorphic(theirs.graph))
    lines: list[str] = []
    for sign, graph in (("-", only_ours), ("+", only_theirs)):
        triples = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
        lines += [f"{sign} {line}" for line in triples[:shown]]
        lines += [f"{sign} … and {len(triples) - shown} more"] if len(triples) > shown else []
    return f"{len(only_ours)} triple(s) only in ours (-), {len(only_theirs)} only in theirs (+)", lines
