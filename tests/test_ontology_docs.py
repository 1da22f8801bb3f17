"""The ontology's documentation: written by ``build`` with pyLODE, served for HTML requests to the ontology IRI.

A build (without reasoning: no Java needed) writes ``ontology.html``; the app on
that build answers ``GET /ontology`` with ``Accept: text/html`` by that page in the
site's layout, documenting every ``owl:Class`` of ``graph:ontology`` (this test's
own SPARQL), with the class diagram, and loading nothing from another host
(read here with ``html.parser``); Turtle is still Turtle.
"""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from browser_support import check_page

from spine_evidence import ontology_docs
from spine_evidence.build import build
from spine_evidence.iris import GRAPH_ONTOLOGY, ONTOLOGY_IRI, OWL, RDF, SE
from spine_evidence.sparql import select
from spine_evidence.store import STORE_DIR, open_store, read_build_record
from spine_evidence.web import AppConfig, create_app

SCREENSHOT_MS = 120_000
HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CLASSES = f"SELECT DISTINCT ?c WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?c a owl:Class FILTER(isIRI(?c)) }} }}"
# Elements whose src/href (or srcset, data, poster) a browser fetches.
FETCHING = {"script", "link", "img", "iframe", "embed", "object", "source", "audio", "video", "track", "image", "use"}


class Resources(HTMLParser):
    """Every URL a page would fetch (src/href of fetching elements), its <code> texts and SVG links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fetched: list[str] = []
        self.codes: list[str] = []
        self.in_code = False
        self.svg_links: list[str] = []
        self.in_svg = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in FETCHING:
            names = ("src", "href", "srcset", "data", "poster", "xlink:href")
            self.fetched += [values[k] for k in names if k in values]
        self.in_code = tag == "code"
        self.in_svg = self.in_svg or tag == "svg"
        if self.in_svg and tag == "a":
            self.svg_links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        self.in_svg = self.in_svg and tag != "svg"
        self.in_code = False

    def handle_data(self, data: str) -> None:
        if self.in_code:
            self.codes.append(data.strip())


def read(html: str) -> Resources:
    parser = Resources()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """A dataset folder written by ``build`` (no reasoning)."""
    out = tmp_path_factory.mktemp("ontology-docs") / "dist"
    build(out, reason=False)
    return out


@pytest.fixture(scope="module")
def docs_client(dataset):
    return create_app(AppConfig(store_path=dataset / STORE_DIR)).test_client()


@pytest.fixture(scope="module")
def ontology_classes(dataset) -> list[str]:
    store = open_store(dataset / STORE_DIR)
    found = [row["c"].value for row in select(store, CLASSES)]
    del store
    assert len(found) > 40
    return found


def test_build_writes_the_documentation(dataset):
    page = (dataset / ontology_docs.OUTPUT_FILE).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert ontology_docs.OUTPUT_FILE in read_build_record(dataset / STORE_DIR)["files"]


def test_html_request_to_the_ontology_iri_gives_the_pylode_page(docs_client, ontology_classes):
    response = docs_client.get("/ontology", headers={"Accept": HTML_ACCEPT})
    assert response.status_code == 200 and response.content_type == "text/html; charset=utf-8"
    html = response.get_data(as_text=True)
    assert 'class="pylode-doc"' in html and "pyLODE" in html
    assert 'id="class-diagram"' in html
    codes = set(read(html).codes)
    assert [c for c in ontology_classes if c not in codes] == []  # each class's entry shows its IRI


def test_the_class_diagram_links_every_class_of_the_ontology_to_its_entry(docs_client, ontology_classes):
    html = docs_client.get("/ontology", headers={"Accept": "text/html"}).get_data(as_text=True)
    own = [c for c in ontology_classes if c.startswith(str(SE))]
    links = read(html).svg_links
    assert len(links) == len(own)
    ids = {part.split('"', 1)[0] for part in html.split(' id="')[1:]}
    assert all(link.startswith("#") and link[1:] in ids for link in links), links


def test_the_page_loads_nothing_from_another_host(docs_client, dataset):
    for html in (docs_client.get("/ontology", headers={"Accept": HTML_ACCEPT}).get_data(as_text=True),
                 (dataset / ontology_docs.OUTPUT_FILE).read_text(encoding="utf-8")):
        fetched = read(html).fetched
        assert [url for url in fetched if re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE)] == []
        assert "@import" not in html and "url(http" not in html
    served = read(docs_client.get("/ontology", headers={"Accept": HTML_ACCEPT}).get_data(as_text=True)).fetched
    assert any(url.endswith("/ontology.css") for url in served)  # the parser sees the page's own stylesheets


def test_turtle_is_still_turtle(docs_client):
    response = docs_client.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.content_type.startswith("text/turtle")
    triples = [q.triple for q in ox.parse(response.data, format=ox.RdfFormat.TURTLE)]
    declared = ox.Triple(ox.NamedNode(ONTOLOGY_IRI), ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OWL.Ontology)))
    assert declared in triples


def test_a_store_without_the_file_gets_the_resource_page(client):
    html = client.get("/ontology", headers={"Accept": HTML_ACCEPT}).get_data(as_text=True)
    assert 'class="pylode-doc"' not in html and ONTOLOGY_IRI in html


def test_outside_resources_are_found():
    page = '<link rel="stylesheet" href="https://cdn.example.org/a.css"><img src="/local.png"><a href="https://x">x</a>'
    assert ontology_docs.outside_resources(page) == ["https://cdn.example.org/a.css"]
    assert ontology_docs.outside_resources("<style>@import 'http://x/y.css';</style>") == ["http://x/y.css"]


def test_serving_the_page_imports_neither_rdflib_nor_pylode(dataset):
    code = f"""
import sys
from pathlib import Path
from spine_evidence.web import AppConfig, create_app
client = create_app(AppConfig(store_path=Path({str(dataset / STORE_DIR)!r}))).test_client()
assert b"pylode-doc" in client.get("/ontology", headers={{"Accept": "text/html"}}).data
print([m for m in ("rdflib", "pylode") if m in sys.modules])
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.fixture(scope="module")
def docs_endpoint(endpoint_factory, dataset):
    """``spine-evidence serve`` on the built dataset (which has ``ontology.html`` beside its store)."""
    with endpoint_factory(store=dataset / STORE_DIR) as running:
        yield running


def test_in_chromium_the_ontology_page_and_its_diagram(docs_endpoint, visit, ontology_classes):
    """A browser asking for the ontology IRI reads pyLODE's page; a class box of the diagram leads to its entry."""
    page = visit.page
    assert page.goto(docs_endpoint.base + "/ontology").status == 200
    assert page.locator("h1").first.inner_text() == "Spine Evidence ontology"
    box = page.locator("#class-diagram svg a").first
    assert box.is_visible()
    target = box.get_attribute("href")
    box.click()
    assert page.url.endswith(target) and page.locator(target).is_visible()
    page.set_default_timeout(SCREENSHOT_MS)  # the page is ~80,000 px tall (250,000 on a phone): long screenshots
    check_page(visit, "ontology")
