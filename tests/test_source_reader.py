"""The source reader (``/reader``, the HTML twin of the source text IRI): every quote highlighted, linked, once.

The page is read with ``html.parser`` (the popovers, ``.grounds``, left out of the
text) and checked against the graph by this test's own SPARQL: one ``<mark
id="quote-<slug>">`` per quote of the source, the words of its pieces equal to
``oa:exact``, every character inside exactly the quotes that select it (found
here with ``str.find`` in the normalised text), and every piece linking to the
node its annotation grounds. ``events`` is also run on random overlapping spans.
In Chromium (``browser_support``): Tab reaches a quote and shows its popover,
hovering a nested quote shows only its own, ``/reader#quote-…`` opens at the
quote, and ``check_page`` (Nu, axe, screenshots). Over ``serve --backend``
(Oxigraph server) the page is the same.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
import requests
from browser_support import check_page, tab_until

from spine_evidence import quotes
from spine_evidence.iris import BASE, QUOTE, SOURCE_TEXT_IRI, SOURCE_TEXT_NAME
from spine_evidence.publish import publish
from spine_evidence.sparql import select
from spine_evidence.web import source_reader
from spine_evidence.web.app import current_store

pytest_plugins = ["triple_stores"]  # the oxigraph fixture (Oxigraph server), for the page over a remote store

SOURCE_PATH = f"/source/{SOURCE_TEXT_NAME}"
GROUNDED = f"""
SELECT ?annotation ?exact ?body WHERE {{
  ?annotation oa:hasTarget ?target ; oa:hasBody ?body .
  ?target oa:hasSource <{SOURCE_TEXT_IRI}> ; oa:hasSelector ?selector .
  ?selector a oa:TextQuoteSelector ; oa:exact ?exact .
}}"""
COUNT = f"""
SELECT (COUNT(DISTINCT ?selector) AS ?n) WHERE {{
  ?target oa:hasSource <{SOURCE_TEXT_IRI}> ; oa:hasSelector ?selector . ?selector a oa:TextQuoteSelector .
}}"""


@dataclass
class MarkPiece:
    """One ``<mark>`` of the page: its quote, id, whether it continues a split quote, its text and its links."""

    quote: str
    id: str | None
    continued: bool
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class ReaderParser(HTMLParser):
    """Collects the text outside popovers, the quotes over each character, the marks and the popovers' links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_article = False
        self.text: list[str] = []
        self.covering: list[frozenset[str]] = []
        self.pieces: list[MarkPiece] = []
        self.open_marks: list[MarkPiece] = []
        self.grounds_depth = 0  # >0 inside a popover (.grounds)
        self.span_stack: list[bool] = []  # for each open <span>: is it a .grounds
        self.ids: dict[str, str] = {}  # id → tag, over the whole page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            assert values["id"] not in self.ids, f"duplicate id {values['id']}"
            self.ids[values["id"]] = tag
        if tag == "article" and "source-text" in values.get("class", ""):
            self.in_article = True
        if not self.in_article:
            return
        if tag == "mark":
            assert self.grounds_depth == 0, "a mark inside a popover"
            piece = MarkPiece(values["data-quote"], values.get("id"), "continued" in values["class"].split(), values)
            self.pieces.append(piece)
            self.open_marks.append(piece)
        elif tag == "span":
            is_grounds = "grounds" in values.get("class", "").split()
            self.span_stack.append(is_grounds)
            self.grounds_depth += is_grounds
        elif tag == "a" and self.grounds_depth and "quote-link" not in values.get("class", ""):
            self.open_marks[-1].links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.in_article = False
        elif self.in_article and tag == "mark":
            self.open_marks.pop()
        elif self.in_article and tag == "span":
            self.grounds_depth -= self.span_stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.in_article or self.grounds_depth:
            return
        covering = frozenset(piece.quote for piece in self.open_marks)
        for piece in self.open_marks:
            piece.text.append(data)
        self.text.append(data)
        self.covering.extend([covering] * len(data))


def parse(html: str) -> ReaderParser:
    parser = ReaderParser()
    parser.feed(html)
    parser.close()
    return parser


def expected_anchor(annotation: str) -> str:
    """The anchor scheme, written out here: ``quote:<slug>`` → ``quote-<slug>``."""
    assert annotation.startswith(str(QUOTE)), annotation
    return "quote-" + annotation[len(str(QUOTE)):]


