"""The SHACL shapes on the real shipped graph: it conforms, and each corruption of it is caught.

Every corruption copies the shipped graph, changes one thing, validates the
copy (with the shipped ontology, as ``validate`` always does) and expects a
violation from a named shape (``sh:sourceShape``) on a named focus node, with
the expected constraint component where the shape is a core one
(``shape_corruption.py``). More corruptions: ``test_shapes_structure.py``
(structure, identifiers, references, provenance, evidence) and
``test_shapes_numbers.py`` (numbers against counts, literal forms, labels).
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SH, XSD
from shape_corruption import (
    SHAPE,
    Corruption,
    assert_reported,
    copy,
    line_of,
    one,
    rename,
    replace,
    selector_of,
    validate,
)

from spine_evidence import shacl
from spine_evidence.namespaces import (
    BIBO,
    CLAIM,
    ECO,
    LINE,
    OA,
    PUB,
    QUOTE,
    REC,
    RESULT,
    SE,
    SEPIO,
    STUDY,
    VALUE,
    VIEW,
)

# the corruption inputs as fixtures (shipped, second, ontology, shapes)
pytest_plugins = ["shape_fixtures"]

SHAPES = URIRef(shacl.SHAPES_NS)

# The real nodes the corruptions change (see graph/factfinder.ttl).
PLACEMENT_VALUE = VALUE["ref-03-correct-placement"]
PLACEMENT_RESULT = RESULT["ref-03-correct-placement"]
PLACEMENT_CLAIM = CLAIM["medial-branch-correct-placement-82-of-107"]
NEEDLE_CLAIM = CLAIM["needle-at-target-5-and-3-of-10"]
MYTH = CLAIM["myth-ultrasound-proven-safe-and-effective"]
JEE = STUDY["ref-07"]
UNRESOLVED = STUDY["ref-03"]
JEE_PAPER = PUB["ref-07-candidate"]
JUDGEMENT = CLAIM["medial-branch-miss-rate-prohibitively-high"]
JUDGEMENT_LINE = LINE["medial-branch-miss-rate-prohibitively-high--ref-03"]
AUTHOR_STATEMENT = CLAIM["needle-tip-not-visualised-is-a-risk"]
AUTHOR_LINE = LINE["needle-tip-not-visualised-is-a-risk--clinical-experience"]
GAP = CLAIM["paucity-of-literature-on-ultrasound-guided-cervical-procedures"]


CORRUPTIONS = [
    Corruption("numerator-above-denominator",
               lambda g: replace(g, PLACEMENT_VALUE, SE.numerator, Literal(108, datatype=XSD.integer)),
               "NumeratorNotAboveDenominatorShape", PLACEMENT_VALUE, SH.SPARQLConstraintComponent),
    Corruption("percentage-disagrees-with-counts",
               lambda g: replace(g, PLACEMENT_VALUE, SE.statedPercentage, Literal("67", datatype=XSD.decimal)),
               "StatedPercentageAgreesWithCountsShape", PLACEMENT_VALUE, SH.SPARQLConstraintComponent),
    Corruption("statement-without-quote",
               lambda g: g.remove((NEEDLE_CLAIM, SE.hasQuote, None)),
               "QuotedWithExactWordsShape", NEEDLE_CLAIM),
    Corruption("quote-without-exact",
               lambda g: g.remove((selector_of(g, PLACEMENT_RESULT), OA.exact, None)),
               "QuotedWithExactWordsShape", PLACEMENT_RESULT),
    Corruption("selector-without-exact",
               lambda g: g.remove((selector_of(g, PLACEMENT_RESULT), OA.exact, None)),
               "TextQuoteSelector-exact", URIRef(QUOTE["ref-03-correct-placement"] + "#selector"),
               SH.MinCountConstraintComponent),
    Corruption("claim-without-evidence-line",
               lambda g: g.remove((PLACEMENT_CLAIM, SE.hasSupportingEvidenceLine, None)),
               "ClaimHasEvidenceFromStudyShape", PLACEMENT_CLAIM),
    Corruption("claim-evidence-line-without-study",
               lambda g: g.remove((line_of(g, PLACEMENT_CLAIM), SE.fromStudy, None)),
               "ClaimHasEvidenceFromStudyShape", PLACEMENT_CLAIM),
    Corruption("result-without-study",
               lambda g: g.remove((PLACEMENT_RESULT, SE.ofStudy, None)),
               "ResultHasStudyShape", PLACEMENT_RESULT),
    Corruption("result-without-outcome",
               lambda g: g.remove((PLACEMENT_RESULT, SE.measuresOutcome, None)),
               "ResultHasOutcomeShape", PLACEMENT_RESULT),
    Corruption("result-of-a-publication-not-a-study",
               lambda g: replace(g, PLACEMENT_RESULT, SE.ofStudy, JEE_PAPER),
               "Result-ofStudy", PLACEMENT_RESULT, SH.ClassConstraintComponent),
    Corruption("count-as-string",
               lambda g: replace(g, PLACEMENT_VALUE, SE.numerator, Literal("82")),
               "Proportion-numerator", PLACEMENT_VALUE, SH.DatatypeConstraintComponent),
    Corruption("statement-derived-from-a-non-document",
               lambda g: replace(g, PLACEMENT_CLAIM, PROV.wasDerivedFrom, URIRef("http://example.org/a-blog-post")),
               "Statement-wasDerivedFrom", PLACEMENT_CLAIM, SH.ClassConstraintComponent),
    Corruption("denominator-of-zero",
               lambda g: replace(g, PLACEMENT_VALUE, SE.denominator, Literal(0)),
               "Proportion-denominator", PLACEMENT_VALUE, SH.MinInclusiveConstraintComponent),
    Corruption("unknown-study-design",
               lambda g: replace(g, JEE, SE.studyDesign, SE["meta-analysis"]),
               "Study-studyDesign", JEE, SH.InConstraintComponent),
    Corruption("two-designs-on-one-study",
               lambda g: g.add((JEE, SE.studyDesign, SE.cohort)),
               "Study-studyDesign", JEE, SH.MaxCountConstraintComponent),
    Corruption("sub-recommendation-cycle",
               lambda g: g.add((REC["1a"], SE.hasSubRecommendation, REC["1"])),
               "NoSubRecommendationCycleShape", REC["1"], SH.SPARQLConstraintComponent),
    Corruption("recommendation-without-basis",
               lambda g: g.remove((REC["2"], SE.basedOn, None)),
               "RecommendationHasBasisShape", REC["2"]),
    Corruption("recommendation-without-text",
               lambda g: g.remove((REC["3"], SE.recommendationText, None)),
               "RecommendationHasTextShape", REC["3"]),
    Corruption("evidence-line-without-direction",
               lambda g: g.remove((line_of(g, PLACEMENT_CLAIM), SE.evidenceDirection, None)),
               "EvidenceLineHasDirectionShape", LINE["medial-branch-correct-placement-82-of-107--ref-03"]),
    Corruption("direction-contradicts-link",
               lambda g: replace(g, line_of(g, PLACEMENT_CLAIM), SE.evidenceDirection, SEPIO["0000404"]),
               "EvidenceDirectionMatchesLinkShape", LINE["medial-branch-correct-placement-82-of-107--ref-03"]),
    Corruption("unknown-evidence-direction",
               lambda g: replace(g, line_of(g, PLACEMENT_CLAIM), SE.evidenceDirection, SEPIO["0000999"]),
               "EvidenceLine-evidenceDirection", LINE["medial-branch-correct-placement-82-of-107--ref-03"],
               SH.InConstraintComponent),
    Corruption("citation-number-beyond-the-citation-list",
               lambda g: replace(g, JEE, SE.citationNumber, Literal(15, datatype=XSD.integer)),
               "CitationNumberInListShape", JEE, SH.SPARQLConstraintComponent),
    Corruption("citation-number-zero",
               lambda g: replace(g, JEE, SE.citationNumber, Literal(0, datatype=XSD.integer)),
               "Study-citationNumber", JEE, SH.MinInclusiveConstraintComponent),
    Corruption("citation-number-disagrees-with-iri",
               lambda g: replace(g, JEE, SE.citationNumber, Literal(8, datatype=XSD.integer)),
               "CitationNumberMatchesIriShape", JEE),
    Corruption("malformed-doi",
               lambda g: replace(g, JEE_PAPER, BIBO.doi, Literal("https://doi.org/10.1007/s00256-012-1434-1")),
               "Publication-doi", JEE_PAPER, SH.PatternConstraintComponent),
    Corruption("pmid-not-digits",
               lambda g: replace(g, JEE_PAPER, BIBO.pmid, Literal("PMID22609989")),
               "Publication-pmid", JEE_PAPER, SH.PatternConstraintComponent),
    Corruption("unresolved-study-with-publication",
               lambda g: g.add((UNRESOLVED, SE.matchedPublication, JEE_PAPER)),
               "UnresolvedStudyHasNoPublicationShape", UNRESOLVED),
    Corruption("percentage-above-100",
               lambda g: replace(g, PLACEMENT_VALUE, SE.statedPercentage, Literal("177", datatype=XSD.decimal)),
               "MeasuredValue-statedPercentage", PLACEMENT_VALUE, SH.MaxInclusiveConstraintComponent),
    Corruption("unknown-radiographic-view",
               lambda g: g.add((PLACEMENT_RESULT, SE.radiographicView, VIEW["lateral"])),
               "Result-radiographicView", PLACEMENT_RESULT, SH.ClassConstraintComponent),
    Corruption("myth-not-refuted",
               lambda g: g.remove((MYTH, SE.refutedBy, None)),
               "Myth-refutedBy", MYTH, SH.MinCountConstraintComponent),
    Corruption("result-iri-outside-the-base",
               lambda g: rename(g, PLACEMENT_RESULT, URIRef("http://example.org/result/ref-03")),
               "ResultShape", URIRef("http://example.org/result/ref-03"), SH.PatternConstraintComponent),
    Corruption("value-without-result",
               lambda g: g.remove((None, SE.hasValue, PLACEMENT_VALUE)),
               "MeasuredValue-valueOf", PLACEMENT_VALUE, SH.MinCountConstraintComponent),
    Corruption("cited-result-of-another-study",
               lambda g: g.add((line_of(g, PLACEMENT_CLAIM), SE.citesResult, RESULT["ref-01-target-missed"])),
               "CitedResultFromSameStudyShape", LINE["medial-branch-correct-placement-82-of-107--ref-03"]),
    Corruption("judgement-line-of-clinical-study-type",
               lambda g: replace(g, line_of(g, JUDGEMENT), SE.evidenceType, ECO["0000180"]),
               "EvidenceTypeMatchesStatementShape", JUDGEMENT_LINE),
    Corruption("author-statement-line-with-a-study",
               lambda g: g.add((AUTHOR_LINE, SE.fromStudy, JEE)),
               "EvidenceTypeMatchesStatementShape", AUTHOR_LINE),
    Corruption("author-statement-without-clinical-experience",
               lambda g: g.remove((AUTHOR_LINE, SE.evidenceType, None)),
               "AuthorStatementFromClinicalExperienceShape", AUTHOR_STATEMENT),
    Corruption("evidence-gap-with-an-evidence-line",
               lambda g: g.add((GAP, SE.hasSupportingEvidenceLine, AUTHOR_LINE)),
               "NoEvidenceLine-evidenceLine", GAP, SH.MaxCountConstraintComponent),
    Corruption("quote-of-another-thing",
               lambda g: replace(g, one(g, NEEDLE_CLAIM, SE.hasQuote), OA.hasBody, PLACEMENT_CLAIM),
               "QuoteBodyIsQuotedThingShape", NEEDLE_CLAIM),
]


def test_the_shipped_graph_conforms():
    outcome = shacl.validate()
    assert outcome.conforms, outcome.report_text
    assert outcome.results() == [], outcome.report_text
    reports = list(outcome.report_graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert outcome.report_graph.value(reports[0], SH.conforms) == Literal(True)


def test_a_second_document_conforms_with_the_shared_vocabulary(second: Graph, shapes: Graph, ontology: Graph):
    """No shape names the FactFinder's particulars: another document with three studies passes too."""
    documents = set(second.subjects(RDF.type, SE.GuidanceDocument))
    assert len(documents) == 1 and len(set(second.objects(None, SE.citationNumber))) == 3
    outcome = validate(second, shapes, ontology)
    assert outcome.conforms, outcome.report_text
    assert outcome.results() == [], outcome.report_text


