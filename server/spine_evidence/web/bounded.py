"""Queries whose evaluation is bounded: a SELECT of one triple pattern, answered on the request thread.

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
- the request names no protocol dataset.

Such a query is one index range scan in which every entry is a solution,
and pyoxigraph streams its serialisation in chunks of about 8 KB; the
answer is cut after ``INLINE_ROWS`` rows (then the query is answered again
on a query thread, within its deadline). So parsing and evaluation on the
request thread are bounded by the text's length and one chunk of rows: a
few milliseconds, never a runaway.
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


def bounded(request: QueryRequest) -> bool:
    """Whether ``request`` may be answered on the request thread (see the module docstring)."""
    text = request.query
    if len(text) > MAX_TEXT or "\\" in text or request.timeout < MIN_DEADLINE:
        return False
    if request.default_graphs is not None or request.named_graphs is not None:
        return False
    match = SINGLE_PATTERN.fullmatch(text)
    if match is None:
        return False
    names = [term[1:] for term in match.group("s", "p", "o") if term[0] in "?$"]
    return len(names) == len(set(names))
