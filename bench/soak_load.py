"""The load of the soak (``bench/soak.py``): one bounded loop per kind of client, each tallying what it got.

Kinds: ordinary small queries (their latencies kept), heavy queries that
run into the deadline, malformed requests, crashing-shape queries (deeply
nested groups), memory-hungry queries, slow request bodies and idle
connections. Every loop ends by itself at ``Tally.until``. What each kind
may get back is in ``EXPECTED``; anything else is an unexpected error.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

SMALL = ["SELECT ?p WHERE { ?s ?p ?o } LIMIT 5", "ASK { ?s a ?type }",
         "SELECT ?type (COUNT(*) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) LIMIT 3"]
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
MEMORY = ("SELECT (GROUP_CONCAT(CONCAT(STR(?a), STR(?b), STR(?c), STR(?d)); separator=\" \") AS ?all) "
          "WHERE { ?a ?p ?b . ?c ?q ?d }")
NESTED = "SELECT * WHERE " + "{ " * 6000 + "?s ?p ?o " + "} " * 6000
MALFORMED = [  # (method, path, headers, body)
    ("GET", "/sparql?query=SELEKT%20*", {}, b""),
    ("GET", "/sparql?query=%ZZ", {}, b""),
    ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", {}, b""),
    ("POST", "/sparql", {"Content-Type": "text/x-nothing"}, b"ASK {}"),
    ("POST", "/sparql", {"Content-Type": "application/sparql-query"}, b"\xff\xfe ASK {}"),
    ("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, b"update=DROP%20ALL"),
    ("GET", "/sparql?query=ASK%7B%7D", {"Accept": "image/png"}, b""),
]
RAW_MALFORMED = [b"GARBAGE\r\n\r\n", b"GET /sparql?query=ASK%7B%7D HTTP/9.9\r\n\r\n",
                 b"\x16\x03\x01\x00\xa5\x01\x00\x00"]
# Each kind of client connects from its own loopback address, as distinct clients would (per-client caps);
# each ordinary client has an address of its own (127.0.2.N).
SOURCE = {"ordinary": "127.0.2.{index}", "heavy": "127.0.0.3", "malformed": "127.0.0.4", "crashing shape": "127.0.0.5",
          "memory hungry": "127.0.0.6", "slow": "127.0.0.7", "idle": "127.0.0.8"}
EXPECTED = {
    "ordinary": {200},
    "heavy": {503, 429},  # the deadline, or admission control (queue full, per-client cap)
    "malformed": {400, 403, 404, 405, 406, 413, 415},
    "crashing shape": {400, 413},
    "memory hungry": {200, 413, 503, 429},
}


@dataclass
class Tally:
    """What every kind of client got, shared by the load threads; the run ends at ``until``."""

    until: float
    statuses: dict[str, Counter] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def running(self) -> bool:
        return time.monotonic() < self.until

    def status(self, kind: str, code: int, seconds: float | None = None) -> None:
        with self.lock:
            self.statuses.setdefault(kind, Counter())[code] += 1
            if code not in EXPECTED.get(kind, {code}):
                self.errors[f"{kind}: unexpected HTTP {code}"] += 1
            if seconds is not None:
                self.latencies.append(seconds)

    def error(self, kind: str, error: BaseException) -> None:
        with self.lock:
            self.errors[f"{kind}: {error_kind(error)}"] += 1


def error_kind(error: BaseException) -> str:
    """A connection-level failure in a few words: refused, reset, timeout, or its type."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)):
        return "connection reset or dropped"
    if isinstance(error, TimeoutError | socket.timeout):
        return "client timeout"
    return type(error).__name__


def source(kind: str, index: int = 0) -> tuple[str, int]:
    """The loopback address (any port) the client ``index`` of ``kind`` connects from."""
    return SOURCE[kind].format(index=index + 1), 0


def connect(kind: str, port: int, timeout: float) -> socket.socket:
    """A connection to the server from the loopback address of ``kind``."""
    return socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=source(kind))


