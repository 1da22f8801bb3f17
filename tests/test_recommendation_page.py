"""Recommendation pages: every layer behind a recommendation, checked against SPARQL on the served graph.

The pages are parsed with the standard library's HTML parser into a small
element tree; what each layer shows is compared with what ``/sparql``
answers about the same recommendation, so the tests hold for any document.
The JSON and CSV twins are the same byte for byte when the app serves the
store published into Oxigraph server (``serve --backend``). The browser tests
are in ``test_recommendation_browser.py``.
"""

from __future__ import annotations

import csv
import io

import pytest
from conftest import path_of
from conftest import select_rows as select
from html_tree import Element, parse

from spine_evidence.namespaces import BASE
from spine_evidence.publish import publish
from spine_evidence.web import AppConfig, create_app

pytest_plugins = ["triple_stores"]  # the oxigraph fixture: Oxigraph server on 127.0.0.1

REC_1B = BASE + "recommendation/1b"
HTML = {"Accept": "text/html"}
LINE = "(se:hasSupportingEvidenceLine|se:hasDisputingEvidenceLine|se:hasInconclusiveEvidenceLine|se:hasEvidenceLine)"


def page(client, path: str) -> Element:
    """The parsed HTML page at ``path`` (asserting a 200 HTML answer)."""
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/html"
    return parse(response.get_data(as_text=True))


def child_list(element: Element, label: str) -> list[Element]:
    """The ``<details>`` of each item of the list labelled ``label`` inside ``element``."""
    lists = [ul for ul in element.iter("ul") if ul.attrs.get("aria-label") == label]
    assert len(lists) == 1, f"no single list labelled {label!r}"
    items = [c for c in lists[0].children if isinstance(c, Element) and c.tag == "li"]
    return [next(c for c in li.children if isinstance(c, Element) and c.tag == "details") for li in items]


@pytest.fixture(scope="module")
def rec_1b(app) -> Element:
    """The parsed page of recommendation 1b."""
    return page(app.test_client(), path_of(REC_1B))


@pytest.fixture(scope="module")
def statements_1b(rec_1b) -> dict[str, Element]:
    """Each statement behind recommendation 1b (IRI) → its ``<details>`` on the page."""
    found = {}
    for details in child_list(rec_1b, "Statements and evidence gaps behind Recommendation 1b"):
        own = [h for h in details.hrefs() if h.startswith("/claim/")]
        found[BASE + own[0].lstrip("/")] = details
    return found


def test_every_statement_behind_the_recommendation_is_a_layer(client, statements_1b):
    """Every statement ``se:basedOn`` by rec 1b appears once, with its label and a link to its own page."""
    rows = select(client, f"SELECT ?st ?label WHERE {{ <{REC_1B}> se:basedOn ?st . ?st rdfs:label ?label }}")
    assert rows and {r["st"] for r in rows} == set(statements_1b)
    kinds = select(client, f"SELECT ?st WHERE {{ <{REC_1B}> se:basedOn ?st . ?st a se:EvidenceGap }}")
    for row in rows:
        details = statements_1b[row["st"]]
        assert row["label"] in details.summary()
        assert details.hrefs()[0] == path_of(row["st"])
    for row in kinds:  # the evidence gaps are there, called so
        assert "evidence gap" in statements_1b[row["st"]].summary()


def test_every_evidence_line_shows_its_direction(client, statements_1b):
    """Each statement's layer holds exactly its evidence lines, each with its direction's label."""
    rows = select(client, f"""SELECT ?st ?line ?direction WHERE {{ <{REC_1B}> se:basedOn ?st .
        ?st {LINE} ?line . ?line se:evidenceDirection/rdfs:label ?direction }}""")
    assert rows
    for st, details in statements_1b.items():
        expected = {r["line"]: r["direction"] for r in rows if r["st"] == st}
        lines = child_list(details, "Evidence lines of this statement") if expected else []
        shown = {BASE + ln.hrefs()[0].lstrip("/"): ln for ln in lines}
        assert set(shown) == set(expected), st
        for line, direction in expected.items():
            badge = shown[line].iter("span", "direction")[0]
            assert badge.text() == direction


def test_every_study_has_design_citation_number_links_and_match_strength(client, rec_1b):
    """Each line's study: its page, citation number, design, match strength and DOI / PubMed links."""
    rows = select(client, f"""SELECT DISTINCT ?line ?study ?number ?strength ?design ?doi ?pmid WHERE {{
        <{REC_1B}> se:basedOn/{LINE} ?line . ?line se:fromStudy ?study . ?study se:citationNumber ?number ;
        se:identificationStrength/rdfs:label ?strength .
        OPTIONAL {{ ?study se:studyDesign/rdfs:label ?design }}
        OPTIONAL {{ ?study se:matchedPublication/bibo:doi ?doi }}
        OPTIONAL {{ ?study se:matchedPublication/bibo:pmid ?pmid }}
    }}""")
    assert rows and any("doi" in r for r in rows)
    lines = {BASE + d.hrefs()[0].lstrip("/"): d for d in rec_1b.iter("details", "line")}
    for row in rows:
        facts = lines[row["line"]].iter("dl", "study")[0]
        text, hrefs = facts.text(), facts.hrefs()
        assert path_of(row["study"]) in hrefs
        assert f"Citation number ({row['number']})" in text and f"Match strength {row['strength']}" in text
        assert f"Design {row.get('design', 'not recorded')}" in text
        if "doi" in row:
            assert f"https://doi.org/{row['doi']}" in hrefs
        if "pmid" in row:
            assert f"https://pubmed.ncbi.nlm.nih.gov/{row['pmid']}/" in hrefs


