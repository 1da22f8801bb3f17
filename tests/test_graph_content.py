"""The graph holds all of the FactFinder, with every number exactly as the source text states it.

The tables below were copied by hand from ``graph/ultrasound-imaging-for-cervical-injections.txt``
and ``graph/reference-candidates.tsv``; the tests compare the graph with them, so a mistyped
number, a lost result or a wrong design fails.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from functools import lru_cache

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from spine_evidence import paths, sources
from spine_evidence.namespaces import (
    BIBO,
    CITO,
    CLAIM,
    DOCUMENT_IRI,
    ECO,
    MOD,
    OA,
    ONTOLOGY_IRI,
    ONTOLOGY_VERSION_IRI,
    REC,
    RESULT,
    SE,
    SEPIO,
    STUDY,
    TP,
    VALUE,
    VIEW,
)
from spine_evidence.quotes import load_source_text, normalise
from spine_evidence.validation import CHECKS, Inputs, read_inputs, validate

P, PCT, MEAN, COUNT = SE.Proportion, SE.Percentage, SE.Mean, SE.Count

# result slug, citation number, value class, numbers {numerator, denominator, statedPercentage,
# meanValue, count}, the source's words for the number (must be in the result's quote), context.
RESULTS = [
    ("ref-01-target-missed", 1, P, dict(n=4, d=34), "missed in 4/34 cases", {}),
    ("ref-02-needle-at-target-lateral-oblique", 2, P, dict(n=5, d=10), "5 of 10 patients in the lateral oblique view",
     dict(view="lateral-oblique")),
    ("ref-02-needle-at-target-anteroposterior", 2, P, dict(n=3, d=10), "3 of 10 patients in the AP view",
     dict(view="anteroposterior")),
    ("ref-03-correct-placement", 3, P, dict(n=82, d=107, pct="77"), "82 of 107 (77%)", {}),
    ("ref-04-spinal-cord-injury", 4, COUNT, dict(count=1), "one available case report of spinal cord injury", {}),
    ("ref-05-vessel-c4-5", 5, PCT, dict(pct="5.5"), "5.5%", dict(site="c4-5-foramen")),
    ("ref-05-vessel-c5-6", 5, PCT, dict(pct="12.1"), "12.1%", dict(site="c5-6-foramen")),
    ("ref-05-vessel-c6-7", 5, PCT, dict(pct="13.5"), "13.5%", dict(site="c6-7-foramen")),
    ("ref-06-vulnerable-artery-in-foramen", 6, PCT, dict(pct="22.2"), "22.2% of the time", {}),
    ("ref-07-intravascular-fluoroscopy", 7, P, dict(n=4, d=60), "4/60 injections when fluoroscopy was used",
     dict(arm="fluoroscopy")),
    ("ref-07-intravascular-ultrasound", 7, P, dict(n=0, d=60), "0/60 when ultrasound was used", dict(arm="ultrasound")),
    ("ref-07-needle-at-target-lateral-oblique", 7, P, dict(n=28, d=55), "28/55 patients from the lateral oblique view",
     dict(view="lateral-oblique")),
    ("ref-07-needle-at-target-anteroposterior", 7, P, dict(n=26, d=55), "26/55 patients from the AP view",
     dict(view="anteroposterior")),
    ("ref-07-vas-ultrasound-baseline", 7, MEAN, dict(mean="6.1"), "mean VAS improving from 6.1",
     dict(arm="ultrasound", tp="baseline")),
    ("ref-07-vas-ultrasound-12-weeks", 7, MEAN, dict(mean="2.6"), "to 2.6 at 12 weeks in both groups",
     dict(arm="ultrasound", tp="12-weeks")),
    ("ref-07-vas-fluoroscopy-baseline", 7, MEAN, dict(mean="6.1"), "mean VAS improving from 6.1",
     dict(arm="fluoroscopy", tp="baseline")),
    ("ref-07-vas-fluoroscopy-12-weeks", 7, MEAN, dict(mean="2.6"), "to 2.6 at 12 weeks in both groups",
     dict(arm="fluoroscopy", tp="12-weeks")),
    ("ref-08-pain-improvement-50-percent", 8, P, dict(n=46, d=59, pct="78"), "of 59 patients, 46 (78%)",
     dict(tp="3-months")),
    ("ref-12-epidural-spread-1-ml", 12, P, dict(n=0, d=53), "with 1 cc of injectate, epidural spread occurred in 0/53",
     dict(volume="1")),
    ("ref-12-epidural-spread-4-ml", 12, PCT, dict(pct="24.5"), "With 4 cc of injectate", dict(volume="4")),
    ("ref-13-extra-neural-spread", 13, P, dict(n=10, d=12), "10/12 injections", {}),
    ("ref-13-scalene-spread", 13, P, dict(n=2, d=10), "scalene muscle in 2/10 injections", {}),
    ("ref-13-cadaveric-spread-outside-foramen", 13, P, dict(n=30, d=30), "30/30 ultrasound-guided injections", {}),
    ("ref-13-cadaveric-epidural-spread", 13, COUNT, dict(count=0), "none achieved epidural spread", {}),
    ("ref-13-pain-relief-7-days", 13, MEAN, dict(mean="53"), "53% at 7 days", dict(tp="7-days")),
    ("ref-13-pain-relief-30-days", 13, MEAN, dict(mean="13"), "13% relief at 30 days", dict(tp="30-days")),
    ("ref-14-successful-facet-injection", 14, P, dict(n=31, d=40, pct="78"), "78% (31 of 40)", {}),
]
NUMBER_PROPERTIES = dict(n=(SE.numerator, XSD.integer), d=(SE.denominator, XSD.integer),
                         pct=(SE.statedPercentage, XSD.decimal), mean=(SE.meanValue, XSD.decimal),
                         count=(SE["count"], XSD.integer))

DESIGNS = {1: "cadaveric", 2: "imaging-study", 3: "imaging-study", 4: "case-report", 5: "imaging-study",
           6: "anatomical-dissection", 7: "randomised-trial", 8: "cohort", 9: None, 10: None, 11: None,
           12: "imaging-study", 13: "cohort", 14: "cadaveric"}

GAPS = [  # the evidence gaps the text states, by the words that state them
    "no published cohorts large enough",
    "Absence of additional case reports does not confer safety",
    "There is no available literature assessing how reliable ultrasound is in detecting vulnerable vessels",
    "There is a paucity of literature",
    "limited evidence assessing the effectiveness of ultrasound",
    "While further studies are needed",
    "There are no studies demonstrating clinical accuracy of ultrasound-guided cervical medial branch nerve blocks",
    "There are no comparative effectiveness or placebo-controlled studies",
]

RECOMMENDATIONS = {  # slug: (position, sub-recommendations, direction code, opening words)
    "1": (1, {"1a", "1b"}, "for", "If ultrasound use is planned, until better evidence is presented"),
    "1a": (2, set(), "for", "Retain fluoroscopic images"),
    "1b": (3, set(), "for", "Use real-time fluoroscopy to confirm the absence of intravascular injection"),
    "2": (4, set(), "for", "Clearly discuss with patients"),
    "3": (5, {"3a"}, "for", "Discuss that the use of ultrasound confers unique risk profile"),
    "3a": (6, set(), None, "Spinal cord injury during ultrasound-guided cervical medial branch block"),
}


@lru_cache(maxsize=1)
def shipped() -> Graph:
    """The ontology and the FactFinder graph, merged."""
    return sources.merged_graph()


@lru_cache(maxsize=1)
def validate_reports() -> dict[str, list[tuple[str, str]]]:
    """What ``validate`` (without SHACL and the reasoner) reports on the shipped graph: check → (focus, message)."""
    outcome = validate(read_inputs(), reason=False, shacl=False)
    found: dict[str, list[tuple[str, str]]] = {name: [] for name in CHECKS}
    for result in outcome.results():
        name = next(n for n, c in CHECKS.items() if c.shape == result.source_shape)
        found[name].append((str(result.focus_node), result.message))
    return found


@lru_cache(maxsize=1)
def candidates() -> dict[int, dict[str, str]]:
    """The rows of reference-candidates.tsv by citation number."""
    with open(paths.graph_dir() / "reference-candidates.tsv", encoding="utf-8") as handle:
        return {int(row["ref"]): row for row in csv.DictReader(handle, delimiter="\t")}


def members(cls: URIRef) -> set[URIRef]:
    """Nodes typed ``cls`` or a subclass of it."""
    graph = shipped()
    return {s for c in graph.transitive_subjects(RDFS.subClassOf, cls) for s in graph.subjects(RDF.type, c)}


def quotes_of(node: URIRef) -> list[str]:
    """The ``oa:exact`` of each quote of ``node``."""
    graph = shipped()
    out = []
    for annotation in graph.objects(node, SE.hasQuote):
        selector = graph.value(graph.value(annotation, OA.hasTarget), OA.hasSelector)
        out.append(str(graph.value(selector, OA.exact)))
    return out


def study_number(study: URIRef) -> int:
    return int(shipped().value(study, SE.citationNumber))


# ------------------------------------------------------------------ counts


def test_counts_of_results_studies_gaps_myth_and_fact():
    assert len(members(SE.Result)) >= 26
    assert len(members(SE.Study)) == 14
    assert len(members(SE.EvidenceGap)) >= 7
    assert len(members(SE.Myth)) == 1
    assert len(members(SE.Fact)) == 1
    assert len(members(SE.StudyFinding)) >= 15
    assert len(members(SE.AuthorJudgement)) >= 5
    assert len(members(SE.AuthorStatement)) >= 5
    assert len(members(SE.ReportedBenefit)) == 2


def test_the_myth_is_refuted_by_the_fact():
    graph = shipped()
    (myth,), (fact,) = members(SE.Myth), members(SE.Fact)
    assert (myth, SE.refutedBy, fact) in graph
    assert "proven safe and effective alternative to fluoroscopy" in quotes_of(myth)[0]
    assert "Fluoroscopy remains the best evidence-based image-guidance modality" in quotes_of(fact)[0]


@pytest.mark.parametrize("words", GAPS)
def test_every_evidence_gap_is_in_the_graph(words):
    assert any(words in quote for gap in members(SE.EvidenceGap) for quote in quotes_of(gap)), words


def test_compound_gap_sentences_are_split_into_one_node_per_gap():
    sentences = [q for gap in members(SE.EvidenceGap) for q in quotes_of(gap)]
    assert sum("There are no comparative effectiveness or placebo-controlled" in q for q in sentences) == 2
    assert sum("There are no studies demonstrating clinical accuracy" in q for q in sentences) == 2


# ------------------------------------------------------------------ results and values


def test_every_result_in_the_graph_is_in_the_table():
    assert {RESULT[row[0]] for row in RESULTS} == members(SE.Result)


@pytest.mark.parametrize("slug, ref, kind, numbers, words, context", RESULTS, ids=[r[0] for r in RESULTS])
def test_result_values_are_the_numbers_of_the_text(slug, ref, kind, numbers, words, context):
    graph = shipped()
    result = RESULT[slug]
    assert study_number(graph.value(result, SE.ofStudy)) == ref
    assert graph.value(result, SE.measuresOutcome) is not None
    values = list(graph.objects(result, SE.hasValue))
    assert values == [VALUE[slug]]
    value = values[0]
    assert (value, RDF.type, kind) in graph
    for key, (prop, datatype) in NUMBER_PROPERTIES.items():
        stated = list(graph.objects(value, prop))
        if key not in numbers:
            assert stated == [], f"{slug} has an unexpected {prop}"
            continue
        assert len(stated) == 1 and stated[0].datatype == datatype
        expected = Decimal(numbers[key]) if isinstance(numbers[key], str) else numbers[key]
        assert stated[0].toPython() == expected
    assert any(words in quote for quote in quotes_of(result)), f"{words!r} not in the quote of {slug}"
    assert words in normalise(load_source_text())
    reported = [m for focus, m in validate_reports()["NumberInQuote"] if focus in (str(result), str(value))]
    assert reported == [], reported


@pytest.mark.parametrize("slug, ref, kind, numbers, words, context", RESULTS, ids=[r[0] for r in RESULTS])
def test_result_context(slug, ref, kind, numbers, words, context):
    graph = shipped()
    result = RESULT[slug]
    expected = {"view": (SE.radiographicView, VIEW), "arm": (SE.arm, MOD), "tp": (SE.timePoint, TP)}
    for key, (prop, namespace) in expected.items():
        if key in context:
            assert graph.value(result, prop) == namespace[context[key]]
    if "site" in context:
        assert str(graph.value(result, SE.atSite)).endswith("/" + context["site"])
    if "volume" in context:
        assert graph.value(result, SE.injectateVolumeMl).toPython() == Decimal(context["volume"])


def test_percentages_are_stated_not_computed():
    """validate's number check finds every stated percentage written with % in its result's quote."""
    graph = shipped()
    stated = [v for v in members(SE.Proportion) | members(SE.Percentage) if graph.value(v, SE.statedPercentage)]
    assert len(stated) >= 8
    assert validate_reports()["NumberInQuote"] == []
    base = read_inputs()
    copy = Graph()
    copy += base.graph
    for value in stated:  # each percentage one higher: no longer the text's
        pct = copy.value(value, SE.statedPercentage)
        copy.set((value, SE.statedPercentage, Literal(str(pct.toPython() + 1), datatype=XSD.decimal)))
    outcome = validate(Inputs(copy, base.store, base.ontology, copy, base.source_dirs), reason=False, shacl=False,
                       checks=["NumberInQuote"])
    assert {str(r.focus_node) for r in outcome.violations()} == {str(v) for v in stated}


def test_the_internal_inconsistency_of_reference_13_is_recorded_not_fixed():
    graph = shipped()
    for slug, numbers in (("ref-13-extra-neural-spread", (10, 12)), ("ref-13-scalene-spread", (2, 10))):
        value = VALUE[slug]
        assert (graph.value(value, SE.numerator).toPython(), graph.value(value, SE.denominator).toPython()) == numbers
        assert graph.value(RESULT[slug], SE.hasInconsistency) == Literal(True)
        assert "10/12" in str(graph.value(RESULT[slug], SKOS.editorialNote))
    assert graph.value(CLAIM["extra-neural-and-scalene-spread"], SE.hasInconsistency) == Literal(True)


@pytest.mark.parametrize("slug, abstract_says", [
    ("ref-06-vulnerable-artery-in-foramen", "21 of 95"),
    ("ref-07-intravascular-fluoroscopy", "five"),
    ("ref-05-vessel-c4-5", "5.45%"), ("ref-05-vessel-c5-6", "12.16%"), ("ref-05-vessel-c6-7", "13.51%"),
])
def test_disagreements_with_matched_abstracts_are_noted(slug, abstract_says):
    graph = shipped()
    assert graph.value(RESULT[slug], SE.hasInconsistency) == Literal(True)
    assert abstract_says in str(graph.value(RESULT[slug], SKOS.editorialNote))


def test_head_to_head_arms_are_compared():
    graph = shipped()
    pairs = {(str(a).rsplit("/", 1)[1], str(b).rsplit("/", 1)[1]) for a, b in graph.subject_objects(SE.comparedWith)}
    assert ("ref-07-intravascular-fluoroscopy", "ref-07-intravascular-ultrasound") in pairs
    assert ("ref-07-vas-ultrasound-12-weeks", "ref-07-vas-fluoroscopy-12-weeks") in pairs


# ------------------------------------------------------------------ studies and publications


@pytest.mark.parametrize("number", range(1, 15))
def test_study_number_design_and_identification(number):
    graph = shipped()
    study = STUDY[f"ref-{number:02d}"]
    row = candidates()[number]
    assert study_number(study) == number
    assert (DOCUMENT_IRI, CITO.citesAsEvidence, study) in graph
    design = graph.value(study, SE.studyDesign)
    assert design == (SE[DESIGNS[number]] if DESIGNS[number] else None)
    assert graph.value(study, RDFS.comment) is not None, "the design choice is explained"
    strength = {"strong": SE["strong-match"], "probable": SE["probable-match"], "unresolved": SE.unresolved}
    assert graph.value(study, SE.identificationStrength) == strength[row["match"]]
    assert "inferred" in str(graph.value(study, SE.identificationNote)).lower() or \
        "comparing" in str(graph.value(study, SE.identificationNote))
    publication = graph.value(study, SE.matchedPublication)
    if row["match"] == "unresolved":
        assert publication is None
        return
    assert str(graph.value(publication, DCTERMS.title)) == row["title"]
    assert str(graph.value(publication, SE.journal)) == row["journal"]
    for column, prop in (("doi", BIBO.doi), ("pmid", BIBO.pmid), ("year", DCTERMS.date)):
        stated = graph.value(publication, prop)
        assert (str(stated) if stated is not None else "") == row[column], f"{column} of ref {number}"


# ------------------------------------------------------------------ evidence lines


def test_every_claim_has_an_evidence_line_to_a_study():
    graph = shipped()
    for claim in members(SE.Claim):
        lines = list(graph.objects(claim, SE.hasSupportingEvidenceLine))
        assert lines and all(graph.value(line, SE.fromStudy) for line in lines), claim


def test_author_statements_rest_on_clinical_experience_without_a_study():
    graph = shipped()
    for statement in members(SE.AuthorStatement):
        (line,) = graph.objects(statement, SE.hasSupportingEvidenceLine)
        assert graph.value(line, SE.evidenceType) == ECO["0006018"]
        assert graph.value(line, SE.fromStudy) is None


def test_cited_results_belong_to_the_line_study():
    graph = shipped()
    for line in members(SE.EvidenceLine):
        assert graph.value(line, SE.evidenceDirection) == SEPIO["0000403"]
        for result in graph.objects(line, SE.citesResult):
            assert graph.value(result, SE.ofStudy) == graph.value(line, SE.fromStudy), line


def test_citations_in_a_claim_quote_are_its_evidence_lines():
    graph = shipped()
    for claim in members(SE.Claim) - members(SE.Fact):
        cited = {int(n) for quote in quotes_of(claim) for n in re.findall(r"\((\d+)\)", quote)}
        studies = {study_number(graph.value(line, SE.fromStudy))
                   for line in graph.objects(claim, SE.hasSupportingEvidenceLine)}
        assert cited <= studies, f"{claim} cites {cited} but has lines to {studies}"


def test_benefits_are_qualified():
    graph = shipped()
    for benefit in members(SE.ReportedBenefit):
        assert len(list(graph.objects(benefit, SE.qualifiedBy))) >= 2
        assert len(quotes_of(benefit)) >= 2


# ------------------------------------------------------------------ recommendations


def test_six_recommendations():
    assert members(SE.Recommendation) == {REC[slug] for slug in RECOMMENDATIONS}


@pytest.mark.parametrize("slug", sorted(RECOMMENDATIONS))
def test_recommendation_structure_text_and_basis(slug):
    graph = shipped()
    position, subs, direction, opening = RECOMMENDATIONS[slug]
    rec = REC[slug]
    assert graph.value(rec, SE.position).toPython() == position
    assert {str(s).rsplit("/", 1)[1] for s in graph.objects(rec, SE.hasSubRecommendation)} == subs
    for sub in subs:
        assert (REC[sub], SE.subRecommendationOf, rec) in graph
    code = graph.value(rec, SE.directionCode)
    assert (str(code) if code is not None else None) == direction
    text = str(graph.value(rec, SE.recommendationText))
    assert text.startswith(opening) and text in normalise(load_source_text())
    assert quotes_of(rec) == [text]
    based = list(graph.objects(rec, SE.basedOn))
    assert based and all(b in members(SE.Statement) for b in based)


# ------------------------------------------------------------------ the ontology and the context


def test_ontology_header():
    graph = shipped()
    ontology = URIRef(ONTOLOGY_IRI)
    assert (ontology, RDF.type, OWL.Ontology) in graph
    assert graph.value(ontology, OWL.versionIRI) == URIRef(ONTOLOGY_VERSION_IRI)
    assert graph.value(ontology, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, OWL.versionInfo):
        assert graph.value(ontology, prop) is not None, prop
    for prop in (DCTERMS.created, DCTERMS.modified):
        assert graph.value(ontology, prop).datatype == XSD.date


def test_every_ontology_term_has_a_label_and_a_definition():
    graph = Graph().parse(paths.ontology_dir() / "spine-evidence.ttl", format="turtle")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    terms = {s for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(str(SE))}
    assert len(terms) > 80
    for term in terms:
        assert graph.value(term, RDFS.label) is not None, term
        assert graph.value(term, SKOS.definition) is not None, term


def test_every_model_term_used_in_the_graph_is_declared_in_the_ontology():
    """validate's declared-terms check finds every se: term declared and every referenced node described."""
    graph = Graph().parse(paths.graph_dir() / "factfinder.ttl", format="turtle")
    used = {p for p in graph.predicates() if str(p).startswith(str(SE))}
    assert len(used) > 30
    assert validate_reports()["DeclaredTerm"] == []
    assert validate_reports()["LiteralFidelity"] == []
    assert validate_reports()["QuoteInSource"] == []


def test_the_json_ld_context_round_trips_the_graph():
    graph = Graph().parse(paths.graph_dir() / "factfinder.ttl", format="turtle")
    with open(paths.ontology_dir() / "context.jsonld", encoding="utf-8") as handle:
        context = json.load(handle)["@context"]
    assert context["@version"] == 1.1
    compact = graph.serialize(format="json-ld", context=context)
    assert '"numerator"' in compact and '"hasQuote"' in compact
    assert isomorphic(Graph().parse(data=compact, format="json-ld"), graph)