def test_the_corruptions_are_distinct():
    assert len({c.name for c in CORRUPTIONS}) == len(CORRUPTIONS) >= 12
    assert len({c.shape for c in CORRUPTIONS}) >= 12


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=[c.name for c in CORRUPTIONS])
def test_a_corruption_is_reported_by_its_shape(corruption: Corruption, shipped: Graph, shapes: Graph,
                                               ontology: Graph):
    assert_reported(corruption, shipped, shapes, ontology)


def test_every_class_the_graph_uses_has_a_node_shape(shipped: Graph, shapes: Graph, ontology: Graph):
    targets = set(shapes.objects(None, SH.targetClass))
    used = {c for c in shipped.objects(None, RDF.type) if not str(c).startswith(str(OWL))}
    assert len(used) > 20
    missing = [c for c in used if not set(ontology.transitive_objects(c, RDFS.subClassOf)) & targets]
    assert missing == []


def test_every_shape_is_named_under_the_shapes_namespace(shapes: Graph):
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.subjects(SH.path, None))
    assert len(node_shapes) >= 30 and len(property_shapes) >= 60
    for shape in node_shapes | property_shapes:
        assert isinstance(shape, URIRef) and str(shape).startswith(SHAPE), shape
    for shape in property_shapes:
        assert shapes.value(shape, SH.name) is not None, shape
        assert shapes.value(shape, SH.description) is not None, shape
    assert (SHAPES, None, None) not in shapes  # the header is the ontology IRI, without '#'
    assert (URIRef(shacl.SHAPES_IRI), RDF.type, OWL.Ontology) in shapes


