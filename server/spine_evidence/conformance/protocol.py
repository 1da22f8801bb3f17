"""Running the SPARQL 1.1 Protocol and Graph Store Protocol tests.

Each test is a connection: a list of ``ht:Request`` resources (method, path,
headers, body) with the expected ``ht:Response`` (status class or code,
result format, boolean, Location, body). Paths starting with ``/sparql`` go
to the endpoint's query or update URL, ``/gsp`` to its graph store. A
read-only service refuses writes: a write whose manifest expects success
passes when answered 403 (or 405 for the Graph Store Protocol), and the
requests after it, which depend on the write, are not sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import requests
from rdflib import Namespace
from rdflib.collection import Collection
from rdflib.graph import Graph
from rdflib.term import Literal, Node

from .endpoint import REQUEST_TIMEOUT_S, ServiceUnderTest
from .manifest import MF, ProtocolTest, SuiteError
from .outcome import Outcome
from .results import Table, compare, from_query_results, read_csv, to_rdflib

HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
STATUS_RANGES = {"OK": (200, 200), "Created": (201, 201), "NoContent": (204, 204),
                 "NotFound": (404, 404), "StatusCode2xx": (200, 299), "StatusCode3xx": (300, 399),
                 "StatusCode4xx": (400, 499), "StatusCode5xx": (500, 599)}
FORMATS = {
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
    "tabular": {"application/sparql-results+xml", "application/sparql-results+json",
                "text/csv", "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}
WRITE_METHODS = {"PUT", "POST", "DELETE", "PATCH"}


@dataclass
class HttpRequest:
    """One request of a connection and the response the manifest expects."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: list[tuple[int, int]]
    expected_format: str | None
    expected_boolean: bool | None
    expected_location: str | None
    expected_content_type: str | None
    expected_body: str | None


def read_requests(test: ProtocolTest) -> list[HttpRequest]:
    """The ``ht:requests`` list of a test's connection, in order."""
    graph = test.graph
    head = graph.value(test.connection, HT.requests)
    if head is None:
        raise SuiteError(f"protocol test {test.id}: its connection lists no requests (ht:requests)")
    return [_read_request(graph, node) for node in Collection(graph, head)]


def _read_headers(graph: Graph, node: Node | None) -> dict[str, str]:
    """The ``ht:headers`` list of a request or response as a dict (lower-case names)."""
    head = graph.value(node, HT.headers)
    if head is None:
        return {}
    return {str(graph.value(h, HT.fieldName)).lower(): str(graph.value(h, HT.fieldValue))
            for h in Collection(graph, head)}


