"""Slow and idle clients cannot starve the default server: 1,000 idle connections and 16 slow bodies at once.

While they are held open, ordinary queries on fresh connections keep being
answered (200). The latencies are printed (``bench/soak.py`` reports the
figures); the test asserts liveness only, with a generous client timeout.
It also checks what the defence promises: the server closes connections
that send nothing (the header deadline), and refuses request bodies over
the per-client cap at once instead of holding a thread for each, while
other clients' bodies and everyone's GETs are still answered.

granian only: gunicorn's sync workers have no slow-client defence (a known
difference: each slow or idle client holds a sync worker); its runs are skipped with that reason.
"""

from __future__ import annotations

import http.client
import resource
import socket
import statistics
import threading
import time

import pytest
import requests

IDLE_CONNECTIONS = 1000
SLOW_BODIES = 16
RUN_SECONDS = 12  # longer than the header deadline (5 s), so idle connections must have been closed
QUERY = "SELECT ?p WHERE { ?s ?p ?o } LIMIT 5"
CLIENT_TIMEOUT = 30


@pytest.fixture
def server(wsgi_server) -> str:
    """The WSGI server under test: granian; gunicorn is skipped (it has no slow-client defence)."""
    if wsgi_server != "granian":
        pytest.skip("gunicorn has no slow-client defence: a sync worker is held by each slow or idle client")
    return wsgi_server


def raise_open_file_limit(needed: int) -> None:
    """Lift this process's soft limit on open files to hold ``needed`` sockets, or skip."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(f"the open-file limit ({hard}) is below the {needed} sockets this test holds")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def slow_body(port: int, kind: str, stop: threading.Event, outcomes: list) -> None:
    """A POST whose body arrives one byte per second (chunked, or under a larger Content-Length), or stalls."""
    head = b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
    head += b"Transfer-Encoding: chunked\r\n\r\n" if kind == "chunked" else b"Content-Length: 4096\r\n\r\nASK {"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(head)
            while not stop.wait(1.0):
                if kind != "stalled":
                    sock.sendall(b"1\r\n \r\n" if kind == "chunked" else b" ")
            outcomes.append((kind, "held"))
    except OSError as error:  # refused at once (503 and closed): the per-client cap
        outcomes.append((kind, type(error).__name__))


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed this connection (EOF or reset), without waiting."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_idle_connections_and_slow_bodies_do_not_starve_queries(endpoint_factory, store_dir, server):
    raise_open_file_limit(IDLE_CONNECTIONS + SLOW_BODIES + 256)
    with endpoint_factory("--workers", "2", "--server", server, store=store_dir) as running:
        idle = [socket.create_connection(("127.0.0.1", running.port), timeout=10) for _ in range(IDLE_CONNECTIONS)]
        stop, outcomes = threading.Event(), []
        kinds = ["chunked", "length", "stalled", "length"] * (SLOW_BODIES // 4)
        slow = [threading.Thread(target=slow_body, args=(running.port, kind, stop, outcomes)) for kind in kinds]
        for thread in slow:
            thread.start()
        latencies, statuses = [], []
        until = time.monotonic() + RUN_SECONDS
        try:
            while time.monotonic() < until:
                started = time.perf_counter()
                response = requests.get(running.url, params={"query": QUERY}, timeout=CLIENT_TIMEOUT,
                                        headers={"Accept": "application/sparql-results+json", "Connection": "close"})
                latencies.append(time.perf_counter() - started)
                statuses.append(response.status_code)
                time.sleep(0.02)
            closed = sum(closed_by_server(sock) for sock in idle)
        finally:
            stop.set()
            for thread in slow:
                thread.join(10)
            for sock in idle:
                sock.close()
        assert running.process.poll() is None, running.output()
    latencies.sort()
    print(f"\n{len(latencies)} queries beside {IDLE_CONNECTIONS} idle connections and {SLOW_BODIES} slow bodies: "
          f"p50 {1000 * statistics.median(latencies):.1f} ms, "
          f"p99 {1000 * latencies[int(0.99 * len(latencies))]:.1f} ms, "
          f"max {1000 * latencies[-1]:.1f} ms; idle closed by the server: {closed}; slow bodies: {sorted(outcomes)}")
    assert statuses and set(statuses) == {200}
    assert closed == IDLE_CONNECTIONS
    assert len(outcomes) == SLOW_BODIES


def test_bodies_over_the_per_client_cap_are_refused_at_once(endpoint_factory, store_dir, server):
    from spine_evidence.web.slow_clients import MAX_BODY_READS_PER_CLIENT

    head = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nASK")
    with endpoint_factory("--workers", "1", "--server", server, store=store_dir) as running:
        held = []
        try:
            for _ in range(MAX_BODY_READS_PER_CLIENT):
                sock = socket.create_connection(("127.0.0.1", running.port), timeout=10)
                sock.sendall(head)
                held.append(sock)
            time.sleep(0.5)  # the held bodies are being read now
            with socket.create_connection(("127.0.0.1", running.port), timeout=10) as extra:
                extra.sendall(head)
                answer = extra.recv(4096)
            other = http.client.HTTPConnection("127.0.0.1", running.port, timeout=CLIENT_TIMEOUT,
                                               source_address=("127.0.0.2", 0))  # another client address
            other.request("POST", "/sparql", body=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
            other_client = other.getresponse().status
            other.close()
            same_client_get = requests.get(running.url, params={"query": "ASK {}"}, timeout=CLIENT_TIMEOUT)
        finally:
            for sock in held:
                sock.close()
    assert answer.startswith(b"HTTP/1.1 503"), answer
    assert b"retry-after: 1" in answer.lower() and b"request bodies from this client" in answer
    assert same_client_get.status_code == 200
    assert other_client == 200
