"""Resource pages: each fact once, the numbers behind a claim, inverse relations, "cite this", JSON-LD, CSV, twins.

Every page is parsed with :mod:`html.parser` into a tree and checked against
SPARQL answers of the same store. The checks run on the asserted graph (the
session store) and, where Java is installed, on the reasoned dataset that
``spine-evidence build`` writes (HermiT's inferred triples in the default
graph: what made a claim page list its types and evidence lines twice).
Resources are chosen by SPARQL, never by name.
"""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from conftest import path_of
from conftest import select_rows as select
from Crypto.PublicKey import RSA
from html_tree import Element, parse
from rdflib import Graph
from rdflib.compare import isomorphic

from spine_evidence.namespaces import BASE, GRAPH_INFERRED
from spine_evidence.nanopubs import write_nanopubs
from spine_evidence.nanopubs.model import OUTPUT_FILE
from spine_evidence.store import STORE_DIR
from spine_evidence.store import load as load_store
from spine_evidence.web import AppConfig, create_app, nanopub_index
from spine_evidence.web.inverse_relations import inverse_heading, plural

HTML = {"Accept": "text/html"}
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LINE = "?has rdfs:subPropertyOf* se:hasEvidenceLine"
BELOW = "(rdfs:subClassOf|rdfs:subPropertyOf|owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first)+"
CHOOSE = {
    "claim": f"""SELECT ?x WHERE {{ ?x a se:StudyFinding ; ?has ?line . {LINE} .
                 ?line se:citesResult/se:hasValue/se:statedPercentage ?p }}
                 GROUP BY ?x ORDER BY DESC(COUNT(*)) ?x LIMIT 1""",
    "study": "SELECT ?x WHERE { ?r se:ofStudy ?x } GROUP BY ?x ORDER BY DESC(COUNT(?r)) ?x LIMIT 1",
    "result": "SELECT ?x WHERE { ?x a se:Result ; se:hasValue/se:statedPercentage ?p } ORDER BY ?x LIMIT 1",
    "outcome": "SELECT ?x WHERE { ?r se:measuresOutcome ?x } GROUP BY ?x ORDER BY DESC(COUNT(?r)) ?x LIMIT 1",
}


def values_in(cell: Element) -> list[str]:
    """The values of a table cell: the IRI (``title``) of each link or span, else its text."""
    return [v.attrs.get("title") or v.text() for v in cell.elements() if v.tag in ("a", "span")]


def marked(cell: Element) -> dict[str, bool]:
    """Each value of a cell (as :func:`values_in`) and whether the page marks it as inferred."""
    found: dict[str, bool] = {}
    last = None
    for v in cell.elements():
        if v.tag in ("a", "span"):
            last = v.attrs.get("title") or v.text()
            found[last] = False
        elif v.tag == "small" and "inferred" in v.attrs.get("class", "").split() and last is not None:
            found[last] = True
    return found


def table_rows(table: Element) -> list[list[Element]]:
    """The cells (``th``/``td``) of each body row of a table."""
    body = table.iter("tbody")[0]
    return [[c for c in row.elements() if c.tag in ("th", "td")] for row in body.iter("tr")]


def ask(client, query: str) -> bool:
    """The answer of an ASK on ``/sparql``."""
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return bool(response.get_json()["boolean"])


