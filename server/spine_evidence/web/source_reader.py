"""The source reader: the FactFinder's text as a page, every quoted span highlighted and linked.

``GET /reader`` (and ``GET /source/<file>`` when the client prefers ``text/html``:
the HTML twin of the source text IRI; ``text/plain`` stays the default there)
shows the source text the graph quotes, whitespace collapsed as
:func:`spine_evidence.quotes.normalise` does, with its blank-line paragraph
breaks kept. Each ``oa:TextQuoteSelector`` of that source is found with
:func:`spine_evidence.quotes.find_span` (the logic of the quote check) and
drawn as ``<mark>`` elements; a popover built here (shown on hover and on
keyboard focus with CSS only: ``static/reader.css``) links to the statement,
result or recommendation the quote grounds (the annotation's ``oa:hasBody``).

Anchor scheme (for links from other pages): the quote ``quote:<slug>`` (an
``oa:Annotation``, selector ``quote:<slug>#selector``) is the element
``<mark id="quote-<slug>">``, so ``/reader#quote-<slug>`` opens the page at it
(e.g. ``/reader#quote-rec-1a``, ``/reader#quote-ref-07-intravascular-fluoroscopy``).
An annotation outside the ``quote:`` namespace gets ``quote-`` plus the last
segment of its IRI, characters other than ``A-Za-z0-9_-`` replaced by ``-``.

Quotes overlap (a claim and the results it reports quote the same words), so
the marks nest; where two quotes cross, the later one is split, and its
further pieces are ``<mark class="quote continued" data-quote="quote-<slug>">``
(no id). Every piece of a quote carries ``data-quote``; the quote's words are
the text of its pieces in document order (their popovers, ``.grounds``, left
out), and each character lies inside exactly the pieces of the quotes that
select it. Data come only from SPARQL over the current store.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from flask import Blueprint, Response, render_template, request

from .. import quotes, sparql
from ..iris import BASE, QUOTE, SOURCE_TEXT_IRI, SOURCE_TEXT_NAME
from .http_errors import HttpError
from .state import current_store

blueprint = Blueprint("source_reader", __name__, template_folder="templates")

ANCHOR_PREFIX = "quote-"
NOT_IN_ID = re.compile(r"[^A-Za-z0-9_-]+")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
QUOTES_QUERY = f"""
SELECT ?annotation ?exact ?body ?label ?kindLabel WHERE {{
  ?annotation oa:hasTarget ?target .
  ?target oa:hasSource <{SOURCE_TEXT_IRI}> ; oa:hasSelector ?selector .
  ?selector a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL {{
    ?annotation oa:hasBody ?body .
    OPTIONAL {{ ?body rdfs:label ?label FILTER(LANG(?label) IN ("en", "")) }}
    OPTIONAL {{
      ?body a ?kind FILTER(STRSTARTS(STR(?kind), STR(se:)))
      FILTER NOT EXISTS {{ ?body a ?narrower . ?narrower rdfs:subClassOf ?kind FILTER(?narrower != ?kind) }}
      ?kind rdfs:label ?kindLabel FILTER(LANG(?kindLabel) IN ("en", ""))
    }}
  }}
}}"""


@dataclass
class Grounding:
    """A node a quote grounds: where its page is, its label and its kind (``study finding``)."""

    href: str
    label: str
    kinds: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Quote:
    """One quote of the source: its anchor, words, what it grounds and its span in the normalised text.

    Compared by identity (``eq=False``), so quotes can be kept in sets.
    """

    anchor: str
    iri: str
    href: str
    exact: str
    groundings: dict[str, Grounding] = field(default_factory=dict)
    start: int = -1
    end: int = -1


@dataclass(frozen=True)
class Piece:
    """One ``<mark>`` of a quote: the first carries the quote's id, later ones continue a split quote."""

    quote: Quote
    first: bool


Event = tuple[str, object]  # ("text", str) | ("open", Piece) | ("close", Piece) | ("break", None)


def anchor_of(annotation: str) -> str:
    """The HTML id of a quote: ``quote-<slug>`` for ``quote:<slug>`` (see the module's anchor scheme)."""
    local = annotation[len(str(QUOTE)):] if annotation.startswith(str(QUOTE)) else re.split(r"[/#]", annotation)[-1]
    return ANCHOR_PREFIX + (NOT_IN_ID.sub("-", local).strip("-") or "quote")


