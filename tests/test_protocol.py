"""SPARQL 1.1 Protocol at /sparql: methods, body types, dataset parameters, formats, negotiation, errors.

Most tests use the Flask test client on the session store; the answers are
checked against rdflib's own reading of the same source files (an
independent engine), and every RDF or results document is parsed back.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
import rdflib
import requests
from conftest import ENDPOINT_MAX_ROWS, dataset_sources

from spine_evidence.namespaces import GRAPH_FACTFINDER, GRAPH_ONTOLOGY
from spine_evidence.web import AppConfig, create_app

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
TYPED = f"SELECT ?s ?c WHERE {{ ?s <{RDF_TYPE}> ?c }}"
CONSTRUCT_TYPED = f"CONSTRUCT {{ ?s <{RDF_TYPE}> ?c }} WHERE {{ ?s <{RDF_TYPE}> ?c }}"
SRX = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def merged() -> rdflib.Graph:
    """The merge of the source files, read by rdflib (the independent expectation)."""
    graph = rdflib.Graph()
    for _, path in dataset_sources():
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def typed_count(merged) -> int:
    """How many rdf:type triples the sources hold (rdflib's count)."""
    return len(set(merged.triples((None, rdflib.RDF.type, None))))


def select_json(client, query: str, **params) -> dict:
    """Run a query by GET and return the parsed SPARQL JSON."""
    response = client.get("/sparql", query_string={"query": query, **params},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.data)


def count(client, pattern: str, **params) -> int:
    """COUNT(*) of a graph pattern through the endpoint."""
    data = select_json(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", **params)
    return int(data["results"]["bindings"][0]["n"]["value"])


# --- methods and body types -------------------------------------------------

def test_get_form_post_and_direct_post_give_the_same_rows(client, typed_count):
    get = client.get("/sparql", query_string={"query": TYPED}, headers={"Accept": "application/sparql-results+json"})
    form = client.post("/sparql", data={"query": TYPED}, headers={"Accept": "application/sparql-results+json"})
    direct = client.post("/sparql", data=TYPED.encode(), content_type="application/sparql-query; charset=utf-8",
                         headers={"Accept": "application/sparql-results+json"})
    for response in (get, form, direct):
        assert response.status_code == 200
        assert len(json.loads(response.data)["results"]["bindings"]) == min(typed_count, ENDPOINT_MAX_ROWS)


def test_trailing_slash_and_head(client):
    assert client.get("/sparql/", query_string={"query": "ASK {}"}).status_code == 200
    head = client.head("/sparql", query_string={"query": "ASK {}"})
    assert head.status_code == 200 and head.data == b""


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_get_405(client, method):
    response = getattr(client, method)("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]
    assert response.content_type.startswith("text/plain")


# --- result formats, parsed back ----------------------------------------------

def test_select_as_json_xml_csv_tsv(client, typed_count):
    query = f"SELECT ?s ?c WHERE {{ ?s <{RDF_TYPE}> ?c }} LIMIT 100"
    expected = min(typed_count, 100)
    rows = {}
    for fmt in ("json", "xml", "csv", "tsv"):
        response = client.get("/sparql", query_string={"query": query, "format": fmt})
        assert response.status_code == 200, fmt
        rows[fmt] = response.data
    assert len(json.loads(rows["json"])["results"]["bindings"]) == expected
    results = ET.fromstring(rows["xml"]).find(f"{SRX}results")
    assert len(results.findall(f"{SRX}result")) == expected
    table = list(csv.reader(io.StringIO(rows["csv"].decode())))
    assert table[0] == ["s", "c"] and len(table) - 1 == expected
    lines = rows["tsv"].decode().splitlines()
    assert lines[0] == "?s\t?c" and len(lines) - 1 == expected


def test_ask_as_json_and_xml(client):
    yes = client.get("/sparql", query_string={"query": f"ASK {{ ?s <{RDF_TYPE}> ?c }}", "format": "json"})
    no = client.get("/sparql", query_string={"query": "ASK { <urn:x:none> ?p ?o }", "format": "xml"})
    assert json.loads(yes.data)["boolean"] is True
    assert ET.fromstring(no.data).find(f"{SRX}boolean").text == "false"


@pytest.mark.parametrize(
    "media_type, rdflib_format",
    [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
     ("application/rdf+xml", "xml"), ("application/n-quads", "nquads"), ("application/trig", "trig")],
)
def test_construct_in_every_rdf_format(client, typed_count, media_type, rdflib_format):
    response = client.post("/sparql", data={"query": CONSTRUCT_TYPED}, headers={"Accept": media_type})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.split(";")[0] == media_type
    parsed = rdflib.Dataset()
    parsed.parse(data=response.data, format=rdflib_format)
    triples = {(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))}
    assert len(triples) == min(typed_count, ENDPOINT_MAX_ROWS)


def test_describe_returns_the_ontology_description(client, merged):
    ontology = next(merged.subjects(rdflib.RDF.type, rdflib.OWL.Ontology))
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{ontology}>"},
                          headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    assert len(graph) == len(list(merged.triples((ontology, None, None))))


# --- content negotiation --------------------------------------------------------

@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
        ("text/*", "text/csv"),
        ("image/png, */*;q=0.01", "application/sparql-results+json"),
    ],
)
def test_select_negotiation_with_q_values(client, accept, expected):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, headers=headers)
    assert response.status_code == 200
    assert response.content_type.split(";")[0] == expected
    assert [v.strip() for v in response.headers["Vary"].split(",")] == ["Accept", "Host"]


