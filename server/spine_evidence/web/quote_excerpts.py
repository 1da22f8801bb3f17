"""A quote of a resource page with the passage of the source text it selects.

Each ``oa:TextQuoteSelector`` of a page is shown with the source text around
it, found with :func:`spine_evidence.quotes.find_quote` (the source's
whitespace collapsed; a line-end hyphen of the source may be joined in the quote).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import quotes

EXCERPT_CONTEXT = 200


@dataclass
class Quote:
    """A text quote selector and the source passage it selects (``before`` + ``match`` + ``after``)."""

    exact: str
    prefix: str | None
    suffix: str | None
    before: str = ""
    match: str = ""
    after: str = ""


def excerpt(quote: Quote) -> Quote:
    """``quote`` with the passage of the source text around it (left empty when it is not found)."""
    try:
        source = quotes.load_source_text()
    except OSError:
        return quote
    span = quotes.find_span(source, quote.exact)
    if span is None:
        return quote
    offset, end = span
    text = quotes.normalised(source)
    quote.before = "…" + text[max(0, offset - EXCERPT_CONTEXT):offset]
    quote.match = text[offset:end]
    quote.after = text[end:end + EXCERPT_CONTEXT] + "…"
    return quote
