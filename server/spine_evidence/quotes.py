"""Normalising the source text and finding ``oa:exact`` quotes in it.

A quote (``oa:exact`` of an ``oa:TextQuoteSelector``) is the source's own words
with whitespace collapsed to single spaces. The PDF extraction hyphenates words
across line ends (``intra-\\nvascular``); a quote may keep the hyphen
(``intra-vascular``) or join the word (``intravascular``). Both are found, and
the offset returned is always an offset in ``normalise(source_text)``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spine_evidence import paths
from spine_evidence.iris import SOURCE_TEXT_NAME

LINE_END_HYPHEN = re.compile(r"-[ \t]*\r?\n\s*")
WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and trim the ends.

    A hyphen at a line end is kept and the next line's word joined to it
    (``intra-\\nvascular`` becomes ``intra-vascular``).
    """
    return _normalise_with_breaks(text)[0]


def normalised(source_text: str) -> str:
    """``normalise(source_text)``, computed once per source text (the offsets of the quotes are in it)."""
    return _prepared(source_text)[0]


def find_quote(source_text: str, exact: str) -> int | None:
    """Offset of ``exact`` in ``normalise(source_text)``, or ``None`` when absent.

    ``exact`` is normalised the same way first. A quote that joins a word
    hyphenated at a line end (``intravascular``) is found too.
    """
    wanted = normalise(exact)
    if not wanted:
        return None
    text, joined, origin = _prepared(source_text)
    offset = text.find(wanted)
    if offset >= 0:
        return offset
    offset = joined.find(wanted)
    return origin[offset] if offset >= 0 else None


def find_span(source_text: str, exact: str) -> tuple[int, int] | None:
    """Start and end of ``exact`` in ``normalise(source_text)`` (see ``find_quote``), or ``None`` when absent.

    The end is past the quote's last character in the normalised text: a quote
    that joins a word hyphenated at a line end spans the hyphen too.
    """
    start = find_quote(source_text, exact)
    if start is None:
        return None
    text, wanted, end, matched = _prepared(source_text)[0], normalise(exact), start, 0
    while end < len(text) and matched < len(wanted):
        if text[end] == wanted[matched]:
            matched += 1
        elif text[end] != "-":
            break
        end += 1
    return start, end


def quote_is_found(source_text: str, exact: str) -> bool:
    """True when ``exact`` occurs in the source text (see ``find_quote``)."""
    return find_quote(source_text, exact) is not None


def load_source_text() -> str:
    """The plain-text copy of the FactFinder that the graph's quotes select from.

    Read from the graph folder (``paths.graph_dir()``) as UTF-8.
    """
    return _read_source_text(str(paths.graph_dir() / SOURCE_TEXT_NAME))


def read_source_text(path: str) -> str:
    """The UTF-8 text at ``path``, read once (``OSError``/``UnicodeDecodeError`` when unreadable)."""
    return _read_source_text(str(path))


@lru_cache(maxsize=4)
def _read_source_text(path: str) -> str:
    """Read (once) the UTF-8 text at ``path``."""
    with open(path, encoding="utf-8") as handle:
        return handle.read()


@lru_cache(maxsize=4)
def _prepared(source_text: str) -> tuple[str, str, tuple[int, ...]]:
    """The normalised text, the same without line-end hyphens, and each joined character's offset."""
    text, breaks = _normalise_with_breaks(source_text)
    joined, origin = _join_line_end_hyphens(text, breaks)
    return text, joined, tuple(origin)


def _normalise_with_breaks(text: str) -> tuple[str, list[int]]:
    """The normalised text and the offsets in it of hyphens that ended a line."""
    parts = LINE_END_HYPHEN.split(text)
    pieces: list[str] = []
    breaks: list[int] = []
    length = 0
    for index, part in enumerate(parts):
        piece = WHITESPACE.sub(" ", part)
        if index == 0:
            piece = piece.lstrip()
        if index == len(parts) - 1:
            piece = piece.rstrip()
        pieces.append(piece)
        length += len(piece)
        if index < len(parts) - 1:
            pieces.append("-")
            breaks.append(length)
            length += 1
    return "".join(pieces), breaks


def _join_line_end_hyphens(text: str, breaks: list[int]) -> tuple[str, list[int]]:
    """``text`` without its line-end hyphens, and each character's offset in ``text``."""
    dropped = set(breaks)
    origin = [i for i in range(len(text)) if i not in dropped]
    return "".join(text[i] for i in origin), origin
