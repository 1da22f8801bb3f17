"""The reasoner check: HermiT finds the ontology plus the data consistent, or says which assertions are not.

HermiT itself only says "inconsistent". The check then narrows the data down
to a smallest inconsistent part (``narrowing``) and reports each of its nodes
with its assertions and the ontology's axioms on the terms they use (disjoint
classes, property characteristics, domains and ranges, different
individuals), and how many HermiT runs the narrowing made and how long they took.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from .. import reasoning
from ..namespaces import SH
from .inputs import Inputs
from .narrowing import MAX_RUNS, Narrowing, Triple, abox, narrow
from .report import Finding

CHECK = "Consistency"
CHARACTERISTICS = (OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.IrreflexiveProperty,
                   OWL.AsymmetricProperty)


def check_consistency(inputs: Inputs) -> list[Finding]:
    """Findings for an inconsistent graph (one per node of a smallest inconsistent part); warnings for
    unsatisfiable classes. Raises ``reasoning.ReasonerError`` when HermiT cannot run (no Java)."""
    verdict = reasoning.check_consistency(inputs.graph)
    if verdict.consistent:
        return [unsatisfiable(inputs.graph, c) for c in verdict.unsatisfiable]
    narrowing = narrow(inputs.ontology, abox(inputs))
    return report(inputs.graph, inputs.ontology, narrowing)


def unsatisfiable(graph: Graph, cls: str) -> Finding:
    """A warning for a class HermiT finds unsatisfiable (the graph is still consistent)."""
    return Finding(CHECK, URIRef(cls), f"HermiT finds the class {graph.namespace_manager.normalizeUri(URIRef(cls))} "
                   "unsatisfiable: it can have no member (an ontology error).", severity=SH.Warning)


def report(graph: Graph, ontology: Graph, narrowing: Narrowing) -> list[Finding]:
    """One finding per node of the narrowed part: its assertions and the axioms on their terms."""
    short = graph.namespace_manager.normalizeUri

    def text(term: Node) -> str:
        return short(term) if isinstance(term, URIRef) else term.n3(graph.namespace_manager)

    assertions = "; ".join(f"{text(s)} {text(p)} {text(o)}" for s, p, o in narrowing.triples)
    axioms = "; ".join(axioms_on(ontology, narrowing.triples, text)) or "(none found directly on these terms)"
    how = (f"narrowed in {narrowing.runs} HermiT run(s), {narrowing.seconds:.1f} s"
           + ("" if narrowing.finished else f", stopped at the limit of {MAX_RUNS} runs: the part may not be smallest"))
    findings = []
    for node in sorted({s for s, _, _ in narrowing.triples if isinstance(s, URIRef)}):
        mine = [t for t in narrowing.triples if t[0] == node]
        findings.append(Finding(CHECK, node, f"HermiT finds the ontology plus the data inconsistent. A smallest "
                                f"inconsistent part of the data: {assertions}. Ontology axioms on these terms: "
                                f"{axioms}. Expected assertions the ontology allows; remove or correct one ({how}).",
                                mine[0][1], mine[0][2]))
    return findings


def axioms_on(ontology: Graph, triples: list[Triple], text: Callable[[Node], str]) -> list[str]:
    """The ontology's disjointness, property characteristics and different-individual axioms on the terms used."""
    types = {o for _, p, o in triples if p == RDF.type}
    ancestors = {t: set(ontology.transitive_objects(t, RDFS.subClassOf)) for t in types}
    found: list[str] = []
    for a, b in ontology.subject_objects(OWL.disjointWith):
        if any(a in x for x in ancestors.values()) and any(b in x for x in ancestors.values()):
            found.append(f"{text(a)} owl:disjointWith {text(b)}")
    for listing in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        head = ontology.value(listing, OWL.members)
        members = [] if head is None else list(Collection(ontology, head))
        hits = [m for m in members if any(m in x for x in ancestors.values())]
        if len(hits) >= 2:
            found.append("owl:AllDisjointClasses (" + ", ".join(text(m) for m in hits) + ")")
    for prop in {p for _, p, _ in triples}:
        found += [f"{text(prop)} a {text(c)}" for c in CHARACTERISTICS if (prop, RDF.type, c) in ontology]
        found += [f"{text(prop)} {text(p)} {class_text(ontology, c, text)}" for p in (RDFS.domain, RDFS.range)
                  for c in ontology.objects(prop, p)]
    values = {o for _, p, o in triples if p != RDF.type and isinstance(o, URIRef)}
    for listing in ontology.subjects(RDF.type, OWL.AllDifferent):
        head = ontology.value(listing, OWL.distinctMembers) or ontology.value(listing, OWL.members)
        distinct = set() if head is None else set(Collection(ontology, head))
        different = sorted(values & distinct)
        if len(different) >= 2:
            found.append("owl:AllDifferent (" + ", ".join(text(m) for m in different) + ")")
    return sorted(set(found))


def class_text(ontology: Graph, cls: Node, text: Callable[[Node], str], depth: int = 0) -> str:
    """A class expression, short: a name, ``(P value V)`` for a restriction, ``(A or B)`` for a union."""
    if isinstance(cls, URIRef) or depth > 3:
        return text(cls)
    prop = ontology.value(cls, OWL.onProperty)
    for key, word in ((OWL.hasValue, "value"), (OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
        filler = ontology.value(cls, key)
        if prop is not None and filler is not None:
            return f"({text(prop)} {word} {class_text(ontology, filler, text, depth + 1)})"
    for key, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
        members = ontology.value(cls, key)
        if members is not None:
            parts = (class_text(ontology, m, text, depth + 1) for m in Collection(ontology, members))
            return "(" + word.join(parts) + ")"
    return "(a class expression)"