def request(kind: str, port: int, method: str, path: str, headers: dict, body: bytes, timeout: float,
            index: int = 0) -> int:
    """Send one request on a fresh connection from the address of ``kind`` (client ``index``); its status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=source(kind, index))
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def query_path(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


def ordinary(tally: Tally, port: int, client: int) -> None:
    """Small queries, one after another, each on a fresh connection; latencies kept."""
    index = client
    while tally.running():
        started = time.perf_counter()
        try:
            code = request("ordinary", port, "GET", query_path(SMALL[index % len(SMALL)]),
                           {"Accept": "application/sparql-results+json"}, b"", 30, client)
            tally.status("ordinary", code, time.perf_counter() - started)
        except (OSError, http.client.HTTPException) as error:
            tally.error("ordinary", error)
        index += 1
        time.sleep(0.01)


def repeated(kind: str, method: str, path: str, headers: dict, body: bytes, pause: float):
    """A loop sending the same request until the end, pausing ``pause`` s between them."""

    def loop(tally: Tally, port: int, _index: int) -> None:
        while tally.running():
            try:
                tally.status(kind, request(kind, port, method, path, headers, body, 60))
            except (OSError, http.client.HTTPException) as error:
                tally.error(kind, error)
            time.sleep(pause)

    return loop


def malformed(tally: Tally, port: int, index: int) -> None:
    """Malformed requests, and raw bytes that are not HTTP/1.1 at all (answered 4xx or closed)."""
    while tally.running():
        if index % 4 == 3:
            raw = RAW_MALFORMED[index % len(RAW_MALFORMED)]
            try:
                with connect("malformed", port, 10) as sock:
                    sock.sendall(raw)
                    line = sock.recv(64).split(b"\r\n", 1)[0]
                if line.startswith(b"HTTP/1.1 5"):
                    tally.status("malformed", int(line.split()[1]))
            except OSError as error:
                if not isinstance(error, ConnectionResetError):  # a server may reset a non-HTTP stream
                    tally.error("malformed", error)
        else:
            method, path, headers, body = MALFORMED[index % len(MALFORMED)]
            try:
                tally.status("malformed", request("malformed", port, method, path, headers, body, 30))
            except (OSError, http.client.HTTPException) as error:
                tally.error("malformed", error)
        index += 1
        time.sleep(0.05)


def slow_body(tally: Tally, port: int, index: int) -> None:
    """A POST whose body arrives one byte per second (chunked or under a larger Content-Length); reopened."""
    chunked = index % 2 == 0
    head = b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
    head += b"Transfer-Encoding: chunked\r\n\r\n" if chunked else b"Content-Length: 100000\r\n\r\nASK {"
    while tally.running():
        try:
            with connect("slow", port, 10) as sock:
                sock.sendall(head)
                while tally.running():
                    sock.sendall(b"1\r\n \r\n" if chunked else b" ")
                    time.sleep(1)
        except OSError:
            time.sleep(0.5)  # refused at once by the body cap (503, closed), or closed: open another


def idle_connections(count: int):
    """A loop keeping ``count`` connections open that send nothing (the server closes them; they are reopened)."""

    def loop(tally: Tally, port: int, _index: int) -> None:
        held: list[socket.socket] = []
        while tally.running():
            still = []
            for sock in held:
                sock.setblocking(False)
                try:
                    gone = sock.recv(1) == b""
                except BlockingIOError:
                    gone = False
                except OSError:
                    gone = True
                if gone:
                    sock.close()
                else:
                    still.append(sock)
            held = still
            while len(held) < count and tally.running():
                try:
                    held.append(connect("idle", port, 10))
                except OSError as error:
                    tally.error("idle", error)
                    break
            time.sleep(1)
        for sock in held:
            sock.close()

    return loop


KINDS = ("ordinary", "heavy", "malformed", "crashing shape", "memory hungry", "slow", "idle")


def load_plan(counts: dict[str, int]) -> list[tuple]:
    """(loop, count) pairs: the clients of each kind in ``KINDS`` the soak runs (``counts``: how many)."""
    json_accept = {"Accept": "application/sparql-results+json"}
    loops = {
        "ordinary": ordinary,
        "heavy": repeated("heavy", "GET", query_path(HEAVY), json_accept, b"", 0.1),
        "malformed": malformed,
        "crashing shape": repeated("crashing shape", "POST", "/sparql", {"Content-Type": "application/sparql-query"},
                                   NESTED.encode(), 0.5),
        "memory hungry": repeated("memory hungry", "GET", query_path(MEMORY), json_accept, b"", 0.5),
        "slow": slow_body,
        "idle": idle_connections(counts.get("idle", 0)),
    }
    return [(loops[kind], 1 if kind == "idle" and counts.get(kind) else counts.get(kind, 0)) for kind in KINDS]