def test_every_result_shows_its_counts(client, rec_1b):
    """Each cited result is a layer under its line, its counts as the graph states them."""
    rows = select(client, f"""SELECT DISTINCT ?line ?result ?n ?d WHERE {{
        <{REC_1B}> se:basedOn/{LINE} ?line . ?line se:citesResult ?result .
        ?result se:hasValue ?v . ?v se:numerator ?n ; se:denominator ?d }}""")
    assert rows
    lines = {BASE + d.hrefs()[0].lstrip("/"): d for d in rec_1b.iter("details", "line")}
    for row in rows:
        results = {BASE + r.hrefs()[0].lstrip("/"): r for r in child_list(lines[row["line"]],
                                                                           "Results cited by this evidence line")}
        assert f"{row['n']} of {row['d']}" in results[row["result"]].summary()


def test_every_quote_is_shown_word_for_word(client, rec_1b):
    """The quotes of the recommendation, its statements and their results: each ``oa:exact`` exactly, linked."""
    rows = select(client, f"""SELECT DISTINCT ?quote ?exact WHERE {{
        {{ BIND(<{REC_1B}> AS ?thing) }} UNION {{ <{REC_1B}> se:basedOn ?thing }}
        UNION {{ <{REC_1B}> se:basedOn/{LINE}/se:citesResult ?thing }}
        ?thing se:hasQuote ?quote . ?quote oa:hasTarget/oa:hasSelector/oa:exact ?exact }}""")
    shown = rec_1b.iter("details", "quote")
    assert rows and len(shown) >= len(rows)
    by_quote = {path_of(r["quote"]): r["exact"] for r in rows}
    for details in shown:
        quote = next(h for h in details.hrefs() if h.startswith("/quote/"))
        assert details.iter("blockquote")[0].text() == " ".join(by_quote[quote].split())
        marked = details.iter("mark")[0].text()  # the same words in the source passage (line-end hyphens aside)
        assert marked.replace("-", "").replace(" ", "") == by_quote[quote].replace("-", "").replace(" ", "")
    assert {next(h for h in d.hrefs() if h.startswith("/quote/")) for d in shown} == set(by_quote)


def test_sub_recommendations_fold_inside_their_parent(client):
    """A recommendation with sub-recommendations shows each as a layer linking to its own page."""
    rows = select(client, "SELECT ?rec ?sub ?label WHERE { ?rec se:hasSubRecommendation ?sub . ?rec rdfs:label ?l . "
                          "?sub rdfs:label ?label }")
    assert rows
    for rec in {r["rec"] for r in rows}:
        tree = page(client, path_of(rec))
        label = tree.iter("h1")[0].text()
        subs = child_list(tree, f"Sub-recommendations of {label}")
        expected = {r["sub"]: r["label"] for r in rows if r["rec"] == rec}
        assert len(subs) == len(expected)
        for details in subs:
            own = [h for h in details.iter("p", "meta")[0].hrefs() if h != path_of(rec)]
            assert BASE + own[-1].lstrip("/") in expected
            assert expected[BASE + own[-1].lstrip("/")] in details.summary()


def test_every_recommendation_iri_serves_its_page(client):
    """Every ``se:Recommendation`` of the graph answers HTML with its layered page; other IRIs keep resource.html."""
    rows = select(client, "SELECT ?rec ?label ?text WHERE { ?rec a se:Recommendation ; rdfs:label ?label ; "
                          "se:recommendationText ?text }")
    assert rows
    for row in rows:
        tree = page(client, path_of(row["rec"]))
        assert tree.iter("h1")[0].text() == row["label"]
        assert tree.iter("p", "rec-text")[0].text() == " ".join(row["text"].split())
        assert not tree.iter("script"), "the page needs no JavaScript"
    claim = select(client, "SELECT ?s WHERE { ?s a se:EvidenceGap } LIMIT 1")[0]["s"]
    assert not page(client, path_of(claim)).iter("details", "layer")
    assert client.get("/recommendation/no-such", headers=HTML).status_code == 404