def page(client, iri: str) -> tuple[str, Element]:
    """The HTML page of ``iri`` (asserting a 200 HTML answer): its text and its tree."""
    response = client.get(path_of(iri), headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html", response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    return text, parse(text)


@pytest.fixture(scope="module")
def reasoned_app(built_dataset):
    """The app over the dataset ``spine-evidence build`` wrote with HermiT (skipped without Java)."""
    return create_app(AppConfig(store_path=built_dataset.store, timeout=10))


@pytest.fixture(params=["asserted", "reasoned"])
def any_client(request):
    """A client of the app over the asserted graph, then over the reasoned dataset."""
    app = request.getfixturevalue("app" if request.param == "asserted" else "reasoned_app")
    return app.test_client()


def chosen(client, kind: str) -> str:
    """The IRI of a resource of ``kind`` chosen by :data:`CHOOSE`."""
    rows = select(client, CHOOSE[kind])
    assert rows, f"the graph has no {kind} to check"
    return rows[0]["x"]


@pytest.mark.parametrize("kind", sorted(CHOOSE))
def test_each_fact_is_shown_once_by_its_most_specific_type_and_property(any_client, kind):
    iri = chosen(any_client, kind)
    _, tree = page(any_client, iri)
    types = values_in(tree.iter("p", class_="iri")[0])
    assert types and len(types) == len(set(types))
    for a in types:
        for b in types:
            assert a == b or not ask(any_client, f"ASK {{ <{a}> {BELOW} <{b}> }}"), f"{a} is below {b}: both shown"
    asserted_types = {r["t"] for r in select(any_client, f"""SELECT ?t WHERE {{ GRAPH ?g {{ <{iri}> a ?t }}
        FILTER(?g != <{GRAPH_INFERRED}>) }}""")}
    for t in asserted_types:
        assert t in types or any(ask(any_client, f"ASK {{ <{s}> {BELOW} <{t}> }}") for s in types), t
    for table in tree.iter("table", class_="facts"):
        shown = [(values_in(row[0])[0], value) for row in table_rows(table) for value in values_in(row[1])]
        assert len(shown) == len(set(shown)), f"a fact is shown twice in {table.attrs['data-table']}"
        for p, v in shown:
            for q, w in shown:
                if v == w and p != q:
                    assert not ask(any_client, f"ASK {{ <{p}> rdfs:subPropertyOf+ <{q}> }}"), f"{v} under {p} and {q}"
    main = {(p, v) for row in table_rows(tree.iter("table", **{"data-table": "properties"})[0])
            for p in [row[0].elements()[0].attrs["title"]] for v in values_in(row[1])}
    for row in select(any_client, f"""SELECT ?p ?o WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }}
            FILTER(?g != <{GRAPH_INFERRED}> && ?p != rdf:type && !isBlank(?o)) }}"""):
        below = f"rdfs:subPropertyOf+ <{row['p']}>"
        assert (row["p"], row["o"]) in main or any(
            v == row["o"] and ask(any_client, f"ASK {{ <{p}> {below} }}") for p, v in main), row


def test_a_reasoned_claim_lists_its_type_and_each_evidence_line_once(reasoned_app):
    client = reasoned_app.test_client()
    iri = chosen(client, "claim")
    inferred = select(client, f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ <{iri}> ?p ?o }} }}""")
    assert int(inferred[0]["n"]) > 0, "the reasoned dataset holds no inferred triple of the claim"
    query = f"SELECT DISTINCT ?line WHERE {{ <{iri}> ?has ?line . {LINE} }}"
    lines = {r["line"] for r in select(client, query)}
    _, tree = page(client, iri)
    main = tree.iter("table", **{"data-table": "properties"})[0]
    shown = [v for row in table_rows(main) for v in values_in(row[1])]
    assert lines and all(shown.count(line) == 1 for line in lines)
    assert len(values_in(tree.iter("p", class_="iri")[0])) == 1


@pytest.mark.parametrize("kind", ["claim", "study"])
def test_what_only_the_reasoner_states_is_marked_inferred(reasoned_app, kind):
    client = reasoned_app.test_client()
    iri = chosen(client, kind)
    _, tree = page(client, iri)
    cells = [(TYPE, tree.iter("p", class_="iri")[0])]
    main = tree.iter("table", **{"data-table": "properties"})[0]
    cells += [(values_in(row[0])[0], row[1]) for row in table_rows(main)]
    checked = 0
    for prop, cell in cells:
        for value, inferred in marked(cell).items():
            if not value.startswith(("http://", "https://")):
                continue
            triple = f"<{iri}> <{prop}> <{value}>"
            only = ask(client, f"""ASK {{ GRAPH <{GRAPH_INFERRED}> {{ {triple} }}
                FILTER NOT EXISTS {{ GRAPH ?g {{ {triple} }} FILTER(?g != <{GRAPH_INFERRED}>) }} }}""")
            assert inferred == only, (prop, value)
            checked += 1 + inferred
    assert checked >= 3
    if kind == "study":  # its defined class (randomised trial, cohort study, ...) is the reasoner's
        assert any(marked(cells[0][1]).values())


@pytest.mark.parametrize("kind", ["study", "outcome", "result"])
def test_inverse_sections_count_what_sparql_counts(any_client, kind):
    iri = chosen(any_client, kind)
    _, tree = page(any_client, iri)
    sections = {s.attrs["data-property"]: s for s in tree.iter("section", class_="inverse")}
    assert sections, "no inverse relation shown"
    outside = f"""FILTER(isIRI(?x) && !STRSTARTS(STR(?x), "{iri}#"))
                  FILTER NOT EXISTS {{ <{iri}> se:hasQuote ?x }}"""
    for prop, section in sections.items():
        count = select(any_client, f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x <{prop}> <{iri}> {outside}
            FILTER NOT EXISTS {{ ?x ?q <{iri}> . ?q rdfs:subPropertyOf+ <{prop}> }} }}""")[0]["n"]
        rows = table_rows(section.iter("table")[0])
        assert int(section.attrs["data-count"]) == len(rows) == int(count) > 0, prop
        assert f"({count})" in section.iter("h2")[0].text()
    incoming = {r["p"] for r in select(any_client, f"SELECT DISTINCT ?p WHERE {{ ?x ?p <{iri}> {outside} }}")}
    for prop in incoming - set(sections):
        assert any(ask(any_client, f"ASK {{ <{s}> rdfs:subPropertyOf+ <{prop}> }}") for s in sections), prop
    expected = {"study": ("se:ofStudy", "Results of this"),
                "outcome": ("se:measuresOutcome", "Results that measure this"),
                "result": ("se:citesResult", "Evidence lines that cite this")}[kind]
    heading = sections[BASE + "ontology#" + expected[0][3:]].iter("h2")[0].text()
    assert heading.startswith(expected[1]), heading


