"""Linked Data: every IRI under the base dereferences, by content negotiation, suffix and HTML.

Resources are chosen by SPARQL on the served graph, never by name; every RDF
answer is parsed back and checked against the store.
"""

from __future__ import annotations

import html
import re

import pytest
import requests
from conftest import path_of
from conftest import select_rows as select
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from spine_evidence import paths
from spine_evidence.namespaces import BASE, GRAPH_ONTOLOGY, OA, ONTOLOGY_IRI, ONTOLOGY_VERSION_IRI, SE, SOURCE_TEXT_NAME

RDFLIB_FORMAT = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SUFFIX = {"text/turtle": ".ttl", "application/ld+json": ".jsonld", "application/n-triples": ".nt",
          "application/rdf+xml": ".rdf"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUOTED = f"""SELECT ?s ?exact WHERE {{
  ?s <{SE.hasQuote}> ?a . ?a <{OA.hasTarget}>/<{OA.hasSelector}>/<{OA.exact}> ?exact .
  ?r <{SE.basedOn}> ?s }} ORDER BY ?s LIMIT 1"""


def parsed(response, media_type: str = "text/turtle") -> Graph:
    """The body of a 200 response parsed as ``media_type``."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == media_type
    return Graph().parse(data=response.get_data(), format=RDFLIB_FORMAT[media_type])


@pytest.fixture(scope="module")
def quoted(app) -> tuple[str, str]:
    """A statement with a quote that a recommendation is based on: ``(IRI, oa:exact)``."""
    rows = select(app.test_client(), QUOTED)
    assert rows, "the graph has no quoted statement that a recommendation is based on"
    return rows[0]["s"], rows[0]["exact"]


def test_every_iri_under_the_base_dereferences(client):
    rows = select(client, f"""SELECT DISTINCT ?x WHERE {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }}
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}")) }}""")
    iris = {row["x"] for row in rows}
    assert len(iris) > 100
    documents = {iri.split("#", 1)[0] for iri in iris}
    for document in sorted(documents):
        response = client.get(path_of(document), headers={"Accept": "application/n-triples"})
        if document.endswith(".txt"):
            response = client.get(path_of(document) + ".nt")
        graph = parsed(response, "application/n-triples")
        mentioned = {str(t) for triple in graph for t in triple}
        assert {iri for iri in iris if iri.split("#", 1)[0] == document} <= mentioned, document


def test_description_holds_quote_incoming_links_and_labels(client, quoted):
    iri, exact = quoted
    graph = parsed(client.get(path_of(iri), headers={"Accept": "text/turtle"}))
    node = URIRef(iri)
    annotation = graph.value(node, URIRef(SE.hasQuote))
    target = graph.value(annotation, URIRef(OA.hasTarget))
    selector = graph.value(target, URIRef(OA.hasSelector))
    assert str(target).startswith(str(annotation) + "#") and str(selector).startswith(str(annotation) + "#")
    assert graph.value(selector, URIRef(OA.exact)) == Literal(exact)
    recommendations = set(graph.subjects(URIRef(SE.basedOn), node))
    assert recommendations
    for linked in (recommendations | set(graph.objects(node, None))) - {annotation}:
        if isinstance(linked, URIRef):
            ask = client.get("/sparql", query_string={"query": f"ASK {{ <{linked}> <{RDFS.label}> ?l }}"})
            assert ask.get_json()["boolean"] == ((linked, RDFS.label, None) in graph), linked
    own = select(client, f"SELECT (COUNT(*) AS ?n) {{ <{iri}> ?p ?o }}")[0]["n"]
    assert len(list(graph.triples((node, None, None)))) == int(own)


@pytest.mark.parametrize("media_type", ["application/n-triples", "application/ld+json", "application/rdf+xml"])
def test_negotiation_and_suffixes_give_the_same_graph(client, quoted, media_type):
    path = path_of(quoted[0])
    turtle = parsed(client.get(path, headers={"Accept": "text/turtle"}))
    negotiated = client.get(path, headers={"Accept": media_type})
    assert "Accept" in negotiated.headers["Vary"]
    assert isomorphic(turtle, parsed(negotiated, media_type))
    twin = client.get(path + SUFFIX[media_type], headers={"Accept": "text/html"})
    assert isomorphic(turtle, parsed(twin, media_type))


