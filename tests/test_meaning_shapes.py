"""The shapes of the document's meaning as data (shapes/meaning.ttl) catch each corruption of it.

Outcome categories and polarity, technique roles and stated limitations, stated thresholds,
study components and the basis of facts, in-text citations and ordered authors: each
corruption copies the shipped graph, changes one thing, validates the copy with the ontology
and expects a violation from a named shape on a named focus node (``tests/shape_corruption.py``).
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SH, XSD
from shape_corruption import (
    Corruption,
    Expected,
    assert_reported,
    replace,
    validate,
)

from spine_evidence.namespaces import AGENT, CLAIM, DOCUMENT_IRI, LINE, OUTCOME, RESULT, SE, SRC, STUDY, TECH

# the corruption inputs as fixtures (shipped, second, ontology, shapes)
pytest_plugins = ["shape_fixtures"]

MEANING_SHAPES = "meaning.ttl"

MISS_RATE = OUTCOME["target-missed"]
CORRECT = OUTCOME["correct-placement"]
ASPIRATION = TECH["negative-aspiration"]
ARTERY_LIMIT = URIRef(CLAIM["vertebral-artery-entry-technique-lacks-specificity"] + "#limitation")
THRESHOLD = URIRef(CLAIM["medial-branch-miss-rate-prohibitively-high"] + "#threshold")
JEE_WHOLE = URIRef(STUDY["ref-07"] + "#whole-study")
COHORT_STUDY_WHOLE = URIRef(STUDY["ref-08"] + "#whole-study")
TWO_PARTS = STUDY["ref-13"]
SPREAD_RESULT = RESULT["ref-13-extra-neural-spread"]
PLACEMENT_RESULT = RESULT["ref-03-correct-placement"]
CITED_LINE = LINE["needle-at-target-5-and-3-of-10--ref-02"]
FACT_LINE = LINE["fact-fluoroscopy-remains-best-evidence-based-modality--ref-02"]
JEE_CITATION = URIRef(CLAIM["intravascular-injection-fluoroscopy-versus-ultrasound"] + "#citation-1")
OTHER_CITATION = URIRef(CLAIM["needle-at-target-5-and-3-of-10"] + "#citation-1")
SOURCE_TEXT = SRC["ultrasound-imaging-for-cervical-injections.txt"]
SECOND_AUTHOR = URIRef(str(DOCUMENT_IRI) + "#author-2")
THIRD_AUTHOR = URIRef(str(DOCUMENT_IRI) + "#author-3")


def drop_citation(graph: Graph, citation: URIRef) -> None:
    """Remove every statement's link to ``citation``."""
    graph.remove((None, SE.hasCitation, citation))


