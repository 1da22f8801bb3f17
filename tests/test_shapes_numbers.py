"""Numbers against their counts, literal forms and labels: each corruption is reported by a shape.

The stated-percentage rule is exact: the percentage the text states equals 100·n/d
rounded half up to as many decimals as it is written with. An inconsistency flag does
not silence it; only a flag whose note quotes the stated percentage turns the violation
into a warning. Decimals must be in the form the store gives back unchanged (as far as SHACL
sees it: rdflib already rewrites a leading zero, "077" to "77", so the package's literal check
covers those), and every named node has an English label.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS, XSD
from shape_corruption import (
    SHAPE,
    Corruption,
    assert_reported,
    replace,
    validate,
    with_ontology,
)

from spine_evidence.namespaces import CLAIM, DOCUMENT_IRI, LINE, OUTCOME, PROC, PUB, REC, RESULT, SE, STUDY, TP, VALUE

# the corruption inputs as fixtures (shipped, second, ontology, shapes)
pytest_plugins = ["shape_fixtures"]

DOCUMENT = DOCUMENT_IRI
PLACEMENT_CLAIM = CLAIM["medial-branch-correct-placement-82-of-107"]
PLACEMENT_RESULT = RESULT["ref-03-correct-placement"]
PLACEMENT_VALUE = VALUE["ref-03-correct-placement"]
FACET_RESULT = RESULT["ref-14-successful-facet-injection"]
FACET_VALUE = VALUE["ref-14-successful-facet-injection"]  # 31 of 40, the text says 78%
PAIN_VALUE = VALUE["ref-08-pain-improvement-50-percent"]
SPREAD_VALUE = VALUE["ref-13-extra-neural-spread"]  # its result is flagged, with a note
VESSEL_RESULT = RESULT["ref-05-vessel-c4-5"]
VESSEL_VALUE = VALUE["ref-05-vessel-c4-5"]
VAS_VALUE = VALUE["ref-07-vas-ultrasound-baseline"]
ARTERY_VALUE = VALUE["ref-06-vulnerable-artery-in-foramen"]
SPREAD_1_ML = RESULT["ref-12-epidural-spread-1-ml"]
CADAVERIC_COUNT = VALUE["ref-13-cadaveric-epidural-spread"]
SPARQL = SH.SPARQLConstraintComponent
EXAMPLE_VALUE = VALUE["example-ref-01-correct-placement"]  # tests/data/second-document.ttl


def decimal(text: str) -> Literal:
    """An ``xsd:decimal`` written as ``text``."""
    return Literal(text, datatype=XSD.decimal)


def integer(number: int) -> Literal:
    """An ``xsd:integer``."""
    return Literal(number, datatype=XSD.integer)


def swap_counts(graph: Graph, value: URIRef) -> None:
    """Swap a proportion's numerator and denominator."""
    numerator, denominator = graph.value(value, SE.numerator), graph.value(value, SE.denominator)
    replace(graph, value, SE.numerator, denominator)
    replace(graph, value, SE.denominator, numerator)


NUMBERS = [
    Corruption("percentage-77-for-31-of-40", lambda g: replace(g, FACET_VALUE, SE.statedPercentage, decimal("77")),
               "StatedPercentageAgreesWithCountsShape", FACET_VALUE, SPARQL),
    Corruption("percentage-one-tenth-off", lambda g: replace(g, PLACEMENT_VALUE, SE.statedPercentage, decimal("76.7")),
               "StatedPercentageAgreesWithCountsShape", PLACEMENT_VALUE, SPARQL),
    Corruption("numerator-of-the-complement", lambda g: replace(g, PLACEMENT_VALUE, SE.numerator, integer(25)),
               "StatedPercentageAgreesWithCountsShape", PLACEMENT_VALUE, SPARQL),
    Corruption("denominator-one-digit-wrong", lambda g: replace(g, PAIN_VALUE, SE.denominator, integer(95)),
               "StatedPercentageAgreesWithCountsShape", PAIN_VALUE, SPARQL),
    Corruption("numerator-one-less", lambda g: replace(g, FACET_VALUE, SE.numerator, integer(30)),
               "StatedPercentageAgreesWithCountsShape", FACET_VALUE, SPARQL),
    Corruption("numerator-and-denominator-swapped", lambda g: swap_counts(g, FACET_VALUE),
               "NumeratorNotAboveDenominatorShape", FACET_VALUE, SPARQL),
    Corruption("flag-does-not-silence-a-wrong-percentage",
               lambda g: g.add((SPREAD_VALUE, SE.statedPercentage, decimal("80"))),
               "StatedPercentageAgreesWithCountsShape", SPREAD_VALUE, SPARQL),
    Corruption("flag-without-a-note", lambda g: g.remove((VESSEL_RESULT, SKOS.editorialNote, None)),
               "Inconsistency-editorialNote", VESSEL_RESULT, SH.MinCountConstraintComponent),
    Corruption("flag-with-an-empty-note", lambda g: replace(g, VESSEL_RESULT, SKOS.editorialNote, Literal("")),
               "Inconsistency-editorialNote", VESSEL_RESULT, SH.MinLengthConstraintComponent),
    Corruption("count-below-zero", lambda g: replace(g, CADAVERIC_COUNT, SE["count"], integer(-1)),
               "Count-count", CADAVERIC_COUNT, SH.MinInclusiveConstraintComponent),
    Corruption("mean-without-its-value", lambda g: g.remove((VAS_VALUE, SE.meanValue, None)),
               "Mean-meanValue", VAS_VALUE, SH.MinCountConstraintComponent),
    Corruption("count-entered-on-a-percentage", lambda g: g.add((VESSEL_VALUE, SE.numerator, integer(5))),
               "Percentage-noNumerator", VESSEL_VALUE, SH.MaxCountConstraintComponent),
]