def href_of(iri: str, root: str) -> str:
    """Where a grounded node's page is: its path on this server, or the IRI itself."""
    return root + "/" + iri[len(BASE):] if iri.startswith(BASE) else iri


def source_quotes(root: str) -> list[Quote]:
    """Every quote of the source text with what it grounds, by SPARQL over the current store."""
    found: dict[str, Quote] = {}
    for row in sparql.select(current_store(), QUOTES_QUERY):
        iri = row["annotation"].value
        quote = found.setdefault(iri, Quote(anchor_of(iri), iri, href_of(iri, root), row["exact"].value))
        body = row["body"]
        if body is None:
            continue
        label = row["label"].value if row["label"] is not None else body.value
        grounding = quote.groundings.setdefault(body.value, Grounding(href_of(body.value, root), label))
        kind = row["kindLabel"]
        if kind is not None and kind.value not in grounding.kinds:
            grounding.kinds.append(kind.value)
    return sorted(found.values(), key=lambda q: q.anchor)


def paragraph_breaks(source: str, text: str) -> set[int]:
    """Offsets in the normalised ``text`` after which the source has a blank line (a paragraph break)."""
    breaks = set()
    for match in PARAGRAPH_BREAK.finditer(source):
        offset = len(quotes.normalise(source[:match.start()]))
        if offset < len(text) and text[offset] == " ":
            breaks.add(offset + 1)
    return breaks


def events(text: str, placed: list[Quote], breaks: set[int]) -> list[Event]:
    """The text cut into text runs, mark openings and closings and paragraph breaks, in order.

    Marks nest (a longer quote outside a shorter one starting at the same
    place); when a quote ends while quotes opened inside it are still open,
    those are closed and reopened as continued pieces after it.
    """
    starts: defaultdict[int, list[Quote]] = defaultdict(list)
    ends: defaultdict[int, list[Quote]] = defaultdict(list)
    for quote in placed:
        starts[quote.start].append(quote)
        ends[quote.end].append(quote)
    out: list[Event] = []
    stack: list[Piece] = []
    previous = 0
    for point in sorted({0, len(text), *starts, *ends, *breaks}):
        if point > previous:
            out.append(("text", text[previous:point]))
            previous = point
        close(stack, set(ends.get(point, [])), out)
        if point in breaks:
            out.append(("break", None))
        for quote in sorted(starts.get(point, []), key=lambda q: (-q.end, q.anchor)):
            stack.append(Piece(quote, first=True))
            out.append(("open", stack[-1]))
    return out


def close(stack: list[Piece], ending: set[Quote], out: list[Event]) -> None:
    """Close the pieces of the ``ending`` quotes, reopening (as continued pieces) those opened inside them."""
    reopen: list[Quote] = []
    while any(piece.quote in ending for piece in stack):
        piece = stack.pop()
        out.append(("close", piece))
        if piece.quote not in ending:
            reopen.append(piece.quote)
    for quote in sorted(reopen, key=lambda q: (-q.end, q.anchor)):
        stack.append(Piece(quote, first=False))
        out.append(("open", stack[-1]))


def reader_model(root: str) -> dict[str, object]:
    """Everything ``reader.html`` shows: the text as events, the quotes placed and those not found."""
    try:
        source = quotes.load_source_text()
    except (OSError, UnicodeDecodeError):
        raise HttpError.not_found("the source text is not installed with this server") from None
    text = quotes.normalise(source)
    placed, missing = [], []
    for quote in source_quotes(root):
        span = quotes.find_span(source, quote.exact)
        if span is None:
            missing.append(quote)
        else:
            quote.start, quote.end = span
            placed.append(quote)
    return {"events": events(text, placed, paragraph_breaks(source, text)), "quotes": placed, "missing": missing,
            "grounded": len({iri for q in placed for iri in q.groundings})}


def reader_page() -> Response:
    """The reader as ``text/html``, with its plain-text twin linked (``Vary: Accept``: the source IRI negotiates)."""
    root = request.script_root
    twins = {"text/plain; charset=utf-8": f"{root}/source/{SOURCE_TEXT_NAME}"}
    html = render_template("reader.html", reader=reader_model(root), alternates=twins,
                           source_iri=str(SOURCE_TEXT_IRI), source_href=twins["text/plain; charset=utf-8"])
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


@blueprint.get("/reader")
def reader() -> Response:
    """The source text with every quote highlighted (see the module docstring)."""
    return reader_page()
