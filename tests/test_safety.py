"""Safety of the endpoint, through real HTTP to each WSGI server (granian, gunicorn): read-only, no
outbound requests, deadlines with real cancellation, body limit, CORS, and malformed requests.

The suite asserts outcomes (statuses, which worker processes run), never
timings: waits are bounded only as hang guards.
"""

from __future__ import annotations

import http.server
import json
import random
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from conftest import ENDPOINT_MAX_ROWS, ENDPOINT_TIMEOUT

from spine_evidence.web import AppConfig, create_app
from spine_evidence.web.config import DEFAULT_TIMEOUT

ALL_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
SMALL = "SELECT ?p WHERE { ?s ?p ?o } LIMIT 5"
EMPTY_RESULTS = b'{"head":{"vars":["s","p","o"]},"results":{"bindings":[]}}'


class Canary(http.server.ThreadingHTTPServer):
    """A local HTTP server that counts every request it receives (and answers empty results)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), CanaryHandler)
        self.paths: list[str] = []
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def hits(self) -> int:
        with self.lock:
            return len(self.paths)


class CanaryHandler(http.server.BaseHTTPRequestHandler):
    """Counts the request; ``/redirect`` answers 302, anything else empty SPARQL JSON results."""

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.paths.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/target")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(EMPTY_RESULTS)))
        self.end_headers()
        self.wfile.write(EMPTY_RESULTS)

    do_POST = do_GET

    def log_message(self, *args) -> None:
        """Quiet."""


@pytest.fixture
def endpoint(server_endpoint):
    """Every served test of this module runs under each WSGI server (``conftest.server_endpoint``)."""
    return server_endpoint


@pytest.fixture(scope="module")
def canary():
    server = Canary()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def settled_get(endpoint, params: dict[str, str], headers: dict[str, str] | None = None) -> requests.Response:
    """GET the endpoint, asked again while it answers 429/503; the answer must be 200.

    A test before may leave queries of this client running on to the server's
    deadline (``ENDPOINT_TIMEOUT``), holding its places on a worker meanwhile.
    """
    settles_by = time.monotonic() + ENDPOINT_TIMEOUT + 10
    while True:
        response = requests.get(endpoint.url, params=params, headers=headers or {}, timeout=10)
        if response.status_code not in (429, 503) or time.monotonic() > settles_by:
            break
        time.sleep(0.2)
    assert response.status_code == 200, response.text
    return response


def quad_count(endpoint) -> int:
    response = settled_get(endpoint, {"query": ALL_QUADS}, {"Accept": "application/json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# --- read-only ----------------------------------------------------------------------

INSERT = "INSERT DATA { <http://example.org/intruder> <http://example.org/p> 1 }"
UPDATE_FORMS = [
    INSERT,
    "PREFIX ex: <http://example.org/>\n# a comment\nDELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "CLEAR ALL", "DROP DEFAULT", "CREATE GRAPH <http://example.org/new>",
    "COPY DEFAULT TO <http://example.org/copy>", "MOVE DEFAULT TO <http://example.org/moved>",
    "ADD DEFAULT TO <http://example.org/added>",
    "BASE <http://example.org/> PREFIX : <x#> clear named",
]


def update_attempts(url: str, update: str):
    """Every way an update can be sent: update= by GET and form, the update body, and smuggled in query=."""
    yield requests.get(url, params={"update": update}, timeout=10)
    yield requests.post(url, data={"update": update}, timeout=10)
    yield requests.post(url, data=update.encode(), headers={"Content-Type": "application/sparql-update"}, timeout=10)
    yield requests.get(url, params={"query": update}, timeout=10)
    yield requests.post(url, data={"query": update}, timeout=10)
    yield requests.post(url, data=update.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=10)


@pytest.mark.parametrize("update", UPDATE_FORMS)
def test_updates_are_refused_and_change_nothing(endpoint, update):
    before = quad_count(endpoint)
    assert before > 0
    for response in update_attempts(endpoint.url, update):
        assert response.status_code == 403, (update, response.text)
        assert "read-only" in response.text
    assert quad_count(endpoint) == before
    ask = requests.get(endpoint.url, params={"query": "ASK { <http://example.org/intruder> ?p ?o }"}, timeout=10)
    assert ask.json()["boolean"] is False


# --- no outbound requests -------------------------------------------------------------

def outbound_attempts(url: str, target: str):
    """Queries and parameters that would fetch ``target`` if the endpoint fetched anything."""
    escaped = target.replace("/g", "/\\u0067")
    queries = [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{target}/> SELECT * WHERE {{ service c:x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?x {{ <{target}> }} SERVICE ?x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{escaped}> {{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"LOAD <{target}>",
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
    ]
    for query in queries:
        yield query, requests.get(url, params={"query": query}, timeout=10)
    yield "update=LOAD", requests.post(url, data={"update": f"LOAD <{target}> INTO GRAPH <urn:g>"}, timeout=10)
    for name in ("default-graph-uri", "named-graph-uri"):
        params = {"query": "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", name: target}
        yield name, requests.get(url, params=params, timeout=10)


def test_nothing_reaches_the_canary(endpoint, canary):
    before = canary.hits()  # the canary is shared by the module (both servers)
    requests.get(f"{canary.base}/direct", timeout=5)  # the canary counts: this one request is ours
    assert canary.hits() == before + 1
    for what, response in outbound_attempts(endpoint.url, f"{canary.base}/g"):
        assert response.status_code < 500, (what, response.text)
        if "SERVICE" in what.upper() or "LOAD" in what.upper():
            assert response.status_code in (400, 403), (what, response.text)
        else:
            assert len(response.json()["results"]["bindings"]) == 0, what
    assert canary.hits() == before + 1, canary.paths


def test_allowed_service_is_called_and_redirects_are_not_followed(store_dir, canary):
    allowed, redirecting = f"{canary.base}/sparql", f"{canary.base}/redirect"
    client = create_app(AppConfig(store_path=store_dir, service_allow=(allowed, redirecting))).test_client()
    before = len(canary.paths)
    ok = client.get("/sparql", query_string={"query": f"SELECT * WHERE {{ SERVICE <{allowed}> {{ ?s ?p ?o }} }}"})
    assert ok.status_code == 200 and json.loads(ok.data)["results"]["bindings"] == []
    elsewhere = f"{canary.base}/x"
    other = client.get("/sparql", query_string={"query": f"SELECT * WHERE {{ SERVICE <{elsewhere}> {{ ?s ?p ?o }} }}"})
    assert other.status_code == 403 and "allow-list" in other.get_data(as_text=True)
    moved = client.get("/sparql",
                       query_string={"query": f"SELECT * WHERE {{ SERVICE <{redirecting}> {{ ?s ?p ?o }} }}"})
    assert moved.status_code == 400
    assert [p.split("?")[0] for p in canary.paths[before:]] == ["/sparql", "/redirect"]


# --- deadline, with other clients served meanwhile --------------------------------------

SMALL_QUERIES_AT_MOST = 400  # a hang guard for the loop of small queries sent while a runaway one runs


def get(url: str, params: dict, headers: dict | None = None) -> tuple[int, str]:
    """GET ``url`` with ``params``: the status and the body."""
    response = requests.get(url, params=params, headers=headers or {}, timeout=60)
    return response.status_code, response.text


def cpu_ticks(pid: int) -> int:
    """User+system CPU ticks of process ``pid`` (all its threads; Linux /proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def test_runaway_query_gets_503_while_small_queries_are_served(endpoint):
    """Small queries sent while a runaway query runs are all answered 200, some before the runaway's 503."""
    url = endpoint.url
    endpoint.settled_workers(4)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(get, url, {"query": CROSS_PRODUCT})
        time.sleep(0.3)  # let the runaway query start first
        statuses, answered_meanwhile = [], 0
        while len(statuses) < SMALL_QUERIES_AT_MOST and not (slow.done() and len(statuses) >= 20):
            statuses.append(get(url, {"query": SMALL})[0])
            answered_meanwhile += not slow.done()
        status, text = slow.result()
    print(f"\n{endpoint.server}: {answered_meanwhile} small queries answered while the runaway ran")
    assert status == 503 and "deadline" in text, text
    assert set(statuses) == {200}, statuses
    assert answered_meanwhile >= 1


def test_runaway_query_is_really_stopped(endpoint):
    """The worker that ran a runaway query ends after its 503 (the query with it); the others go on; one starts."""
    before = endpoint.settled_workers(4)
    ticks = {pid: cpu_ticks(pid) for pid in before}
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(get, endpoint.url, {"query": CROSS_PRODUCT})
        time.sleep(1.0)  # the query runs (the deadline is 2 s)
        used = {pid: cpu_ticks(pid) - ticks[pid] for pid in before}
        status, text = slow.result()
    runner = max(used, key=used.__getitem__)
    print(f"\n{endpoint.server}: CPU ticks per worker while the query ran: {used}")
    assert status == 503, text
    assert used[runner] > 0, "no worker was seen running the query"
    after = endpoint.settled_workers(4)  # bounded wait: the replacement worker has started
    assert runner not in after, f"worker {runner} that ran the runaway query still runs"
    assert before - {runner} <= after, "workers that ran no runaway query were replaced too"
    assert get(endpoint.url, {"query": SMALL})[0] == 200


def test_client_may_lower_the_deadline_but_not_raise_it(endpoint):
    # Settled first: a worker started moments ago (replacing one an earlier runaway retired) starts its
    # query threads on its first query, which on a busy machine can use up a 0.4 s deadline by itself.
    endpoint.settled_workers(4)
    # The raised one first: it is stopped at the server's deadline (its worker retired, then replaced).
    raised = get(endpoint.url, {"query": CROSS_PRODUCT, "timeout": "600"})
    endpoint.settled_workers(4)
    # A query whose client deadline passed runs on to the server's and counts against the client's cap
    # (2 per worker) until then: two of them, not three, so that none gets 429 even when one worker
    # accepts every connection (a worker that has just answered often takes the next one).
    lowered = get(endpoint.url, {"query": CROSS_PRODUCT, "timeout": "0.5"})
    by_header = get(endpoint.url, {"query": CROSS_PRODUCT}, {"X-SPARQL-Timeout": "0.4"})
    assert lowered[0] == by_header[0] == raised[0] == 503
    assert "0.5 s" in lowered[1] and "0.4 s" in by_header[1]
    assert f"{ENDPOINT_TIMEOUT} s" in raised[1]


# --- queries answered on the request thread (bounded cost) ------------------------------

BOUNDED = [
    "SELECT * WHERE { ?s ?p ?o }",
    "select*{?s a ?c}",
    "# a comment\nPREFIX se: <https://w3id.org/spine-evidence/ontology#>\n"
    "SELECT ?n WHERE { <https://w3id.org/spine-evidence/study/x> se:citationNumber ?n . } LIMIT 3",
]
NOT_BOUNDED = [
    "SELECT ?x WHERE { ?x ?p ?x }",  # a repeated variable filters a scan
    "SELECT ?x WHERE { ?x ?p $x }",
    "SELECT ?x WHERE { ?x <http://e/p>* ?y }",
    "SELECT ?x WHERE { ?x se:p/se:q ?y }",
    "SELECT ?x WHERE { ?x ^se:p ?y }",
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",
    "SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x",
    "SELECT ?x WHERE { ?x ?p ?o } LIMIT 5 OFFSET 9",
    "SELECT ?x WHERE { ?x ?p ?o #\r . ?a ?b ?c\n }",  # a comment ends at CR too: two patterns
    "SELECT ?x WHERE { ?x ?p ?o # \\u000A . ?a ?b ?c\n }",  # an escape could end the comment
    "SELECT ?x WHERE { ?x ?p ?o . ?a ?b ?c }",
    "SELECT ?x WHERE { ?x ?p ?o ; ?q ?r }",
    "SELECT ?x FROM <http://e/g> WHERE { ?x ?p ?o }",
    "SELECT ?x WHERE { GRAPH ?g { ?x ?p ?o } }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?x ?p ?o }",
    "SELECT ?x WHERE { ?x ?p ?o FILTER(true) }",
    "SELECT ?x WHERE { SERVICE <http://e/s> { ?x ?p ?o } }",
    CROSS_PRODUCT,
]


@pytest.mark.parametrize("text", BOUNDED)
def test_single_pattern_selects_are_bounded(text):
    from spine_evidence.web.bounded import bounded
    from spine_evidence.web.protocol import QueryRequest

    assert bounded(QueryRequest(text, timeout=DEFAULT_TIMEOUT))
    assert not bounded(QueryRequest(text, timeout=0.5))  # a short deadline always goes to a query thread
    assert not bounded(QueryRequest(text, timeout=DEFAULT_TIMEOUT, default_graphs=(), named_graphs=("http://e/g",)))


@pytest.mark.parametrize("text", NOT_BOUNDED)
def test_anything_else_goes_to_a_query_thread(text):
    from spine_evidence.web.bounded import bounded
    from spine_evidence.web.protocol import QueryRequest

    assert not bounded(QueryRequest(text, timeout=DEFAULT_TIMEOUT))


def test_bounded_query_with_more_rows_than_the_request_thread_takes_is_answered_whole(store_dir):
    from spine_evidence.web.bounded import INLINE_ROWS

    client = create_app(AppConfig(store_path=store_dir)).test_client()
    count = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    total = int(json.loads(count.data)["results"]["bindings"][0]["n"]["value"])
    assert total > INLINE_ROWS
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "tsv"})
    assert response.status_code == 200 and response.headers["X-SPARQL-Truncated"] == "false"
    assert int(response.headers["X-SPARQL-Rows"]) == total == len(response.data.splitlines()) - 1


