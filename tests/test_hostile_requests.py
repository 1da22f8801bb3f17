"""Hostile requests against a real served endpoint (issue 9, items 3–7): each leaves the others served.

One ``spine-evidence serve`` (2 workers, tight limits) for the module under each WSGI server
(granian, gunicorn: ``conftest.wsgi_server``).
Every test replays an attack seen in the issue and then asserts that the
server is up and other clients were answered. Clients bind distinct loopback
addresses (127.0.0.2 …) so that the per-client caps see distinct clients.
Timings are printed, never asserted (generous client timeouts only).
"""

from __future__ import annotations

import http.client
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from spine_evidence.web.query_bounds import QueryBounds, camel

WORKERS, TIMEOUT, MAX_MEMORY_MIB, MAX_ANSWER_BYTES = 2, 6, 400, 1024 * 1024
OPTIONS = ("--workers", str(WORKERS), "--threads", "4", "--timeout", str(TIMEOUT), "--max-rows", "500",
           "--max-memory", str(MAX_MEMORY_MIB), "--max-answer-bytes", str(MAX_ANSWER_BYTES),
           "--queue", "2", "--per-client", "2")
CLIENT_SECONDS = 60  # generous: liveness, not latency
SMALL = "SELECT ?p WHERE { ?s ?p ?o } LIMIT 5"  # answered inline (bounded cost)
SMALL_THREADED = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }"  # goes to a query thread, fast
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
BOUNDS = QueryBounds()


@pytest.fixture(scope="module")
def hostile(endpoint_factory, store_dir, wsgi_server):
    """A served endpoint with tight limits, for this module, under each WSGI server (granian, gunicorn)."""
    with endpoint_factory(*OPTIONS, "--server", wsgi_server, store=store_dir) as running:
        yield running


