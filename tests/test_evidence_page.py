"""The summary-of-findings page ``/evidence``: its table, its forest plots (inline SVG) and its CSV/JSON twins.

What the page shows is checked against the graph as the ``/sparql`` endpoint answers
it (never against the page's own code), and every interval against a Wilson
interval computed here from its definition: the p whose score test does not reject,
|p̂ − p| ≤ z·√(p(1 − p)/n), i.e. the roots of a quadratic in p, with z the 0.975
quantile of the standard normal from ``statistics.NormalDist`` (not the package's constant).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from statistics import NormalDist

import pytest
import requests
from browser_support import check_page
from conftest import dataset_sources

from spine_evidence.intervals import IntervalError, wilson, wilson_interval
from spine_evidence.store import load as load_store
from spine_evidence.web import AppConfig, create_app

SVG = "{http://www.w3.org/2000/svg}"
Z = NormalDist().inv_cdf(0.975)
LABEL = "95% Wilson interval, computed"


def independent_wilson(events: int, total: int) -> tuple[float, float]:
    """The 95% Wilson score interval in percent: the roots of (1 + z²/n)p² − (2p̂ + z²/n)p + p̂² = 0."""
    p, k = events / total, Z * Z / total
    a, b, c = 1 + k, -(2 * p + k), p * p
    root = math.sqrt(max(0.0, b * b - 4 * a * c))
    return (-b - root) / (2 * a) * 100, (-b + root) / (2 * a) * 100


def rounded(value: float) -> Decimal:
    """A percentage rounded half up to one decimal place."""
    return Decimal(repr(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def sparql(client, query: str) -> list[dict[str, str]]:
    """The solutions of a SELECT on the app's ``/sparql`` endpoint, each variable's value as text."""
    answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.data[:500]
    return [{k: v["value"] for k, v in b.items()} for b in answer.get_json()["results"]["bindings"]]


class TableRows(HTMLParser):
    """The rows of the page's ``table.sof`` tables: ``data-result`` → ``{data-column: (text, attributes)}``."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, tuple[str, dict[str, str | None]]]] = {}
        self.classes: dict[str, str] = {}
        self.row: str | None = None
        self.cell: tuple[str, dict[str, str | None]] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-result"):
            self.row = str(found["data-result"])
            assert self.row not in self.rows, f"{self.row} has two rows"
            self.rows[self.row], self.classes[self.row] = {}, found.get("class") or ""
        elif tag == "td" and self.row and found.get("data-column"):
            self.cell, self.text = (str(found["data-column"]), found), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.row and self.cell:
            self.rows[self.row][self.cell[0]] = (" ".join("".join(self.text).split()), self.cell[1])
            self.cell = None
        elif tag == "tr":
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell:
            self.text.append(data)


@pytest.fixture(scope="module")
def page(client) -> str:
    answer = client.get("/evidence")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    return answer.get_data(as_text=True)


@pytest.fixture(scope="module")
def client(app):  # module-scoped: one page, many checks
    return app.test_client()