def test_construct_negotiation_prefers_the_highest_q(client):
    accept = "text/turtle;q=0.2, application/n-triples;q=0.8, application/ld+json;q=0.5"
    response = client.get("/sparql", query_string={"query": CONSTRUCT_TYPED}, headers={"Accept": accept})
    assert response.content_type == "application/n-triples"


def test_format_parameter_overrides_accept(client):
    by_name = client.get("/sparql", query_string={"query": "ASK {}", "format": "xml"}, headers={"Accept": "text/csv"})
    by_type = client.get("/sparql", query_string={"query": CONSTRUCT_TYPED, "format": "application/trig"})
    assert by_name.content_type.startswith("application/sparql-results+xml")
    assert by_type.content_type.startswith("application/trig")


def test_repeated_format_values_are_tried_in_order(client):
    graph = client.get(f"/sparql?query={quote(CONSTRUCT_TYPED)}&format=rdf%2Bxml&format=application/rdf%2Bxml")
    table = client.get(f"/sparql?query={quote(TYPED)}&format=yaml&format=turtle&format=tsv&format=csv")
    assert graph.content_type == "application/rdf+xml"
    assert len(rdflib.Graph().parse(data=graph.data, format="xml")) > 0
    assert table.content_type.startswith("text/tab-separated-values")


def test_nothing_acceptable_is_406(client):
    select = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "image/png"})
    graph_as_table = client.get("/sparql", query_string={"query": CONSTRUCT_TYPED, "format": "csv"})
    for response in (select, graph_as_table):
        assert response.status_code == 406
        assert "offered as" in response.get_data(as_text=True)


def test_unknown_format_name_is_400(client):
    response = client.get("/sparql", query_string={"query": "ASK {}", "format": "yaml"})
    assert response.status_code == 400 and "unknown format" in response.get_data(as_text=True)


# --- client errors --------------------------------------------------------------

@pytest.mark.parametrize(
    "path, expected",
    [
        ("/sparql?format=json", "missing query"),
        ("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D", "2 times"),
        ("/sparql?query=SELECT%20*%20WHERE%20%7B", "not valid SPARQL"),
        ("/sparql?query=%20%20", "empty"),
        # an undeclared prefix (se: is predeclared)
        ("/sparql?query=SELECT%20*%20%7B%20nosuch%3Ax%20%3Fp%20%3Fo%20%7D", "not valid SPARQL"),
        ("/sparql?query=ASK%20%7B%7D&default-graph-uri=not%20an%20iri", "not a valid IRI"),
        ("/sparql?query=ASK%20%7B%22%FF%FE%22%7D", "not valid UTF-8"),
        ("/sparql?query=ASK%20%7B%7D&timeout=soon", "not a number"),
        ("/sparql?query=ASK%20%7B%7D&timeout=-1", "positive"),
        ("/sparql?query=ASK%20%7B%7D&timeout=1&timeout=2", "'timeout' parameter is given 2 times"),
    ],
)
def test_bad_queries_get_400_with_a_message(client, path, expected):
    response = client.get(path)
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "content_type, body",
    [("text/plain", b"ASK {}"), (None, b"ASK {}"), ("application/sparql-query; charset=UTF-16", b"ASK {}"),
     ("application/json", b'{"query": "ASK {}"}'),
     ("application/x-www-form-urlencoded; charset=latin-1", b"query=ASK")],
)
def test_unsupported_bodies_get_415(client, content_type, body):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", data=body, headers=headers)
    assert response.status_code == 415, response.get_data(as_text=True)