LITERAL_FORMS = [
    Corruption("percentage-written-77.0", lambda g: replace(g, PLACEMENT_VALUE, SE.statedPercentage, decimal("77.0")),
               "MeasuredValue-statedPercentage", PLACEMENT_VALUE, SH.PatternConstraintComponent),
    Corruption("percentage-written-22.20", lambda g: replace(g, ARTERY_VALUE, SE.statedPercentage, decimal("22.20")),
               "MeasuredValue-statedPercentage", ARTERY_VALUE, SH.PatternConstraintComponent),
    Corruption("mean-written-6.10", lambda g: replace(g, VAS_VALUE, SE.meanValue, decimal("6.10")),
               "Mean-meanValue", VAS_VALUE, SH.PatternConstraintComponent),
    Corruption("volume-written-1.0", lambda g: replace(g, SPREAD_1_ML, SE.injectateVolumeMl, decimal("1.0")),
               "Result-injectateVolumeMl", SPREAD_1_ML, SH.PatternConstraintComponent),
    Corruption("time-value-written-7.0", lambda g: replace(g, TP["7-days"], SE.timeValue, decimal("7.0")),
               "TimePoint-timeValue", TP["7-days"], SH.PatternConstraintComponent),
    Corruption("count-typed-as-a-decimal", lambda g: replace(g, PLACEMENT_VALUE, SE.numerator, decimal("82")),
               "Proportion-numerator", PLACEMENT_VALUE, SH.DatatypeConstraintComponent),
    Corruption("year-typed-as-an-integer", lambda g: replace(g, PUB["ref-01-candidate"], DCTERMS.date, integer(2008)),
               "Publication-date", PUB["ref-01-candidate"], SH.DatatypeConstraintComponent),
]


def unlabel(node: URIRef):
    """A change removing every ``rdfs:label`` of ``node``."""
    return lambda g: g.remove((node, RDFS.label, None))


def relabel(node: URIRef, label: Literal):
    """A change replacing the ``rdfs:label`` of ``node`` with ``label``."""
    return lambda g: replace(g, node, RDFS.label, label)


LABEL = "EnglishLabel-label"
QUALIFIED = SH.QualifiedMinCountConstraintComponent
LABELS = [
    Corruption("statement-without-label", unlabel(PLACEMENT_CLAIM), LABEL, PLACEMENT_CLAIM, QUALIFIED),
    Corruption("statement-label-without-language", relabel(PLACEMENT_CLAIM, Literal("Correct placement")),
               LABEL, PLACEMENT_CLAIM, QUALIFIED),
    Corruption("outcome-label-in-german", relabel(OUTCOME["needle-at-target"], Literal("Nadel am Ziel", lang="de")),
               LABEL, OUTCOME["needle-at-target"], QUALIFIED),
    Corruption("procedure-without-label", unlabel(PROC["cervical-medial-branch-block"]),
               LABEL, PROC["cervical-medial-branch-block"], QUALIFIED),
    Corruption("result-without-label", unlabel(PLACEMENT_RESULT), LABEL, PLACEMENT_RESULT, QUALIFIED),
    Corruption("study-without-label", unlabel(STUDY["ref-07"]), LABEL, STUDY["ref-07"], QUALIFIED),
    Corruption("evidence-line-without-label", unlabel(LINE["medial-branch-correct-placement-82-of-107--ref-03"]),
               LABEL, LINE["medial-branch-correct-placement-82-of-107--ref-03"], QUALIFIED),
    Corruption("recommendation-without-label", unlabel(REC["1a"]), LABEL, REC["1a"], QUALIFIED),
    Corruption("publication-without-label", unlabel(PUB["ref-04-candidate"]), LABEL, PUB["ref-04-candidate"],
               QUALIFIED),
    Corruption("document-label-without-language", relabel(DOCUMENT, Literal("FactFinder")), LABEL, DOCUMENT, QUALIFIED),
    Corruption("value-without-label", unlabel(FACET_VALUE), "MeasuredValue-label", FACET_VALUE,
               SH.MinCountConstraintComponent),
]