@pytest.fixture(scope="module")
def table(page: str) -> TableRows:
    parser = TableRows()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def plots(page: str) -> list[ET.Element]:
    """Every inline ``<svg>`` of the page, parsed as XML."""
    found = [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", page, re.DOTALL)]
    assert found, "the page draws no SVG"
    return found


def points(plots: list[ET.Element]) -> list[tuple[ET.Element, ET.Element]]:
    """Each plotted proportion with its SVG."""
    return [(g, svg) for svg in plots for g in svg.iter(f"{SVG}g") if "point" in (g.get("class") or "").split()]


def proportions(client) -> dict[str, tuple[int, int]]:
    """Every proportion of the graph (by SPARQL): result IRI → (numerator, denominator)."""
    rows = sparql(client, "SELECT ?r ?n ?d WHERE { ?r se:hasValue ?v . ?v a se:Proportion ; se:numerator ?n ; "
                          "se:denominator ?d }")
    return {row["r"]: (int(row["n"]), int(row["d"])) for row in rows}


def test_every_proportion_of_the_graph_is_one_plotted_point(client, plots):
    expected = proportions(client)
    drawn = [g.get("data-result") for g, _ in points(plots)]
    assert len(expected) >= 10 and sorted(drawn) == sorted(expected)
    for g, _ in points(plots):
        assert (int(g.get("data-events", "")), int(g.get("data-total", ""))) == expected[g.get("data-result", "")]


def axis(svg: ET.Element) -> tuple[float, float]:
    """The x of 0% and of 100%, read from the drawn tick lines."""
    ticks = {t.get("data-percent"): t.find(f"{SVG}line") for t in svg.iter(f"{SVG}g") if t.get("class") == "tick"}
    zero, hundred = ticks["0"], ticks["100"]
    assert zero is not None and hundred is not None
    return float(zero.get("x1", "")), float(hundred.get("x1", ""))


def test_each_plotted_interval_is_the_wilson_interval_both_as_data_and_as_drawn(client, plots):
    expected = proportions(client)
    for g, svg in points(plots):
        events, total = expected[g.get("data-result", "")]
        low, high = independent_wilson(events, total)
        assert float(g.get("data-lower", "")) == pytest.approx(low, abs=1e-9)
        assert float(g.get("data-upper", "")) == pytest.approx(high, abs=1e-9)
        x0, x100 = axis(svg)

        def percent_at(x: str | None, x0: float = x0, x100: float = x100) -> float:
            return (float(x or "nan") - x0) / (x100 - x0) * 100

        interval = next(line for line in g.iter(f"{SVG}line") if line.get("class") == "interval")
        assert percent_at(interval.get("x1")) == pytest.approx(low, abs=0.01)
        assert percent_at(interval.get("x2")) == pytest.approx(high, abs=0.01)
        estimate = g.find(f"{SVG}circle")
        assert estimate is not None and percent_at(estimate.get("cx")) == pytest.approx(100 * events / total, abs=0.01)


def test_the_table_shows_each_interval_rounded_and_labelled_as_computed(client, page, table):
    assert page.count(LABEL) >= 2 and "computed here from the counts" in page
    for result, (events, total) in proportions(client).items():
        text, attributes = table.rows[result]["wilson"]
        low, high = independent_wilson(events, total)
        assert text == f"{rounded(low)}% to {rounded(high)}%"
        assert (attributes["data-lower"], attributes["data-upper"]) == (str(rounded(low)), str(rounded(high)))


def test_every_result_has_one_row_with_its_counts_and_the_stated_percentage_as_stated(client, table):
    rows = sparql(client, """SELECT ?r ?n ?d ?p ?ref WHERE { ?r a se:Result ; se:hasValue ?v ; se:ofStudy ?s .
        ?s se:citationNumber ?ref OPTIONAL { ?v se:numerator ?n ; se:denominator ?d }
        OPTIONAL { ?v se:statedPercentage ?p } }""")
    assert sorted(table.rows) == sorted(row["r"] for row in rows)
    assert any("." in row.get("p", "") for row in rows) and any(row.get("p", ".").isdigit() for row in rows)
    for row in rows:
        cells = table.rows[row["r"]]
        assert cells["stated_percentage"][0] == (f"{row['p']}%" if "p" in row else "not stated")
        assert cells["numerator"][0] == row.get("n", "—") and cells["denominator"][0] == row.get("d", "—")
        assert cells["reference_number"][0].startswith(f"Ref {row['ref']} ")


def test_each_study_links_to_its_page(client, page):
    for row in sparql(client, "SELECT DISTINCT ?s WHERE { ?r se:ofStudy ?s }"):
        path = row["s"].removeprefix("https://w3id.org/spine-evidence")
        assert f'href="{path}"' in page
        assert client.get(path, headers={"Accept": "text/html"}).status_code == 200


def flagged_results(client) -> dict[str, set[str]]:
    """Result IRI → the editorial notes of its flags: on the result, or on a statement whose line cites it."""
    rows = sparql(client, """SELECT ?r ?note WHERE {
        { ?r a se:Result ; se:hasInconsistency true ; skos:editorialNote ?note }
        UNION { ?s se:hasSupportingEvidenceLine|se:hasDisputingEvidenceLine|se:hasInconclusiveEvidenceLine ?l .
                ?l se:citesResult ?r . ?s se:hasInconsistency true ; skos:editorialNote ?note } }""")
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["r"], set()).add(row["note"])
    return found


