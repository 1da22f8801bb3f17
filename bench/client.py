"""A small SPARQL protocol client: GET over one keep-alive connection, rows counted.

Used for the smoke test's row counts and for latency at concurrency 1 (a client that
adds ~0.1 ms per request, the same for every server). Loopback only.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from rdflib import Graph

logging.getLogger("rdflib").setLevel(logging.ERROR)  # a peer's non-RDF answer is counted as an error, not logged
SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
RDFLIB_FORMAT = {  # response media type → rdflib parser
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/ntriples": "nt",
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


class QueryFailed(RuntimeError):
    """The server answered with an error status, or with a body that does not parse."""


@dataclass
class BenchEndpoint:
    """Where a server answers SPARQL queries, and protocol parameters it always needs."""

    name: str
    url: str
    extra: dict[str, str] = field(default_factory=dict)

    def path_for(self, query: str) -> str:
        """The request path (with query string) of a GET for ``query``."""
        parts = urlsplit(self.url)
        return f"{parts.path or '/'}?{urlencode({'query': query, **self.extra})}"


def accept_for(form: str) -> str:
    """The Accept header for a query form."""
    return GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else SELECT_ACCEPT


def count_rows(body: bytes, content_type: str, form: str) -> int:
    """Solutions of a SELECT, 1 for an ASK, distinct triples of a CONSTRUCT/DESCRIBE."""
    media = content_type.split(";")[0].strip().lower()
    if form in ("CONSTRUCT", "DESCRIBE"):
        graph = Graph()
        graph.parse(data=body.decode("utf-8"), format=RDFLIB_FORMAT.get(media, "turtle"))
        return len(graph)
    document = json.loads(body)
    if "boolean" in document:
        return 1
    return len(document["results"]["bindings"])


class Client:
    """One keep-alive HTTP connection to one endpoint."""

    def __init__(self, endpoint: BenchEndpoint, timeout: float = 120.0) -> None:
        self.endpoint = endpoint
        parts = urlsplit(endpoint.url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self.reused = False  # whether the connection has carried a request (so it may have gone stale)

    def fetch(self, query: str, form: str) -> tuple[bytes, str, float]:
        """Send ``query``; return the body, its content type and the seconds taken.

        A keep-alive connection the server closed while it sat idle (ours closes idle ones after
        5 s, as Apache does; while other servers are measured in turn) is reopened and the GET
        sent again once, as urllib3 does: the failed attempt is not timed.
        """
        stale = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
        reused = self.reused
        try:
            return self._fetch_once(query, form)
        except stale:
            if not reused:
                raise
            return self._fetch_once(query, form)

    def _fetch_once(self, query: str, form: str) -> tuple[bytes, str, float]:
        headers = {"Accept": accept_for(form)}
        started = time.perf_counter()
        self.reused = True
        try:
            self.connection.request("GET", self.endpoint.path_for(query), headers=headers)
            response = self.connection.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.reused = False
            raise
        seconds = time.perf_counter() - started
        if response.status != 200:
            raise QueryFailed(f"{self.endpoint.name}: HTTP {response.status}: {body[:300]!r}")
        return body, response.getheader("Content-Type", ""), seconds

    def rows(self, query: str, form: str) -> int:
        """The number of rows (solutions or triples) the endpoint answers ``query`` with."""
        body, content_type, _ = self.fetch(query, form)
        try:
            return count_rows(body, content_type, form)
        except Exception as error:  # any parser's error: the answer is not what was asked for
            raise QueryFailed(f"{self.endpoint.name}: unparsable {content_type}: {error}") from None

    def close(self) -> None:
        self.connection.close()
