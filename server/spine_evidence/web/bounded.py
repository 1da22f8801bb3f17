"""Queries whose evaluation is bounded: a SELECT of one triple pattern or a DESCRIBE of IRIs, answered inline.

Handing a query to a killable query thread (see ``execution.QueryRunner``)
costs two thread switches and two GIL hand-offs, as much as parsing and
answering a small query. It is skipped only for queries whose cost has a
bound that does not depend on the data:

- the text is short and matches :data:`SINGLE_PATTERN` in full: a prologue
  (``BASE``, ``PREFIX``), ``SELECT`` of plain variables or ``*``, one triple
  pattern whose terms are IRIs, prefixed names, variables or ``a``, and at
  most a ``LIMIT``; no property path, ``FILTER``, ``OPTIONAL``, ``DISTINCT``,
  ``ORDER BY``, ``OFFSET``, ``FROM``, ``GRAPH``, ``SERVICE`` or function can
  match it; no backslash (so no ``\\u`` escape can hide a token), comments
  only end at a line break (as in SPARQL);
- its variables are all different (a repeated one is a filter on a scan);
- or the text matches :data:`DESCRIBE_IRIS` in full: a prologue, then
  ``DESCRIBE`` and IRIs or prefixed names only (no variable, no ``WHERE``,
  no ``FROM``);
- the request names no protocol dataset.

A single pattern is one index range scan in which every entry is a
solution. A DESCRIBE of IRIs is, in pyoxigraph 0.5, a lazy scan of each
IRI's triples, then of each blank node object's (its concise bounded
description): one lookup per IRI and per triple written, measured lazy (the
first of a million triples of one subject comes after 0.3 ms). pyoxigraph
streams the serialisation in chunks of about 8 KB, and the answer is cut
after ``INLINE_ROWS`` rows (then the query is answered again on a query
thread, within its deadline). So parsing and evaluation on the request
thread are bounded by the text's length and one chunk of rows: a few
milliseconds, never a runaway.
"""

from __future__ import annotations

import re

from .protocol import QueryRequest

INLINE_ROWS = 1000  # solutions answered on the request thread before handing the query to a query thread
MAX_TEXT = 2000  # characters of a query answered on the request thread
MIN_DEADLINE = 1.0  # seconds: a request with a shorter deadline always goes to a query thread

# SPARQL white space and comments; a comment ends only at a line end (the lookahead), so the
# regex cannot split "###…" into many comments and backtrack exponentially on a failed match.
_WS = r"(?:[ \t\r\n]|\#[^\r\n]*(?=[\r\n]|\Z))*"
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_PREFIX = r"(?:[A-Za-z][A-Za-z0-9_-]*)?:"
_PNAME = _PREFIX + r"[A-Za-z_][A-Za-z0-9_-]*"
_VAR = r"[?$][A-Za-z_][A-Za-z0-9_]*"
_TERM = rf"(?:{_IRI}|{_PNAME}|{_VAR})"
SINGLE_PATTERN = re.compile(
    rf"(?:{_WS}(?:BASE{_WS}{_IRI}|PREFIX{_WS}{_PREFIX}{_WS}{_IRI}))*"
    rf"{_WS}SELECT{_WS}(?:\*{_WS}|(?:{_VAR}{_WS})+)(?:WHERE{_WS})?\{{{_WS}"
    rf"(?P<s>{_TERM}){_WS}(?P<p>{_TERM}|a){_WS}(?P<o>{_TERM}){_WS}\.?{_WS}\}}"
    rf"{_WS}(?:LIMIT{_WS}[0-9]+{_WS})?",
    re.IGNORECASE | re.ASCII,
)
# Atomic terms, possessive repetition: a failed match never backtracks into the list of IRIs.
DESCRIBE_IRIS = re.compile(
    rf"(?:{_WS}(?:BASE{_WS}{_IRI}|PREFIX{_WS}{_PREFIX}{_WS}{_IRI}))*"
    rf"{_WS}DESCRIBE(?:{_WS}(?>{_IRI}|{_PNAME}(?![A-Za-z0-9_:.-])))++{_WS}",
    re.IGNORECASE | re.ASCII,
)


def bounded(request: QueryRequest) -> bool:
    """Whether ``request`` may be answered on the request thread (see the module docstring)."""
    text = request.query
    if len(text) > MAX_TEXT or "\\" in text or request.timeout < MIN_DEADLINE:
        return False
    if request.default_graphs is not None or request.named_graphs is not None:
        return False
    match = SINGLE_PATTERN.fullmatch(text)
    if match is None:
        return DESCRIBE_IRIS.fullmatch(text) is not None
    names = [term[1:] for term in match.group("s", "p", "o") if term[0] in "?$"]
    return len(names) == len(set(names))