def _read_request(graph: Graph, node: Node) -> HttpRequest:
    """One request and its expected response."""
    body = graph.value(node, HT.body)
    data = None
    if body is not None:
        encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
        data = str(graph.value(body, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    statuses = [STATUS_RANGES[str(code).rsplit("#", 1)[-1]] for code in graph.objects(response, MF.expectedStatus)]
    boolean = graph.value(response, MF.expectedBoolean)
    expected_body = graph.value(response, HT.body)
    location = graph.value(response, MF.expectedLocation)
    return HttpRequest(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=_read_headers(graph, node),
        body=data,
        statuses=statuses,
        expected_format=str(graph.value(response, MF.expectedFormat) or "") or None,
        expected_boolean=bool(boolean.toPython()) if isinstance(boolean, Literal) else None,
        expected_location=None if location is None else str(location),
        expected_content_type=_read_headers(graph, response).get("content-type"),
        expected_body=None if expected_body is None else str(graph.value(expected_body, CNT.chars)),
    )


def is_update(request: HttpRequest) -> bool:
    """True when a ``/sparql`` request is an update operation (by media type or parameter)."""
    query = parse_qs(urlsplit(request.path).query)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form = parse_qs(request.body.decode("utf-8", "replace")) if request.body else {}
    return (media_type == "application/sparql-update" or "update" in query or "update" in form
            or "using-graph-uri" in query or "using-named-graph-uri" in query)


def is_write(request: HttpRequest) -> bool:
    """True when a request asks the service to change its data."""
    if request.path.startswith("/gsp"):
        return request.method in WRITE_METHODS
    return is_update(request)


def target_url(endpoint: ServiceUnderTest, request: HttpRequest) -> str:
    """The request's path with the manifest's ``/sparql/`` or ``/gsp`` prefix replaced."""
    path = request.path
    if path.startswith("/gsp"):
        return endpoint.graph_store_url + path[len("/gsp"):]
    rest = path[len("/sparql/"):] if path.startswith("/sparql/") else path[len("/sparql"):]
    return (endpoint.update_url if is_update(request) else endpoint.query_url) + rest


def run_protocol_test(endpoint: ServiceUnderTest, test: ProtocolTest) -> Outcome:
    """Send a test's requests in order and judge each response."""
    missing = [feature for feature in test.requires if feature not in endpoint.features]
    if missing:
        return Outcome(test.id, test.category, "n/a", f"needs {', '.join(missing)}")
    requests_ = read_requests(test)
    if not endpoint.read_only:
        _reset(endpoint, test, requests_)
    templates: dict[str, str] = {}
    for index, request in enumerate(requests_, start=1):
        request = _substitute(request, templates)
        try:
            response = endpoint.session.request(
                request.method, target_url(endpoint, request), headers=request.headers,
                data=request.body, timeout=REQUEST_TIMEOUT_S, allow_redirects=False)
        except requests.RequestException as error:
            return Outcome(test.id, test.category, "fail", f"request {index}: {type(error).__name__}")
        if _refused(endpoint, request, response.status_code):
            later = len(requests_) - index
            note = f"{request.method} refused with {response.status_code} by the read-only service"
            return Outcome(test.id, test.category, "pass",
                           note + (f"; {later} later request(s) depend on it, not sent" if later else ""))
        reason = judge(request, response)
        if reason:
            return Outcome(test.id, test.category, "fail", f"request {index} ({request.method}): {reason}")
        if request.expected_location:
            templates[request.expected_location] = response.headers.get("Location", "")
    return Outcome(test.id, test.category, "pass")


def _reset(endpoint: ServiceUnderTest, test: ProtocolTest, requests_: list[HttpRequest]) -> None:
    """On a writable endpoint: load the test's graphs and delete the graphs its GSP requests name.

    The tests assume a fresh store (a first PUT expects 201 Created), while
    earlier tests may have created the same graphs.
    """
    if test.graph_data:
        endpoint.load(dict(test.graph_data))
    names = {name for r in requests_ if r.path.startswith("/gsp")
             for name in parse_qs(urlsplit(r.path).query).get("graph", []) if "$" not in name}
    for name in sorted(names):
        endpoint.session.delete(endpoint.graph_store_url, params={"graph": name}, timeout=REQUEST_TIMEOUT_S)


def _substitute(request: HttpRequest, templates: dict[str, str]) -> HttpRequest:
    """Replace template variables (``$LOCATION$``) in the path and the body."""
    for name, value in templates.items():
        request.path = request.path.replace(name, value)
        if request.body is not None:
            request.body = request.body.replace(name.encode(), value.encode())
    return request


def _refused(endpoint: ServiceUnderTest, request: HttpRequest, status: int) -> bool:
    """True when a read-only service refused, as specified, a write expected to succeed."""
    if not endpoint.read_only or not is_write(request):
        return False
    expects_error = any(low >= 400 for low, _ in request.statuses)
    allowed = {403, 405} if request.path.startswith("/gsp") else {403}
    return not expects_error and status in allowed


def judge(request: HttpRequest, response: requests.Response) -> str | None:
    """Compare one response with the expectation; ``None`` when it matches."""
    status = response.status_code
    if not any(low <= status <= high for low, high in request.statuses):
        wanted = ", ".join(f"{low}" if low == high else f"{low // 100}xx" for low, high in request.statuses)
        return f"expected HTTP {wanted}, got {status}"
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if request.expected_format:
        reason = _judge_format(request, request.expected_format, media_type, response.content)
        if reason:
            return reason
    if request.expected_content_type:
        wanted = request.expected_content_type.split(";")[0].strip().lower()
        if media_type != wanted:
            return f"expected Content-Type {wanted}, got {media_type or 'none'}"
    if request.expected_body is not None and request.method != "HEAD":
        return _judge_graph(request, request.expected_body, media_type, response)
    if request.expected_location and not response.headers.get("Location"):
        return "expected a Location header"
    return None


def _judge_format(request: HttpRequest, kind: str, media_type: str, content: bytes) -> str | None:
    """Check the media type and parse the body as the expected ``kind`` of result."""
    result: bool | Table
    if media_type not in FORMATS[kind]:
        return f"expected a {kind} format ({', '.join(sorted(FORMATS[kind]))}), got {media_type or 'none'}"
    try:
        if kind == "RDF":
            list(ox.parse(content, format=_rdf_format(media_type)))
            return None
        if media_type == "text/csv":
            result = read_csv(content)
        else:
            result = from_query_results(ox.parse_query_results(
                content, format=ox.QueryResultsFormat.from_media_type(media_type)))
    except (SyntaxError, ValueError, UnicodeDecodeError) as error:
        return f"unreadable {media_type} body: {error}"
    if (kind == "boolean") != isinstance(result, bool) or (kind == "tabular" and not isinstance(result, Table)):
        return f"expected a {kind} result"
    if request.expected_boolean is not None and result != request.expected_boolean:
        return f"expected {request.expected_boolean}, got {result}"
    return None


def _judge_graph(request: HttpRequest, body: str, media_type: str, response: requests.Response) -> str | None:
    """Compare the returned graph with the expected ``body``, Turtle unless typed otherwise (isomorphism)."""
    base = response.url
    try:
        wanted_format = _rdf_format(request.expected_content_type or "text/turtle")
        expected = to_rdflib([q.triple for q in ox.parse(body.encode(), format=wanted_format,
                                                            base_iri=base)])
        actual = to_rdflib([q.triple for q in ox.parse(response.content, base_iri=base,
                                                          format=_rdf_format(media_type))])
    except (SyntaxError, ValueError) as error:
        return f"unreadable graph: {error}"
    return compare(expected, actual)


def _rdf_format(media_type: str) -> ox.RdfFormat:
    """The RDF format of a media type; ``ValueError`` when pyoxigraph has none."""
    found = ox.RdfFormat.from_media_type(media_type.split(";")[0].strip())
    if found is None:
        raise ValueError(f"{media_type or 'no media type'} is not an RDF format")
    return found