def spans_in(text: str, graph_quotes: dict[str, tuple[str, set[str]]]) -> dict[str, tuple[int, int]]:
    """Each quote's span in the page's text, found with ``str.find`` (a quote occurring twice fails the test).

    A quote that joins a word hyphenated at a line end is not found so: for it, ``quotes.find_span``.
    """
    spans = {}
    for anchor, (exact, _) in graph_quotes.items():
        wanted = quotes.normalise(exact)
        start = text.find(wanted)
        if start < 0:
            found = quotes.find_span(quotes.load_source_text(), exact)
            assert found is not None, f"{anchor}: not in the source text"
            spans[anchor] = found
            continue
        assert text.find(wanted, start + 1) < 0, f"{anchor}: found twice in the text"
        spans[anchor] = (start, start + len(wanted))
    return spans


@pytest.fixture(scope="module")
def graph_quotes(app) -> dict[str, tuple[str, set[str]]]:
    """Anchor → (``oa:exact``, paths of the nodes grounded), by this test's own query over the app's store."""
    found: dict[str, tuple[str, set[str]]] = {}
    with app.app_context():
        for row in select(current_store(), GROUNDED):
            anchor = expected_anchor(row["annotation"].value)
            exact, bodies = found.setdefault(anchor, (row["exact"].value, set()))
            assert row["body"].value.startswith(BASE)
            bodies.add("/" + row["body"].value[len(BASE):])
        count = int(next(iter(select(current_store(), COUNT)))["n"].value)
    assert len(found) == count > 0
    return found


@pytest.fixture(scope="module")
def page(app) -> ReaderParser:
    response = app.test_client().get("/reader")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    return parse(response.get_data(as_text=True))


def test_every_quote_has_exactly_one_mark_anchor(page, graph_quotes):
    firsts = [p for p in page.pieces if not p.continued]
    assert sorted(p.id for p in firsts) == sorted(graph_quotes)
    for anchor in graph_quotes:
        assert page.ids[anchor] == "mark"
    assert all(p.id is None for p in page.pieces if p.continued)
    assert {p.quote for p in page.pieces} == set(graph_quotes)


def test_the_words_of_each_quote_are_its_exact(page, graph_quotes):
    words: defaultdict[str, str] = defaultdict(str)
    for piece in page.pieces:
        words[piece.quote] += "".join(piece.text)
    for anchor, (exact, _) in graph_quotes.items():
        wanted = quotes.normalise(exact)
        # A quote may join a word the source hyphenates at a line end: the page shows the source's hyphen.
        assert words[anchor] == wanted or words[anchor].replace("-", "") == wanted.replace("-", ""), anchor


def test_the_page_text_is_the_source_text(page):
    assert "".join(page.text) == quotes.normalise(quotes.load_source_text())


def test_every_character_lies_in_exactly_the_quotes_selecting_it(page, graph_quotes):
    text = "".join(page.text)
    expected: list[set[str]] = [set() for _ in text]
    for anchor, (start, end) in spans_in(text, graph_quotes).items():
        for i in range(start, end):
            expected[i].add(anchor)
    assert [set(c) for c in page.covering] == expected


def test_every_mark_links_to_the_nodes_it_grounds(page, graph_quotes):
    for piece in page.pieces:
        assert set(piece.links) == graph_quotes[piece.quote][1], piece.quote
        assert piece.links, piece.quote


def test_overlapping_quotes_are_nested_or_split(page, graph_quotes):
    """The graph has nested, identical and crossing quotes; a crossing one is split into continued pieces."""
    spans = spans_in("".join(page.text), graph_quotes)
    pairs = [(a, b) for a in spans for b in spans if a < b]
    crossing = [(a, b) for a, b in pairs if spans[a][0] < spans[b][0] < spans[a][1] < spans[b][1]]
    identical = [(a, b) for a, b in pairs if spans[a] == spans[b]]
    nested = [(a, b) for a, b in pairs if spans[a][0] <= spans[b][0] and spans[b][1] <= spans[a][1]]
    assert crossing and identical and nested
    continued = {p.quote for p in page.pieces if p.continued}
    for a, b in crossing:
        assert a in continued or b in continued, (a, b)


def test_each_first_piece_is_focusable_and_described_by_its_popover(page):
    for piece in page.pieces:
        if not piece.continued:
            assert piece.attrs["tabindex"] == "0"
            assert piece.attrs["aria-describedby"] == "g-" + piece.quote
            assert page.ids["g-" + piece.quote] == "span"