def request(endpoint, query: str | None = None, *, method: str = "GET", client: str = "127.0.0.1",
            headers: dict | None = None, params: dict | None = None, path: str = "/sparql"):
    """One HTTP request from the loopback address ``client``: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=CLIENT_SECONDS,
                                            source_address=(client, 0))
    try:
        fields = {**({"query": query} if query is not None and method != "POST" else {}), **(params or {})}
        target = path + ("?" + urlencode(fields) if fields else "")
        body = query.encode("utf-8") if method == "POST" else None
        sent = {"Content-Type": "application/sparql-query"} if method == "POST" else {}
        connection.request(method, target, body=body, headers={**sent, **(headers or {})})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def resident_mib(pids: set[int]) -> int:
    """The largest resident set of ``pids`` now, in MiB."""
    largest = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]) // 1024)
        except OSError:
            continue
    return largest


class Bystanders:
    """Small queries sent in a loop from other clients while an attack runs; every status is kept."""

    def __init__(self, endpoint, query: str = SMALL, client: str = "127.0.0.1") -> None:
        self.endpoint, self.query, self.client = endpoint, query, client
        self.statuses: list[int] = []
        self.seconds: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                status = request(self.endpoint, self.query, client=self.client)[0]
            except OSError:
                status = -1  # a refused or dropped connection
            self.statuses.append(status)
            self.seconds.append(time.monotonic() - started)
            time.sleep(0.05)

    def __enter__(self) -> Bystanders:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(CLIENT_SECONDS)
        print(f"  bystanders ({self.query[:30]}…): {len(self.statuses)} requests, "
              f"statuses {sorted(set(self.statuses))}, slowest {max(self.seconds, default=0):.3f} s")


def assert_up(endpoint) -> None:
    """The server answers a small query from a fresh client."""
    assert request(endpoint, SMALL, client="127.0.0.9")[0] == 200
    assert endpoint.process.poll() is None


# --- item 3: input bounds and the parser's stack --------------------------------------------

CRASH_SHAPES = {  # the crash (6.7 KB of nested braces) and the other shapes measured to overflow
    "braces": lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    "calls": lambda n: "SELECT * WHERE { BIND(" + "STR(" * n + "1" + ")" * n + " AS ?x) }",
    "exists": lambda n: "SELECT * WHERE " + "{ FILTER EXISTS " * n + "{}" + " }" * n,
    "subqueries": lambda n: "SELECT * WHERE " + "{ SELECT * WHERE " * n + "{}" + " }" * n,
    "unions": lambda n: "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " }",
    "optionals": lambda n: "SELECT * WHERE { ?s ?p ?o " + " OPTIONAL { ?s ?p ?o }" * n + " }",
    "path": lambda n: "SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * n) + " ?o }",
    "sum": lambda n: "SELECT * WHERE { BIND(" + "+".join(["1"] * n) + " AS ?x) }",
    "escaped braces": lambda n: "SELECT * WHERE " + "\\u007B" * n + "\\u007D" * n,
    "blank nodes": lambda n: "SELECT * WHERE { ?s <http://e/p> " + "[ <http://e/p> " * n + "1" + " ]" * n + " }",
}


def test_crashing_shapes_get_400_naming_the_bound_and_no_worker_dies(hostile):
    before = hostile.settled_workers(WORKERS)
    with Bystanders(hostile) as others:
        for name, shape in CRASH_SHAPES.items():
            status, _, body = request(hostile, shape(5000), method="POST", client="127.0.0.2")
            assert status == 400, (name, body[:300])
            assert b"input bound max" in body, (name, body[:300])
    assert hostile.worker_pids() == before
    assert set(others.statuses) == {200}
    assert_up(hostile)


def test_brackets_in_strings_iris_and_comments_do_not_count_and_the_bounds_are_described(hostile):
    deep = "{" * 500
    query = (f'SELECT ?x WHERE {{ BIND("{deep}" AS ?x) FILTER(?x != <http://e/{"(" * 500}>) }} # {deep}\n'
             f"LIMIT 1")
    status, _, body = request(hostile, query, method="POST", client="127.0.0.13")
    assert status == 200, body[:300]
    status, _, body = request(hostile, path="/sparql", headers={"Accept": "application/n-triples"})
    assert status == 200
    for name, value in BOUNDS.as_dict().items():
        assert f'service#{camel(name)}> "{value}"'.encode() in body, name


def test_the_query_thread_stack_holds_far_more_than_the_bounds_allow():
    """On a query thread, a nesting 8× the depth bound is answered where an 8 MB main-thread stack crashed."""
    depth = BOUNDS.max_depth * 16  # 1,024 nested calls: the 8 MB main thread crashed between 500 and 1,000
    script = (
        "import pyoxigraph as ox, time\n"
        "from spine_evidence.web.query_runner import QueryRunner\n"
        f"q = 'SELECT * WHERE {{ BIND(' + 'STR(' * {depth} + '1' + ')' * {depth} + ' AS ?x) }}'\n"
        "store = ox.Store()\n"
        "print(len(list(QueryRunner(1).run(lambda: list(store.query(q)), time.monotonic() + 60))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "1", (done.returncode, done.stderr[-500:])


def fuzz_query(rng: random.Random) -> str:
    """A query of nested and repeated constructs: within the bounds (small) or far over them."""
    size = rng.choice([rng.randint(1, 40), rng.randint(1, 40), 64, 65, 129, 513, 2000, 9000])
    parts = [
        lambda n: "{" * n + "?s ?p ?o" + "}" * n,
        lambda n: "{ FILTER(" + "(" * n + "?o" + ")" * n + ") }",
        lambda n: "{ ?s " + "(" * n + "<http://e/p>" + ")" * n + " ?o }",
        lambda n: "{ ?s " + "|".join(["<http://e/p>"] * n) + " ?o }",
        lambda n: " UNION ".join(["{ ?s ?p ?o }"] * n),
        lambda n: "{ ?s ?p ?o " + " MINUS { ?s ?p ?o }" * n + " }",
        lambda n: "{ ?s ?p ?o FILTER(" + " && ".join(["BOUND(?o)"] * n) + ") }",
        lambda n: "{ BIND(" + "!" * n + "true AS ?x) }",
        lambda n: "{ BIND(" + "COALESCE(" * n + "1" + ")" * n + " AS ?x) }",
        lambda n: "{ VALUES ?x { " + " ".join(str(i) for i in range(n)) + " } }",
        lambda n: "{ ?s ?p " + "[ <http://e/p> " * n + "1" + " ]" * n + " }",
        lambda n: "{ " + " ".join(f"BIND({i} AS ?v{i})" for i in range(n)) + " }",
        lambda n: '{ BIND("' + "{(" * n + '" AS ?x) }',  # brackets inside a string: not nesting
        lambda n: "{ ?s ?p ?o } # " + "{" * n + "\n",
    ]
    body = rng.choice(parts)(size)
    return f"SELECT * WHERE {{ {body} }} LIMIT 3"


def test_fuzz_of_nested_and_repeated_constructs_finds_no_crash(hostile):
    rng = random.Random(20261202)
    queries = [fuzz_query(rng) for _ in range(120)]
    before = hostile.settled_workers(WORKERS)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: request(hostile, queries[i], method="POST", client=f"127.0.1.{i % 8}")[0],
                                range(len(queries))))
    counts = {status: results.count(status) for status in set(results)}
    print(f"\n  fuzz: {len(queries)} queries, statuses {counts}")
    assert all(status < 500 for status in results), counts
    assert hostile.worker_pids() == before
    assert_up(hostile)


# --- item 4: a client-given deadline ----------------------------------------------------------

def test_a_tiny_client_timeout_is_refused_and_cannot_retire_workers_at_will(hostile):
    status, _, body = request(hostile, CROSS_PRODUCT, params={"timeout": "0.000001"}, client="127.0.0.10")
    assert status == 400 and b"shortest deadline" in body
    before = hostile.settled_workers(WORKERS)
    with ThreadPoolExecutor(4) as pool:
        quick = list(pool.map(lambda _: request(hostile, SMALL_THREADED, params={"timeout": "0.1"},
                                                client="127.0.0.10")[0], range(20)))
    assert all(status in (200, 429, 503) for status in quick), quick
    assert hostile.worker_pids() == before  # short deadlines on quick queries retire nothing
    assert_up(hostile)


# --- item 7: Host, 406 before running, HEAD ---------------------------------------------------

@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void", "/"])
def test_answers_made_from_the_host_header_vary_on_it(hostile, path):
    status, headers, body = request(hostile, path=path, headers={"Host": "attacker.example", "Accept": "text/turtle"})
    assert status == 200
    assert b"attacker.example" in body
    assert "host" in [v.strip().lower() for v in headers.get("vary", "").split(",")], headers


def test_406_is_decided_before_the_query_runs(hostile):
    started = time.monotonic()
    status, _, body = request(hostile, CROSS_PRODUCT, client="127.0.0.11", headers={"Accept": "text/turtle"})
    print(f"\n  unacceptable SELECT: {status} after {time.monotonic() - started:.3f} s")
    assert status == 406, body[:200]  # had it run, the cross product would have got its 503


def test_head_is_answered_like_get_without_a_body(hostile):
    get = request(hostile, "SELECT ?s WHERE { ?s a ?c } LIMIT 3", client="127.0.0.12")
    head = request(hostile, "SELECT ?s WHERE { ?s a ?c } LIMIT 3", method="HEAD", client="127.0.0.12")
    assert get[0] == head[0] == 200
    assert head[2] == b""
    for name in ("content-type", "etag", "content-length", "x-sparql-rows"):
        assert head[1][name] == get[1][name], name


# --- item 6: every check that parses the query runs inside the deadline ----------------------

def test_service_screen_runs_inside_the_deadline(hostile):
    """rdflib takes ~20 s on this 19 KB query (an IN list, and the word "service" in a comment)."""
    slow = "# service\nSELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ",".join(map(str, range(4000))) + ")) }"
    before = hostile.settled_workers(WORKERS)
    started = time.monotonic()
    status, headers, body = request(hostile, slow, method="POST", client="127.0.0.4",
                                    headers={"X-SPARQL-Timeout": "1"})
    print(f"\n  19 KB query mentioning service, timeout 1 s: {status} after {time.monotonic() - started:.2f} s")
    assert status == 503 and b"deadline of 1 s" in body
    retired = time.monotonic()
    while hostile.worker_pids() >= before and time.monotonic() - retired < 30:
        time.sleep(0.1)  # the parse goes on until the server's own deadline, then its worker retires
    print(f"  its worker retired {time.monotonic() - started:.2f} s after the request (server deadline {TIMEOUT} s)")
    assert not hostile.worker_pids() >= before
    huge = "# service\n" + "SELECT * WHERE { ?s ?p ?o }\n#" + "x" * 729_000
    status, _, body = request(hostile, huge, method="POST", client="127.0.0.4")
    assert status == 400 and b"maxLength" in body
    assert_up(hostile)


# --- item 5: memory -------------------------------------------------------------------------

MEMORY_HUNGRY = {
    "GROUP_CONCAT of a cross product": "SELECT (GROUP_CONCAT(CONCAT(STR(?o1), STR(?o2), STR(?o3))) AS ?x) "
                                       "WHERE { ?s1 ?p1 ?o1 . ?s2 ?p2 ?o2 . ?s3 ?p3 ?o3 }",
    "ORDER BY over a cross product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i",
}


@pytest.mark.parametrize("name", list(MEMORY_HUNGRY))
def test_memory_hungry_query_ends_with_503_and_memory_stays_bounded(hostile, name):
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], resident_mib(hostile.worker_pids()))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with Bystanders(hostile) as others:
        started = time.monotonic()
        status, headers, body = request(hostile, MEMORY_HUNGRY[name], client="127.0.0.5")
        elapsed = time.monotonic() - started
    done.set()
    sampler.join()
    print(f"\n  {name}: {status} after {elapsed:.2f} s, peak worker RSS {peak[0]} MiB (cap {MAX_MEMORY_MIB}): "
          f"{body[:120]!r}")
    assert status == 503, body[:300]
    assert peak[0] < MAX_MEMORY_MIB * 2, peak[0]
    assert set(others.statuses) == {200}, others.statuses
    hostile.settled_workers(WORKERS)  # the worker over its cap is replaced (meanwhile it answers 503 + Retry-After)
    assert_up(hostile)


# Rows of about 8 KB: 500 rows (the row limit) would be about 4 MB, over the byte limit.
LONG_ROWS = ("SELECT (CONCAT(" + ", ".join(["STR(?o)"] * 256) + ") AS ?big) WHERE { ?s ?p ?o . ?x ?y ?z }")
# 2^15 copies of the longest literal (725 characters): one value of 23.7 MB, from a query of 500 bytes.
BIG_LITERAL = ("SELECT ?l WHERE { { SELECT ?o WHERE { ?s ?p ?o } ORDER BY DESC(STRLEN(STR(?o))) LIMIT 1 } "
               "BIND(STR(?o) AS ?a0) " + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(15))
               + " BIND(?a15 AS ?l) }")


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"])
def test_large_answers_are_cut_at_the_byte_limit_never_500(hostile, accept):
    for query in (LONG_ROWS, BIG_LITERAL):
        status, headers, body = request(hostile, query, client="127.0.0.6", headers={"Accept": accept})
        print(f"\n  {accept}: {status}, {len(body)} bytes, rows {headers.get('x-sparql-rows')}, "
              f"truncated {headers.get('x-sparql-truncated')}")
        assert status == 200, body[:300]
        assert headers["x-sparql-truncated"] == "true"
        assert headers["x-sparql-max-answer-bytes"] == str(MAX_ANSWER_BYTES)
        assert len(body) < 3 * MAX_ANSWER_BYTES
        assert int(headers["x-sparql-rows"]) < 500  # cut by bytes, not by the row limit
    assert_up(hostile)


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_a_value_over_16_mib_under_a_larger_byte_limit_is_cut_not_a_500(store_dir, accept):
    """pyoxigraph reads back TSV lines of at most 16 MiB (issue 9: a MemoryError, a 500, for JSON and XML)."""
    from spine_evidence.web import AppConfig, create_app

    app = create_app(AppConfig(store_path=store_dir, timeout=30, max_answer_bytes=64 << 20, max_memory=0))
    response = app.test_client().post("/sparql", data=BIG_LITERAL, headers={"Accept": accept,
                                                                           "Content-Type": "application/sparql-query"})
    assert response.status_code == 200, response.text[:300]
    assert response.headers["X-SPARQL-Truncated"] == "true" and response.headers["X-SPARQL-Rows"] == "0"


# --- item 4: admission ----------------------------------------------------------------------

# The query runner's words when it does not admit a query (nothing is run): a client over its cap,
# a full queue, a worker being replaced.
NOT_ADMITTED = (b"this client already has", b"the queue of", b"being replaced")


def not_admitted(status: int, body: bytes) -> bool:
    """Whether an answer says its query was refused on arrival rather than run until a deadline."""
    return status in (429, 503) and any(words in body for words in NOT_ADMITTED)


def test_heavy_queries_are_admitted_up_to_the_caps_and_small_ones_keep_being_answered(hostile):
    """10 heavy queries from one client and 12 from six others, at once, against 2 workers × (4 threads + 2 waiting).

    At most 12 are admitted (they run, or wait, until the 6 s deadline); every other one is refused on
    arrival: 429 past the client's cap of 2 per worker, 503 when the worker's threads and queue are full,
    both with Retry-After. Queries answered inline keep being answered by both workers meanwhile.
    gunicorn's sync workers take one request each and admit nothing: heavy queries wait in the listen
    backlog there, small ones behind them, so this defence is granian's only.
    """
    if hostile.server == "gunicorn":
        pytest.skip("gunicorn's sync workers serve one request at a time: no admission caps, no queue to refuse from")
    senders = [f"127.0.2.{i}" for i in range(6) for _ in range(2)] + ["127.0.0.8"] * 10
    with Bystanders(hostile) as inline, Bystanders(hostile, SMALL_THREADED, "127.0.0.7") as threaded:
        with ThreadPoolExecutor(len(senders)) as pool:
            heavy = list(pool.map(lambda client: request(hostile, CROSS_PRODUCT, client=client), senders))
    refused = [(status, headers) for status, headers, body in heavy if not_admitted(status, body)]
    ran = [body for status, _, body in heavy if not not_admitted(status, body)]
    print(f"\n  22 heavy queries: {len(refused)} refused on arrival, {len(ran)} admitted and ended at the deadline")
    assert all(status in (429, 503) for status, _, _ in heavy)
    assert len(refused) >= len(senders) - WORKERS * 6, [status for status, _ in refused]
    assert all("retry-after" in headers for _, headers in refused)
    assert all(b"deadline" in body for body in ran), ran
    assert [status for status, _, _ in heavy[-10:]].count(429) + \
        sum(1 for status, _, body in heavy[-10:] if b"queue" in body) >= 10 - WORKERS * 2
    assert set(inline.statuses) == {200}
    assert set(threaded.statuses) <= {200, 429, 503}, threaded.statuses
    hostile.settled_workers(WORKERS)
    assert_up(hostile)


def test_one_client_gets_429_past_its_cap_even_when_its_deadlines_passed(hostile):
    """A query whose client deadline passed still counts against the client's cap until it really ends."""
    with ThreadPoolExecutor(5) as pool:
        replies = list(pool.map(lambda _: request(hostile, CROSS_PRODUCT, params={"timeout": "1"},
                                                  client="127.0.0.14"), range(5)))
    statuses = sorted(status for status, _, _ in replies)
    print(f"\n  5 heavy queries with timeout=1 from one client: {statuses}")
    assert 429 in statuses and set(statuses) <= {429, 503}, statuses  # 2 per worker, 2 workers: 4 at most
    assert all("retry-after" in headers for status, headers, _ in replies if status == 429)
    assert all(b"server's deadline" in body for status, _, body in replies if status == 503)
    assert_up(hostile)
