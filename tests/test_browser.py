"""The query page and the Linked Data pages in a real headless Chromium, driven by Playwright.

The browser, the guarded ``visit`` and ``check_page`` (the Nu HTML Checker,
axe-core, screenshots in the test artefacts folder) come from
``browser_support``. Every request the pages make is recorded, and any request
to a host other than 127.0.0.1 is aborted before it leaves and fails the test.
The module skips when Chromium or Playwright is absent; the YASGUI tests use
``conftest.yasgui_build`` (installed into the Node package cache outside the
clone when missing; skipped without npm).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from browser_support import DESKTOP, PHONE, check_page, horizontal_overflow
from rdflib import RDF, Graph, URIRef

from spine_evidence.namespaces import BASE
from spine_evidence.web.example_queries import example_queries

PAGE_SIZE = 50  # rows YASGUI's table shows on its first page
TWINS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
         "application/rdf+xml": "xml"}
RESOURCES = ("recommendation/1b", "result/ref-07-intravascular-fluoroscopy")
# Every kind of resource the graph names under the base (the first path segment of its IRIs).
RESOURCE_KINDS = ("claim", "study", "publication", "evidence-line", "result", "value", "recommendation", "quote",
                  "outcome", "modality", "procedure", "technique", "site", "time-point", "view", "document", "agent")
# The site's own pages (the query page is checked with YASGUI in test_query_page_loads_from_this_server_only).
SITE_PAGES = ("/recommendations", "/evidence", "/reader", "/ontology")
FOCUS_STEPS = 12  # Tab presses in the keyboard test
JSON = {"Accept": "application/sparql-results+json"}


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
    check_page(visit, "query-page")


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
    check_page(visit, "query-page-results")


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


def test_plain_form_submits_a_query_and_shows_results(plain_endpoint, visit):
    page = visit.page
    assert page.goto(plain_endpoint.base + "/").status == 200
    assert page.locator(".yasqe").count() == 0 and page.locator("textarea[name=query]").count() == 1
    check_page(visit, "query-page-plain-form")
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
    check_page(visit, f"resource-{path}")


def first_of_kind(endpoint_url: str, kind: str) -> str | None:
    """The first IRI (in string order) under ``BASE + kind + "/"`` that is a subject in the graph."""
    query = f"""SELECT (MIN(STR(?s)) AS ?iri) {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}{kind}/")) }}"""
    response = requests.post(endpoint_url, data={"query": query}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    row = response.json()["results"]["bindings"][0]
    return row["iri"]["value"] if "iri" in row else None


@pytest.mark.parametrize("kind", RESOURCE_KINDS)
def test_every_kind_of_resource_page_passes_the_page_checks(endpoint, visit, kind):
    iri = first_of_kind(endpoint.url, kind)
    if iri is None:
        pytest.skip(f"the graph names no {kind}")
    response = visit.page.goto(endpoint.base + "/" + iri[len(BASE):])
    assert response.status == 200 and response.headers["content-type"].startswith("text/html"), iri
    assert visit.page.locator("h1").count() == 1
    check_page(visit, f"kind-{kind}")


@pytest.mark.parametrize("path", SITE_PAGES)
def test_site_page_passes_the_page_checks(endpoint, visit, path):
    response = visit.page.goto(endpoint.base + path)
    assert response.status == 200, path
    check_page(visit, f"page-{path.strip('/')}")


@pytest.mark.parametrize("path", ("/sparql", "/no/such/page", "/sparql?query=SELEC"))
def test_service_and_error_pages_fit_a_phone(endpoint, visit, path):
    """At 390 px wide neither the endpoint's page for a browser nor an error answer scrolls sideways.

    A browser that GETs ``/sparql`` without a query is sent to the query page; errors are one line of text.
    """
    page = visit.page
    page.set_viewport_size(PHONE)
    response = page.goto(endpoint.base + path)
    assert response.status == (200 if path == "/sparql" else 400 if "query=" in path else 404), path
    assert not horizontal_overflow(page), horizontal_overflow(page)
    if path == "/sparql":
        assert page.url == endpoint.base + "/" and page.locator("h1").count() == 1
        page.set_viewport_size(DESKTOP)
        check_page(visit, "service-description-for-a-browser")


def focus_state(page: Any) -> dict[str, Any]:
    """The focused element: tag, id, text, whether it is in <main>, its outline and its box."""
    state: dict[str, Any] = page.evaluate("""() => {
      const e = document.activeElement, style = getComputedStyle(e), box = e.getBoundingClientRect();
      return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.textContent || "").trim().slice(0, 40),
              inMain: !!e.closest("main"), outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
              top: box.top, bottom: box.bottom, left: box.left, right: box.right,
              viewportHeight: innerHeight, viewportWidth: innerWidth};
    }""")
    return state


def test_keyboard_reaches_main_content_with_visible_focus(endpoint, visit):
    """Tab first reaches the skip link, which leads into <main>; every focused control shows an outline."""
    page = visit.page
    page.goto(endpoint.base + "/recommendation/1b")
    page.keyboard.press("Tab")
    skip = focus_state(page)
    assert skip["tag"] == "a" and skip["text"] == "Skip to main content", skip
    assert skip["outline"] != "none" and skip["width"] >= 2 and skip["top"] >= 0, skip
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert focus_state(page)["inMain"], "Tab after the skip link must land inside <main>"
    page.goto(endpoint.base + "/recommendation/1b")
    seen = []
    for _ in range(FOCUS_STEPS):  # through the skip link, the header's links and into the content
        page.keyboard.press("Tab")
        state = focus_state(page)
        seen.append(state["text"])
        assert state["tag"] != "body", f"focus was lost after {seen}"
        assert state["outline"] != "none" and state["width"] >= 2, f"no visible focus on {state}"
        assert 0 <= state["top"] and state["bottom"] <= state["viewportHeight"], f"focused off screen: {state}"
    assert focus_state(page)["inMain"], f"{FOCUS_STEPS} Tab presses did not reach <main>: {seen}"
    visit.check_clean()


def test_keyboard_leaves_the_query_editor_with_escape_then_tab(endpoint, visit, yasgui):
    """Tab indents inside the editor (CodeMirror), so Escape releases it: the next Tab reaches a control after it."""
    page = visit.page
    page.goto(endpoint.base + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click(".yasqe .CodeMirror")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    state = focus_state(page)
    assert state["tag"] in ("a", "button", "input", "select", "summary"), f"Tab after Escape stayed in: {state}"
    assert state["outline"] != "none" and state["width"] >= 2, f"no visible focus on {state}"
    visit.check_clean()


PAGE_OUTLINE = """() => {
  const main = document.querySelector("main");
  return {h1: document.querySelector("h1")?.textContent.trim(), headings: main.querySelectorAll("h2, h3").length,
          links: main.querySelectorAll("a[href]").length, tables: main.querySelectorAll("table").length,
          text: main.innerText.length};
}"""


@pytest.mark.parametrize("path", (*SITE_PAGES, "/recommendation/1b", "/study/ref-07"))
def test_page_works_without_javascript(endpoint, browser, visit, path):
    """Scripts off, the page shows the same heading, sections, links and tables as with scripts on."""
    assert visit.page.goto(endpoint.base + path).status == 200
    with_scripts = visit.page.evaluate(PAGE_OUTLINE)
    context = browser.new_context(java_script_enabled=False)
    outside: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname != "127.0.0.1":
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    try:
        page = context.new_page()
        assert page.goto(endpoint.base + path).status == 200
        without = page.evaluate(PAGE_OUTLINE)
    finally:
        context.close()
    assert not outside, outside
    assert {k: v for k, v in without.items() if k != "text"} == {k: v for k, v in with_scripts.items() if k != "text"}
    assert without["text"] >= 0.9 * with_scripts["text"], (without["text"], with_scripts["text"])
    visit.check_clean()


def test_every_navigation_link_answers(endpoint, visit):
    """Each link of the header's navigation answers 200 to a browser (no link to a page that is not there)."""
    page = visit.page
    page.goto(endpoint.base + "/reader")
    links = page.locator("header nav a").evaluate_all("(links) => links.map((a) => a.href)")
    assert len(links) >= 5, links
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what Chromium sends for a link
    for href in links:
        assert urlsplit(href).hostname == "127.0.0.1", href
        assert requests.get(href, headers={"Accept": accept}, timeout=30).status_code == 200, href
    current = page.locator('header nav a[aria-current="page"]')
    assert current.count() == 1 and current.get_attribute("href").endswith("/reader")
    visit.check_clean()
