"""The remote store: its Graph Store endpoint (PUT one graph) and its SPARQL endpoint (read it back).

Credentials come from the environment (:mod:`spine_evidence.credentials`). Every answer other than 2xx is a
:class:`RemoteStoreError` naming the URL and the status.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.auth import AuthBase, HTTPDigestAuth

from ..credentials import AUTH_SCHEMES, auth_from_environment
from ..errors import SpineEvidenceError

__all__ = ["AUTH_SCHEMES", "RemoteStore", "RemoteStoreError", "auth_from_environment", "query_endpoint_beside"]

N_TRIPLES = "application/n-triples"
TIMEOUT_S = (10.0, 600.0)  # connect, read
# The query endpoint beside a known Graph Store endpoint (--query-endpoint when not given).
PROGRESS_BYTES = 16 << 20  # a PUT body larger than this reports its progress every tenth
QUERY_BESIDE = {"/store": "/query", "/sparql-graph-crud-auth": "/sparql", "/sparql-graph-crud": "/sparql"}
# The query parameter naming the graph: the protocol's ``graph``, Virtuoso's ``graph-uri``.
GRAPH_PARAMETER = {"/sparql-graph-crud-auth": "graph-uri", "/sparql-graph-crud": "graph-uri"}


class RemoteStoreError(SpineEvidenceError, RuntimeError):
    """The remote store refused a request, could not be reached, or answered something unreadable."""


def query_endpoint_beside(gsp_url: str) -> str:
    """The SPARQL endpoint of a known Graph Store endpoint (Oxigraph's, Virtuoso's), else an error."""
    parts = urlsplit(gsp_url)
    path = parts.path.rstrip("/")
    if path in QUERY_BESIDE:
        return urlunsplit(parts._replace(path=QUERY_BESIDE[path], query=""))
    raise RemoteStoreError(f"cannot tell the SPARQL endpoint of {gsp_url}; give --query-endpoint")


class ProgressBody:
    """A file as a request body that calls ``report(sent, total)`` at every tenth of it (and can rewind)."""

    def __init__(self, file: IO[bytes], total: int, report: Callable[[int, int], None]) -> None:
        self.file, self.total, self.report, self.next_report = file, total, report, total // 10

    def __len__(self) -> int:
        return self.total

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        position = self.file.tell()
        if position >= self.next_report and chunk:
            self.report(position, self.total)
            self.next_report = position + self.total // 10
        return chunk

    def tell(self) -> int:
        return self.file.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        self.next_report = self.total // 10
        return self.file.seek(offset, whence)


class RemoteStore:
    """A store reached over HTTP: ``put`` a graph (Graph Store Protocol), ``construct``/``select`` over SPARQL."""

    def __init__(self, gsp_url: str, query_url: str | None = None, auth: AuthBase | None = None) -> None:
        for url in (gsp_url, query_url or ""):
            if url and urlsplit(url).scheme not in ("http", "https"):
                raise RemoteStoreError(f"{url} is not an http(s) URL")
        self.gsp_url = gsp_url
        self.query_url = query_url or query_endpoint_beside(gsp_url)
        self.graph_parameter = GRAPH_PARAMETER.get(urlsplit(gsp_url).path.rstrip("/"), "graph")
        self.session = requests.Session()
        self.session.auth = auth
        self.requests_made: dict[str, int] = {"PUT": 0, "query": 0}
        self.put_seconds = 0.0  # time spent in PUT requests (the transfer and the store's load)
        self.handshake_graph = gsp_url  # a graph IRI that is small or absent (publish: its record graph)
        self.resent = 0  # PUT bodies sent twice (an auth challenge answered after the body)
        self.announce: Callable[[str], None] | None = None  # progress of large PUT bodies
        self.server = ""  # the Server header of the store's last answer

    def request(self, method: str, url: str, **options: Any) -> requests.Response:
        """Send one request; a refused, failed or unreachable one is a :class:`RemoteStoreError`."""
        try:
            response = self.session.request(method, url, timeout=TIMEOUT_S, **options)
        except requests.RequestException as error:
            raise RemoteStoreError(f"{method} {url}: {' '.join(str(error).split())}") from None
        self.server = response.headers.get("Server", "")
        if not response.ok:
            body = " ".join(response.text.split())[:200]
            raise RemoteStoreError(f"{method} {url}: HTTP {response.status_code} {response.reason}: {body}")
        return response

    def digest_handshake(self, graph: str) -> None:
        """With digest auth, get the server's nonce by a bodiless ``GET`` of (small) ``graph`` first.

        Otherwise requests sends a PUT's whole body unauthenticated, gets 401,
        and sends it again. The GET's own status does not matter (404: no such
        graph yet); Virtuoso answers ``HEAD`` with 501, without a challenge.
        """
        if isinstance(self.session.auth, HTTPDigestAuth):
            try:
                self.session.get(self.gsp_url, params={self.graph_parameter: graph}, timeout=TIMEOUT_S,
                                 headers={"Accept": N_TRIPLES})
            except requests.RequestException as error:
                raise RemoteStoreError(f"GET {self.gsp_url}: {' '.join(str(error).split())}") from None

    def put(self, graph: str, ntriples: Path) -> int:
        """Replace ``graph`` with the N-Triples file ``ntriples``, streamed from disk; the HTTP status."""
        if not self.requests_made["PUT"]:
            self.digest_handshake(self.handshake_graph)
        self.requests_made["PUT"] += 1
        started = time.perf_counter()
        total = ntriples.stat().st_size
        with ntriples.open("rb") as file:
            body: IO[bytes] | ProgressBody = file
            if total > PROGRESS_BYTES and self.announce is not None:
                say = self.announce
                body = ProgressBody(file, total, lambda sent, size: say(f"  {graph}: {sent >> 20} of {size >> 20} MiB"))
            response = self.request("PUT", self.gsp_url, params={self.graph_parameter: graph}, data=body,
                                    headers={"Content-Type": N_TRIPLES})
        self.put_seconds += time.perf_counter() - started
        self.resent += len(response.history)
        return response.status_code

    def query(self, sparql: str, accept: str) -> bytes:
        """The answer to a SPARQL query (POSTed form-encoded) in the ``accept`` format."""
        self.requests_made["query"] += 1
        return self.request("POST", self.query_url, data={"query": sparql}, headers={"Accept": accept}).content

    def construct_graph(self, graph: str) -> IO[bytes]:
        """The named graph ``graph`` as the store answers it: ``CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <g> {…} }``.

        The answer is streamed into a temporary file (a large graph is not
        held in memory), returned rewound; the caller closes it.
        """
        self.requests_made["query"] += 1
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        answer = tempfile.TemporaryFile()
        try:
            with self.request("POST", self.query_url, data={"query": sparql}, headers={"Accept": N_TRIPLES},
                              stream=True) as response:
                for chunk in response.iter_content(1 << 20):
                    answer.write(chunk)
        except requests.RequestException as error:
            answer.close()
            raise RemoteStoreError(f"POST {self.query_url}: {' '.join(str(error).split())}") from None
        except BaseException:
            answer.close()
            raise
        answer.seek(0)
        return answer
