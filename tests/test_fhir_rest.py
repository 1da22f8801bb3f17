"""The read-only FHIR R5 REST API at ``/fhir`` and ``Accept: application/fhir+json`` on our IRIs.

A real FHIR client (``fhirpy``'s ``SyncFHIRClient``) reads the
CapabilityStatement, searches Evidence by outcome and by study, and reads
resources from the session's real server (granian); every expected answer is
asked of the same server's ``/sparql``, never written here. The 400/406 paths
use the Flask test client.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

import pytest
import requests
from fhir.resources import get_fhir_model_class
from fhirpy import SyncFHIRClient

from spine_evidence.fhir import resource_id

FHIR_JSON = "application/fhir+json"
PREFIXES = "PREFIX se: <https://w3id.org/spine-evidence/ontology#>\n"
RESULTS = PREFIXES + """
SELECT ?result ?outcome ?study ?numerator ?denominator WHERE {
  ?result a se:Result ; se:measuresOutcome ?outcome ; se:ofStudy ?study ; se:hasValue ?value .
  OPTIONAL { ?value se:numerator ?numerator } OPTIONAL { ?value se:denominator ?denominator }
}"""


def sparql(endpoint, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT asked of the server's ``/sparql``, each variable's value as a string."""
    answer = requests.post(endpoint.url, data={"query": query},
                           headers={"Accept": "application/sparql-results+json"}, timeout=10)
    answer.raise_for_status()
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


@pytest.fixture(scope="module")
def fhir(endpoint) -> SyncFHIRClient:
    return SyncFHIRClient(f"{endpoint.base}/fhir")


@pytest.fixture(scope="module")
def results(endpoint) -> list[dict[str, str]]:
    rows = sparql(endpoint, RESULTS)
    assert rows, "the graph has no se:Result"
    return rows