def test_inconsistency_flags_appear_in_the_table_and_the_plot_where_the_graph_has_them(client, table, plots):
    flagged = flagged_results(client)
    assert len(flagged) >= 5
    for result, cells in table.rows.items():
        text = cells["inconsistency"][0]
        if result in flagged:
            assert "flagged" in table.classes[result] and text.startswith("† flagged")
            for note in flagged[result]:
                assert " ".join(note.split()) in text
        else:
            assert text == "none" and "flagged" not in table.classes[result]
    drawn = points(plots)
    assert any(g.get("data-result") in flagged for g, _ in drawn)
    for g, _ in drawn:
        title = g.findtext(f"{SVG}title") or ""
        is_flagged = g.get("data-result") in flagged
        assert ("flagged" in (g.get("class") or "").split()) == is_flagged
        assert ("inconsistency flagged" in title) == is_flagged
        label = next(t for t in g.iter(f"{SVG}text") if t.get("class") == "label")
        assert (label.text or "").endswith("†") == is_flagged


def test_the_svg_is_accessible_and_scales(client, plots):
    proportion = proportions(client)
    labels = {row["r"]: row for row in sparql(client, """SELECT ?r ?ref ?arm WHERE {
        ?r se:ofStudy/se:citationNumber ?ref OPTIONAL { ?r se:arm/rdfs:label ?arm } }""")}
    for svg in plots:
        assert svg.get("role") == "img" and svg.get("viewBox", "").startswith("0 0 ") and "width" not in svg.attrib
        ids = (svg.get("aria-labelledby") or "").split()
        assert [svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")] == [svg.find(f".//*[@id='{i}']") for i in ids]
        assert LABEL in (svg.findtext(f"{SVG}desc") or "")
    for g, _ in points(plots):
        result = g.get("data-result", "")
        title, (events, total) = g.findtext(f"{SVG}title") or "", proportion[result]
        low, high = independent_wilson(events, total)
        assert f"Reference {labels[result]['ref']}, {labels[result].get('arm', 'arm not stated')}" in title
        assert f"{events}/{total}" in title and f"{LABEL}: {rounded(low)}% to {rounded(high)}%" in title


def test_outcomes_are_sections_and_arms_groups(client, page, plots):
    outcomes = sparql(client, "SELECT DISTINCT ?o WHERE { ?r a se:Result ; se:measuresOutcome ?o }")
    assert page.count('<section id="outcome-') == len(outcomes)
    arms = {row["r"]: row.get("arm", "arm not stated") for row in sparql(
        client, "SELECT ?r ?arm WHERE { ?r a se:Result OPTIONAL { ?r se:arm/rdfs:label ?arm } }")}
    for svg in plots:  # within a plot, each arm is one group headed by its name, holding its points only
        groups = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "arm-group"]
        assert groups and len({g.findtext(f"{SVG}text") for g in groups}) == len(groups)
        for group in groups:
            heading = group.findtext(f"{SVG}text")
            assert {arms[g.get("data-result", "")] for g, _ in points([group])} == {heading}


