"""Narrowing an inconsistent graph down to a smallest inconsistent part, with HermiT.

The ontology is kept whole; the data's assertions are grouped by the node
they describe (a blank node goes with the named node that refers to it;
annotations are left out: they cannot contradict). QuickXplain then drops
groups, and then single assertions, as long as what remains is still
inconsistent. Nodes typed with disjoint classes or with two values of a
functional property (``Clashes``) are tried first, which usually settles it
in a few runs. The number of HermiT runs is bounded (``MAX_RUNS``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rdflib import BNode, Graph
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from .. import reasoning
from .inputs import Inputs

MAX_RUNS = 32
# Annotations cannot make a graph inconsistent; they are left out of the narrowing.
ANNOTATIONS = {RDFS.label, RDFS.comment, SKOS.definition, SKOS.editorialNote, SKOS.prefLabel, SKOS.altLabel}

Triple = tuple[Node, Node, Node]
Group = tuple[Triple, ...]
Item = TypeVar("Item")


@dataclass
class Narrowing:
    """The assertions left after narrowing, how many HermiT runs it took, how long, and whether it finished."""

    triples: list[Triple]
    runs: int
    seconds: float
    finished: bool


def abox(inputs: Inputs) -> list[Group]:
    """The data's assertions (everything but the ontology's and annotations), grouped by the node they describe.

    A blank node's assertions go with the named node that refers to it. The
    groups are in depth-first order along the links between nodes, so that
    linked nodes (a claim and its evidence line) tend to lie close together.
    """
    owner: dict[Node, Node] = {}
    for s, _, o in inputs.graph:
        if isinstance(o, BNode) and not isinstance(s, BNode):
            owner.setdefault(o, s)
    annotations = set(inputs.ontology.subjects(RDF.type, OWL.AnnotationProperty)) | ANNOTATIONS
    groups: dict[Node, list[Triple]] = {}
    for triple in sorted(inputs.graph):
        if triple in inputs.ontology or triple[1] in annotations:
            continue
        subject = triple[0]
        seen: set[Node] = set()
        while isinstance(subject, BNode) and subject in owner and subject not in seen:
            seen.add(subject)
            subject = owner[subject]
        groups.setdefault(subject, []).append(triple)
    return [tuple(groups[node]) for node in depth_first(groups)]


def depth_first(groups: dict[Node, list[Triple]]) -> list[Node]:
    """The group keys, each node's linked nodes (objects that are keys) listed right after it, depth first."""
    order: list[Node] = []
    placed: set[Node] = set()

    def place(node: Node) -> None:
        children = sorted({o for _, _, o in groups[node] if o in groups and o not in placed}, key=str)
        placed.update(children)
        order.extend(children)
        for child in children:
            place(child)

    for root in sorted(groups, key=str):
        if root not in placed:
            placed.add(root)
            order.append(root)
            place(root)
    return order


def narrow(ontology: Graph, groups: list[Group], max_runs: int = MAX_RUNS) -> Narrowing:
    """A smallest inconsistent part of ``groups`` (with the whole ontology), by QuickXplain.

    First over groups, then over the single assertions of the groups left.
    Each step first tries the suspects alone (``Clashes``: one HermiT run),
    which usually saves most runs; QuickXplain then confirms and shrinks.
    """
    started, runs = time.perf_counter(), [0]

    def inconsistent(parts: Sequence[Group]) -> bool:
        runs[0] += 1
        graph = Graph()
        graph += ontology
        for part in parts:
            for triple in part:
                graph.add(triple)
        return not reasoning.check_consistency(graph).consistent

    def budget() -> bool:
        return runs[0] < max_runs

    def shrink(items: list[Group], *suspected: list[Group]) -> tuple[list[Group], bool]:
        for candidates in suspected:
            if candidates and len(candidates) < len(items) and budget() and inconsistent(candidates):
                items = candidates
                break
        return quickxplain(items, inconsistent, budget)

    clashes = Clashes(ontology)
    kept, done_groups = shrink(list(groups), [g for g in groups if clashes.strong(g)],
                               [g for g in groups if clashes.weak(g)])
    triples = [t for g in kept for t in g]
    kept_nodes = {t[0] for t in triples}
    kept_singles, done_triples = shrink(singles(triples), singles(clashes.strong_triples(triples)),
                                        singles([t for t in triples if t[1] == RDF.type or t[1] in clashes.functional
                                                 or t[2] in kept_nodes]))
    kept_triples = [t for g in kept_singles for t in g]
    return Narrowing(kept_triples, runs[0], time.perf_counter() - started, done_groups and done_triples)