CORRUPTIONS = [
    Corruption("outcome-without-category", lambda g: g.remove((MISS_RATE, SE.outcomeCategory, None)),
               "Outcome-outcomeCategory", MISS_RATE, SH.MinCountConstraintComponent),
    Corruption("outcome-with-unknown-polarity", lambda g: replace(g, MISS_RATE, SE.polarity, SE.cohort),
               "Outcome-polarity", MISS_RATE, SH.InConstraintComponent),
    Corruption("complements-counting-the-same-way",
               lambda g: replace(g, CORRECT, SE.polarity, SE["higher-is-worse"]),
               "ComplementaryOutcomesShape", CORRECT, SH.SPARQLConstraintComponent,
               also=(Expected("ComplementaryOutcomesShape", MISS_RATE, SH.SPARQLConstraintComponent),)),
    Corruption("technique-without-role", lambda g: g.remove((ASPIRATION, SE.techniqueRole, None)),
               "Technique-techniqueRole", ASPIRATION, SH.MinCountConstraintComponent),
    Corruption("limitation-without-statement", lambda g: g.remove((ARTERY_LIMIT, SE.statedBy, None)),
               "Limitation-statedBy", ARTERY_LIMIT, SH.MinCountConstraintComponent),
    Corruption("limitation-in-a-role-the-technique-lacks",
               lambda g: replace(g, ARTERY_LIMIT, SE.inRole, SE["needle-guidance"]),
               "LimitationStatedByItsStatementShape", ARTERY_LIMIT, SH.SPARQLConstraintComponent),
    Corruption("threshold-with-unknown-comparator", lambda g: replace(g, THRESHOLD, SE.comparator, SE.cohort),
               "Threshold-comparator", THRESHOLD, SH.InConstraintComponent),
    Corruption("threshold-value-as-string", lambda g: replace(g, THRESHOLD, SE.thresholdValue, Literal("20")),
               "Threshold-thresholdValue", THRESHOLD, SH.DatatypeConstraintComponent),
    Corruption("threshold-percent-above-100",
               lambda g: replace(g, THRESHOLD, SE.thresholdValue, Literal("120", datatype=XSD.decimal)),
               "ThresholdPercentInRangeShape", THRESHOLD, SH.SPARQLConstraintComponent),
    Corruption("threshold-number-not-in-its-words",
               lambda g: replace(g, THRESHOLD, SE.thresholdValue, Literal("25", datatype=XSD.decimal)),
               "ThresholdPercentInRangeShape", THRESHOLD, SH.SPARQLConstraintComponent),
    Corruption("threshold-without-outcome", lambda g: g.remove((THRESHOLD, SE.thresholdOutcome, None)),
               "Threshold-thresholdOutcome", THRESHOLD, SH.MinCountConstraintComponent),
    Corruption("component-with-two-designs", lambda g: g.add((JEE_WHOLE, SE.componentDesign, SE.cohort)),
               "StudyComponent-componentDesign", JEE_WHOLE, SH.MaxCountConstraintComponent),
    Corruption("design-from-abstract-without-the-publication",
               lambda g: replace(g, JEE_WHOLE, PROV.hadPrimarySource, SOURCE_TEXT),
               "DesignBasisAgreesWithSourceShape", JEE_WHOLE, SH.SPARQLConstraintComponent),
    Corruption("design-from-the-text-without-its-words",
               lambda g: g.remove((COHORT_STUDY_WHOLE, SE.hasQuote, None)),
               "DesignBasisAgreesWithSourceShape", COHORT_STUDY_WHOLE, SH.SPARQLConstraintComponent),
    Corruption("component-of-no-study", lambda g: g.remove((None, SE.hasComponent, JEE_WHOLE)),
               "StudyComponent-ofStudy", JEE_WHOLE, SH.MinCountConstraintComponent),
    Corruption("study-design-among-no-component",
               lambda g: replace(g, TWO_PARTS, SE.studyDesign, SE["randomised-trial"]),
               "StudyDesignAmongComponentsShape", TWO_PARTS, SH.SPARQLConstraintComponent),
    Corruption("result-in-another-studys-component",
               lambda g: replace(g, SPREAD_RESULT, SE.ofComponent, JEE_WHOLE),
               "ResultInItsStudysComponentShape", SPREAD_RESULT, SH.SPARQLConstraintComponent),
    Corruption("result-without-component", lambda g: g.remove((PLACEMENT_RESULT, SE.ofComponent, None)),
               "ResultInItsStudysComponentShape", PLACEMENT_RESULT, SH.SPARQLConstraintComponent),
    Corruption("line-basis-contradicting-the-citations",
               lambda g: replace(g, CITED_LINE, SE.lineBasis, SE["curator-judgement"]),
               "LineBasisAgreesWithCitationsShape", CITED_LINE, SH.SPARQLConstraintComponent),
    Corruption("line-claimed-as-cited-by-the-text",
               lambda g: replace(g, FACT_LINE, SE.lineBasis, SE["source-text"]),
               "LineBasisAgreesWithCitationsShape", FACT_LINE, SH.SPARQLConstraintComponent),
    Corruption("line-without-basis", lambda g: g.remove((FACT_LINE, SE.lineBasis, None)),
               "LineBasisWhereCitationsAreRecordedShape", FACT_LINE, SH.SPARQLConstraintComponent),
    Corruption("citation-number-not-its-studys",
               lambda g: replace(g, JEE_CITATION, SE.citedNumber, Literal(8, datatype=XSD.integer)),
               "CitationAsWrittenShape", JEE_CITATION, SH.SPARQLConstraintComponent),
    Corruption("citation-marker-not-as-written", lambda g: replace(g, JEE_CITATION, SE.citationMarker, Literal("7")),
               "InTextCitation-citationMarker", JEE_CITATION, SH.PatternConstraintComponent),
    Corruption("citation-in-no-statement", lambda g: drop_citation(g, JEE_CITATION),
               "InTextCitation-statement", JEE_CITATION, SH.MinCountConstraintComponent),
    Corruption("two-citations-at-one-place",
               lambda g: replace(g, JEE_CITATION, SE.sequenceInText, g.value(OTHER_CITATION, SE.sequenceInText)),
               "CitationAsWrittenShape", JEE_CITATION, SH.SPARQLConstraintComponent),
    Corruption("citation-of-a-study-as-a-string", lambda g: replace(g, JEE_CITATION, SE.citesStudy, Literal("7")),
               "InTextCitation-citesStudy", JEE_CITATION, SH.ClassConstraintComponent),
    Corruption("two-authors-in-one-place",
               lambda g: replace(g, SECOND_AUTHOR, SE.authorPosition, Literal(1, datatype=XSD.integer)),
               "AuthorPositionsShape", DOCUMENT_IRI, SH.SPARQLConstraintComponent),
    Corruption("ordered-author-not-a-creator",
               lambda g: g.remove((DOCUMENT_IRI, DCTERMS.creator, AGENT["clark-c-smith"])),
               "AuthorPositionsShape", DOCUMENT_IRI, SH.SPARQLConstraintComponent),
    Corruption("author-position-zero",
               lambda g: replace(g, THIRD_AUTHOR, SE.authorPosition, Literal(0, datatype=XSD.integer)),
               "Attribution-authorPosition", THIRD_AUTHOR, SH.MinInclusiveConstraintComponent),
]


