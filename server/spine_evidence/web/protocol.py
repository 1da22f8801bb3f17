"""The SPARQL 1.1 Protocol query operation: from an HTTP request to a :class:`QueryRequest`.

Three ways to send a query (https://www.w3.org/TR/sparql11-protocol/#query-operation):
GET with ``query=``, POST ``application/x-www-form-urlencoded`` and POST
``application/sparql-query`` (UTF-8). ``default-graph-uri`` and
``named-graph-uri`` (repeatable) define the dataset; when either is given the
protocol's dataset replaces the query's FROM / FROM NAMED entirely.
Parameters are decoded strictly as UTF-8: bad bytes are a client error.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NoReturn
from urllib.parse import parse_qsl, unquote_plus

import pyoxigraph as ox
from werkzeug.http import parse_options_header

from .http_errors import HttpError

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
UTF8_NAMES = frozenset({"utf-8", "utf8"})
TIMEOUT_HEADER = "X-SPARQL-Timeout"
UPDATE_PARAMETERS = ("update", "using-graph-uri", "using-named-graph-uri")
SINGLE_PARAMETERS = ("timeout",)
# The shortest deadline a client may ask for. A client deadline that passes never ends a worker by itself
# (see ``retirement``); below this one a query could not even be handed to a query thread.
MIN_TIMEOUT = 0.1

Params = list[tuple[str, str]]
AnyParams = Params | dict[str, list[str]]  # pairs, or grouped by name (see :func:`grouped`)
ReadBody = Callable[[], bytes]


@dataclass(frozen=True)
class QueryRequest:
    """One query operation: the query text, its protocol dataset, format wishes and deadline.

    ``default_graphs``/``named_graphs`` are ``None`` when the request names no
    dataset (the query's own FROM, or the store's default graph, apply).
    ``base_iri`` resolves relative IRIs in the query: the endpoint's URL.
    ``format`` lists the ``format`` (and ``output``) parameter values, tried in order.
    """

    query: str
    timeout: float  # the server's deadline (AppConfig.timeout) or a client's shorter one
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    accept: str | None = None
    format: tuple[str, ...] = ()
    base_iri: str | None = None


def decode_params(raw: bytes, where: str) -> Params:
    """Decode ``application/x-www-form-urlencoded`` bytes strictly as UTF-8 (raw or percent-encoded)."""
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as error:
        raise HttpError.bad_request(f"the {where} is not valid UTF-8 ({error.reason})") from None
    except ValueError as error:
        raise HttpError.bad_request(f"the {where} is malformed: {error}") from None


def only_query(raw: str) -> str | None:
    """The query of a URL query string holding nothing but ``query=…``, decoded; else ``None``.

    The common GET, read without the general parser (same decoding as
    :func:`decode_params`); anything else, including a string that does not
    decode, returns ``None`` and goes through the general parser and its errors.
    """
    if not raw.startswith("query=") or "&" in raw:
        return None
    try:
        return form_decoded(raw[6:].encode("latin-1"))
    except UnicodeError:
        return None


def form_decoded(raw: bytes) -> str:
    """One form value decoded as ``unquote_plus`` does (``+`` is a space, ``%XX`` a byte), strictly as UTF-8.

    The escapes are decoded in C by ``codecs.escape_decode`` (as ``pickle``
    does): every ``%`` becomes ``\\x`` once backslashes are doubled. A ``%``
    not followed by two hex digits makes it fail; then ``unquote_plus`` (which
    keeps such a ``%`` as it is) decodes the value. Raises ``UnicodeError``.
    """
    text = raw.decode("utf-8")
    if "%" not in text:
        return text.replace("+", " ")
    try:
        decoded = codecs.escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x").replace(b"+", b" "))[0]
    except ValueError:
        return unquote_plus(text, encoding="utf-8", errors="strict")
    return decoded.decode("utf-8")


def url_params(environ: Mapping[str, Any]) -> Params:
    """The parameters of the URL's query string."""
    raw = environ.get("QUERY_STRING", "")
    try:
        data = raw.encode("latin-1")
    except UnicodeEncodeError:
        raise HttpError.bad_request("the URL's query string holds undecodable characters") from None
    return decode_params(data, "URL's query string")


def check_charset(options: Mapping[str, str], media_type: str) -> None:
    """Refuse (415) a body whose declared charset is not UTF-8."""
    charset = options.get("charset")
    if charset is not None and charset.strip().lower() not in UTF8_NAMES:
        raise HttpError.unsupported_media_type(f"{media_type} must be UTF-8, not charset={charset}")


def body_params(method: str, headers: Mapping[str, str], read_body: ReadBody) -> Params:
    """The parameters carried by the body of a POST (``read_body()`` returns its bytes)."""
    if method != "POST":
        return []
    media_type, options = parse_options_header(headers.get("Content-Type", ""))
    media_type = media_type.lower()
    if media_type == SPARQL_UPDATE:
        refuse_after_reading(read_body, HttpError.forbidden(
            "this endpoint is read-only: SPARQL Update requests are refused"))
    if media_type == FORM:
        check_charset(options, media_type)
        return decode_params(read_body(), "form body")
    if media_type == SPARQL_QUERY:
        check_charset(options, media_type)
        try:
            return [("query", read_body().decode("utf-8"))]
        except UnicodeDecodeError as error:
            raise HttpError.bad_request(f"the query body is not valid UTF-8 (byte {error.start})") from None
    if not media_type:
        refuse_after_reading(read_body, HttpError.unsupported_media_type(
            f"a POST needs a Content-Type: {FORM} or {SPARQL_QUERY}"))
    refuse_after_reading(read_body, HttpError.unsupported_media_type(
        f"unsupported Content-Type {media_type!r}; use {FORM} or {SPARQL_QUERY}"))


