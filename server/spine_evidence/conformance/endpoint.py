"""The SPARQL service under test, and the two ways to give it the test data.

(a) ``spine_evidence_server`` starts our own ``spine-evidence serve`` on a
free port of 127.0.0.1 with ``--data IRI=FILE`` for every data file the
selected tests need; (b) ``oxigraph_server`` starts a writable Oxigraph server
and PUTs each file into its named graph with the Graph Store Protocol, which
is also how an already running writable endpoint gets its data (``load``).

A request that meets a connection the server closed without answering it is
sent once more on a new connection where that is safe (:class:`ResendOnClose`).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter

from ..errors import SpineEvidenceError
from ..processes import ServerStartError, free_port, spawn_in_session, stop_group, wait_until_answers

MEDIA_TYPES = {".ttl": "text/turtle", ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}
READY_QUERY = "ASK {}"
REQUEST_TIMEOUT_S = 60
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})  # RFC 9110 §9.2.2


class EndpointError(SpineEvidenceError):
    """The endpoint cannot be started, reached or loaded."""


def closed_without_answer(error: BaseException) -> bool:
    """Whether ``error`` (a ``requests.ConnectionError``) is the server closing the connection before any answer."""
    pending = [error]
    while pending:
        cause = pending.pop()
        if isinstance(cause, (ConnectionResetError, BrokenPipeError)):  # http.client.RemoteDisconnected is one
            return True
        pending += [a for a in getattr(cause, "args", ()) if isinstance(a, BaseException)]
    return False


class ResendOnClose(HTTPAdapter):
    """Send a request once more, on a new connection, when the server closed the connection unanswered.

    granian (hyper) answers a POST whose body the application did not read and
    then closes the kept-alive connection without a ``Connection: close``
    header; our server refuses a SPARQL Update with 403 before reading its
    body, so under load (the body not yet read when the answer is sent) the
    next request on that connection meets the close and gets no answer at all
    (``RemoteDisconnected``). Resent only where HTTP allows it: idempotent
    methods, and POST to a read-only endpoint (queries are safe, writes are
    refused there), never an update to a writable one.
    """

    def __init__(self, resend_post: bool) -> None:
        super().__init__()
        self.resend_post = resend_post

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Send ``request``; once more when the connection was closed before any answer and resending is safe."""
        try:
            return super().send(request, **kwargs)
        except requests.ConnectionError as error:
            safe = request.method in IDEMPOTENT_METHODS or (request.method == "POST" and self.resend_post)
            if not (safe and closed_without_answer(error)):
                raise
        return super().send(request, **kwargs)


@dataclass
class ServiceUnderTest:
    """Where the runner sends queries, updates and Graph Store Protocol requests."""

    name: str
    query_url: str
    update_url: str
    graph_store_url: str
    read_only: bool
    features: frozenset[str] = frozenset({"IndirectGraphIdentification"})
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def __post_init__(self) -> None:
        adapter = ResendOnClose(resend_post=self.read_only)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def query(self, text: str, default_graphs: list[str], named_graphs: list[str],
              accept: str) -> requests.Response:
        """POST a form-encoded query with its protocol dataset (SPARQL 1.1 Protocol 2.1.2)."""
        form = [("query", text)] + [("default-graph-uri", iri) for iri in default_graphs]
        form += [("named-graph-uri", iri) for iri in named_graphs]
        return self.session.post(self.query_url, data=form, headers={"Accept": accept},
                                 timeout=REQUEST_TIMEOUT_S, allow_redirects=False)

    def update(self, text: str) -> requests.Response:
        """POST an update directly as ``application/sparql-update``."""
        return self.session.post(self.update_url, data=text.encode("utf-8"),
                                 headers={"Content-Type": "application/sparql-update"},
                                 timeout=REQUEST_TIMEOUT_S, allow_redirects=False)

    def load(self, graphs: Mapping[str, Path]) -> None:
        """PUT every file into the named graph of its IRI (Graph Store Protocol)."""
        for iri, path in graphs.items():
            response = self.session.put(
                self.graph_store_url, params={"graph": iri}, data=path.read_bytes(),
                headers={"Content-Type": MEDIA_TYPES.get(path.suffix, "text/turtle")},
                timeout=REQUEST_TIMEOUT_S)
            if response.status_code >= 300:
                raise EndpointError(f"PUT {iri} answered {response.status_code}: {response.text[:200]}")


def external_endpoint(url: str, graph_store: str | None) -> ServiceUnderTest:
    """An endpoint already running at ``url``, checked with ``ASK {}``.

    Writable (and loaded through it) when a Graph Store URL is given; else
    read-only like ours, with its graph store at ``graph-store`` beside ``url``.
    """
    service = ServiceUnderTest("external", url, url, graph_store or urljoin(url, "graph-store"),
                               read_only=graph_store is None)
    try:
        status = service.query(READY_QUERY, [], [], "application/sparql-results+json").status_code
    except requests.RequestException as error:
        raise EndpointError(f"cannot reach {url}: {type(error).__name__}") from None
    if status != 200:
        raise EndpointError(f"{url} answered ASK {{}} with HTTP {status}")
    return service


@contextmanager
def _running(command: list[str], service: ServiceUnderTest, workdir: Path,
             limit_s: float) -> Iterator[ServiceUnderTest]:
    """Run ``command`` in its own session until the block ends, then stop its process group."""
    log = workdir / "server.log"
    process = spawn_in_session(command, log, cwd=workdir)
    try:
        try:
            wait_until_answers(process, service.query_url, limit_s, log)
        except ServerStartError as error:
            raise EndpointError(str(error)) from None
        yield service
    finally:
        service.session.close()
        stop_group(process)


@contextmanager
def spine_evidence_server(graphs: Mapping[str, Path], limit_s: float = 120,
                          options: Sequence[str] = ()) -> Iterator[ServiceUnderTest]:
    """Start ``spine-evidence serve`` on a free port with every graph as ``--data IRI=FILE``.

    ``options`` are further ``serve`` options (``--store DIR``, ``--workers N``).
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "spine_evidence",
               "serve", "--host", "127.0.0.1", "--port", str(port), *options]
    for iri, path in sorted(graphs.items()):
        command += ["--data", f"{iri}={path.resolve()}"]
    service = ServiceUnderTest("spine-evidence", f"{base}/sparql", f"{base}/sparql",
                               f"{base}/graph-store", read_only=True)
    with tempfile.TemporaryDirectory(prefix="conformance-") as workdir:
        with _running(command, service, Path(workdir), limit_s) as running:
            yield running


@contextmanager
def oxigraph_server(graphs: Mapping[str, Path], limit_s: float = 30) -> Iterator[ServiceUnderTest]:
    """Start an in-memory, writable ``oxigraph serve`` and PUT every graph into it."""
    program = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))  # a venv's
    if program is None:
        raise EndpointError("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    service = ServiceUnderTest("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store",
                               read_only=False,
                               features=frozenset({"IndirectGraphIdentification", "POSTGraphCreation"}))
    with tempfile.TemporaryDirectory(prefix="conformance-") as workdir:
        command = [program, "serve", "--bind", f"127.0.0.1:{port}"]
        with _running(command, service, Path(workdir), limit_s) as running:
            running.load(graphs)
            yield running