# --- row limit and body limit ---------------------------------------------------------

def test_row_limit_over_http(endpoint):
    total = quad_count(endpoint)
    if total <= ENDPOINT_MAX_ROWS:
        pytest.skip("too few triples to exceed the row limit")
    response = settled_get(endpoint, {"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"})
    assert response.headers["X-SPARQL-Truncated"] == "true"
    assert len(response.text.splitlines()) == 1 + ENDPOINT_MAX_ROWS


def test_64_mib_body_gets_413(endpoint):
    body = b"#" * (64 * 1024 * 1024)
    response = requests.post(endpoint.url, data=body, headers={"Content-Type": "application/sparql-query"}, timeout=60)
    assert response.status_code == 413


def test_chunked_body_over_the_limit_gets_413(endpoint):
    def chunks():
        for _ in range(40):
            yield b"#" * 65536

    response = requests.post(endpoint.url, data=chunks(), headers={"Content-Type": "application/sparql-query"},
                             timeout=60)
    assert response.status_code == 413
    form = requests.post(endpoint.url, data={"query": "#" * (2 * 1024 * 1024)}, timeout=60)
    assert form.status_code == 413


# --- CORS -------------------------------------------------------------------------------

def test_cors_preflight_and_simple_requests(endpoint):
    preflight = requests.options(endpoint.url, timeout=10, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0
    simple = requests.get(endpoint.url, params={"query": "ASK {}"}, headers={"Origin": "https://example.org"},
                          timeout=10)
    assert simple.headers["Access-Control-Allow-Origin"] == "*"
    for response in (preflight, simple):
        assert "Access-Control-Allow-Credentials" not in response.headers


# --- malformed requests -------------------------------------------------------------------

def malformed_requests(count: int, seed: int = 20240601) -> list[bytes]:
    """``count`` deterministic malformed HTTP requests of many kinds."""
    rng = random.Random(seed)
    junk = lambda n: bytes(rng.randrange(256) for _ in range(n))  # noqa: E731
    line = lambda n: junk(n).replace(b"\r", b"").replace(b"\n", b"")  # noqa: E731  junk without line breaks
    pct = lambda: "%" + rng.choice(["ZZ", "G1", "", "8", "C3%28", "FF%FE", "E2%82"])  # noqa: E731
    ask = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n"
    post = b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
    end = " HTTP/1.1\r\nHost: x\r\n\r\n"
    content_types = ["text/plain", "application/json", "x/y; charset=nope", "application/sparql-query; charset=klingon",
                     ";;;"]
    parameters = ["timeout=x", "timeout=nan", "format=%00", "default-graph-uri=%20", "named-graph-uri=a b"]
    chunked = [b"zz\r\nASK\r\n0\r\n\r\n", b"3\r\nASK\r\n0\r\n\r\n", b"-1\r\n\r\n"]
    methods = [b"BREW", b"PUT", b"DELETE", b"TRACE", "GéT".encode()]
    sparql_body = b"Content-Type: application/sparql-query\r\n"
    versions = ["9.9", "1", "x", "1.1.1"]
    makers = [
        lambda: junk(rng.randrange(1, 200)) + b"\r\n\r\n",
        lambda: f"GET /sparql?query=ASK{pct()}{pct()}{end}".encode(),
        lambda: b"GET /sparql?query=" + line(20).replace(b" ", b"") + end.encode(),
        lambda: ask + b"X-Big: " + b"a" * rng.randrange(8000, 20000) + b"\r\n\r\n",
        lambda: ask + b"Accept: " + line(30) + b"\r\n\r\n",
        lambda: post + f"Content-Type: {rng.choice(content_types)}\r\nContent-Length: 6\r\n\r\nASK {{}}".encode(),
        lambda: post + b"Content-Type: application/sparql-query\r\nContent-Length: 8\r\n\r\n" + junk(8),
        lambda: post + b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 12\r\n\r\nquery=" + junk(6),
        lambda: f"GET /sparql?{'&'.join(['query=ASK%7B%7D'] * rng.randrange(2, 9))}{end}".encode(),
        lambda: f"GET /sparql?query=ASK%7B%7D&{rng.choice(parameters)}{end}".encode(),
        lambda: post + f"Content-Length: {rng.choice(['-1', 'abc', '1e3', '99999999999999999999'])}\r\n\r\n".encode(),
        lambda: post + sparql_body + b"Transfer-Encoding: chunked\r\n\r\n" + rng.choice(chunked),
        lambda: rng.choice(methods) + b" /sparql?query=ASK%7B%7D" + end.encode(),
        lambda: f"GET /sparql?query=ASK%7B%7D HTTP/{rng.choice(versions)}\r\nHost: x\r\n\r\n".encode(),
        lambda: ask + line(12) + b"\r\n\r\n",
    ]
    return [makers[i % len(makers)]() for i in range(count)]


def response_complete(received: bytes) -> bool:
    """Whether ``received`` holds a whole HTTP response (head and ``Content-Length`` body)."""
    head, found, body = received.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def send_raw(port: int, request: bytes) -> bytes:
    """Send ``request`` on a fresh connection and return the server's answer.

    Reads until the server closes the connection or, when it keeps it alive
    (HTTP/1.1), until one whole response has arrived.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
        connection.sendall(request)
        received = b""
        while not response_complete(received) and (chunk := connection.recv(65536)):
            received += chunk
    return received


def test_200_malformed_requests_get_no_5xx_and_no_dropped_connection(endpoint):
    raw = malformed_requests(150)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda r: send_raw(endpoint.port, r), raw))
    statuses = []
    for request, answer in zip(raw, answers, strict=True):
        assert answer.startswith(b"HTTP/1."), (request[:120], answer[:120])
        statuses.append(int(answer.split(b" ", 2)[1]))
    rng = random.Random(7)
    for _ in range(50):  # the same through a real HTTP client
        query = "".join(chr(rng.randrange(32, 0x2FF)) for _ in range(rng.randrange(1, 40)))
        form = {"query": query, "format": rng.choice(["json", "x", "csv"])}
        response = requests.post(endpoint.url, data=form, timeout=10)
        statuses.append(response.status_code)
    assert len(statuses) == 200
    assert all(status < 500 for status in statuses), sorted(set(statuses))
    assert sum(400 <= status < 500 for status in statuses) > 150


ADVERSARIAL = ["#" * 1990 + "!", "SELECT * {" + " #" * 900 + "!", "#\n#" * 600 + "!", "PREFIX " * 280 + "!"]


def test_the_bounded_check_cannot_be_made_to_backtrack():
    """Crafted query texts never hang the request thread in the bounded check's regex (it holds the GIL).

    Run in a subprocess so that a regression (exponential backtracking on "###…!", as a comment
    pattern that could split a run of '#' into many comments had) fails instead of hanging the suite.
    """
    probe = ("from spine_evidence.web.bounded import bounded\n"
             "from spine_evidence.web.config import DEFAULT_TIMEOUT\n"
             "from spine_evidence.web.protocol import QueryRequest\n"
             f"texts = {ADVERSARIAL!r}\n"
             "print(sum(bounded(QueryRequest(t, timeout=DEFAULT_TIMEOUT)) for t in texts))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
