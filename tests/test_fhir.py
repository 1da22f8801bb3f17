"""The FHIR R5 view (``spine_evidence.fhir``): it parses, says the graph's numbers, and its checks catch errors.

The numbers are compared with the graph's, read here by our own SPARQL (not the
module's queries), value and datatype; planted errors in a copy of the bundle,
and a planted result in the graph, must be reported by ``check_bundle`` and
refused by ``write_bundle``.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import dataset_sources
from fhir.resources import get_fhir_model_class

from spine_evidence.fhir import FhirBundleError, build_bundle, check_bundle, resource_id, write_bundle
from spine_evidence.fhir.evidence import INCONSISTENCY
from spine_evidence.namespaces import GRAPH_FACTFINDER
from spine_evidence.sparql import evaluate
from spine_evidence.store import create_store, open_store

XSD = "http://www.w3.org/2001/XMLSchema#"
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
GRAPH_NUMBERS = """
SELECT ?result ?class ?property ?number WHERE {
  ?result a se:Result ; se:hasValue ?value . ?value a ?class ; ?property ?number .
  VALUES ?class { se:Proportion se:Percentage se:Mean se:Count }
  VALUES ?property { se:numerator se:denominator se:statedPercentage se:meanValue se:count }
}"""
STATISTIC_TYPE = {"Proportion": "C44256", "Percentage": "C44256", "Mean": "C53319", "Count": "C25463"}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """The repository's graph in an in-memory store (no reasoning)."""
    return create_store(None, dataset_sources())


@pytest.fixture(scope="module")
def bundle(store: ox.Store) -> dict:
    return build_bundle(store)


def evidence_by_iri(bundle: dict) -> dict[str, dict]:
    """Each Evidence under the IRI its identifier holds."""
    return {r["identifier"][0]["value"]: r for r in (e["resource"] for e in bundle["entry"])
            if r["resourceType"] == "Evidence"}


def find(bundle: dict, kind: str, rid: str) -> dict:
    return next(e["resource"] for e in bundle["entry"]
                if e["resource"]["resourceType"] == kind and e["resource"]["id"] == rid)


def test_every_resource_of_the_written_bundle_parses_with_fhir_resources(store_dir: Path, tmp_path: Path) -> None:
    path = write_bundle(store_dir, tmp_path)
    assert path == tmp_path / "fhir" / "bundle.json"
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["type"] == "document" and written["entry"][0]["resource"]["resourceType"] == "Composition"
    for entry in written["entry"]:
        resource = entry["resource"]
        parsed = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert parsed.id == resource["id"] and FHIR_ID.match(resource["id"])
    get_fhir_model_class("Bundle").model_validate(written)


def test_the_shipped_graph_passes_every_check(bundle: dict) -> None:
    assert check_bundle(bundle) == []