def test_browser_gets_a_readable_page_with_quote_excerpt_and_twins(client, quoted):
    iri, exact = quoted
    response = client.get(path_of(iri), headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    label = select(client, f"SELECT ?l {{ <{iri}> <{RDFS.label}> ?l }}")[0]["l"]
    assert f"<h1>{label}</h1>" in html.unescape(page)
    assert exact in html.unescape(page)
    assert re.search(r"<mark>[^<]{20,}</mark>", page), "the source passage is not shown"
    twins = dict(re.findall(r'<link rel="alternate" type="([^"]+)" href="([^"]+)">', page))
    assert set(twins) == set(SUFFIX)
    for media_type, href in twins.items():
        assert len(parsed(client.get(href), media_type)) > 0
    links = re.findall(r'href="(/(?:claim|study|recommendation|result|quote)/[^"#]+)"', page)
    assert links
    for href in set(links):
        assert client.get(href, headers={"Accept": "text/turtle"}).status_code == 200, href


def test_link_header_lists_alternates(client, quoted):
    response = client.get(path_of(quoted[0]))
    assert response.mimetype == "text/turtle"  # no Accept: Turtle
    for media_type in list(SUFFIX) + ["text/html"]:
        assert f'type="{media_type}"' in response.headers["Link"]


@pytest.mark.parametrize("path", ["/claim/no-such-claim", "/claim/no-such-claim.ttl", "/no/such/thing", "/study/%FF"])
def test_unknown_iris_are_404(client, path):
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404 and "not described" in response.get_data(as_text=True)


def test_unacceptable_type_is_406(client, quoted):
    assert client.get(path_of(quoted[0]), headers={"Accept": "image/png"}).status_code == 406


def test_ontology_iri_returns_the_ontology_graph(client):
    named = parsed(client.get("/graph-store", query_string={"graph": str(GRAPH_ONTOLOGY)}))
    ontology = parsed(client.get("/ontology", headers={"Accept": "text/turtle"}))
    assert isomorphic(named, ontology)
    version = parsed(client.get(path_of(ONTOLOGY_VERSION_IRI), headers={"Accept": "text/turtle"}))
    assert isomorphic(named, version)
    assert (URIRef(SE.Claim), RDFS.label, None) in ontology
    page = client.get("/ontology", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'id="Claim"' in page and ONTOLOGY_IRI in page


def test_named_graph_iris_return_their_graphs(client):
    names = [row["g"] for row in select(client, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")]
    checked = 0
    for name in names:
        described = select(client, f"SELECT ?x {{ {{ <{name}> ?p ?x }} UNION {{ ?x ?p <{name}> }} }} LIMIT 1")
        if not name.startswith(BASE) or name == str(GRAPH_ONTOLOGY) or described:
            continue  # the ontology IRI serves the ontology; a described IRI its description
        graph = parsed(client.get(path_of(name), headers={"Accept": "application/n-triples"}), "application/n-triples")
        count = select(client, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")[0]["n"]
        assert len(graph) == int(count) > 0, name
        checked += 1
    assert checked >= 1


def test_source_text_and_context_are_served_as_files(client):
    text = client.get(f"/source/{SOURCE_TEXT_NAME}")
    assert text.status_code == 200 and text.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert text.get_data() == (paths.graph_dir() / SOURCE_TEXT_NAME).read_bytes()
    context = client.get("/context.jsonld")
    if not (paths.ontology_dir() / "context.jsonld").is_file():
        assert context.status_code == 404
        return
    assert context.status_code == 200 and context.mimetype == "application/ld+json"
    assert "@context" in context.get_json()


def test_dereferencing_over_real_http(endpoint):
    response = requests.get(f"{endpoint.base}/ontology", headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(ONTOLOGY_IRI), None, None) in graph
    head = requests.head(f"{endpoint.base}/ontology", headers={"Accept": "application/ld+json"}, timeout=10)
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("application/ld+json")
