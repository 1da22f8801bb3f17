"""Safety checks on query text: no SPARQL Update, no SERVICE outside the allow-list.

pyoxigraph executes ``SERVICE`` (and ``LOAD``) with its own HTTP client, so a
query naming a SERVICE is checked *before* it reaches the store: each
SERVICE keyword is found by one scan of the tokens of ``query_bounds.TOKEN``
(strings, IRIs and comments skipped), and the IRI, prefixed name or variable
after it (and after ``SILENT``) is read. Prefixed names are resolved with the
query's own ``PREFIX`` declarations (the last one wins), else the predeclared
prefixes; relative IRIs against the query's ``BASE``. Each target must be an
IRI on the allow-list; a variable target is never allowed; a SERVICE keyword
followed by anything else is refused (400). SPARQL decodes codepoint escapes
(``\\u0067``) before parsing, pyoxigraph only inside strings and IRIs: a text
holding any is scanned both ways, and every target either reading finds must
pass. Queries that do not contain the word "service" at all (any case) cannot
hold the keyword (pyoxigraph decodes no escape in a keyword) and skip the
scan. FROM, FROM NAMED and the graph-uri parameters only select graphs of
the local store (pyoxigraph never fetches them), and the store is opened
read-only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin

from ..sparql import PREDECLARED_PREFIXES, update_operation
from .http_errors import HttpError
from .query_bounds import TOKEN, decoded

_SERVICE_WORD = re.compile(r"service", re.IGNORECASE)


def refuse_update(text: str) -> None:
    """403 when ``text`` is a SPARQL Update (sent as a query)."""
    operation = update_operation(text)
    if operation is not None:
        raise HttpError.forbidden(f"this endpoint is read-only: SPARQL Update ({operation}) is refused")


def service_targets(text: str) -> list[str]:
    """The targets of every SERVICE clause of the query ``text``: absolute IRIs as read, or ``?name`` for a variable.

    Read from the text as written and, when it holds codepoint escapes, as
    decoded too (see the module docstring). Raises ``HttpError`` (400) when
    a SERVICE keyword is not followed by a target that can be read.
    """
    readings = [text]
    escaped = decoded(text)
    if escaped is not text:
        readings.append(escaped)
    return [target for reading in readings for target in targets_in(reading)]


def significant_tokens(text: str) -> list[tuple[str, str]]:
    """The tokens of ``text`` as ``(kind, value)`` pairs, comments left out (see ``query_bounds.TOKEN``)."""
    return [(token.lastgroup or "other", token.group(token.lastgroup or 0)) for token in TOKEN.finditer(text)
            if token.lastgroup != "comment"]


def targets_in(text: str) -> list[str]:
    """The SERVICE targets of one reading of ``text``; prefixed names resolved with its PREFIX declarations."""
    tokens = significant_tokens(text)
    prefixes, base, found = dict(PREDECLARED_PREFIXES), "", []
    for at, (kind, value) in enumerate(tokens):
        if kind != "name" or value[0] in "?$" or ":" in value:
            continue
        word = value.upper()
        following = tokens[at + 1: at + 4]
        if word == "BASE" and following[:1] and following[0][0] == "iri":
            base = urljoin(base, decoded(following[0][1][1:-1]))
        elif word == "PREFIX" and len(following) >= 2 and following[0][1].endswith(":") and following[1][0] == "iri":
            prefixes[following[0][1][:-1]] = urljoin(base, decoded(following[1][1][1:-1]))
        elif word == "SERVICE":
            if following[:1] and following[0][0] == "name" and following[0][1].upper() == "SILENT":
                following = following[1:]
            found.append(target_of(following[0] if following else ("end", ""), prefixes, base))
    return found


def target_of(token: tuple[str, str], prefixes: dict[str, str], base: str) -> str:
    """The IRI (resolved against ``base``) or ``?variable`` a SERVICE keyword is followed by; else 400."""
    kind, value = token
    if kind == "iri":
        return urljoin(base, decoded(value[1:-1]))
    if kind == "name" and value[0] in "?$":
        return "?" + value[1:]
    if kind == "name" and ":" in value:
        prefix, local = value.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + local
        raise HttpError.bad_request(f"the SERVICE target {value} uses the undeclared prefix {prefix}:")
    shown = value[:40] or "the end of the query"
    raise HttpError.bad_request(f"SERVICE must be followed by an IRI, a prefixed name or a variable, not {shown}")


def check_services(text: str, allow: Iterable[str]) -> None:
    """403 unless every SERVICE target of ``text`` is an IRI on the ``allow`` list (400 when one cannot be read)."""
    if not _SERVICE_WORD.search(text):
        return
    allowed = set(allow)
    for target in service_targets(text):
        if target.startswith("?"):
            raise HttpError.forbidden(f"SERVICE with a variable target ({target}) is refused: no outbound requests")
        if target not in allowed:
            listed = ", ".join(sorted(allowed)) or "empty"
            raise HttpError.forbidden(f"SERVICE <{target}> is refused: it is not on the allow-list ({listed})")