def singles(triples: list[Triple]) -> list[Group]:
    """Each triple as a group of its own (the second round narrows single assertions)."""
    return [(triple,) for triple in triples]


class Clashes:
    """The usual contradictions, read from the ontology: nodes to try first when narrowing.

    Strong suspects: a node typed with two disjoint classes, or with two
    values of a functional property. Weak: a node with two types.
    """

    def __init__(self, ontology: Graph) -> None:
        self.ontology = ontology
        self.functional = set(ontology.subjects(RDF.type, OWL.FunctionalProperty))
        self.disjoint = {frozenset(pair) for pair in ontology.subject_objects(OWL.disjointWith)}
        for listing in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
            head = ontology.value(listing, OWL.members)
            members = [] if head is None else list(Collection(ontology, head))
            self.disjoint |= {frozenset((a, b)) for a in members for b in members if a != b}

    def strong_triples(self, triples: Sequence[Triple]) -> list[Triple]:
        """The type assertions of disjoint classes and the values of a functional property stated twice."""
        found: list[Triple] = []
        by_subject: dict[Node, list[Triple]] = {}
        for triple in triples:
            by_subject.setdefault(triple[0], []).append(triple)
        for subject_triples in by_subject.values():
            types = [t for t in subject_triples if t[1] == RDF.type]
            found += [t for t in types if any(self.clash(t[2], u[2]) for u in types if u != t)]
            counts: dict[Node, int] = {}
            for _, p, _ in subject_triples:
                counts[p] = counts.get(p, 0) + 1
            found += [t for t in subject_triples if t[1] in self.functional and counts[t[1]] >= 2]
        return found

    def clash(self, one: Node, other: Node) -> bool:
        """True when a superclass of ``one`` and one of ``other`` are declared disjoint."""
        ups = [set(self.ontology.transitive_objects(c, RDFS.subClassOf)) for c in (one, other)]
        return any(frozenset((a, b)) in self.disjoint for a in ups[0] for b in ups[1])

    def strong(self, group: Group) -> bool:
        """True for a node typed with disjoint classes or with two values of a functional property."""
        return bool(self.strong_triples(group))

    def weak(self, group: Group) -> bool:
        """True for a node with two types."""
        return sum(1 for t in group if t[1] == RDF.type) >= 2


class OutOfRuns(Exception):
    """The narrowing used up its HermiT runs."""


def quickxplain(items: list[Item], inconsistent: Callable[[Sequence[Item]], bool],
                budget: Callable[[], bool]) -> tuple[list[Item], bool]:
    """Junker's QuickXplain: a minimal sublist of ``items`` that is still ``inconsistent``.

    ``items`` as a whole must be inconsistent. About 2·k·log2(n/k) tests for
    k culprits among n items (delta debugging degrades when the culprits lie
    far apart). Returns the list and whether it finished within ``budget``
    (if not, ``items`` unchanged).
    """

    def check(parts: list[Item]) -> bool:
        if not budget():
            raise OutOfRuns
        return inconsistent(parts)

    def explain(background: list[Item], changed: bool, candidates: list[Item]) -> list[Item]:
        if changed and check(background):
            return []
        if len(candidates) <= 1:
            return list(candidates)
        first, second = candidates[: len(candidates) // 2], candidates[len(candidates) // 2:]
        found_second = explain(background + first, bool(first), second)
        found_first = explain(background + found_second, bool(found_second), first)
        return found_first + found_second

    try:
        return explain([], False, list(items)), True
    except OutOfRuns:
        return items, False
