"""The query page and the Linked Data pages in a real headless Chromium, driven by Playwright.

Debian's Chromium (``apt-get install chromium``) is driven by the ``playwright``
package from PyPI with ``executable_path``; no browser is downloaded. Every
request the pages make is recorded, and any request to a host other than
127.0.0.1 is aborted before it leaves and fails the test. Each test saves a
full-page screenshot in its ``tmp_path`` for a person to look at. The module
skips when Chromium or Playwright is absent; the YASGUI tests use
``conftest.yasgui_build`` (installed into the Node package cache outside the
clone when missing; skipped without npm).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from rdflib import RDF, Graph, URIRef

from spine_evidence.namespaces import BASE
from spine_evidence.web.example_queries import example_queries
from spine_evidence.web.query_page import YASGUI_ENV

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
WAIT_MS = 15_000
PAGE_SIZE = 50  # rows YASGUI's table shows on its first page
TWINS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
         "application/rdf+xml": "xml"}
RESOURCES = ("recommendation/1b", "result/ref-07-intravascular-fluoroscopy")
JSON = {"Accept": "application/sparql-results+json"}

pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"{CHROMIUM} is absent (apt-get install chromium)")


@dataclass
class Visit:
    """A browser context on the endpoint: its page, every request URL, requests aimed elsewhere, errors."""

    page: object
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check_clean(self) -> None:
        """Every request went to 127.0.0.1 and the page logged no error."""
        assert self.requests, "the browser made no request at all"
        assert not self.outside, f"requests to other hosts: {self.outside}"
        assert all(urlsplit(url).hostname == "127.0.0.1" for url in self.requests if not url.startswith("data:"))
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium, for the whole module."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser, tmp_path) -> Iterator[Visit]:
    """A fresh browser context that records every request and keeps the browser on 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    record = Visit(page)

    def guard(route) -> None:
        url = route.request.url
        record.requests.append(url)
        if urlsplit(url).hostname != "127.0.0.1" and not url.startswith("data:"):
            record.outside.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    context.on("console", lambda message: message.type == "error" and record.errors.append(message.text))
    context.on("weberror", lambda error: record.errors.append(str(error.error)))
    page.set_default_timeout(WAIT_MS)
    yield record
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    context.close()


@pytest.fixture(scope="module")
def yasgui(yasgui_build) -> Path:
    """YASGUI's build folder, where the endpoint finds it (``spine_evidence.node_packages``)."""
    return yasgui_build


