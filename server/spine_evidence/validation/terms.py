"""The declared-terms check: every term of our namespaces exists.

- Every IRI of the ontology namespace (``se:``), wherever it is used
  (predicate, class, object), is declared in the ontology: it is the subject
  of an ``rdf:type`` there (e.g. ``se:numerator a owl:DatatypeProperty``).
- Every IRI of our instance namespaces (``study:``, ``result:``, ``mod:``, ...:
  anything under the base but the ontology, the shapes and the named graphs)
  used as an object is described somewhere in the dataset (is a subject),
  except in the ontology header's own links (another document reuses the
  ontology without the FactFinder its ``rdfs:seeAlso`` names).

A misspelt term is reported on the node that uses it, with the closest
declared terms as "did you mean".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ..namespaces import BASE, GRAPH, ONTOLOGY_IRI, SE, SHAPES
from .inputs import Inputs
from .report import Finding

CHECK = "DeclaredTerm"
NOT_INSTANCES = (BASE + "ontology", str(SHAPES), BASE + "shapes", str(GRAPH))
ONTOLOGY_NODE = URIRef(ONTOLOGY_IRI)


def check_terms(inputs: Inputs) -> list[Finding]:
    """A finding for every undeclared ``se:`` term and every undescribed instance IRI."""
    graph, ontology = inputs.graph, inputs.ontology
    declared = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(SE))}
    declared |= {s for s in graph.subjects(RDF.type, None) if str(s).startswith(str(SE))}
    subjects = set(graph.subjects())
    findings: list[Finding] = []
    seen: set[tuple[Node, Node]] = set()
    base, se = BASE, str(SE)
    for s, p, o in graph:
        for role, term in (("subject", s), ("property", p), ("class" if p == RDF.type else "value", o)):
            if not isinstance(term, URIRef) or not term.startswith(base) or (s, term) in seen:
                continue
            if term in declared or (role != "property" and not term.startswith(se) and term in subjects):
                continue
            if role == "subject" and not term.startswith(se):
                continue
            if role == "value" and s == ONTOLOGY_NODE and not term.startswith(se):
                continue  # the ontology header's links (rdfs:seeAlso the document it was made for)
            problem = undeclared(term, role, declared, subjects, graph)
            if problem:
                seen.add((s, term))
                findings.append(Finding(CHECK, s, problem, p, term))
    return sorted(findings, key=lambda f: (str(f.focus), str(f.path), str(f.value)))


def undeclared(term: URIRef, role: str, declared: set[Node], subjects: set[Node], graph: Graph) -> str | None:
    """Why ``term`` (used as a ``role``) does not exist, or ``None`` when it does."""
    short = graph.namespace_manager.normalizeUri
    if str(term).startswith(str(SE)):
        if term in declared:
            return None
        kind = {"property": "property", "class": "class"}.get(role, "term")
        return f"The {kind} {short(term)} is not declared in the ontology: expected a declared se: {kind}" \
               f"{did_you_mean(term, declared, graph) or '.'}"
    if str(term).startswith(BASE) and not str(term).startswith(NOT_INSTANCES) and role != "property":
        if term in subjects:
            return None
        namespace = str(term)[: max(str(term).rfind("/"), str(term).rfind("#")) + 1]
        same = {s for s in subjects if isinstance(s, URIRef) and str(s).startswith(namespace)}
        return f"{short(term)} is used but described nowhere in the dataset (no triple has it as subject): " \
               f"expected an existing node{did_you_mean(term, same, graph) or '.'}"
    return None


def did_you_mean(term: URIRef, candidates: Iterable[Node], graph: Graph) -> str:
    """``; did you mean X?`` with the closest candidate IRIs (empty when none is close)."""
    close = difflib.get_close_matches(str(term), sorted(map(str, candidates)), n=2, cutoff=0.8)
    if not close:
        return ""
    return "; did you mean " + " or ".join(graph.namespace_manager.normalizeUri(URIRef(c)) for c in close) + "?"