@pytest.mark.parametrize("seed", range(20))
def test_events_place_random_overlapping_spans(seed):
    """``events`` on random spans (crossing, nested, equal, touching): one first piece each, exact coverage."""
    rng = random.Random(seed)
    text = "".join(rng.choice("abc ") for _ in range(60))
    placed = []
    for index in range(12):
        start = rng.randrange(0, 59)
        quote = source_reader.Quote(f"quote-{index}", f"q{index}", "", "")
        quote.start, quote.end = start, rng.randrange(start + 1, 61)
        placed.append(quote)
    breaks = {rng.randrange(1, 60) for _ in range(3)}
    covering: list[set[str]] = []
    stack: list[str] = []
    firsts: list[str] = []
    for kind, item in source_reader.events(text, placed, breaks):
        if kind == "open":
            stack.append(item.quote.anchor)
            firsts += [item.quote.anchor] if item.first else []
        elif kind == "close":
            assert stack.pop() == item.quote.anchor
        elif kind == "text":
            covering += [set(stack)] * len(item)
    assert not stack
    assert sorted(firsts) == sorted(q.anchor for q in placed)
    assert covering == [{q.anchor for q in placed if q.start <= i < q.end} for i in range(len(text))]


def test_the_source_iri_gives_the_reader_to_browsers_and_the_text_otherwise(client):
    source = quotes.load_source_text()
    html = client.get(SOURCE_PATH, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.status_code == 200 and html.content_type == "text/html; charset=utf-8"
    assert 'id="quote-rec-1a"' in html.get_data(as_text=True)
    assert html.headers["Vary"] == "Accept"
    for accept in (None, "*/*", "text/plain"):
        plain = client.get(SOURCE_PATH, headers={"Accept": accept} if accept else {})
        assert plain.content_type == "text/plain; charset=utf-8", accept
        assert plain.get_data(as_text=True) == source
        assert "Accept" in plain.headers["Vary"]
        assert '</reader>; rel="alternate"; type="text/html"' in plain.headers["Link"]


def test_the_reader_links_its_plain_text_twin(client):
    html = client.get("/reader").get_data(as_text=True)
    assert f'<link rel="alternate" type="text/plain; charset=utf-8" href="{SOURCE_PATH}">' in html




def test_in_chromium_a_focused_quote_shows_what_it_grounds(endpoint, visit, graph_quotes):
    """Tab to the first quote: its popover appears with the links to its nodes; Tab again reaches the link."""
    page = visit.page
    assert page.goto(endpoint.base + "/reader").status == 200
    tab_until(page, "MARK")
    anchor = page.evaluate("() => document.activeElement.id")
    popover = page.locator(f"#g-{anchor}")
    assert popover.is_visible()
    hrefs = {a.get_attribute("href") for a in popover.locator("a:not(.quote-link)").all()}
    assert hrefs == graph_quotes[anchor][1]
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('.grounds')?.id") == f"g-{anchor}"
    assert popover.is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert not popover.is_visible(), "the popover stays open after the focus left the quote"


def test_in_chromium_hovering_a_nested_quote_shows_only_its_own_popover(endpoint, visit):
    page = visit.page
    page.goto(endpoint.base + "/reader")
    inner = page.locator("mark.quote mark.quote[id]").first
    outer_id = inner.locator("xpath=ancestor::mark[@id][1]").get_attribute("id")
    inner.hover(position={"x": 2, "y": 2})
    assert page.locator(f"#g-{inner.get_attribute('id')}").is_visible()
    assert not page.locator(f"#g-{outer_id}").is_visible()


def test_in_chromium_the_anchor_of_a_quote_opens_at_it(endpoint, visit):
    page = visit.page
    page.goto(endpoint.base + "/reader#quote-ref-07-intravascular-fluoroscopy")
    mark = page.locator("#quote-ref-07-intravascular-fluoroscopy")
    assert page.evaluate("() => document.querySelector(':target').id") == "quote-ref-07-intravascular-fluoroscopy"
    assert mark.is_visible() and mark.bounding_box()["y"] < page.viewport_size["height"]
    check_page(visit, "reader")


def test_the_reader_is_the_same_over_a_remote_store(oxigraph, store_dir, endpoint_factory, client):
    """``serve --backend`` (Oxigraph server holding the same graphs) draws the same page: SPARQL only."""
    publish(f"{oxigraph}/store", store=store_dir, validate=False, announce=lambda line: None)
    with endpoint_factory("--backend", f"{oxigraph}/query", "--workers", "1", store=None) as running:
        remote = requests.get(f"{running.base}/reader", timeout=60)
    assert remote.status_code == 200
    assert remote.text == client.get("/reader").get_data(as_text=True)