def refuse_after_reading(read_body: ReadBody, error: HttpError) -> NoReturn:
    """Raise ``error`` once the refused body has been read.

    Answering before the body is read makes the WSGI server close the
    kept-alive connection without ``Connection: close``, so a client's next
    request on it fails (seen as a rare ConnectionError in the W3C protocol
    tests). A body that cannot be read (too big, too slow) is answered with
    its own error instead.
    """
    read_body()
    raise error


def values(params: AnyParams, name: str) -> list[str]:
    """Every value of parameter ``name``, in order (``params`` as pairs, or grouped by :func:`grouped`)."""
    if isinstance(params, dict):
        return params.get(name, [])
    return [v for k, v in params if k == name]


def grouped(params: Params) -> dict[str, list[str]]:
    """The values of each parameter name, in order: read once, looked up many times."""
    found: dict[str, list[str]] = {}
    for name, value in params:
        found.setdefault(name, []).append(value)
    return found


def single(params: AnyParams, name: str) -> str | None:
    """The one value of ``name`` (``None`` when absent); 400 when repeated."""
    found = values(params, name)
    if len(found) > 1:
        raise HttpError.bad_request(f"the {name!r} parameter is given {len(found)} times; give it once")
    return found[0] if found else None


def graph_iris(params: AnyParams, name: str) -> list[str]:
    """The graph IRIs of parameter ``name``, each checked to be an absolute IRI."""
    iris = values(params, name)
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            raise HttpError.bad_request(f"{name}={iri!r} is not a valid IRI: {error}") from None
    return iris


def dataset(params: AnyParams) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The protocol dataset: both lists when either parameter is given, else ``(None, None)``."""
    default, named = graph_iris(params, "default-graph-uri"), graph_iris(params, "named-graph-uri")
    if not default and not named:
        return None, None
    return tuple(default), tuple(named)


def deadline(params: AnyParams, headers: Mapping[str, str], limit: float) -> float:
    """The query's deadline in seconds: the server's ``limit``, or less if the client asks."""
    asked = single(params, "timeout") or headers.get(TIMEOUT_HEADER)
    if asked is None or not asked.strip():
        return limit
    try:
        seconds = float(asked)
    except ValueError:
        raise HttpError.bad_request(f"timeout {asked!r} is not a number of seconds") from None
    if not seconds > 0 or seconds != seconds:
        raise HttpError.bad_request(f"timeout {asked!r} must be a positive number of seconds")
    if seconds < min(MIN_TIMEOUT, limit):
        raise HttpError.bad_request(f"timeout {asked!r} is below the shortest deadline a client may ask, "
                                 f"{MIN_TIMEOUT:g} s")
    return min(seconds, limit)


def refuse_updates(params: AnyParams) -> None:
    """403 for any SPARQL Update parameter: the endpoint is read-only."""
    for name in UPDATE_PARAMETERS:
        if values(params, name):
            raise HttpError.forbidden(f"this endpoint is read-only: the {name!r} parameter (SPARQL Update) is refused")


@lru_cache(maxsize=256)
def base_iri(url: str | None) -> str | None:
    """``url`` when it is a valid absolute IRI (a bad Host header makes it invalid), else ``None``."""
    try:
        return ox.NamedNode(url).value if url else None
    except ValueError:
        return None


def parse_query_request(
    method: str, environ: Mapping[str, Any], headers: Mapping[str, str], read_body: ReadBody, limit: float,
    url: str | None = None,
) -> QueryRequest:
    """Read one query operation from an HTTP request, or raise :class:`HttpError`.

    ``read_body()`` returns the request body (the caller enforces its size).
    400: missing, repeated or empty query, bad parameters; 403: updates;
    415: unsupported body type or charset.
    """
    if method != "POST":
        query = only_query(environ.get("QUERY_STRING", ""))
        if query is not None and query.strip():
            return QueryRequest(query, accept=headers.get("Accept"), timeout=deadline({}, headers, limit),
                                base_iri=base_iri(url))
    params = grouped(url_params(environ) + body_params(method, headers, read_body))
    refuse_updates(params)
    queries = values(params, "query")
    if not queries:
        raise HttpError.bad_request(
            "missing query: send ?query=… (GET or form POST) or an application/sparql-query body")
    if len(queries) > 1:
        raise HttpError.bad_request(f"the query is given {len(queries)} times; send exactly one")
    if not queries[0].strip():
        raise HttpError.bad_request("the query is empty")
    for name in SINGLE_PARAMETERS:
        single(params, name)
    default, named = dataset(params)
    return QueryRequest(
        query=queries[0],
        default_graphs=default,
        named_graphs=named,
        accept=headers.get("Accept"),
        format=tuple(v for v in values(params, "format") + values(params, "output") if v.strip()),
        timeout=deadline(params, headers, limit),
        base_iri=base_iri(url),
    )
