"""The literal-fidelity check: every typed literal is one the store gives back as written.

pyoxigraph stores typed literals as values and writes them back in canonical
form (``"77.0"^^xsd:decimal`` as ``77``, ``"05"^^xsd:integer`` as ``5``,
``xsd:nonNegativeInteger`` as ``xsd:integer``; docs/MODEL.md, "Literals").
The check reads the literals exactly as the files write them
(``Inputs.written``: rdflib would already have rewritten ``05``), puts each
distinct one once into a small in-memory store (one quad each, no other
data) and compares what comes back: pyoxigraph's own canonical form is the
oracle, so nothing here re-implements XSD.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from .inputs import Inputs
from .report import Finding

CHECK = "LiteralFidelity"
SUBJECT = ox.NamedNode("urn:spine-evidence:literal")


def check_literals(inputs: Inputs) -> list[Finding]:
    """A finding for every typed literal that pyoxigraph would store in another form."""
    typed = [(t.subject, t.predicate, t.object) for t in inputs.written
             if isinstance(t.object, ox.Literal) and t.object.datatype.value != str(XSD.string)]
    changed = canonical_changes({literal for _, _, literal in typed})
    findings: list[Finding] = []
    seen: set[tuple[ox.NamedNode | ox.BlankNode | ox.Triple, ox.NamedNode, ox.Literal]] = set()
    for subject, property_, literal in typed:
        if literal in changed and (subject, property_, literal) not in seen:
            seen.add((subject, property_, literal))
            focus, predicate = rdflib_term(subject), URIRef(property_.value)
            value = Literal(literal.value, datatype=URIRef(literal.datatype.value), normalize=False)
            findings.append(Finding(CHECK, focus, message(inputs.graph, predicate, literal, changed[literal]),
                                    predicate, value))
    return sorted(findings, key=lambda f: (str(f.focus), str(f.path)))


def canonical_changes(literals: set[ox.Literal]) -> dict[ox.Literal, ox.Literal | None]:
    """Each literal the store gives back changed → what it gives back."""
    ordered = sorted(literals, key=str)
    predicates = [ox.NamedNode(f"urn:spine-evidence:literal:{i}") for i in range(len(ordered))]
    store = ox.Store()
    store.extend(ox.Quad(SUBJECT, p, literal) for p, literal in zip(predicates, ordered, strict=True))
    back = {q.predicate.value: q.object for q in store.quads_for_pattern(SUBJECT, None, None)
            if isinstance(q.object, ox.Literal)}  # all of them: only literals went in
    changed: dict[ox.Literal, ox.Literal | None] = {}
    for predicate, literal in zip(predicates, ordered, strict=True):
        returned = back.get(predicate.value)
        if returned != literal:
            changed[literal] = returned
    return changed


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Triple) -> URIRef | BNode:
    """A pyoxigraph subject as an rdflib term; ``ValueError`` for a quoted triple (RDF 1.1 has none)."""
    if isinstance(term, ox.Triple):
        raise ValueError(f"a quoted triple as subject: {term}")
    return URIRef(term.value) if isinstance(term, ox.NamedNode) else BNode(term.value)


def message(graph: Graph, predicate: URIRef, literal: ox.Literal, returned: ox.Literal | None) -> str:
    """What is wrong with one literal and what to write instead."""
    short = graph.namespace_manager.normalizeUri
    written = f'"{literal.value}"^^{short(URIRef(literal.datatype.value))}'
    back = f'"{returned.value}"^^{short(URIRef(returned.datatype.value))}' if returned is not None else "nothing"
    return (f"{short(predicate)} {written} is not in a form the store keeps: expected {back} (the form "
            f"pyoxigraph gives back), found {written}. Write it as {back} (docs/MODEL.md, Literals).")
