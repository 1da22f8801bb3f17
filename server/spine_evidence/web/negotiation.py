"""Content negotiation: tables from media type to pyoxigraph serialiser, and the choice among them.

Two tables, one per kind of answer: ``MEDIA_TYPE_RESULTS`` for SELECT and ASK
(SPARQL results), ``MEDIA_TYPE_RDF`` for CONSTRUCT, DESCRIBE and any RDF
document (graph store, linked data). The first entry of each is the default.
A ``format`` parameter (a short name or a media type) overrides ``Accept``;
short names are read per kind (``FORMAT_NAME_RESULTS``, ``FORMAT_NAME_RDF``:
``json`` is SPARQL JSON for a table, JSON-LD for a graph; ``xml`` is SPARQL XML
or RDF/XML), as SPARQLWrapper sends them. A query operation negotiates both
kinds once (:func:`negotiated_types`), before it knows its kind of answer.
Failures are :class:`~.http_errors.HttpError`: 406 when nothing offered is
acceptable, 400 for a ``format`` that names nothing known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .http_errors import HttpError

F = TypeVar("F")

MEDIA_TYPE_RESULTS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
}

MEDIA_TYPE_RDF: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/n3": ox.RdfFormat.TURTLE,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/xml": ox.RdfFormat.RDF_XML,
}

FORMAT_NAME_RESULTS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}

FORMAT_NAME_RDF: dict[str, str] = {
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "n3": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "json": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "nquads": "application/n-quads",
    "nq": "application/n-quads",
    "trig": "application/trig",
}

# Every name the ``format`` parameter may take, whatever the kind of answer.
KNOWN_FORMAT_NAMES = frozenset(FORMAT_NAME_RESULTS) | frozenset(FORMAT_NAME_RDF)
TEXT_TYPES = frozenset({"text/csv", "text/tab-separated-values", "text/turtle", "text/plain", "text/n3", "text/xml"})


def offered(table: Mapping[str, F]) -> list[str]:
    """The media types of ``table`` in preference order."""
    return list(table)


def canonical_types(table: Mapping[str, F]) -> list[str]:
    """The main media type of each format of ``table`` (aliases left out), in order."""
    seen: dict[F, str] = {}
    for media_type, fmt in table.items():
        seen.setdefault(fmt, media_type)
    return list(seen.values())


def best_media_type(accept: str | None, table: Mapping[str, F]) -> str | None:
    """The media type of ``table`` that ``accept`` (an Accept header) prefers.

    No header, or an empty one, means anything: the table's default. q-values
    and wildcards (``*/*``, ``text/*``) follow RFC 9110. ``None`` when nothing
    offered is acceptable.
    """
    if accept is None or not accept.strip():
        return next(iter(table))
    accepted = parse_accept_header(accept, MIMEAccept)
    return accepted.best_match(offered(table))


def format_parameter(value: str, names: Mapping[str, str], table: Mapping[str, F]) -> str | None:
    """The media type named by a ``format`` parameter for a kind of answer.

    ``value`` is a short name (``json``, ``turtle`` …) or a media type.
    Returns ``None`` when it is known but not offered for this kind;
    raises :func:`unknown_format` (400) when it names nothing known.
    """
    key = value.strip().lower()
    if key in names:
        return names[key]
    media_type = key.split(";", 1)[0].strip()
    if media_type in table:
        return media_type
    if key in KNOWN_FORMAT_NAMES or media_type in MEDIA_TYPE_RESULTS or media_type in MEDIA_TYPE_RDF:
        return None
    raise unknown_format(value)


def unknown_format(value: str) -> HttpError:
    """400 for a ``format`` parameter that names no known format."""
    return HttpError.bad_request(
        f"unknown format {value!r}; use one of {', '.join(sorted(KNOWN_FORMAT_NAMES))} or a media type")


def not_acceptable(accept: str | None, format_values: Sequence[str], table: Mapping[str, F]) -> HttpError:
    """406 for an answer ``table`` offers nothing acceptable of; the message lists what it offers."""
    wanted = f"format {', '.join(format_values)}" if format_values else f"Accept: {accept}"
    return HttpError.not_acceptable(f"cannot answer {wanted}; this answer is offered as "
                                    f"{', '.join(canonical_types(table))}")


def acceptable(accept: str | None, format_values: Sequence[str], names: Mapping[str, str],
               table: Mapping[str, F]) -> str | None:
    """The media type of ``table`` for one answer: the ``format`` values', else ``Accept``'s; ``None``: none fits.

    ``format_values`` may list several values (SPARQLWrapper sends a short
    name and a media type): the first one offered for this answer wins.
    Raises :func:`unknown_format` when no value is even known.
    """
    if format_values:
        return from_format_values(format_values, names, table)
    return best_media_type(accept, table)


def choose(
    accept: str | None,
    format_value: str | Sequence[str] | None,
    names: Mapping[str, str],
    table: Mapping[str, F],
) -> tuple[str, F]:
    """The media type and serialiser for one answer: the ``format`` parameter, else ``Accept``.

    Raises :class:`~.http_errors.HttpError`: 406 (:func:`not_acceptable`)
    or 400 (:func:`unknown_format`).
    """
    values = [format_value] if isinstance(format_value, str) else list(format_value or ())
    media_type = acceptable(accept, values, names, table)
    if media_type is None:
        raise not_acceptable(accept, values, table)
    return media_type, table[media_type]


def from_format_values(values: Sequence[str], names: Mapping[str, str], table: Mapping[str, F]) -> str | None:
    """The first of ``values`` offered in ``table``; 400 (:func:`unknown_format`) when none is even known."""
    unknown: HttpError | None = None
    known = False
    for value in values:
        try:
            media_type = format_parameter(value, names, table)
        except HttpError as error:
            unknown = error
            continue
        known = True
        if media_type is not None:
            return media_type
    if not known and unknown is not None:
        raise unknown
    return None


def content_type(media_type: str) -> str:
    """The Content-Type header for ``media_type`` (UTF-8 stated for text types)."""
    return f"{media_type}; charset=utf-8" if media_type in TEXT_TYPES else media_type


@lru_cache(maxsize=1024)
def negotiated_types(accept: str | None, format_values: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The media type chosen for a SPARQL results answer and for an RDF answer (``None``: not acceptable).

    Computed once per query operation, before the kind of answer is known.
    Memoised: clients send few distinct ``Accept`` headers, and parsing one
    costs more than answering a small query from the cache. Raises
    :func:`unknown_format` (400) as :func:`choose` does.
    """
    return (acceptable(accept, format_values, FORMAT_NAME_RESULTS, MEDIA_TYPE_RESULTS),
            acceptable(accept, format_values, FORMAT_NAME_RDF, MEDIA_TYPE_RDF))