def test_one_evidence_per_result(store: ox.Store, bundle: dict) -> None:
    count = next(iter(evaluate(store, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a se:Result }")))["n"]
    assert int(count.value) > 0
    assert len(evidence_by_iri(bundle)) == int(count.value)
    assert sum(e["resource"]["resourceType"] == "Evidence" for e in bundle["entry"]) == int(count.value)


def test_every_number_of_every_result_is_the_graphs_value_and_type(store: ox.Store, bundle: dict) -> None:
    evidence = evidence_by_iri(bundle)
    graph: dict[str, dict[str, ox.Literal]] = {}
    kinds: dict[str, str] = {}
    for row in evaluate(store, GRAPH_NUMBERS):
        iri = row["result"].value
        graph.setdefault(iri, {})[row["property"].value.rsplit("#", 1)[1]] = row["number"]
        kinds[iri] = row["class"].value.rsplit("#", 1)[1]
    assert set(graph) == set(evidence)
    for iri, numbers in graph.items():
        stat = evidence[iri]["statistic"][0]
        assert stat["statisticType"]["coding"][0]["code"] == STATISTIC_TYPE[kinds[iri]], iri
        expected = {"numerator": stat.get("numberOfEvents"), "denominator": stat.get("sampleSize", {}).get(
            "knownDataCount"), "count": stat.get("numberOfEvents"), "statedPercentage": stat.get("quantity", {}).get(
            "value"), "meanValue": stat.get("quantity", {}).get("value")}
        for prop, literal in numbers.items():
            found = expected[prop]
            if literal.datatype.value == XSD + "integer":
                assert type(found) is int and found == int(literal.value), (iri, prop, found, literal)
            else:
                assert literal.datatype.value == XSD + "decimal", (iri, prop, literal)
                assert isinstance(found, (int, float)) and Decimal(str(found)) == Decimal(literal.value), (iri, prop)
        if kinds[iri] == "Proportion" and "statedPercentage" not in numbers:
            assert "quantity" not in stat, f"{iri}: a percentage the text does not state"
        if "statedPercentage" in numbers:
            assert stat["quantity"]["code"] == "%"


def test_evidence_carries_the_source_words_the_study_and_its_variables(store: ox.Store, bundle: dict) -> None:
    query = "SELECT ?r ?exact ?study WHERE { ?r a se:Result ; se:ofStudy ?study ; " \
            "se:hasQuote/oa:hasTarget/oa:hasSelector/oa:exact ?exact }"
    evidence = evidence_by_iri(bundle)
    for row in evaluate(store, query):
        found = evidence[row["r"].value]
        assert row["exact"].value in found["description"]
        citations = [a["resourceReference"]["reference"] for a in found["relatedArtifact"] if a["type"] == "citation"]
        assert citations == [f"Citation/{resource_id(row['study'].value)}"]
        roles = [d["variableRole"]["coding"][0]["code"] for d in found["variableDefinition"]]
        assert roles[0] == "measuredVariable"


def test_the_interval_is_computed_wilson_and_said_so(bundle: dict) -> None:
    stat = evidence_by_iri(bundle)["https://w3id.org/spine-evidence/result/ref-07-intravascular-ultrasound"][
        "statistic"][0]
    estimate = stat["attributeEstimate"][0]
    assert "computed" in estimate["description"] and "not stated in the source" in estimate["description"]
    z = 1.959963984540054
    assert estimate["range"]["low"]["value"] == 0
    assert estimate["range"]["high"]["value"] == round(100 * z * z / (60 + z * z), 1)  # 0/60: z²/(n+z²)


def test_citations_give_identifiers_only_for_matched_studies(store: ox.Store, bundle: dict) -> None:
    query = "SELECT ?study ?strength ?doi WHERE { ?study a se:Study ; se:identificationStrength ?strength . " \
            "OPTIONAL { ?study se:matchedPublication/bibo:doi ?doi } }"
    rows = list(evaluate(store, query))
    assert rows
    for row in rows:
        cited = find(bundle, "Citation", resource_id(row["study"].value))["citedArtifact"]
        dois = [i["value"] for i in cited.get("identifier", []) if i["system"] == "https://doi.org"]
        matched = row["strength"].value.rsplit("#", 1)[1] in ("strong-match", "probable-match")
        assert dois == ([row["doi"].value] if matched and row["doi"] is not None else [])
        assert row["strength"].value.rsplit("#", 1)[1] in cited["note"][0]["text"]


def test_ids_and_the_whole_bundle_are_stable_across_two_builds(bundle: dict, store_dir: Path) -> None:
    again = build_bundle(create_store(None, dataset_sources()))
    assert json.dumps(again, sort_keys=True) == json.dumps(bundle, sort_keys=True)
    on_disk = build_bundle(open_store(store_dir))
    assert [e["fullUrl"] for e in on_disk["entry"]] == [e["fullUrl"] for e in bundle["entry"]]
    for iri, resource in evidence_by_iri(bundle).items():
        assert resource["id"] == resource_id(iri) == resource_id(iri)
    long = "https://w3id.org/spine-evidence/claim/" + "x" * 100
    assert resource_id(long) == resource_id(long) and len(resource_id(long)) <= 64 and FHIR_ID.match(resource_id(long))
    assert resource_id(long) != resource_id(long + "y")


@pytest.mark.java
def test_the_reasoned_build_gives_the_same_bundle(bundle: dict, built_dataset) -> None:
    """``spine-evidence build``'s store (with HermiT's inferences) says exactly what the sources say."""
    assert build_bundle(open_store(built_dataset.store)) == bundle


def planted(bundle: dict, rid: str = "result-ref-03-correct-placement") -> tuple[dict, dict]:
    """A copy of the bundle and the statistic of one of its Evidence (82 of 107, stated 77%)."""
    copied = copy.deepcopy(bundle)
    return copied, find(copied, "Evidence", rid)["statistic"][0]


def test_a_numerator_above_its_denominator_is_reported(bundle: dict) -> None:
    copied, stat = planted(bundle)
    stat["numberOfEvents"] = 108
    assert any("numberOfEvents 108 > sampleSize.knownDataCount 107" in p for p in check_bundle(copied))


def test_a_changed_percentage_is_reported_unless_flagged_as_the_texts_own(bundle: dict) -> None:
    copied, stat = planted(bundle)
    stat["quantity"]["value"] = 76
    problems = check_bundle(copied)
    assert any("stated percentage 76% disagrees with 82/107 = 77%" in p for p in problems), problems
    stat["note"] = [{"text": f"{INCONSISTENCY} the text states 76% for 82 of 107."}]
    assert check_bundle(copied) == []


def test_wrong_codes_dangling_references_and_bad_structure_are_reported(bundle: dict) -> None:
    copied, stat = planted(bundle)
    stat["statisticType"]["coding"][0]["code"] = "C99999"
    evidence = find(copied, "Evidence", "result-ref-03-correct-placement")
    evidence["variableDefinition"][0]["variableRole"]["coding"][0]["code"] = "outcome"
    evidence["status"] = "bogus"
    evidence["relatedArtifact"][0]["resourceReference"]["reference"] = "Citation/study-ref-99"
    evidence["relatedArtifact"][1]["type"] = "supports-maybe"
    stat["attributeEstimate"][0]["description"] = "95% interval"
    problems = "\n".join(check_bundle(copied))
    for expected in ("'C99999' is not in", "'outcome' is not in", "status 'bogus'", "'Citation/study-ref-99' does not "
                     "resolve", "'supports-maybe'", "not marked as computed"):
        assert expected in problems, expected
    evidence["statistic"][0]["numberOfEvents"] = "many"
    assert "not valid FHIR R5" in "\n".join(check_bundle(copied))


def test_write_bundle_refuses_a_graph_with_a_planted_wrong_number(tmp_path: Path) -> None:
    extra = tmp_path / "planted.ttl"
    extra.write_text("""
@prefix se: <https://w3id.org/spine-evidence/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/spine-evidence/result/planted> a se:Result ; rdfs:label "planted"@en ;
    se:ofStudy <https://w3id.org/spine-evidence/study/ref-03> ;
    se:measuresOutcome <https://w3id.org/spine-evidence/outcome/correct-placement> ;
    se:hasValue <https://w3id.org/spine-evidence/value/planted> .
<https://w3id.org/spine-evidence/value/planted> a se:Proportion ; se:numerator 5 ; se:denominator 4 ;
    se:statedPercentage 125.0 .
""", encoding="utf-8")
    store = create_store(None, [*dataset_sources(), (str(GRAPH_FACTFINDER), extra)])
    with pytest.raises(FhirBundleError) as raised:
        write_bundle(store, tmp_path / "out")
    message = str(raised.value)
    assert "Evidence/result-planted" in message and "numberOfEvents 5 > sampleSize.knownDataCount 4" in message
    assert "percentage 125 is outside 0–100" in message
    assert not (tmp_path / "out" / "fhir" / "bundle.json").exists()


STATEMENTS = "SELECT DISTINCT ?s ?claim WHERE { ?s a/rdfs:subClassOf* se:Statement . " \
             "BIND(EXISTS { ?s a/rdfs:subClassOf* se:Claim } AS ?claim) }"
STATEMENT_QUOTES = "SELECT ?s ?exact WHERE { ?s a/rdfs:subClassOf* se:Statement ; " \
                   "se:hasQuote/oa:hasTarget/oa:hasSelector/oa:exact ?exact }"
STATEMENT_LINES = """
SELECT ?s ?direction ?study ?result WHERE {
  ?s ?p ?line . VALUES (?p ?direction) { (se:hasSupportingEvidenceLine "supporting")
      (se:hasDisputingEvidenceLine "disputing") (se:hasInconclusiveEvidenceLine "inconclusive") }
  OPTIONAL { ?line se:fromStudy ?study } OPTIONAL { ?line se:citesResult ?result }
}"""


def assessments_by_official_iri(bundle: dict) -> dict[str, list[dict]]:
    """Each ArtifactAssessment under the IRI of its ``official`` identifier."""
    found: dict[str, list[dict]] = {}
    for resource in (e["resource"] for e in bundle["entry"]):
        if resource["resourceType"] == "ArtifactAssessment":
            for ident in resource["identifier"]:
                if ident["use"] == "official":
                    found.setdefault(ident["value"], []).append(resource)
    return found


def test_every_claim_and_statement_has_one_assessment_with_the_graphs_words(store: ox.Store, bundle: dict) -> None:
    rows = list(evaluate(store, STATEMENTS))
    claims = {r["s"].value for r in rows if r["claim"].value == "true"}
    statements = {r["s"].value for r in rows}
    assert claims and claims < statements  # claims (se:Claim and below) and the other statements (myth, benefits…)
    by_iri = assessments_by_official_iri(bundle)
    for iri in statements:
        assert len(by_iri.get(iri, [])) == 1, iri
        assert by_iri[iri][0]["id"] == resource_id(iri)
    assert set(by_iri) == statements  # no assessment of anything else holds its IRI as official
    quotes: dict[str, list[str]] = {}
    for row in evaluate(store, STATEMENT_QUOTES):
        quotes.setdefault(row["s"].value, []).append(row["exact"].value)
    assert set(quotes) == statements
    for iri, words in quotes.items():
        assert by_iri[iri][0]["content"][0]["summary"] == "\n\n".join(sorted(words)), iri
    section = next(s for s in find(bundle, "Composition", bundle["id"])["section"]
                   if s["title"] == "Claims and other statements")
    gaps = {r["g"].value for r in evaluate(store, "SELECT ?g WHERE { ?g a se:EvidenceGap }")}
    assert {e["reference"] for e in section["entry"]} == {
        f"ArtifactAssessment/{resource_id(iri)}" for iri in statements - gaps}


def test_a_claims_assessment_cites_its_evidence_lines_results_and_studies(store: ox.Store, bundle: dict) -> None:
    by_iri = assessments_by_official_iri(bundle)
    expected: dict[str, set[tuple[str, str]]] = {}
    results: dict[str, set[str]] = {}
    for row in evaluate(store, STATEMENT_LINES):
        iri = row["s"].value
        found = expected.setdefault(iri, set())
        found.add(("type", f"{row['direction'].value} evidence line"))
        if row["study"] is not None:
            found.add(("citation", f"Citation/{resource_id(row['study'].value)}"))
        if row["result"] is not None:
            found.add(("justification", f"Evidence/{resource_id(row['result'].value)}"))
            results.setdefault(iri, set()).add(row["result"].value)
    assert expected and results
    for iri, wanted in expected.items():
        container = next(c for c in by_iri[iri][0]["content"] if c["informationType"] == "container")
        said = {("type", c["type"]["text"]) for c in container["component"]}
        said |= {(a["type"], a["resourceReference"]["reference"]) for c in container["component"]
                 for a in c.get("relatedArtifact", [])}
        assert said == wanted, iri
        judged = by_iri[iri][0]["artifactReference"]["reference"]
        if len(results.get(iri, ())) == 1:
            assert judged == f"Evidence/{resource_id(next(iter(results[iri])))}", iri


def test_a_claim_citing_a_result_missing_from_the_bundle_is_reported(bundle: dict) -> None:
    copied = copy.deepcopy(bundle)
    cited = next(r for r in (e["resource"] for e in copied["entry"]) if r["resourceType"] == "ArtifactAssessment"
                 and r["artifactReference"]["reference"].startswith("Evidence/"))
    target = cited["artifactReference"]["reference"]
    copied["entry"] = [e for e in copied["entry"] if f"Evidence/{e['resource']['id']}" != target]
    assert any(f"ArtifactAssessment/{cited['id']}: artifactReference.reference {target!r} does not resolve" in p
               for p in check_bundle(copied))