CORRUPTIONS = NUMBERS + LITERAL_FORMS + LABELS


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=[c.name for c in CORRUPTIONS])
def test_a_corruption_is_reported(corruption: Corruption, shipped: Graph, shapes: Graph, ontology: Graph):
    assert_reported(corruption, shipped, shapes, ontology)


def test_the_corruptions_are_distinct():
    names = [c.name for c in CORRUPTIONS]
    assert len(set(names)) == len(names) >= 25


def test_every_stated_percentage_of_the_shipped_graph_is_its_counts_rounded_half_up(shipped: Graph):
    """Computed here with Python's decimals, independently of the shape's SPARQL."""
    checked = 0
    for value, stated in shipped.subject_objects(SE.statedPercentage):
        numerator, denominator = shipped.value(value, SE.numerator), shipped.value(value, SE.denominator)
        if numerator is None:
            continue
        places = Decimal(1).scaleb(-len(str(stated).partition(".")[2]))
        computed = (Decimal(100 * int(numerator)) / int(denominator)).quantize(places, rounding=ROUND_HALF_UP)
        assert computed == Decimal(str(stated)), (value, numerator, denominator, stated)
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("numerator, denominator, stated, exact", [
    (31, 40, "78", True), (31, 40, "77", False), (31, 40, "77.5", True),
    (1, 8, "13", True), (1, 8, "12", False), (1, 8, "12.5", True),
    (2, 3, "66.7", True), (2, 3, "66.6", False), (1, 3, "33.33", True),
    (1, 200, "1", True), (1, 200, "0", False), (0, 50, "0", True), (50, 50, "100", True),
])
def test_the_percentage_rule_is_exact(numerator, denominator, stated, exact, second: Graph, shapes: Graph,
                                      ontology: Graph):
    document = with_ontology(second, ontology)
    replace(document, EXAMPLE_VALUE, SE.numerator, integer(numerator))
    replace(document, EXAMPLE_VALUE, SE.denominator, integer(denominator))
    replace(document, EXAMPLE_VALUE, SE.statedPercentage, decimal(stated))
    outcome = validate(document, shapes)
    assert outcome.conforms == exact, outcome.report_text
    assert outcome.results() == [] if exact else len(outcome.violations()) == 1


def test_a_flagged_and_explained_percentage_is_a_warning_not_a_violation(shipped: Graph, shapes: Graph,
                                                                         ontology: Graph):
    """The text's own inconsistency, flagged with a note quoting the stated number, is reported but passes."""
    graph = with_ontology(shipped, ontology)
    replace(graph, FACET_VALUE, SE.statedPercentage, decimal("77"))
    graph.add((FACET_RESULT, SE.hasInconsistency, Literal(True)))
    graph.add((FACET_RESULT, SKOS.editorialNote, Literal("The text states 77% for 31 of 40 (77.5%).", lang="en")))
    outcome = validate(graph, shapes)
    assert outcome.conforms, outcome.report_text
    warnings = outcome.results(SH.Warning)
    assert [(w.source_shape, w.focus_node) for w in warnings] == [
        (URIRef(SHAPE + "StatedPercentageFlaggedShape"), FACET_VALUE)]
    assert "77" in warnings[0].message and "78" in warnings[0].message
    graph.remove((FACET_RESULT, SKOS.editorialNote, None))
    graph.add((FACET_RESULT, SKOS.editorialNote, Literal("The abstract says otherwise.", lang="en")))
    silenced = validate(graph, shapes)
    assert {(r.source_shape, r.focus_node) for r in silenced.violations()} == {
        (URIRef(SHAPE + "StatedPercentageAgreesWithCountsShape"), FACET_VALUE)}, silenced.report_text


def test_a_value_typed_twice_is_reported_once_per_pair_of_kinds(shipped: Graph, shapes: Graph, ontology: Graph):
    graph = with_ontology(shipped, ontology)
    graph.add((FACET_VALUE, RDF.type, SE.Mean))
    hits = [r for r in validate(graph, shapes).violations() if r.source_shape == URIRef(SHAPE + "DisjointKindsShape")]
    assert len(hits) == 1 and "Proportion" in hits[0].message and "Mean" in hits[0].message
