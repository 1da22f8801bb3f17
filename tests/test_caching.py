"""HTTP caching and the result cache: ETag, If-None-Match → 304, Cache-Control, X-Cache, byte bound,
POST twins and dataset keys; through the Flask app (the same WSGI fast path the servers run) and over HTTP.
"""

from __future__ import annotations

import json

import pytest
import rdflib
import requests

from spine_evidence.namespaces import GRAPH_FACTFINDER, GRAPH_ONTOLOGY
from spine_evidence.web import AppConfig, create_app
from spine_evidence.web.cache import normalise_query
from spine_evidence.web.state import EXTENSION_KEY

JSON = "application/sparql-results+json"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CLASSES = "SELECT DISTINCT ?c WHERE { ?x a ?c } ORDER BY ?c"


def make_client(store_dir, **options):
    app = create_app(AppConfig(store_path=store_dir, graph_version=options.pop("graph_version", "v1"), **options))
    return app, app.test_client()


@pytest.fixture
def cached(store_dir):
    return make_client(store_dir)


def count(response) -> int:
    return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])


def test_second_identical_request_is_answered_from_the_cache(cached):
    _, client = cached
    first = client.get("/sparql", query_string={"query": CLASSES}, headers={"Accept": JSON})
    second = client.get("/sparql", query_string={"query": CLASSES}, headers={"Accept": JSON})
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert second.data == first.data and len(json.loads(second.data)["results"]["bindings"]) > 0
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["X-SPARQL-Rows"] == first.headers["X-SPARQL-Rows"]