def number_cells(table: Element) -> dict[str, dict[str, str]]:
    """Result IRI → {column header: cell text} of a numbers table."""
    headers = [th.text() for th in table.iter("thead")[0].iter("th")]
    found = {}
    for row in table_rows(table):
        cells = dict(zip(headers, row, strict=True))
        found[values_in(cells["Result"])[0]] = {h: c.text() for h, c in cells.items()}
    return found


def test_a_claim_page_shows_the_numbers_of_the_results_behind_it(any_client):
    iri = chosen(any_client, "claim")
    _, tree = page(any_client, iri)
    shown = number_cells(tree.iter("table", **{"data-table": "results"})[0])
    rows = select(any_client, f"""SELECT ?r ?n ?d ?p ?m ?c WHERE {{ <{iri}> ?has ?line . {LINE} .
        ?line se:citesResult ?r . ?r se:hasValue ?v .
        OPTIONAL {{ ?v se:numerator ?n }} OPTIONAL {{ ?v se:denominator ?d }}
        OPTIONAL {{ ?v se:statedPercentage ?p }} OPTIONAL {{ ?v se:meanValue ?m }} OPTIONAL {{ ?v se:count ?c }} }}""")
    assert {r["r"] for r in rows} == set(shown)
    assert any("p" in r for r in rows)
    for r in rows:
        for var, header in (("n", "Events"), ("d", "n"), ("p", "Stated %"), ("m", "Mean"), ("c", "Count")):
            assert shown[r["r"]].get(header, "") == r.get(var, ""), (r["r"], header)