def test_nothing_is_loaded_from_another_host(rec_1b):
    """Stylesheets, icons and every other loaded resource are this server's; only plain links go out."""
    loaded = [e.attrs.get("href") or e.attrs.get("src") for e in rec_1b.iter()
              if e.tag in ("link", "script", "img", "iframe", "source") and (e.attrs.get("href") or e.attrs.get("src"))]
    assert loaded and all(url.startswith("/") for url in loaded)
    outside = [a for a in rec_1b.iter("a") if not a.attrs["href"].startswith(("/", "#"))]
    resolvers = [a for a in outside if a.attrs["href"].startswith(("https://doi.org/", "https://pubmed.ncbi.nlm.nih.gov/"))]
    assert resolvers and all("external" in a.attrs.get("rel", "").split() for a in resolvers)
    for a in outside:  # else: a term of another vocabulary, linked to its own IRI (named in its title)
        assert a in resolvers or a.attrs.get("title") == a.attrs["href"], a.attrs


def test_list_page_and_its_twins_hold_every_recommendation(client):
    """``/recommendations`` folds every recommendation; its JSON and CSV twins hold the same layers."""
    rows = select(client, "SELECT ?rec ?label WHERE { ?rec a se:Recommendation ; rdfs:label ?label }")
    tree = page(client, "/recommendations")
    summaries = [d.summary() for d in tree.iter("details", "recommendation")]
    for row in rows:
        assert sum(s.startswith(row["label"] + " ") for s in summaries) == 1, row["label"]
    twins = {e.attrs["type"]: e.attrs["href"] for e in tree.iter("link") if e.attrs.get("rel") == "alternate"}
    assert set(twins) == {"application/json", "text/csv"}
    data = client.get(twins["application/json"]).get_json()["recommendations"]

    def walk(nodes):
        return [n for node in nodes for n in (node, *walk(node["sub_recommendations"]))]

    assert {n["iri"] for n in walk(data)} == {r["rec"] for r in rows}
    response = client.get(twins["text/csv"])
    assert response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["recommendation"] for r in table} == {r["rec"] for r in rows}
    paths = select(client, f"""SELECT (COUNT(*) AS ?n) WHERE {{ ?rec a se:Recommendation ; se:basedOn ?st .
        ?st {LINE} ?line . ?line se:citesResult ?result }}""")
    assert sum(1 for r in table if r["result"]) == int(paths[0]["n"])


def test_each_quote_links_to_its_place_in_the_source_reader(client, rec_1b):
    """Each quote's "in the source reader" link names an element of ``/reader`` holding the quote's words."""
    reader = page(client, "/reader")
    ids = {e.attrs["id"]: e for e in reader.iter() if "id" in e.attrs}
    shown = rec_1b.iter("details", "quote")
    assert shown
    for details in shown:
        link = [a.attrs["href"] for a in details.iter("a") if a.text() == "in the source reader"]
        assert len(link) == 1 and link[0].startswith("/reader#")
        exact = details.iter("blockquote")[0].text()
        target = ids[link[0].split("#", 1)[1]]
        assert target.tag == "mark"
        words = "".join(target.text().split()).replace("-", "")
        assert "".join(exact.split()).replace("-", "")[:20] in words


@pytest.fixture(scope="module")
def over_oxigraph(store_dir, oxigraph):
    """A Flask client of the app serving the session store published into Oxigraph server (``serve --backend``)."""
    publish(f"{oxigraph}/store", store=store_dir, validate=False, announce=lambda line: None)
    return create_app(AppConfig(backend=f"{oxigraph}/query", timeout=30)).test_client()


@pytest.mark.parametrize("path", ["/recommendations.json", "/recommendations.csv"])
def test_the_pages_say_the_same_over_a_remote_store(client, over_oxigraph, path):
    """Over ``serve --backend`` (Oxigraph server) the layers are the embedded store's, row for row."""
    remote = over_oxigraph.get(path)
    assert remote.status_code == 200, remote.get_data(as_text=True)[:300]
    assert remote.get_data() == client.get(path).get_data()
    tree = page(over_oxigraph, path_of(REC_1B))
    assert tree.iter("blockquote") and tree.iter("details", "line")


def test_a_cycle_of_sub_recommendations_does_not_loop():
    """A graph the shapes would reject (A under B under A) still gives finite trees, every recommendation once."""
    import pyoxigraph as ox

    from spine_evidence.web import recommendation_model as model

    store = ox.Store()
    store.load(input=f"""@prefix se: <https://w3id.org/spine-evidence/ontology#> .
        <{BASE}recommendation/x-a> a se:Recommendation ; se:hasSubRecommendation <{BASE}recommendation/x-b> .
        <{BASE}recommendation/x-b> a se:Recommendation ; se:hasSubRecommendation <{BASE}recommendation/x-a> .
        <{BASE}recommendation/x-c> a se:Recommendation .""", format=ox.RdfFormat.TURTLE)
    trees = model.recommendations(store)
    assert sorted(r.iri.rsplit("/", 1)[1] for r in model.walk(trees)) == ["x-a", "x-b", "x-c"]
    one = model.recommendations(store, f"{BASE}recommendation/x-a")
    assert [r.iri.rsplit("/", 1)[1] for r in model.walk(one)] == ["x-a", "x-b"]
