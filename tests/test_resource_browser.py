"""Resource pages in headless Chromium: a claim, a study, a result and an outcome, checked and downloaded from.

Uses the quality helper's ``browser_support`` (Chromium via Playwright, every
request recorded and kept on 127.0.0.1, ``check_page``: Nu HTML Checker,
axe-core and a screenshot); skipped when that module, Playwright or Chromium
is absent. Resources are chosen by SPARQL over the same endpoint.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import requests
from test_resource_page import CHOOSE, path_of

support = pytest.importorskip("browser_support", reason="tests/browser_support.py is not there")
browser, visit, check_page = support.browser, support.visit, support.check_page  # the fixtures, used by name

JSON = {"Accept": "application/sparql-results+json"}
EMBEDDED = "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"


def chosen(endpoint, kind: str) -> str:
    """The IRI of a resource of ``kind`` chosen by SPARQL over HTTP."""
    response = requests.post(endpoint.url, data={"query": CHOOSE[kind]}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    return str(response.json()["results"]["bindings"][0]["x"]["value"])


@pytest.mark.parametrize("kind", ["claim", "study", "result", "outcome"])
def test_a_resource_page_reads_embeds_its_data_and_downloads_a_table(endpoint, visit, kind):
    iri = chosen(endpoint, kind)
    page = visit.page
    assert page.goto(endpoint.base + path_of(iri)).status == 200
    embedded = page.evaluate(EMBEDDED)
    assert any(node.get("@id") == iri for node in embedded), "the embedded JSON-LD does not describe the page's IRI"
    assert page.locator("aside.cite code.cite-iri").inner_text() == iri
    table = page.locator("table").first
    name = table.get_attribute("data-table")
    with page.expect_download() as download:
        page.locator(f'a[href*="table={name}&"]').click()
    rows = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
    body_rows = table.locator("tbody tr").count()  # a property with several values is one CSV row per value
    assert len(rows) - 1 == body_rows if "data" in (table.get_attribute("class") or "") else len(rows) - 1 >= body_rows
    assert rows[0][0] == table.locator("thead th").first.inner_text()
    check_page(visit, f"resource-{kind}")
