"""The conformance runner's HTTP client: a connection the server closed unanswered is retried only where safe.

The cause it guards against (issue 9): our server refuses a SPARQL Update with 403
before reading its body, and granian then closes the kept-alive connection without
saying so; the next request on it got ``RemoteDisconnected`` under load. Needs no
W3C suite: a real ``spine-evidence serve`` on an empty store, and a real socket
server that closes every connection without answering.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from spine_evidence.conformance.endpoint import ServiceUnderTest, closed_without_answer, spine_evidence_server

ROUNDS = 300
BIG_UPDATE = 'INSERT DATA { <http://example/s> <http://example/p> "' + "x" * 500_000 + '" }'
JSON = "application/sparql-results+json"


class Hangup:
    """A TCP server on 127.0.0.1 that reads each request's first bytes and closes the connection unanswered."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.connections = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                connection.recv(65536)


@pytest.fixture
def hangup() -> Iterator[Hangup]:
    server = Hangup()
    yield server
    server.socket.close()


def test_a_closed_connection_is_recognised() -> None:
    with pytest.raises(requests.ConnectionError) as refused:
        requests.get("http://127.0.0.1:9", timeout=5)  # nothing listens: refused, not closed unanswered
    assert not closed_without_answer(refused.value)


@pytest.mark.parametrize("read_only", [True, False])
def test_idempotent_requests_are_sent_once_more_and_posts_only_to_a_read_only_endpoint(hangup, read_only) -> None:
    sparql = f"{hangup.url}/sparql"
    endpoint = ServiceUnderTest("test", sparql, sparql, f"{hangup.url}/store", read_only)
    with pytest.raises(requests.ConnectionError) as closed:
        endpoint.session.get(endpoint.query_url, timeout=5)
    assert closed_without_answer(closed.value) and hangup.connections == 2
    with pytest.raises(requests.ConnectionError):
        endpoint.update("CLEAR ALL")
    assert hangup.connections == (4 if read_only else 3), "an update to a writable endpoint is never resent"


def test_refused_updates_never_cost_the_next_request_its_answer(empty_store) -> None:
    with spine_evidence_server({}, options=["--store", str(empty_store)]) as endpoint:
        for _ in range(ROUNDS):
            assert endpoint.update(BIG_UPDATE).status_code == 403
            assert endpoint.query("ASK {}", [], [], JSON).status_code == 200