def grouped(rows: list[dict[str, str]], key: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        found[row[key]].add(row["result"])
    return found


def evidence_iris(found: list) -> set[str]:
    return {ident["value"] for resource in found for ident in resource["identifier"] if ident["use"] == "official"}


def test_the_capability_statement_offers_read_and_evidence_search(fhir: SyncFHIRClient) -> None:
    statement = fhir.execute("metadata", method="get")
    get_fhir_model_class("CapabilityStatement").model_validate(statement)
    assert statement["fhirVersion"] == "5.0.0" and statement["format"] == ["json"]
    by_type = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {"Evidence", "Citation", "PlanDefinition", "ArtifactAssessment", "EvidenceVariable"} <= set(by_type)
    evidence = by_type["Evidence"]
    assert {i["code"] for i in evidence["interaction"]} == {"read", "search-type"}
    params = {p["name"]: p for p in evidence["searchParam"]}
    assert {"_id", "outcome", "study"} <= set(params)
    for name in ("outcome", "study"):  # our own parameters: defined, readable, with their expression
        definition = fhir.reference("SearchParameter", params[name]["definition"].rsplit("/", 1)[-1]).to_resource()
        get_fhir_model_class("SearchParameter").model_validate(definition.serialize())
        assert definition["url"] == params[name]["definition"] and definition["code"] == name
        assert definition["expression"].startswith("Evidence.")


def test_search_by_outcome_finds_the_graphs_results(fhir: SyncFHIRClient, results) -> None:
    by_outcome = grouped(results, "outcome")
    for number, (outcome, expected) in enumerate(sorted(by_outcome.items())):
        rid = resource_id(outcome)  # the three forms of a reference value a FHIR client may send
        value = [rid, f"EvidenceVariable/{rid}", outcome][number % 3]
        found = fhir.resources("Evidence").search(outcome=value).fetch_all()
        assert evidence_iris(found) == expected, outcome
        assert len(found) == len(expected)


def test_search_by_study_finds_the_graphs_results(fhir: SyncFHIRClient, results) -> None:
    by_study = grouped(results, "study")
    assert len(by_study) > 1
    for study, expected in sorted(by_study.items()):
        found = fhir.resources("Evidence").search(study=f"Citation/{resource_id(study)}").fetch_all()
        assert evidence_iris(found) == expected, study


def test_search_pages_and_by_id(fhir: SyncFHIRClient, results) -> None:
    every = {row["result"] for row in results}
    assert evidence_iris(fhir.resources("Evidence").limit(5).fetch_all()) == every  # follows the next links
    one = sorted(every)[0]
    found = fhir.resources("Evidence").search(_id=resource_id(one)).get()
    assert found["url"] == one


def test_read_an_evidence_and_a_citation_says_the_graphs_numbers(fhir: SyncFHIRClient, endpoint, results) -> None:
    row = next(r for r in sorted(results, key=lambda r: r["result"]) if "numerator" in r and "denominator" in r)
    evidence = fhir.reference("Evidence", resource_id(row["result"])).to_resource()
    statistic = evidence["statistic"][0]
    assert statistic["numberOfEvents"] == int(row["numerator"])
    assert statistic["sampleSize"]["knownDataCount"] == int(row["denominator"])
    study = sparql(endpoint, PREFIXES + f"SELECT ?number WHERE {{ <{row['study']}> se:citationNumber ?number }}")
    citation = fhir.reference("Citation", resource_id(row["study"])).to_resource()
    assert citation["identifier"][0]["value"] == row["study"]
    assert citation["title"].endswith(f"(citation number {study[0]['number']})")


def test_accept_fhir_json_on_our_iris_answers_their_resources(endpoint, results) -> None:
    iri = sorted(row["result"] for row in results)[0]
    answer = requests.get(endpoint.base + iri.removeprefix("https://w3id.org/spine-evidence"),
                          headers={"Accept": FHIR_JSON}, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(FHIR_JSON)
    assert "Accept" in answer.headers["Vary"]
    evidence = answer.json()
    assert evidence["resourceType"] == "Evidence" and evidence["identifier"][0]["value"] == iri
    for path, kind in (("/study/ref-01", "Citation"), ("/recommendation/1", "PlanDefinition")):
        resource = requests.get(endpoint.base + path, headers={"Accept": FHIR_JSON}, timeout=10).json()
        assert resource["resourceType"] == kind and resource["identifier"][0]["value"].endswith(path)
    turtle = requests.get(endpoint.base + "/study/ref-01", headers={"Accept": "text/turtle"}, timeout=10)
    assert turtle.headers["Content-Type"].startswith("text/turtle")


def test_an_unknown_id_is_a_404_operation_outcome(endpoint) -> None:
    answer = requests.get(f"{endpoint.base}/fhir/Evidence/no-such-result", timeout=10)
    assert answer.status_code == 404 and answer.headers["Content-Type"].startswith(FHIR_JSON)
    outcome = answer.json()
    get_fhir_model_class("OperationOutcome").model_validate(outcome)
    assert outcome["issue"][0]["code"] == "not-found" and "no-such-result" in outcome["issue"][0]["diagnostics"]


def outcome_of(answer, status: int) -> str:
    """The diagnostics of an OperationOutcome answer with ``status``."""
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.headers["Content-Type"].startswith(FHIR_JSON)
    body = json.loads(answer.get_data(as_text=True))
    assert body["resourceType"] == "OperationOutcome"
    return str(body["issue"][0]["diagnostics"])


def test_malformed_requests_get_400_and_unoffered_formats_406(client) -> None:
    assert "not a FHIR id" in outcome_of(client.get("/fhir/Evidence/bad!id"), 400)
    assert "unknown search parameter 'author'" in outcome_of(client.get("/fhir/Evidence?author=x"), 400)
    assert "_count" in outcome_of(client.get("/fhir/Evidence?_count=many"), 400)
    assert FHIR_JSON in outcome_of(client.get("/fhir/metadata", headers={"Accept": "application/fhir+xml"}), 406)
    assert "xml" in outcome_of(client.get("/fhir/metadata?_format=xml"), 406)
    assert outcome_of(client.get("/fhir/Patient/1"), 404)
    as_json = client.get("/fhir/metadata", headers={"Accept": "application/json"})
    assert as_json.status_code == 200 and as_json.headers["Content-Type"].startswith("application/json")


def test_accept_fhir_json_on_any_claim_answers_its_assessment(fhir: SyncFHIRClient, endpoint) -> None:
    found = sparql(endpoint, PREFIXES + """
SELECT ?claim ?kind ?exact WHERE {
  VALUES ?kind { se:AuthorStatement se:StudyFinding se:Myth se:EvidenceGap }
  ?claim a ?kind ; se:hasQuote/<http://www.w3.org/ns/oa#hasTarget>/<http://www.w3.org/ns/oa#hasSelector>/
         <http://www.w3.org/ns/oa#exact> ?exact .
} ORDER BY ?claim ?exact""")
    first: dict[str, dict[str, str]] = {}
    for row in found:
        first.setdefault(row["kind"], row)
    assert len(first) == 4, first
    for row in first.values():
        claim = row["claim"]
        answer = requests.get(endpoint.base + claim.removeprefix("https://w3id.org/spine-evidence"),
                              headers={"Accept": FHIR_JSON}, timeout=10)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(FHIR_JSON), claim
        assert "Accept" in answer.headers["Vary"]
        resource = answer.json()
        get_fhir_model_class("ArtifactAssessment").model_validate(resource)
        assert resource["resourceType"] == "ArtifactAssessment" and resource["id"] == resource_id(claim)
        assert {"use": "official", "system": "urn:ietf:rfc:3986", "value": claim} in resource["identifier"]
        assert row["exact"] in resource["content"][0]["summary"]
        read = fhir.reference("ArtifactAssessment", resource["id"]).to_resource().serialize()  # the same from /fhir
        assert read == resource


def test_a_quote_without_a_fhir_resource_is_406_naming_what_is_offered(client, app) -> None:
    store = app.extensions["spine_evidence"].store
    found = store.query(PREFIXES + "SELECT ?quote WHERE { ?s se:hasQuote ?quote } ORDER BY ?quote LIMIT 1")
    quote = next(iter(found))["quote"].value
    described = client.get(quote.removeprefix("https://w3id.org/spine-evidence"), headers={"Accept": "text/turtle"})
    assert described.status_code == 200  # the quote is described, only not as FHIR
    answer = client.get(quote.removeprefix("https://w3id.org/spine-evidence"), headers={"Accept": FHIR_JSON})
    message = outcome_of(answer, 406)
    assert quote in message and "text/turtle" in message and "text/html" in message
    assert "Accept" in answer.headers["Vary"]


def test_serving_fhir_does_not_import_rdflib(store_dir) -> None:
    script = ("import sys\nfrom spine_evidence.web import AppConfig, create_app\n"
              f"app = create_app(AppConfig(store_path={str(store_dir)!r}))\n"
              "before = 'rdflib' in sys.modules\n"
              "assert app.test_client().get('/fhir/Evidence?_count=1').status_code == 200\n"
              "print(before, 'rdflib' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("path", ["/fhir/metadata", "/fhir/Evidence?_count=2",
                                  "/fhir/Evidence/result-ref-07-intravascular-fluoroscopy"])
def test_fhir_answers_carry_a_weak_etag_and_answer_304_when_fresh(client, path: str) -> None:
    first = client.get(path, headers={"Accept": FHIR_JSON})
    assert first.status_code == 200, first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and "Host" in first.headers["Vary"] and "Accept" in first.headers["Vary"]
    again = client.get(path, headers={"Accept": FHIR_JSON, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    other = client.get(path, headers={"Accept": FHIR_JSON, "If-None-Match": 'W/"another-version"'})
    assert other.status_code == 200 and json.loads(other.get_data()) == json.loads(first.get_data())
