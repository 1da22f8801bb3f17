"""Recommendation pages in headless Chromium: unfold every layer to a quote, by mouse and keyboard, and move on.

Uses ``browser_support`` (its ``browser`` and ``visit`` fixtures reach every
module as a plugin: Chromium via Playwright, every request recorded and kept on
127.0.0.1; ``check_page``: Nu HTML Checker, axe-core and screenshots); skipped
when Playwright or Chromium is absent. What the page shows is compared with SPARQL over the same endpoint.
"""

from __future__ import annotations

import requests
from browser_support import check_page, tab_until

from spine_evidence.namespaces import BASE

REC_1B = BASE + "recommendation/1b"
JSON = {"Accept": "application/sparql-results+json"}


def select(endpoint, query: str) -> list[dict[str, str]]:
    """The bindings of a SELECT over HTTP as ``{name: value}`` rows."""
    response = requests.post(endpoint.url, data={"query": query}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def label(endpoint, iri: str) -> str:
    """The ``rdfs:label`` of ``iri``."""
    return select(endpoint, f"SELECT ?l WHERE {{ <{iri}> rdfs:label ?l }}")[0]["l"]


def unfold(details, keyboard: str | None = None) -> None:
    """Open a ``<details>`` by clicking its summary, or by focusing it and pressing ``keyboard``; check it opened."""
    summary = details.locator(":scope > summary")
    if keyboard is None:
        summary.click()
    else:
        summary.focus()
        summary.press(keyboard)
    assert details.get_attribute("open") is not None, "the layer did not open"
    assert details.locator(":scope > :not(summary)").first.is_visible()


def test_unfold_every_layer_to_a_quote_and_follow_a_study(endpoint, visit):
    """Statement → evidence line → result → quote open by mouse and keyboard; a study link leads there and back."""
    page = visit.page
    assert page.goto(endpoint.base + "/recommendation/1b").status == 200
    assert page.locator("h1").inner_text() == label(endpoint, REC_1B)
    statement = page.locator("details.statement:has(details.result)").first
    assert statement.get_attribute("open") is None, "layers start folded"
    unfold(statement)
    line = statement.locator("details.line:has(details.result)").first
    unfold(line, "Enter")
    result = line.locator("details.result").first
    unfold(result)
    quote = result.locator("details.quote").first
    unfold(quote, "Space")
    quote_iri = BASE + quote.locator("a", has_text="Quote page").get_attribute("href").lstrip("/")
    exact = select(endpoint, f"SELECT ?e WHERE {{ <{quote_iri}> oa:hasTarget/oa:hasSelector/oa:exact ?e }}")[0]["e"]
    assert quote.locator("blockquote").inner_text() == exact
    check_page(visit, "recommendation-1b")
    study = line.locator("dl.study a").first
    study_path = study.get_attribute("href")
    study.click()
    page.wait_for_url("**" + study_path)
    assert label(endpoint, BASE + study_path.lstrip("/")) in page.locator("h1").inner_text()
    page.go_back()
    page.wait_for_url("**/recommendation/1b")
    assert page.locator("h1").inner_text() == label(endpoint, REC_1B)
    visit.check_clean()


def test_layers_are_reached_and_opened_with_the_keyboard(endpoint, visit):
    """Tab reaches a layer's summary (after the page's links); Enter unfolds (or folds) it, Enter again undoes it."""
    page = visit.page
    page.goto(endpoint.base + "/recommendation/1b")
    tab_until(page, "SUMMARY")
    is_open = "document.activeElement.parentElement.open"
    before = page.evaluate(is_open)
    page.keyboard.press("Enter")
    assert page.evaluate(is_open) is not before
    page.keyboard.press("Enter")
    assert page.evaluate(is_open) is before
    visit.check_clean()


def test_list_page_folds_every_recommendation(endpoint, visit):
    """``/recommendations`` lists each top-level recommendation folded; each opens to its layers."""
    page = visit.page
    assert page.goto(endpoint.base + "/recommendations").status == 200
    top = select(endpoint, """SELECT ?rec WHERE { ?rec a se:Recommendation
        FILTER NOT EXISTS { ?rec se:subRecommendationOf ?p } FILTER NOT EXISTS { ?q se:hasSubRecommendation ?rec } }""")
    recs = page.locator("ul.top > li > details.recommendation")
    assert recs.count() == len(top) > 0
    for i in range(recs.count()):
        unfold(recs.nth(i), "Enter" if i % 2 else None)
    check_page(visit, "recommendations")
    visit.check_clean()