def test_if_none_match_gets_304_without_a_body(cached):
    _, client = cached
    first = client.get("/sparql", query_string={"query": COUNT})
    etag = first.headers["ETag"]
    assert etag.startswith('"v1-') and first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get("/sparql", query_string={"query": COUNT}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get("/sparql", query_string={"query": COUNT}, headers={"If-None-Match": '"v0-stale"'})
    assert other.status_code == 200 and count(other) == count(first)


def test_304_needs_no_evaluation_even_on_a_cold_cache(store_dir):
    _, warm = make_client(store_dir)
    etag = warm.get("/sparql", query_string={"query": COUNT}).headers["ETag"]
    app, cold = make_client(store_dir)  # a fresh worker: same graph version, empty cache
    response = cold.get("/sparql", query_string={"query": COUNT}, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert len(app.extensions[EXTENSION_KEY].cache) == 0


def test_different_accept_gives_a_different_etag_and_body(cached):
    _, client = cached
    answers = {accept: client.get("/sparql", query_string={"query": CLASSES}, headers={"Accept": accept})
               for accept in (JSON, "text/csv", "application/sparql-results+xml", "application/json")}
    assert len({r.headers["ETag"] for r in answers.values()}) == len(answers)
    assert {r.headers["Content-Type"].split(";")[0] for r in answers.values()} == set(answers)
    rows = [len(r.data.decode().strip().splitlines()) - 1 for r in (answers["text/csv"],)]
    assert rows[0] == len(json.loads(answers[JSON].data)["results"]["bindings"])


def test_post_query_is_cached_like_its_get_twin(cached):
    _, client = cached
    got = client.get("/sparql", query_string={"query": CLASSES}, headers={"Accept": JSON})
    form = client.post("/sparql", data={"query": CLASSES}, headers={"Accept": JSON})
    body = client.post("/sparql", data=CLASSES.encode(),
                       headers={"Accept": JSON, "Content-Type": "application/sparql-query"})
    assert got.headers["X-Cache"] == "miss"
    assert form.headers["X-Cache"] == body.headers["X-Cache"] == "hit"
    assert form.data == body.data == got.data
    assert form.headers["ETag"] == got.headers["ETag"]
    assert "Cache-Control" not in form.headers  # shared caches do not store POST answers


def test_cache_is_keyed_on_dataset_parameters(cached):
    _, client = cached
    plain = client.get("/sparql", query_string={"query": COUNT})
    ontology = client.get("/sparql", query_string={"query": COUNT, "default-graph-uri": str(GRAPH_ONTOLOGY)})
    factfinder = client.get("/sparql", query_string={"query": COUNT, "default-graph-uri": str(GRAPH_FACTFINDER)})
    assert [r.headers["X-Cache"] for r in (plain, ontology, factfinder)] == ["miss", "miss", "miss"]
    assert len({count(plain), count(ontology), count(factfinder)}) == 3
    assert len({r.headers["ETag"] for r in (plain, ontology, factfinder)}) == 3
    again = client.get("/sparql", query_string={"query": COUNT, "default-graph-uri": str(GRAPH_ONTOLOGY)})
    assert again.headers["X-Cache"] == "hit" and count(again) == count(ontology)


def test_cache_never_exceeds_its_byte_bound(store_dir):
    bound = 6000
    app, client = make_client(store_dir, cache_bytes=bound)
    cache = app.extensions[EXTENSION_KEY].cache
    queries = [f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {n}" for n in range(1, 4)]
    queries += [f"SELECT ({n} AS ?n) (COUNT(*) AS ?count) WHERE {{ ?s a ?c }}" for n in range(40)]
    for query in queries:
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
        assert response.status_code == 200 and response.headers["X-Cache"] == "miss"
        assert cache.bytes <= bound, cache.bytes
    assert 0 < len(cache) < len(queries)
    oldest = client.get("/sparql", query_string={"query": queries[0]}, headers={"Accept": JSON})
    newest = client.get("/sparql", query_string={"query": queries[-1]}, headers={"Accept": JSON})
    assert oldest.headers["X-Cache"] == "miss" and newest.headers["X-Cache"] == "hit"
    huge = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert len(huge.data) > bound and cache.bytes <= bound  # too big to keep, still answered


def test_graph_version_is_part_of_the_key(store_dir):
    _, first = make_client(store_dir, graph_version="v1")
    _, second = make_client(store_dir, graph_version="v2")
    one = first.get("/sparql", query_string={"query": COUNT}).headers["ETag"]
    two = second.get("/sparql", query_string={"query": COUNT}).headers["ETag"]
    assert one.startswith('"v1-') and two.startswith('"v2-') and one != two
    assert second.get("/sparql", query_string={"query": COUNT}, headers={"If-None-Match": one}).status_code == 200


def test_volatile_queries_are_never_cached(cached):
    _, client = cached
    query = "SELECT (RAND() AS ?r) WHERE {}"
    first = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    second = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    for response in (first, second):
        assert response.status_code == 200
        assert "ETag" not in response.headers and "X-Cache" not in response.headers
    assert first.data != second.data


def test_disabled_cache_still_gives_validators(store_dir):
    app, client = make_client(store_dir, cache_bytes=0)
    first = client.get("/sparql", query_string={"query": COUNT})
    second = client.get("/sparql", query_string={"query": COUNT}, headers={"If-None-Match": first.headers["ETag"]})
    assert "X-Cache" not in first.headers and second.status_code == 304
    assert len(app.extensions[EXTENSION_KEY].cache) == 0


def test_whitespace_is_normalised_only_where_it_cannot_matter():
    assert normalise_query("  SELECT  *\n WHERE { ?s ?p ?o }\n") == "SELECT * WHERE { ?s ?p ?o }"
    literal = 'SELECT * WHERE { ?s ?p "a  b" }'
    assert normalise_query(literal) == literal
    comment = "SELECT * # note\nWHERE { ?s ?p ?o }"
    assert normalise_query(comment) == comment


def test_documents_have_validators_and_answer_304(cached):
    _, client = cached
    paths = ["/.well-known/void", "/graph-store?default", "/ontology", "/sparql"]
    for path in paths:
        first = client.get(path, headers={"Accept": "text/turtle"})
        assert first.status_code == 200, path
        assert first.headers["ETag"].startswith('W/"v1-') and "public" in first.headers["Cache-Control"], path
        assert len(rdflib.Graph().parse(data=first.data, format="turtle")) > 0, path
        again = client.get(path, headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", path
        other = client.get(path, headers={"Accept": "application/n-triples"})
        assert other.headers["ETag"] != first.headers["ETag"], path


def test_cache_over_http(endpoint):
    params = {"query": CLASSES + " LIMIT 7"}
    responses = [requests.get(endpoint.url, params=params, headers={"Accept": JSON}, timeout=10) for _ in range(12)]
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1 and len({r.headers["ETag"] for r in responses}) == 1
    assert "hit" in {r.headers.get("X-Cache") for r in responses}  # each worker keeps its own cache
    fresh = requests.get(endpoint.url, params=params, headers={"If-None-Match": responses[0].headers["ETag"],
                                                                "Accept": JSON}, timeout=10)
    assert fresh.status_code == 304 and fresh.content == b""


def test_only_sparql_white_space_is_collapsed_in_the_cache_key():
    from spine_evidence.web.cache import normalise_query

    assert normalise_query(" SELECT  *\n\tWHERE { ?s ?p ?o }\r\n") == "SELECT * WHERE { ?s ?p ?o }"
    one, two = ("SELECT * WHERE { <http://e/a\u00a0b> ?p ?o }", "SELECT * WHERE { <http://e/a\u00a0\u00a0b> ?p ?o }")
    assert normalise_query(one) != normalise_query(two)  # no-break spaces belong to the IRI