def test_the_sparql_constraints_declare_their_prefixes(shapes: Graph):
    constraints = list(shapes.objects(None, SH.sparql))
    assert len(constraints) >= 12
    declared = {str(p) for d in shapes.objects(None, SH.declare) for p in shapes.objects(d, SH.prefix)}
    for constraint in constraints:
        assert shapes.value(constraint, SH.prefixes) == URIRef(shacl.SHAPES_IRI)
        assert shapes.value(constraint, SH.message) is not None
    assert {"se", "oa", "sepio", "eco", "owl", "cito", "dct", "prov", "bibo", "skos", "xsd"} <= declared


def test_every_message_says_what_was_expected_and_what_was_found(shapes: Graph):
    messages = [(s, str(m)) for s, m in shapes.subject_objects(SH.message)]
    assert len(messages) >= 30
    for subject, message in messages:
        assert "expected" in message.lower() and "found" in message.lower(), (subject, message)
    for constraint in shapes.objects(None, SH.sparql):
        assert str(shapes.value(constraint, SH.message)).startswith("{$this}: "), constraint


def test_no_shape_names_one_documents_particulars(shapes: Graph):
    """No closed list of the FactFinder's nodes and no bound from its reference list."""
    assert not list(shapes.objects(None, SH.maxInclusive)) or all(
        int(v) == 100 for v in shapes.objects(None, SH.maxInclusive))
    listed = {str(v) for s, o in shapes.subject_objects(SH["in"]) for v in shapes.items(o)}
    assert not {v for v in listed if "/view/" in v or "/document/" in v or "/study/" in v}
    text = shapes.serialize(format="nt")
    assert "factfinder-ultrasound" not in text and "ref-07" not in text


