"""Corruptions of structure, identifiers, references, provenance and evidence, each reported by a shape.

Single edits a maintainer really makes: a node given a second, disjoint kind; two
recommendations at one position; one DOI on two papers; a matched study without its
paper; an evidence line shared by two statements; a study dropped from the citation list;
a paper later than the document; a comparison across studies; a result with two values.
Each is applied to a copy of the shipped graph (or of the second document of
``tests/data``) and must be reported by ``validate`` as a violation on the changed node.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SH, XSD
from shape_corruption import (
    Corruption,
    Expected,
    assert_reported,
    one,
    replace,
)

from spine_evidence.namespaces import (
    BIBO,
    CITO,
    CLAIM,
    DOCUMENT_IRI,
    ECO,
    LINE,
    OA,
    PUB,
    QUOTE,
    REC,
    RESULT,
    SE,
    STUDY,
    VALUE,
)

# the corruption inputs as fixtures (shipped, second, ontology, shapes)
pytest_plugins = ["shape_fixtures"]

DOCUMENT = DOCUMENT_IRI
PLACEMENT_CLAIM = CLAIM["medial-branch-correct-placement-82-of-107"]
PLACEMENT_LINE = LINE["medial-branch-correct-placement-82-of-107--ref-03"]
PLACEMENT_RESULT = RESULT["ref-03-correct-placement"]
PLACEMENT_VALUE = VALUE["ref-03-correct-placement"]
NEEDLE_CLAIM = CLAIM["needle-at-target-5-and-3-of-10"]
MISSED_RESULT = RESULT["ref-01-target-missed"]
MISSED_VALUE = VALUE["ref-01-target-missed"]
FLUOROSCOPY_RESULT = RESULT["ref-07-intravascular-fluoroscopy"]
AUTHOR_STATEMENT = CLAIM["needle-tip-not-visualised-is-a-risk"]
AUTHOR_LINE = LINE["needle-tip-not-visualised-is-a-risk--clinical-experience"]
SECOND_CLAIM = CLAIM["needle-tip-visualisation-harder-with-ultrasound"]
REF_01, REF_03, REF_07 = STUDY["ref-01"], STUDY["ref-03"], STUDY["ref-07"]
PAPER_01, PAPER_04, PAPER_06, PAPER_07 = (PUB[f"ref-{n}-candidate"] for n in ("01", "04", "06", "07"))
SPARQL = SH.SPARQLConstraintComponent

# The second document's nodes (tests/data/second-document.ttl).
EXAMPLE_PAPER_02 = PUB["example-ref-02-candidate"]
EXAMPLE_REF_03 = STUDY["example-ref-03"]
EXAMPLE_FLUOROSCOPY = RESULT["example-ref-02-intravascular-fluoroscopy"]


def year(text: str) -> Literal:
    """An ``xsd:gYear``."""
    return Literal(text, datatype=XSD.gYear)


def integer(number: int) -> Literal:
    """An ``xsd:integer``."""
    return Literal(number, datatype=XSD.integer)


STRUCTURE = [
    Corruption("claim-also-typed-as-a-study", lambda g: g.add((PLACEMENT_CLAIM, RDF.type, SE.Study)),
               "DisjointKindsShape", PLACEMENT_CLAIM, SPARQL),
    Corruption("finding-also-typed-as-a-fact", lambda g: g.add((PLACEMENT_CLAIM, RDF.type, SE.Fact)),
               "DisjointKindsShape", PLACEMENT_CLAIM, SPARQL),
    Corruption("proportion-also-typed-as-a-mean", lambda g: g.add((PLACEMENT_VALUE, RDF.type, SE.Mean)),
               "DisjointKindsShape", PLACEMENT_VALUE, SPARQL),
    Corruption("result-also-typed-as-a-count", lambda g: g.add((PLACEMENT_RESULT, RDF.type, SE.Count)),
               "DisjointKindsShape", PLACEMENT_RESULT, SPARQL),
    Corruption("evidence-gap-also-typed-as-a-myth",
               lambda g: g.add((CLAIM["paucity-of-literature-on-ultrasound-guided-cervical-procedures"],
                                RDF.type, SE.Myth)),
               "DisjointKindsShape", CLAIM["paucity-of-literature-on-ultrasound-guided-cervical-procedures"],
               SPARQL),
    Corruption("two-recommendations-at-one-position", lambda g: replace(g, REC["2"], SE.position, integer(3)),
               "UniqueRecommendationPositionShape", REC["2"], SPARQL,
               also=[Expected("UniqueRecommendationPositionShape", REC["1b"], SPARQL)]),
    Corruption("sub-recommendation-with-two-parents", lambda g: g.add((REC["1a"], SE.subRecommendationOf, REC["3"])),
               "Recommendation-subRecommendationOf", REC["1a"], SH.MaxCountConstraintComponent),
    Corruption("evidence-line-shared-by-two-statements",
               lambda g: g.add((NEEDLE_CLAIM, SE.hasSupportingEvidenceLine, PLACEMENT_LINE)),
               "EvidenceLine-owner", PLACEMENT_LINE, SH.MaxCountConstraintComponent),
    Corruption("clinical-experience-line-shared",
               lambda g: g.add((SECOND_CLAIM, SE.hasSupportingEvidenceLine, AUTHOR_LINE)),
               "EvidenceLine-owner", AUTHOR_LINE, SH.MaxCountConstraintComponent),
    Corruption("evidence-line-of-no-statement",
               lambda g: g.remove((AUTHOR_STATEMENT, SE.hasSupportingEvidenceLine, AUTHOR_LINE)),
               "EvidenceLine-owner", AUTHOR_LINE, SH.MinCountConstraintComponent),
    Corruption("result-with-two-values", lambda g: g.add((PLACEMENT_RESULT, SE.hasValue, MISSED_VALUE)),
               "Result-hasValue", PLACEMENT_RESULT, SH.MaxCountConstraintComponent),
    Corruption("value-of-two-results", lambda g: g.add((MISSED_RESULT, SE.hasValue, PLACEMENT_VALUE)),
               "MeasuredValue-valueOf", PLACEMENT_VALUE, SH.MaxCountConstraintComponent),
]

IDENTIFIERS = [
    Corruption("one-doi-on-two-publications",
               lambda g: replace(g, PAPER_07, BIBO.doi, one(g, PAPER_01, BIBO.doi)),
               "UniquePublicationIdentifierShape", PAPER_07, SPARQL,
               also=[Expected("UniquePublicationIdentifierShape", PAPER_01, SPARQL)]),
    Corruption("one-doi-in-another-case",
               lambda g: replace(g, PAPER_07, BIBO.doi, Literal(str(one(g, PAPER_04, BIBO.doi)).lower())),
               "UniquePublicationIdentifierShape", PAPER_07, SPARQL),
    Corruption("one-pmid-on-two-publications",
               lambda g: replace(g, PAPER_06, BIBO.pmid, one(g, PAPER_04, BIBO.pmid)),
               "UniquePublicationIdentifierShape", PAPER_06, SPARQL),
    Corruption("one-citation-number-on-two-studies", lambda g: replace(g, REF_07, SE.citationNumber, integer(8)),
               "UniqueCitationNumberShape", REF_07, SPARQL,
               also=[Expected("UniqueCitationNumberShape", STUDY["ref-08"], SPARQL)]),
    Corruption("citation-number-negative", lambda g: replace(g, REF_07, SE.citationNumber, integer(-7)),
               "Study-citationNumber", REF_07, SH.MinInclusiveConstraintComponent),
    Corruption("two-citation-numbers", lambda g: g.add((REF_07, SE.citationNumber, integer(17))),
               "Study-citationNumber", REF_07, SH.MaxCountConstraintComponent),
]

REFERENCES = [
    Corruption("study-dropped-from-the-citation-list", lambda g: g.remove((DOCUMENT, CITO.citesAsEvidence, REF_03)),
               "CitedStudyInCitationListShape", PLACEMENT_RESULT, SPARQL,
               also=[Expected("CitedStudyInCitationListShape", PLACEMENT_LINE, SPARQL),
                     Expected("StudyCitedByDocumentShape", REF_03, SPARQL)]),
    Corruption("result-of-an-uncited-study",
               lambda g: g.remove((DOCUMENT, CITO.citesAsEvidence, STUDY["ref-01"])),
               "CitedStudyInCitationListShape", MISSED_RESULT, SPARQL),
    Corruption("strong-match-without-publication", lambda g: g.remove((REF_01, SE.matchedPublication, None)),
               "MatchedStudyHasPublicationShape", REF_01, SPARQL,
               also=[Expected("Publication-matchedBy", PAPER_01, SH.MinCountConstraintComponent)]),
    Corruption("probable-match-without-publication", lambda g: g.remove((REF_07, SE.matchedPublication, None)),
               "MatchedStudyHasPublicationShape", REF_07, SPARQL),
    Corruption("publication-on-an-unresolved-study",
               lambda g: replace(g, REF_01, SE.identificationStrength, SE.unresolved),
               "UnresolvedStudyHasNoPublicationShape", REF_01, SPARQL),
    Corruption("document-dated-before-a-cited-paper", lambda g: g.add((DOCUMENT, DCTERMS.date, year("2016"))),
               "PublicationNotAfterDocumentShape", PAPER_04, SPARQL),
    Corruption("document-date-not-a-year", lambda g: g.add((DOCUMENT, DCTERMS.date, Literal("2019"))),
               "GuidanceDocument-date", DOCUMENT, SH.OrConstraintComponent),
    Corruption("comparison-with-a-result-of-another-study",
               lambda g: g.add((PLACEMENT_RESULT, SE.comparedWith, MISSED_RESULT)),
               "ComparisonWithinStudyShape", PLACEMENT_RESULT, SPARQL,
               also=[Expected("ComparisonWithinStudyShape", MISSED_RESULT, SPARQL)]),
    Corruption("comparison-pointed-at-another-study",
               lambda g: replace(g, FLUOROSCOPY_RESULT, SE.comparedWith, RESULT["ref-12-epidural-spread-4-ml"]),
               "ComparisonWithinStudyShape", FLUOROSCOPY_RESULT, SPARQL),
    Corruption("comparison-with-a-statement",
               lambda g: g.add((PLACEMENT_RESULT, SE.comparedWith, PLACEMENT_CLAIM)),
               "Result-comparedWith", PLACEMENT_RESULT, SH.ClassConstraintComponent),
]

PROVENANCE_AND_EVIDENCE = [
    Corruption("result-derived-from-nothing", lambda g: g.remove((PLACEMENT_RESULT, PROV.wasDerivedFrom, None)),
               "Result-wasDerivedFrom", PLACEMENT_RESULT, SH.MinCountConstraintComponent),
    Corruption("recommendation-not-quoted-from-a-source",
               lambda g: g.remove((REC["1"], PROV.wasQuotedFrom, None)),
               "Recommendation-wasQuotedFrom", REC["1"], SH.MinCountConstraintComponent),
    Corruption("statement-quoted-from-the-document-not-its-text",
               lambda g: replace(g, PLACEMENT_CLAIM, PROV.wasQuotedFrom, DOCUMENT),
               "Statement-wasQuotedFrom", PLACEMENT_CLAIM, SH.ClassConstraintComponent),
    Corruption("quote-target-without-source",
               lambda g: g.remove((URIRef(QUOTE["ref-03-correct-placement"] + "#target"), OA.hasSource, None)),
               "QuoteTarget-hasSource", URIRef(QUOTE["ref-03-correct-placement"] + "#target"),
               SH.MinCountConstraintComponent),
    Corruption("quote-with-two-targets",
               lambda g: g.add((QUOTE["ref-03-correct-placement"], OA.hasTarget,
                                URIRef(QUOTE["ref-01-target-missed"] + "#target"))),
               "Annotation-hasTarget", QUOTE["ref-03-correct-placement"], SH.MaxCountConstraintComponent),
    Corruption("evidence-line-without-type", lambda g: g.remove((PLACEMENT_LINE, SE.evidenceType, None)),
               "EvidenceLine-evidenceType", PLACEMENT_LINE, SH.MinCountConstraintComponent),
    Corruption("evidence-line-from-two-studies", lambda g: g.add((PLACEMENT_LINE, SE.fromStudy, REF_07)),
               "EvidenceLine-fromStudy", PLACEMENT_LINE, SH.MaxCountConstraintComponent),
    Corruption("finding-line-typed-as-a-judgement",
               lambda g: replace(g, PLACEMENT_LINE, SE.evidenceType, ECO["0006016"]),
               "EvidenceTypeMatchesStatementShape", PLACEMENT_LINE, SPARQL),
    Corruption("evidence-line-cites-a-statement", lambda g: g.add((PLACEMENT_LINE, SE.citesResult, NEEDLE_CLAIM)),
               "EvidenceLine-citesResult", PLACEMENT_LINE, SH.ClassConstraintComponent),
]

SECOND_DOCUMENT = [
    Corruption("second-document-paper-later-than-the-document",
               lambda g: replace(g, EXAMPLE_PAPER_02, DCTERMS.date, year("2023")),
               "PublicationNotAfterDocumentShape", EXAMPLE_PAPER_02, SPARQL),
    Corruption("second-document-citation-number-beyond-its-list",
               lambda g: replace(g, EXAMPLE_REF_03, SE.citationNumber, integer(4)),
               "CitationNumberInListShape", EXAMPLE_REF_03, SPARQL),
    Corruption("second-document-comparison-across-studies",
               lambda g: replace(g, EXAMPLE_FLUOROSCOPY, SE.comparedWith,
                                 RESULT["example-ref-01-correct-placement"]),
               "ComparisonWithinStudyShape", EXAMPLE_FLUOROSCOPY, SPARQL),
    Corruption("second-document-study-typed-as-a-publication",
               lambda g: g.add((EXAMPLE_REF_03, RDF.type, SE.Publication)),
               "DisjointKindsShape", EXAMPLE_REF_03, SPARQL),
]

SHIPPED = STRUCTURE + IDENTIFIERS + REFERENCES + PROVENANCE_AND_EVIDENCE


@pytest.mark.parametrize("corruption", SHIPPED, ids=[c.name for c in SHIPPED])
def test_a_corruption_of_the_shipped_graph_is_reported(corruption: Corruption, shipped: Graph, shapes: Graph,
                                                       ontology: Graph):
    assert_reported(corruption, shipped, shapes, ontology)


@pytest.mark.parametrize("corruption", SECOND_DOCUMENT, ids=[c.name for c in SECOND_DOCUMENT])
def test_a_corruption_of_the_second_document_is_reported(corruption: Corruption, second: Graph, shapes: Graph,
                                                         ontology: Graph):
    assert_reported(corruption, second, shapes, ontology)


def test_the_corruptions_are_distinct():
    names = [c.name for c in SHIPPED + SECOND_DOCUMENT]
    assert len(set(names)) == len(names) >= 40
