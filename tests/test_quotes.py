"""Every quote of the graph is the source's own words, and every statement, result and
recommendation has one.

The quotes are read from ``graph/factfinder.ttl`` and looked up, one test per quote, in
``graph/ultrasound-imaging-for-cervical-injections.txt``: by ``validate``'s quote check
(``spine_evidence.validation.quotes``), which uses ``spine_evidence.quotes``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from spine_evidence import sources
from spine_evidence.namespaces import DOCUMENT_IRI, OA, SE, SOURCE_TEXT_IRI, SOURCE_TEXT_NAME
from spine_evidence.quotes import find_quote, load_source_text, normalise, quote_is_found
from spine_evidence.validation import CHECKS, Inputs, read_inputs, validate

QUOTED_CLASSES = (SE.Statement, SE.Result, SE.Recommendation)


@lru_cache(maxsize=1)
def shipped_graph() -> Graph:
    """The ontology and the FactFinder graph, merged (the ontology gives the subclass tree)."""
    return sources.merged_graph()


@lru_cache(maxsize=1)
def selectors() -> dict[str, str]:
    """Each text quote selector of the graph (its IRI) → its ``oa:exact``."""
    graph = shipped_graph()
    return {str(s): str(graph.value(s, OA.exact)) for s in graph.subjects(RDF.type, OA.TextQuoteSelector)}


def instances(cls: URIRef) -> set[URIRef]:
    """Every node typed ``cls`` or one of its subclasses."""
    graph = shipped_graph()
    classes = set(graph.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in classes for s in graph.subjects(RDF.type, c)}


def quoted_things() -> list[str]:
    """Every statement, result and recommendation of the graph."""
    return sorted(str(s) for cls in QUOTED_CLASSES for s in instances(cls))


def exacts_of(thing: URIRef) -> list[str]:
    """The ``oa:exact`` of every quote of ``thing``, following the full annotation chain."""
    graph = shipped_graph()
    found = []
    for annotation in graph.objects(thing, SE.hasQuote):
        assert (annotation, RDF.type, OA.Annotation) in graph
        assert (annotation, OA.hasBody, thing) in graph, f"{annotation} has no oa:hasBody back to {thing}"
        target = graph.value(annotation, OA.hasTarget)
        assert graph.value(target, OA.hasSource) == SOURCE_TEXT_IRI
        selector = graph.value(target, OA.hasSelector)
        assert (selector, RDF.type, OA.TextQuoteSelector) in graph
        found.append(str(graph.value(selector, OA.exact)))
    return found


@lru_cache(maxsize=1)
def shipped_inputs() -> Inputs:
    """The shipped data, parsed once for validate."""
    return read_inputs()


def quote_reports(inputs: Inputs) -> dict[str, list[str]]:
    """What ``validate``'s quote check reports: focus node (a selector) → messages."""
    outcome = validate(inputs, reason=False, shacl=False, checks=["QuoteInSource"])
    found: dict[str, list[str]] = {}
    for result in outcome.results():
        assert result.source_shape == CHECKS["QuoteInSource"].shape
        found.setdefault(str(result.focus_node), []).append(result.message)
    return found


@lru_cache(maxsize=1)
def reports_of_the_shipped_graph() -> dict[str, list[str]]:
    return quote_reports(shipped_inputs())


@lru_cache(maxsize=1)
def reports_of_the_altered_graph() -> dict[str, list[str]]:
    """The quote check's reports on a copy of the graph with every ``oa:exact`` altered (``altered``)."""
    base = shipped_inputs()
    graph = Graph()
    graph += base.graph
    for selector, exact in selectors().items():
        graph.set((URIRef(selector), OA.exact, Literal(altered(exact))))
    return quote_reports(Inputs(graph, base.store, base.ontology, graph, base.source_dirs))


@pytest.mark.parametrize("selector", sorted(selectors()))
def test_every_exact_is_found_in_the_source_text(selector):
    exact = selectors()[selector]
    assert exact == " ".join(exact.split()), "oa:exact must have its whitespace collapsed"
    assert find_quote(load_source_text(), exact) is not None, f"not in the source text: {exact!r}"
    assert selector not in reports_of_the_shipped_graph(), reports_of_the_shipped_graph()[selector]


@pytest.mark.parametrize("thing", quoted_things())
def test_every_statement_result_and_recommendation_has_a_quote(thing):
    graph = shipped_graph()
    node = URIRef(thing)
    assert exacts_of(node), f"{thing} has no se:hasQuote"
    assert (node, PROV.wasDerivedFrom, DOCUMENT_IRI) in graph
    assert (node, PROV.wasQuotedFrom, SOURCE_TEXT_IRI) in graph


def test_the_graph_quotes_enough_things():
    assert len(quoted_things()) >= 26 + 7 + 6
    assert len(selectors()) >= len(quoted_things())


def test_the_source_text_is_described():
    graph = shipped_graph()
    assert (SOURCE_TEXT_IRI, RDF.type, SE.SourceText) in graph
    assert str(graph.value(SOURCE_TEXT_IRI, URIRef("http://purl.org/dc/terms/format"))) == "text/plain"
    assert (SOURCE_TEXT_IRI, PROV.wasDerivedFrom, DOCUMENT_IRI) in graph


def altered(exact: str) -> str:
    """``exact`` with its first digit changed (or, without digits, its first word reversed)."""
    match = re.search(r"\d", exact)
    if match:
        digit = str((int(match.group()) + 1) % 10)
        return exact[: match.start()] + digit + exact[match.end():]
    first, _, rest = exact.partition(" ")
    return first[::-1] + " " + rest


@pytest.mark.parametrize("selector", sorted(selectors()))
def test_an_altered_quote_is_reported_by_validate(selector):
    assert find_quote(load_source_text(), altered(selectors()[selector])) is None
    messages = reports_of_the_altered_graph().get(selector, [])
    assert any("is not in the source text" in m and "the nearest passage of the source is" in m for m in messages)


def test_a_mistyped_number_is_not_found():
    source = load_source_text()
    assert quote_is_found(source, "intra-vascular injection was detected in 4/60 injections")
    assert not quote_is_found(source, "intra-vascular injection was detected in 5/60 injections")
    assert not quote_is_found(source, "82 of 107 (78%) attempts resulted in correct placement")


def test_normalise_collapses_whitespace_and_keeps_line_end_hyphens():
    assert normalise("  a\n\tb   c \n") == "a b c"
    assert normalise("rule out intra-\nvascular injection") == "rule out intra-vascular injection"
    assert normalise("fluoroscopically-  \n  guided") == "fluoroscopically-guided"


def test_a_quote_may_join_a_word_hyphenated_at_a_line_end():
    source = "to rule out intra-\nvascular injection prior to depositing"
    kept = find_quote(source, "rule out intra-vascular injection")
    joined = find_quote(source, "rule out intravascular injection")
    assert kept == joined == 3
    assert find_quote(source, "rule out intra vascular injection") is None


def test_quotes_span_line_breaks_and_blank_lines():
    source = load_source_text()
    exact = "to confirm placement found that 82 of 107 (77%) attempts"
    offset = find_quote(source, exact)
    assert offset is not None
    assert normalise(source)[offset: offset + len(exact)] == exact


def test_an_empty_quote_is_not_found():
    assert find_quote("some text", "   ") is None


def test_the_source_text_copy_equals_the_shared_source(shared_dir):
    shared = (shared_dir / "source" / SOURCE_TEXT_NAME).read_text(encoding="utf-8")
    assert load_source_text() == shared
