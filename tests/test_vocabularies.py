"""Every external code the model aligns to is one verified in ../shared/VOCABULARIES.md.

The ontology, graph and shapes may only use identifiers of SEPIO, ECO, STATO,
OBI/IAO, NCIt, MeSH and the HL7 code systems that VOCABULARIES.md lists (read
from each vocabulary's own published source). The test skips when ../shared is
absent (a user's machine); CI has it.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef

from spine_evidence import sources

# Namespace of a code → how VOCABULARIES.md writes that code.
CODED = {
    "http://purl.obolibrary.org/obo/SEPIO_": r"\b{}\b",
    "http://purl.obolibrary.org/obo/ECO_": r"\b{}\b",
    "http://purl.obolibrary.org/obo/STATO_": r"\b{}\b",
    "http://purl.obolibrary.org/obo/OBI_": r"\bOBI_{}\b",
    "http://purl.obolibrary.org/obo/IAO_": r"\bIAO_{}\b",
    "http://purl.obolibrary.org/obo/NCIT_": r"\b{}\b",
    "http://id.nlm.nih.gov/mesh/": r"\b{}\b",
}


def external_codes(graph: Graph) -> set[tuple[str, str]]:
    """(namespace, code) of every IRI in ``graph`` under one of the coded namespaces."""
    found = set()
    for term in {t for triple in graph for t in triple if isinstance(t, URIRef)}:
        for namespace in CODED:
            if str(term).startswith(namespace):
                found.add((namespace, str(term)[len(namespace):]))
    return found


@pytest.fixture(scope="module")
def vocabularies(shared_dir) -> str:
    return (shared_dir / "VOCABULARIES.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def model() -> Graph:
    graph = sources.merged_graph()
    graph += sources.shapes_graph()
    return graph


def test_the_model_aligns_to_external_vocabularies(model: Graph):
    namespaces = {namespace for namespace, _ in external_codes(model)}
    assert {"http://purl.obolibrary.org/obo/SEPIO_", "http://purl.obolibrary.org/obo/ECO_",
            "http://id.nlm.nih.gov/mesh/"} <= namespaces


def test_every_external_code_is_verified(model: Graph, vocabularies: str):
    unverified = sorted(f"{namespace}{code}" for namespace, code in external_codes(model)
                        if not re.search(CODED[namespace].format(re.escape(code)), vocabularies))
    assert unverified == []


def test_every_hl7_code_is_verified(model: Graph, vocabularies: str):
    """Recommendation direction codes are literals of an HL7 code system that VOCABULARIES.md lists."""
    codes = {str(o) for o in model.objects(None, URIRef("https://w3id.org/spine-evidence/ontology#directionCode"))
             if isinstance(o, Literal)}
    assert codes and codes <= {"for", "against"}
    assert "cpg-recommendation-direction-cs" in vocabularies and "`for`, `against`" in vocabularies


def test_an_unverified_code_would_be_caught(vocabularies: str):
    graph = Graph()
    graph.add((URIRef("http://purl.obolibrary.org/obo/ECO_9999999"), URIRef("http://example.org/p"), Literal(1)))
    (namespace, code), = external_codes(graph)
    assert not re.search(CODED[namespace].format(re.escape(code)), vocabularies)