def test_the_corruptions_are_distinct():
    assert len({c.name for c in CORRUPTIONS}) == len(CORRUPTIONS) >= 20
    assert len({c.shape for c in CORRUPTIONS}) >= 18


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=[c.name for c in CORRUPTIONS])
def test_a_corruption_is_reported_by_its_shape(corruption: Corruption, shipped: Graph, shapes: Graph,
                                               ontology: Graph):
    assert_reported(corruption, shipped, shapes, ontology)


def test_the_meaning_shapes_are_loaded_with_the_others(shapes: Graph):
    from spine_evidence import sources

    assert MEANING_SHAPES in {p.name for p in sources.shapes_files()}
    targets = set(shapes.objects(None, SH.targetClass))
    for cls in (SE.Outcome, SE.Technique, SE.Limitation, SE.Threshold, SE.StudyComponent, SE.InTextCitation,
                SE.EvidenceLine, SE.Result, PROV.Attribution):
        assert cls in targets, cls


def test_every_new_node_is_in_the_shipped_graph_and_the_graph_conforms(shipped: Graph, shapes: Graph,
                                                                     ontology: Graph):
    counts = {cls: len(set(shipped.subjects(RDF.type, cls)))
              for cls in (SE.Limitation, SE.Threshold, SE.StudyComponent, SE.InTextCitation, PROV.Attribution)}
    assert counts == {SE.Limitation: 6, SE.Threshold: 2, SE.StudyComponent: 12, SE.InTextCitation: 24,
                      PROV.Attribution: 3}
    outcome = validate(shipped, shapes, ontology)
    assert outcome.conforms, outcome.report_text
