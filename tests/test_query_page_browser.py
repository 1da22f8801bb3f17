"""The query page in headless Chromium: completion from our vocabulary, bar charts, shared links.

Each test drives YASGUI (``conftest.yasgui_build``) on the session endpoint
(a real ``spine-evidence serve``) through ``browser_support``'s ``visit``,
which records every request the page makes and aborts any that would leave
127.0.0.1. What the page shows is compared with the endpoint's own answers
over HTTP. Skips without Chromium and Playwright (see ``browser_support``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from spine_evidence.iris import SE

browser_support = pytest.importorskip("browser_support", reason="tests/browser_support.py is not there")
# The fixtures, used by name, and the page checks.
browser, visit, page_checkers = browser_support.browser, browser_support.visit, browser_support.page_checkers
check_page = browser_support.check_page

JSON = {"Accept": "application/sparql-results+json"}
CHIP = "/\\d+ results? in/.test(document.querySelector('.yasr_response_chip')?.textContent)"
NUMERIC_QUERY = """SELECT ?class (COUNT(DISTINCT ?s) AS ?instances)
WHERE { ?s a ?class FILTER(STRSTARTS(STR(?class), STR(se:))) }
GROUP BY ?class ORDER BY DESC(?instances) ?class LIMIT 15"""


@pytest.fixture(autouse=True)
def yasgui(yasgui_build):
    """YASGUI must be installed for the endpoint to serve its editor (skips without npm)."""
    return yasgui_build


def answer(endpoint, query: str) -> list[dict]:
    """The endpoint's bindings for ``query``, over HTTP."""
    response = requests.post(endpoint.url, data={"query": query}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def open_editor(page, url: str) -> None:
    """Open ``url`` and wait for YASGUI's editor."""
    assert page.goto(url).status == 200
    page.wait_for_selector(".yasqe .CodeMirror")


def type_query(page, text: str) -> None:
    """Replace the editor's text by typing ``text``."""
    page.click(".yasqe .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def run(page) -> int:
    """Press the run button; the row count YASGUI reports once the answer is drawn."""
    with page.expect_response(lambda r: r.url.endswith("/sparql") and r.request.method == "POST") as response:
        page.click(".yasqe_queryButton")
    assert response.value.status == 200
    page.wait_for_function(CHIP)
    return int(page.inner_text(".yasr_response_chip").split()[0])


def hints(page) -> list[str]:
    """The completion list YASQE shows after Ctrl+Space."""
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hint")
    return page.locator(".CodeMirror-hint").all_inner_texts()


def pick_first(page) -> None:
    """Choose the first completion with the keyboard (Enter) and wait until the list has gone."""
    page.keyboard.press("Enter")
    page.wait_for_selector(".CodeMirror-hints", state="detached")


def test_completion_offers_our_classes_and_properties(endpoint, visit):
    page = visit.page
    open_editor(page, endpoint.base + "/")
    type_query(page, "SELECT ?s ?label WHERE { ?s a Recomm")
    offered = hints(page)
    assert offered[0].startswith("se:Recommendation — recommendation"), offered
    pick_first(page)
    page.keyboard.type(" ; rdfs:lab")
    offered = hints(page)
    assert offered[0].startswith("rdfs:label — "), offered
    pick_first(page)
    page.keyboard.type(" ?label }")
    query = page.evaluate("yasgui.getTab().getQuery()")
    assert re.search(r"\?s a se:Recommendation ; rdfs:label \?label }", query), query
    expected = answer(endpoint, f"SELECT ?s ?label WHERE {{ ?s a <{SE.Recommendation}> ; rdfs:label ?label }}")
    assert run(page) == len(expected) > 0
    assert any(url.endswith("/query/vocabulary.json") for url in visit.requests)
    check_page(visit, "query-page-completion")


def test_a_numeric_column_is_drawn_as_one_bar_per_row(endpoint, visit):
    page = visit.page
    open_editor(page, endpoint.base + "/")
    page.evaluate("(query) => void yasgui.getTab().setQuery(query)", NUMERIC_QUERY)
    expected = answer(endpoint, NUMERIC_QUERY)
    assert run(page) == len(expected) > 1
    page.click(".yasr_btnGroup .select_chart")
    page.wait_for_selector("svg.query-chart-svg")
    bars = page.locator("svg.query-chart-svg g.bar")
    assert bars.count() == len(expected)
    values = [int(row["instances"]["value"]) for row in expected]
    titles = bars.locator("title").all_text_contents()
    assert [int(title.rsplit(": ", 1)[1]) for title in titles] == values
    widths = [float(w) for w in bars.locator("rect").evaluate_all("(rs) => rs.map((r) => r.getAttribute('width'))")]
    assert widths[0] > 0
    for width, value in zip(widths, values, strict=True):
        assert width / widths[0] == pytest.approx(value / values[0], rel=1e-6)
    check_page(visit, "query-page")


def test_a_shared_link_reopens_the_query_and_runs_it(endpoint, visit):
    page = visit.page
    open_editor(page, endpoint.base + "/")
    page.evaluate("(query) => void yasgui.getTab().setQuery(query)", NUMERIC_QUERY)
    page.click(".yasqe_share")
    link = page.input_value(".yasqe_sharePopup input")
    version = requests.get(endpoint.base + "/health", timeout=10).json()["graph_version"]
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == endpoint.base and parts.path == "/"
    assert parse_qs(parts.query) == {"query": [NUMERIC_QUERY], "graph-version": [version]}
    reopened = page.context.new_page()
    with reopened.expect_response(lambda r: r.url.endswith("/sparql") and r.request.method == "POST") as ran:
        reopened.goto(link)
    assert ran.value.status == 200
    reopened.wait_for_function(CHIP)
    assert reopened.evaluate("yasgui.getTab().getQuery()") == NUMERIC_QUERY
    assert int(reopened.inner_text(".yasr_response_chip").split()[0]) == len(answer(endpoint, NUMERIC_QUERY))
    assert "the version served here" in reopened.inner_text("#pinned-version")
    older = link.replace(f"graph-version={version}", "graph-version=an-older-version")
    reopened.goto(older)
    notice = reopened.inner_text("#pinned-version")
    assert "another version" in notice and "an-older-version" in notice and "answers may differ" in notice
    # A link made by YASGUI's own share button before: its query opens, on this endpoint only.
    hashed = f"{endpoint.base}/#{urlencode({'query': NUMERIC_QUERY, 'endpoint': 'https://example.org/sparql'})}"
    with reopened.expect_response(lambda r: r.url == endpoint.url and r.request.method == "POST") as ran:
        reopened.goto(hashed)
    assert ran.value.status == 200
    assert reopened.evaluate("yasgui.getTab().getQuery()") == NUMERIC_QUERY
    visit.check_clean()


def test_the_plain_form_links_to_its_query_and_version(plain_endpoint, visit):
    page = visit.page
    assert page.goto(plain_endpoint.base + "/").status == 200
    page.fill("textarea[name=query]", NUMERIC_QUERY)
    page.select_option("select[name=format]", "csv")
    with page.expect_navigation():
        page.click("form.plain-form button.share")
    version = requests.get(plain_endpoint.base + "/health", timeout=10).json()["graph_version"]
    parts = urlsplit(page.url)
    assert parts.path == "/"
    linked = parse_qs(parts.query)
    assert linked.pop("query") == [NUMERIC_QUERY.replace("\n", "\r\n")]  # a form sends its lines so
    assert linked == {"format": ["csv"], "graph-version": [version]}
    assert page.input_value("textarea[name=query]") == NUMERIC_QUERY
    assert page.input_value("select[name=format]") == "csv"
    assert "the version served here" in page.inner_text("#pinned-version")
    page.click("form.plain-form button[type=submit]:not(.share)")
    page.wait_for_selector("#results pre")
    assert len(page.inner_text("#results pre").strip().splitlines()) == len(answer(plain_endpoint, NUMERIC_QUERY)) + 1
    check_page(visit, "query-page-plain-link")