def test_invalid_utf8_bodies_get_400(client):
    direct = client.post("/sparql", data=b"ASK { \"\xc3\x28\" }", content_type="application/sparql-query")
    form = client.post("/sparql", data=b"query=ASK%7B%22%C3%28%22%7D", content_type="application/x-www-form-urlencoded")
    assert direct.status_code == form.status_code == 400


def test_errors_are_json_when_json_is_preferred(client):
    response = client.post("/sparql", data={"format": "json"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert json.loads(response.data)["status"] == 400


# --- the dataset: protocol parameters, FROM, unknown graphs ----------------------

def test_default_graph_uri_selects_a_named_graph(client, merged):
    ontology_only = rdflib.Graph()
    for graph, path in dataset_sources():
        if graph == str(GRAPH_ONTOLOGY):
            ontology_only.parse(path, format="turtle")
    assert count(client, "?s ?p ?o", **{"default-graph-uri": str(GRAPH_ONTOLOGY)}) == len(ontology_only)
    assert count(client, "?s ?p ?o") == len(merged)


def test_named_graph_uri_limits_the_named_graphs(client):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    data = select_json(client, query, **{"named-graph-uri": str(GRAPH_ONTOLOGY)})
    assert [b["g"]["value"] for b in data["results"]["bindings"]] == [str(GRAPH_ONTOLOGY)]
    every = select_json(client, query)
    assert len(every["results"]["bindings"]) == len({g for g, _ in dataset_sources()})


def test_unknown_graph_is_empty_never_fetched(client):
    assert count(client, "?s ?p ?o", **{"default-graph-uri": "http://example.org/not-here"}) == 0


def test_protocol_dataset_wins_over_from(client):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_FACTFINDER}> WHERE {{ ?s ?p ?o }}"
    overridden = select_json(client, query, **{"default-graph-uri": "http://example.org/not-here"})
    assert overridden["results"]["bindings"][0]["n"]["value"] == "0"
    from_only = select_json(client, query.replace(str(GRAPH_FACTFINDER), str(GRAPH_ONTOLOGY)))
    assert int(from_only["results"]["bindings"][0]["n"]["value"]) > 0


# --- row limit --------------------------------------------------------------------

@pytest.fixture(scope="module")
def limited_client(store_dir):
    """A client of an app on the session store whose row limit is 7."""
    return create_app(AppConfig(store_path=store_dir, max_rows=7)).test_client()


def test_row_limit_truncates_and_says_so(limited_client, typed_count):
    assert typed_count > 7
    for fmt in ("json", "xml", "csv", "tsv"):
        response = limited_client.get("/sparql", query_string={"query": TYPED, "format": fmt})
        assert response.headers["X-SPARQL-Truncated"] == "true"
        assert response.headers["X-SPARQL-Max-Rows"] == "7"
    rows = json.loads(limited_client.get("/sparql", query_string={"query": TYPED}).data)["results"]["bindings"]
    assert len(rows) == 7
    graph = limited_client.get("/sparql", query_string={"query": CONSTRUCT_TYPED, "format": "nt"})
    assert graph.headers["X-SPARQL-Truncated"] == "true"
    assert len(rdflib.Graph().parse(data=graph.data, format="nt")) == 7


def test_row_limit_keeps_exactly_max_rows_untruncated(limited_client):
    response = limited_client.get("/sparql", query_string={"query": TYPED + " LIMIT 7", "format": "csv"})
    assert response.headers["X-SPARQL-Truncated"] == "false"
    assert len(list(csv.reader(io.StringIO(response.get_data(as_text=True))))) == 1 + 7


def test_small_answers_are_not_truncated(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert response.headers["X-SPARQL-Truncated"] == "false" and response.headers["X-SPARQL-Rows"] == "3"


# --- one decision, one place: CORS, error replies, the SPARQL core ---------------

def test_query_answers_and_other_pages_get_the_same_cors_headers(client):
    """The fast path (query answers) and Flask (every other page) add CORS with the one function."""
    answer = client.get("/sparql", query_string={"query": "ASK {}"})
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    health = client.get("/health")
    refused = client.get("/sparql", query_string={"query": "SELECT WHERE {"})
    for response in (answer, description, health, refused):
        cors = {k: v for k, v in response.headers.items() if k.startswith("Access-Control-")}
        assert cors == {k: v for k, v in answer.headers.items() if k.startswith("Access-Control-")}
        assert cors["Access-Control-Allow-Origin"] == "*" and "ETag" in cors["Access-Control-Expose-Headers"]


def test_query_errors_follow_accept_and_say_so(client):
    """An error reply is JSON when the client prefers it, text otherwise, with ``Vary: Accept``."""
    bad = {"query": "SELECT WHERE {"}
    as_json = client.get("/sparql", query_string=bad, headers={"Accept": "application/json"})
    as_text = client.get("/sparql", query_string=bad)
    assert as_json.status_code == as_text.status_code == 400
    assert json.loads(as_json.data)["status"] == 400 and "not valid SPARQL" in json.loads(as_json.data)["message"]
    assert as_text.get_data(as_text=True).startswith("400 Bad Request: the query is not valid SPARQL")
    for response in (as_json, as_text):
        assert "Accept" in [v.strip() for v in response.headers["Vary"].split(",")]


def test_the_library_and_the_endpoint_read_a_query_alike(client, store_dir):
    """An unknown function is an unbound value in both (one SPARQL core), not an error in one of them."""
    from spine_evidence.query import query

    text = "SELECT ?x ?y WHERE { BIND(<http://example.org/unknown>(1) AS ?x) BIND(se:Claim AS ?y) }"
    from_endpoint = select_json(client, text)["results"]["bindings"]
    from_library = json.loads(query(text, store=store_dir, fmt="json"))["results"]["bindings"]
    assert from_endpoint == from_library
    assert from_endpoint[0]["y"]["value"].endswith("#Claim") and "x" not in from_endpoint[0]


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_the_library_reports_an_error_met_while_writing_results_in_one_line(fmt):
    """pyoxigraph evaluates lazily: an error met while the results are written is a ``QueryError`` too."""
    import socket

    import pyoxigraph as ox

    from spine_evidence.query import QueryError, query

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    text = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryError, match="could not be evaluated"):
        query(text, store=ox.Store(), fmt=fmt)


# --- the same over real HTTP, under each WSGI server (granian, gunicorn) -----------

def test_over_http_every_method(server_endpoint, typed_count):
    endpoint = server_endpoint
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{RDF_TYPE}> ?c }}"
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        requests.get(endpoint.url, params={"query": query}, headers=accept, timeout=10),
        requests.post(endpoint.url, data={"query": query}, headers=accept, timeout=10),
        requests.post(endpoint.url, data=query.encode(), timeout=10,
                      headers={**accept, "Content-Type": "application/sparql-query"}),
        requests.get(f"{endpoint.url}/?query={quote(query)}", headers=accept, timeout=10),
    ]
    for response in answers:
        assert response.status_code == 200
        assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == typed_count


def test_over_http_head_and_errors_keep_their_status(server_endpoint):
    """HEAD has GET's headers and no body; 405, 406, 400 and 415 pass through the server unchanged."""
    url, ask = server_endpoint.url, {"query": "ASK {}"}
    get = requests.get(url, params=ask, headers={"Accept": "application/sparql-results+json"}, timeout=10)
    head = requests.head(url, params=ask, headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert get.status_code == head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert requests.put(url, params=ask, timeout=10).status_code == 405
    assert requests.get(url, params=ask, headers={"Accept": "image/png"}, timeout=10).status_code == 406
    bad = requests.get(url, params={"query": "SELECT WHERE {"}, timeout=10)
    assert bad.status_code == 400 and bad.text.strip()
    assert requests.post(url, data=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=10).status_code == 415