def sparql_rows(endpoint_url: str, query: str) -> int:
    """How many rows the endpoint answers ``query`` with, over HTTP."""
    response = requests.post(endpoint_url, data={"query": query}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    return len(response.json()["results"]["bindings"])


def run_in_yasgui(page) -> int:
    """Press YASGUI's run button; the rows its results table shows once the answer is drawn."""
    with page.expect_response(lambda r: r.url.endswith("/sparql") and r.request.method == "POST") as answer:
        page.click(".yasqe_queryButton")
    assert answer.value.status == 200
    page.wait_for_function("/\\d+ results? in/.test(document.querySelector('.yasr_response_chip')?.textContent)")
    chip = page.inner_text(".yasr_response_chip")
    rows = page.locator(".yasr_results table tbody tr").count()
    assert int(chip.split()[0]) == rows or rows == PAGE_SIZE, (chip, rows)
    return int(chip.split()[0])


def test_query_page_loads_from_this_server_only(endpoint, visit, yasgui):
    page = visit.page
    assert page.goto(endpoint.base + "/").status == 200
    page.wait_for_selector(".yasqe .CodeMirror")
    assert "triples" in page.inner_text("#dataset")
    assert page.locator("a.example").count() == len(example_queries())
    # Class and property completion must not call a public vocabulary service.
    page.click(".yasqe .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.type("PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT * { ?s a foaf:Per")
    page.keyboard.press("Control+Space")
    page.keyboard.type("son ; foaf:na")
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(500)
    assert any(url.endswith("/yasgui/yasgui.min.js") for url in visit.requests)
    visit.check_clean()


def test_default_query_shows_a_results_table(endpoint, visit, yasgui):
    page = visit.page
    page.goto(endpoint.base + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    query = page.evaluate("yasgui.getTab().getQuery()")
    assert query.strip() == example_queries()[0].query.strip()
    shown = run_in_yasgui(page)
    assert shown > 0 and shown == sparql_rows(endpoint.url, query)
    # A result IRI under the base opens its page on this server.
    link = page.locator(f'.yasr_results a.iri[href^="{BASE}"]').first
    with page.context.expect_page() as opened:
        link.click()
    popup = opened.value
    popup.wait_for_load_state()
    assert popup.url.startswith(endpoint.base + "/"), popup.url
    assert popup.locator("h1").count() == 1
    visit.check_clean()


def test_example_link_loads_its_query_and_runs_it(endpoint, visit, yasgui):
    examples = example_queries()
    counts = [sparql_rows(endpoint.url, e.query) if re.search(r"\bSELECT\b", e.query, re.I) else 0 for e in examples]
    chosen = next((i for i in range(1, len(examples)) if 0 < counts[i] <= PAGE_SIZE), None)
    if chosen is None:
        pytest.skip("no example after the first answers between 1 and 50 rows on the test store")
    page = visit.page
    page.goto(endpoint.base + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate("window.loadedOnce = true")
    page.locator("a.example").nth(chosen).click()
    assert page.evaluate("yasgui.getTab().getQuery()").strip() == examples[chosen].query.strip()
    assert page.url.endswith(f"?example={examples[chosen].slug}#editor")
    assert page.evaluate("window.loadedOnce === true"), "clicking an example must not reload the page"
    assert not any("?example=" in url for url in visit.requests)
    assert run_in_yasgui(page) == counts[chosen]
    visit.check_clean()


@pytest.fixture
def plain_endpoint(endpoint_factory, store_dir, tmp_path, monkeypatch):
    """A server whose YASGUI folder is empty, so the query page falls back to the plain form."""
    empty = tmp_path / "no-yasgui"
    empty.mkdir()
    monkeypatch.setenv(YASGUI_ENV, str(empty))
    with endpoint_factory(store=store_dir) as running:
        yield running


def test_plain_form_submits_a_query_and_shows_results(plain_endpoint, visit):
    page = visit.page
    assert page.goto(plain_endpoint.base + "/").status == 200
    assert page.locator(".yasqe").count() == 0 and page.locator("textarea[name=query]").count() == 1
    query = page.input_value("textarea[name=query]")
    expected = sparql_rows(plain_endpoint.url, query)
    page.click("form.plain-form button[type=submit]")
    page.wait_for_selector("#results table.results")
    assert page.locator("#results table.results tbody tr").count() == expected > 0
    assert page.inner_text("#results .summary").startswith(f"{expected} result")
    page.select_option("select[name=format]", "csv")
    page.click("form.plain-form button[type=submit]")
    page.wait_for_selector("#results pre")
    assert len(page.inner_text("#results pre").strip().splitlines()) == expected + 1
    page.fill("textarea[name=query]", "SELEC nonsense")
    page.click("form.plain-form button[type=submit]")
    page.wait_for_selector("#results .error")
    assert "400" in page.inner_text("#results .error")
    visit.errors = [e for e in visit.errors if "400" not in e]  # the browser logs the refused query itself
    example = example_queries()[-1]
    with page.expect_navigation():
        page.locator("a.example").last.click()
    assert page.input_value("textarea[name=query]").strip() == example.query.strip()
    visit.check_clean()


def resource_facts(endpoint_url: str, iri: str) -> tuple[set[str], set[str]]:
    """The labels and exact quotes of ``iri``, by SPARQL over HTTP."""
    query = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX oa: <http://www.w3.org/ns/oa#>
    PREFIX se: <{BASE}ontology#>
    SELECT ?label ?exact {{ {{ <{iri}> rdfs:label ?label }} UNION
      {{ <{iri}> se:hasQuote/oa:hasTarget/oa:hasSelector/oa:exact ?exact }} }}"""
    response = requests.post(endpoint_url, data={"query": query}, headers=JSON, timeout=30)
    rows = response.json()["results"]["bindings"]
    return {r["label"]["value"] for r in rows if "label" in r}, {r["exact"]["value"] for r in rows if "exact" in r}


@pytest.mark.parametrize("path", RESOURCES)
def test_linked_data_page_shows_label_links_quote_and_twins(endpoint, visit, path):
    page, iri = visit.page, BASE + path
    assert page.goto(f"{endpoint.base}/{path}").status == 200
    labels, exacts = resource_facts(endpoint.url, iri)
    assert labels and exacts
    assert page.inner_text("h1").strip() in labels
    quoted = {re.sub(r"\s+", " ", text).strip() for text in page.locator("blockquote.exact").all_inner_texts()}
    assert exacts <= quoted
    alternates = page.locator("link[rel=alternate]").all()
    twins = {link.get_attribute("type"): link.get_attribute("href") for link in alternates}
    assert set(TWINS) <= set(twins), twins
    graphs = {}
    for media_type, fmt in TWINS.items():
        response = requests.get(endpoint.base + twins[media_type], timeout=30)
        assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] == media_type
        graphs[media_type] = Graph().parse(data=response.content, format=fmt, publicID=iri)
    assert len({len(g) for g in graphs.values()}) == 1, {t: len(g) for t, g in graphs.items()}
    described = graphs["text/turtle"]
    # Each property of the resource is a link to its term, and each resource value a link.
    for predicate in set(described.predicates(URIRef(iri))) - {RDF.type}:
        assert page.locator(f'th a[title="{predicate}"]').count() >= 1, predicate
    for value in {o for o in described.objects(URIRef(iri)) if isinstance(o, URIRef)}:
        assert page.locator(f'a[title="{value}"]').count() >= 1, value
    visit.check_clean()