def test_embedded_json_ld_is_the_description(client):
    iri = chosen(client, "claim")
    text, tree = page(client, iri)
    scripts = [s for s in tree.iter("script") if s.attrs.get("type") == "application/ld+json"]
    assert len(scripts) == 1 and "</" not in scripts[0].text()
    data = json.dumps(json.loads(scripts[0].text())).encode()
    triples = list(ox.parse(data, format=ox.RdfFormat.JSON_LD))
    embedded = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    twin = Graph().parse(data=client.get(path_of(iri) + ".nt").get_data(), format="nt")
    assert len(embedded) == len(twin) > 0 and isomorphic(embedded, twin)


def csv_of(client, iri: str, name: str) -> list[list[str]]:
    """The rows of one table of the page as its CSV download."""
    response = client.get(path_of(iri), query_string={"table": name, "format": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv", response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("kind", ["claim", "study"])
def test_every_table_downloads_as_csv_with_the_same_rows(client, kind):
    iri = chosen(client, kind)
    _, tree = page(client, iri)
    tables = tree.iter("table")
    assert len(tables) >= 3
    for table in tables:
        name = table.attrs["data-table"]
        links = [a.attrs["href"] for a in tree.iter("a") if a.attrs.get("type") == "text/csv"]
        assert any(f"table={name}&" in href for href in links), name
        rows = csv_of(client, iri, name)
        headers = [th.text() for th in table.iter("thead")[0].iter("th")]
        assert [h for h in rows[0] if not h.endswith(" (IRI)")] == headers
        plain = [i for i, h in enumerate(rows[0]) if not h.endswith(" (IRI)")]
        expected = []
        for cells in table_rows(table):
            texts = [[v.text() for v in cell.elements() if v.tag in ("a", "span")] for cell in cells]
            for k in range(max(len(t) for t in texts)):
                expected.append([t[k] if len(t) > 1 else (t[0] if t else "") for t in texts])
        assert [[row[i] for i in plain] for row in rows[1:]] == expected, name
    assert client.get(path_of(iri), query_string={"table": "no-such-table"}).status_code == 404
    bad = client.get(path_of(iri), query_string={"table": "properties", "format": "ttl"})
    assert bad.status_code == 400 and "CSV" in bad.get_data(as_text=True)


@pytest.mark.parametrize("kind", sorted(CHOOSE))
def test_head_links_every_twin_and_each_answers_with_its_type(client, kind):
    iri = chosen(client, kind)
    response = client.get(path_of(iri), headers=HTML)
    tree = parse(response.get_data(as_text=True))
    head = tree.iter("head")[0]
    twins = {link.attrs["type"]: link.attrs["href"] for link in head.iter("link")
             if link.attrs.get("rel") == "alternate"}
    listed = {part.split('type="')[1].rstrip('"') for part in response.headers["Link"].split(", ")}
    assert set(twins) == listed - {"text/html"} and len(twins) >= 4
    for media_type, href in twins.items():
        twin = client.get(href)
        assert twin.status_code == 200 and twin.mimetype == media_type, href


def test_cite_box_names_the_iri_and_graph_version_and_no_nanopublication_without_one(app, client):
    iri = chosen(client, "claim")
    _, tree = page(client, iri)
    box = tree.iter("aside", class_="cite")[0]
    assert box.iter("code", class_="cite-iri")[0].text() == iri
    assert box.iter("code", class_="graph-version")[0].text() == app.extensions["spine_evidence"].graph_version
    assert not box.iter("code", class_="nanopub")


@pytest.fixture(scope="module")
def nanopub_client(tmp_path_factory):
    """A client of a dataset folder holding ``store/`` and the ``nanopubs.trig`` signed with a throwaway key."""
    from conftest import dataset_sources

    folder = tmp_path_factory.mktemp("dataset")
    key = folder / "id_rsa.pem"
    key.write_bytes(RSA.generate(2048).export_key())
    load_store(folder / STORE_DIR, dataset_sources())
    write_nanopubs(folder / STORE_DIR, folder, key)
    return create_app(AppConfig(store_path=folder / STORE_DIR, timeout=10)).test_client(), folder / OUTPUT_FILE


def test_cite_box_names_the_nanopublication_the_build_wrote(nanopub_client):
    client, trig = nanopub_client
    assert nanopub_index.OUTPUT_FILE == OUTPUT_FILE
    quads = list(ox.parse(path=trig, format=ox.RdfFormat.TRIG))
    for kind in ("claim", "result"):
        iri = chosen(client, kind)
        about = {q.graph_name for q in quads if q.subject == ox.NamedNode(iri)}
        nanopubs = {q.subject.value for q in quads if q.predicate.value.endswith("#hasAssertion") and q.object in about}
        assert len(nanopubs) == 1, (iri, nanopubs)
        _, tree = page(client, iri)
        shown = tree.iter("aside", class_="cite")[0].iter("code", class_="nanopub")
        assert [c.text() for c in shown] == list(nanopubs)
    _, tree = page(client, chosen(client, "study"))  # a study has no nanopublication
    assert not tree.iter("aside", class_="cite")[0].iter("code", class_="nanopub")


def test_inverse_headings_read_the_property_the_other_way_round():
    assert plural("study") == "studies" and plural("evidence line") == "evidence lines" and plural("day") == "days"
    assert inverse_heading("of study", "result", "study", None) == "Results of this study"
    assert inverse_heading("from study", "evidence line", "study", None) == "Evidence lines from this study"
    assert inverse_heading("measures outcome", "result", "outcome", None) == "Results that measure this outcome"
    assert (inverse_heading("cites as evidence", "document", "study", None)
            == "Documents that cite this study as evidence")
    assert inverse_heading("based on", "recommendation", "claim", None) == "Recommendations based on this claim"
    assert inverse_heading("was derived from", "statement", None, None) == "Statements derived from this"
    assert inverse_heading("arm", "result", "modality", None) == "Results with this modality as arm"
    assert inverse_heading("has sub-recommendation", "recommendation", "recommendation",
                           "sub-recommendation of") == "Sub-recommendation of"


def test_pages_over_real_http(endpoint):
    import requests

    for kind in ("claim", "study"):
        rows = requests.get(f"{endpoint.base}/sparql", params={"query": CHOOSE[kind]}, timeout=10,
                            headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
        url = endpoint.base + path_of(rows[0]["x"]["value"])
        response = requests.get(url, headers=HTML, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
        tree = parse(response.text)
        assert tree.iter("aside", class_="cite") and tree.iter("section", class_="inverse")
        table = tree.iter("table")[0].attrs["data-table"]
        download = requests.get(url, params={"table": table, "format": "csv"}, timeout=10)
        assert download.status_code == 200 and download.headers["Content-Type"].startswith("text/csv")


def test_a_page_naming_its_nanopublication_imports_no_rdflib(nanopub_client):
    """Reading ``nanopubs.trig`` for the "cite this" box is pyoxigraph's work: the serving path stays rdflib-free."""
    from test_serving_imports import imported_after

    client, trig = nanopub_client
    claim = chosen(client, "claim")
    code = f"""
from pathlib import Path
from spine_evidence.web import AppConfig, create_app
client = create_app(AppConfig(store_path=Path({str(trig.parent / STORE_DIR)!r}))).test_client()
answer = client.get({path_of(claim)!r}, headers={{"Accept": "text/html"}}).get_data(as_text=True)
assert 'class="nanopub"' in answer, answer[:500]
assert client.get({path_of(claim)!r}, query_string={{"table": "results", "format": "csv"}}).status_code == 200
"""
    assert imported_after(code) == []