def test_the_datatypes_are_checked_as_written(shipped: Graph):
    """A pyoxigraph store rewrites some literals ("07"^^xsd:int to "7"^^xsd:integer); validate must not."""
    graph, store = shacl.data_graphs(shipped)
    number = one(graph, JEE, SE.citationNumber)
    assert number.datatype == XSD.integer
    assert len(graph) == len(store)
    corrupted = copy(shipped)
    replace(corrupted, JEE, SE.citationNumber, Literal("7", datatype=XSD.int))
    assert not shacl.validate(corrupted).conforms


def test_validating_files_is_validating_the_graph(tmp_path, shipped: Graph):
    corrupted = copy(shipped)
    replace(corrupted, PLACEMENT_VALUE, SE.numerator, Literal(200, datatype=XSD.integer))
    path = tmp_path / "corrupted.nt"  # rdflib's Turtle writer would rewrite "1"^^xsd:decimal as 1.0
    corrupted.serialize(path, format="nt", encoding="utf-8")
    from_file = shacl.validate([path])
    from_graph = shacl.validate(corrupted)
    assert not from_file.conforms
    assert sorted(from_file.violations()) == sorted(from_graph.violations())


def test_an_unparsable_file_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix se: <https://w3id.org/spine-evidence/ontology#> .\nse:a se:b \n", encoding="utf-8")
    with pytest.raises(shacl.ValidationInputError) as caught:
        shacl.validate([bad])
    assert "bad.ttl" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(shacl.ValidationInputError):
        shacl.validate([tmp_path / "missing.ttl"])
    with pytest.raises(shacl.ValidationInputError):
        shacl.load_shapes(bad)


def test_split_shapes_keeps_each_constraint_once(shapes: Graph):
    core, sparql = shacl.split_shapes(shapes)
    assert not list(core.objects(None, SH.sparql))
    assert len(set(sparql.objects(None, SH.sparql))) == len(set(shapes.objects(None, SH.sparql)))
    targeted = {s for p in shacl.TARGET_PREDICATES for s in sparql.subjects(p, None)}
    assert targeted == set(shapes.subjects(SH.sparql, None))
    assert not [s for s in targeted if (s, SH.property, None) in sparql]
    untargeted_node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape)) - targeted
    assert not [s for s in untargeted_node_shapes if (s, RDF.type, SH.NodeShape) in sparql]