def csv_rows(client) -> list[dict[str, str]]:
    answer = client.get("/evidence.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def test_the_csv_twin_has_the_rows_of_the_table(client, table):
    rows = csv_rows(client)
    assert [row["result"] for row in rows] == list(table.rows)  # same rows, same order
    for row in rows:
        cells = {name: text for name, (text, _) in table.rows[row["result"]].items()}
        assert cells["numerator"] == (row["numerator"] or "—") and cells["denominator"] == (row["denominator"] or "—")
        stated = row["stated_percentage"]
        assert cells["stated_percentage"] == (f"{stated}%" if stated else "not stated")
        assert cells["reference_number"].startswith(f"Ref {row['reference_number']} ")
        assert cells["arm_label"] == (row["arm_label"] or "—")
        assert cells["design_label"].startswith(row["design_label"] or "—")
        assert cells["inconsistency"].startswith("† flagged" if row["inconsistency"] == "true" else "none")
        interval = table.rows[row["result"]]["wilson"][1]
        assert (interval.get("data-lower") or "", interval.get("data-upper") or "") == (
            row["wilson_lower_percent"], row["wilson_upper_percent"])


def test_the_json_twin_has_the_rows_of_the_csv(client):
    answer = client.get("/evidence.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    body = json.loads(answer.get_data(as_text=True), parse_float=Decimal)
    rows = csv_rows(client)
    assert [c["name"] for c in body["columns"]] == list(rows[0])
    for found, row in zip(body["rows"], rows, strict=True):
        as_text = {k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for k, v in found.items()}
        assert as_text == row


def test_the_twins_are_linked_as_alternates(page):
    for media_type, path in (("text/csv", "/evidence.csv"), ("application/json", "/evidence.json")):
        assert f'<link rel="alternate" type="{media_type}" href="{path}">' in page


def test_a_document_added_later_gets_its_rows_and_points(tmp_path):
    """A new study with one proportion, in its own file: the page plots it with no change to the code."""
    extra = tmp_path / "added.ttl"
    extra.write_text("""
@prefix se: <https://w3id.org/spine-evidence/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/spine-evidence/study/added-01> a se:Study ; se:citationNumber 1 ; rdfs:label "Added study"@en .
<https://w3id.org/spine-evidence/result/added-01> a se:Result ; rdfs:label "Added: 7 of 9"@en ;
  se:ofStudy <https://w3id.org/spine-evidence/study/added-01> ;
  se:measuresOutcome <https://w3id.org/spine-evidence/outcome/added-outcome> ;
  se:hasValue <https://w3id.org/spine-evidence/value/added-01> .
<https://w3id.org/spine-evidence/outcome/added-outcome> a se:Outcome ; rdfs:label "an outcome added later"@en .
<https://w3id.org/spine-evidence/value/added-01> a se:Proportion ; se:numerator 7 ; se:denominator 9 .
""", encoding="utf-8")
    ontology = [(graph, path) for graph, path in dataset_sources() if path.parent.name == "ontology"]
    load_store(tmp_path / "store", [*ontology, ("https://w3id.org/spine-evidence/graph/added", extra)])
    client = create_app(AppConfig(store_path=tmp_path / "store")).test_client()
    page = client.get("/evidence").get_data(as_text=True)
    svgs = [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", page, re.DOTALL)]
    [(g, _)] = points(svgs)
    low, high = independent_wilson(7, 9)
    assert g.get("data-result") == "https://w3id.org/spine-evidence/result/added-01"
    assert float(g.get("data-lower", "")) == pytest.approx(low)
    assert float(g.get("data-upper", "")) == pytest.approx(high)
    assert "an outcome added later" in page and "arm not stated" in page


@pytest.mark.parametrize("total", [1, 2, 10, 59, 107, 1000])
def test_the_shared_wilson_formula_agrees_with_the_definition(total):
    for events in range(total + 1):
        low, high = independent_wilson(events, total)
        fractions = wilson_interval(events, total)
        assert fractions[0] * 100 == pytest.approx(low, abs=1e-9)
        assert fractions[1] * 100 == pytest.approx(high, abs=1e-9)
        assert wilson(events, total) == (rounded(fractions[0] * 100), rounded(fractions[1] * 100))


@pytest.mark.parametrize(("events", "total"), [(-1, 10), (11, 10), (0, 0), (1, 0)])
def test_counts_that_are_not_a_proportion_have_no_interval(events, total):
    with pytest.raises(IntervalError, match="not a proportion"):
        wilson(events, total)


def test_the_fhir_view_uses_the_same_formula():
    from spine_evidence.fhir import evidence

    assert evidence.wilson is wilson



def test_a_store_without_the_ontology_gets_one_line_saying_so(tmp_path):
    data = tmp_path / "data.nt"
    data.write_text('<http://example.org/s> <http://www.w3.org/2000/01/rdf-schema#label> "s" .\n', encoding="utf-8")
    load_store(tmp_path / "store", [("https://w3id.org/spine-evidence/graph/x", data)])
    client = create_app(AppConfig(store_path=tmp_path / "store")).test_client()
    for path in ("/evidence", "/evidence.csv", "/evidence.json"):
        answer = client.get(path)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 500 and answer.mimetype == "text/plain"
        assert text.count("\n") == 1 and "is the ontology loaded?" in text and "Traceback" not in text


# In a real browser (tests/browser_support.py: Debian Chromium via Playwright; skipped when absent).

DRAWN = """() => [...document.querySelectorAll('svg.forest-plot')].flatMap(svg => {
  const tick = p => svg.querySelector(`g.tick[data-percent="${p}"] line`).getBoundingClientRect().left;
  const x0 = tick(0), x100 = tick(100), at = x => (x - x0) / (x100 - x0) * 100;
  return [...svg.querySelectorAll('g.point')].map(g => {
    const line = g.querySelector('line.interval').getBoundingClientRect();
    const dot = g.querySelector('circle.estimate').getBoundingClientRect();
    return {result: g.dataset.result, lower: at(line.left), upper: at(line.right),
            estimate: at((dot.left + dot.right) / 2), title: g.querySelector('title').textContent};
  });
})"""
TABLE = """rows => rows.map(r => [r.dataset.result, Object.fromEntries(
  [...r.querySelectorAll('td[data-column]')].map(td => [td.dataset.column, td.innerText.trim()]))])"""


def endpoint_proportions(endpoint) -> dict[str, tuple[int, int]]:
    """Every proportion of the served graph, asked over HTTP: result IRI → (numerator, denominator)."""
    query = "SELECT ?r ?n ?d WHERE { ?r se:hasValue ?v . ?v a se:Proportion ; se:numerator ?n ; se:denominator ?d }"
    answer = requests.get(endpoint.url, params={"query": query}, timeout=30,
                          headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    return {b["r"]["value"]: (int(b["n"]["value"]), int(b["d"]["value"])) for b in answer.json()["results"]["bindings"]}


def test_in_a_browser_the_table_reads_and_every_drawn_interval_is_the_wilson_interval(endpoint, visit):
    expected = endpoint_proportions(endpoint)
    page = visit.page
    page.goto(endpoint.base + "/evidence")
    rows = dict(page.eval_on_selector_all("table.sof tr[data-result]", TABLE))
    for result, (events, total) in expected.items():
        low, high = independent_wilson(events, total)
        cells = rows[result]
        assert (cells["numerator"], cells["denominator"]) == (str(events), str(total))
        assert cells["wilson"] == f"{rounded(low)}% to {rounded(high)}%"
    drawn = page.evaluate(DRAWN)
    assert sorted(d["result"] for d in drawn) == sorted(expected)
    for d in drawn:  # where the browser drew them, mapped back through the drawn axis
        events, total = expected[d["result"]]
        low, high = independent_wilson(events, total)
        assert d["lower"] == pytest.approx(low, abs=0.01) and d["upper"] == pytest.approx(high, abs=0.01)
        assert d["estimate"] == pytest.approx(100 * events / total, abs=0.01) and f"{events}/{total}" in d["title"]
    check_page(visit, "evidence")
    page.set_viewport_size({"width": 375, "height": 800})  # a phone: the page itself never scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("document.querySelector('svg.forest-plot').getBoundingClientRect().width <= 375")
