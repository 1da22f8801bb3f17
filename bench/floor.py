"""The floor under our request path: what granian and pyoxigraph cost before any of our code runs.

Starts, one at a time and in interleaved rounds, on the stores a ``bench.run`` left in its
work folder: Oxigraph server; granian (one worker) with a WSGI app that returns a fixed body;
granian with a minimal pyoxigraph app (``store.query(text).serialize(JSON)``); the same
through a TSV round trip (what a row limit needs in general); ``spine-evidence serve
--workers 1``; and, with ``--before``, the same at an earlier revision (``bench.servers``'s
``ours-before`` code). Each answers ``--requests`` tiny queries at concurrency 1 over one
keep-alive connection; printed: p50 latency and the CPU time of the server's whole process
tree per request (``/proc/PID/task/*/schedstat``), medians over the rounds.

Example::

    python -m bench.run --sizes 1m --servers oxigraph,ours,ours-before --no-tools
    python -m bench.floor --size 1m --before
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from bench import mix
from bench.servers import CACHE, OUR_COMMAND, OursBefore
from spine_evidence.processes import free_port, spawn_in_session, stop_group, wait_until_answers

TRIVIAL_APP = '''
def app(environ, start_response):
    body = b'{"head":{"vars":["number"]},"results":{"bindings":[]}}'
    start_response("200 OK", [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(body)))])
    return [body]
'''
PYOXIGRAPH_APP = '''
import os
from urllib.parse import parse_qs
import pyoxigraph as ox
store = ox.Store.read_only(os.environ["FLOOR_STORE"])
JSON, TSV = ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.TSV
def app(environ, start_response):
    solutions = store.query(parse_qs(environ["QUERY_STRING"])["query"][0])
    if os.environ.get("FLOOR_TSV"):
        body = ox.parse_query_results(solutions.serialize(format=TSV), format=TSV).serialize(format=JSON)
    else:
        body = solutions.serialize(format=JSON)
    start_response("200 OK", [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(body)))])
    return [body]
'''
GRANIAN = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--workers", "1",
           "--blocking-threads", "32", "--http", "1"]
Command = Callable[[int], list[str]]


def tree_cpu_seconds(pid: int) -> float:
    """CPU time so far of every thread of ``pid`` and its descendants (Linux ``/proc``)."""
    total, pending = 0, [pid]
    while pending:
        for task in Path(f"/proc/{pending.pop()}/task").glob("*"):
            try:
                total += int((task / "schedstat").read_text().split()[0])
                pending += [int(child) for child in (task / "children").read_text().split()]
            except (OSError, ValueError, IndexError):
                continue
    return total / 1e9


def measure(command: list[str], path: str, env: dict[str, str], folder: Path, texts: list[str],
            requests: int) -> tuple[float, float]:
    """p50 (ms) and CPU µs per request of one server answering ``texts`` in turn at concurrency 1."""
    port = free_port()
    process = spawn_in_session([part.replace("{port}", str(port)) for part in command], folder / "floor.log",
                               env, cwd=folder)
    try:
        wait_until_answers(process, f"http://127.0.0.1:{port}{path}", 120, folder / "floor.log")
        paths = [f"{path}?{urlencode({'query': text})}" for text in texts]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Accept": "application/sparql-results+json"}
        for n in range(200):  # warm-up
            connection.request("GET", paths[n % len(paths)], headers=headers)
            connection.getresponse().read()
        started_cpu, seconds = tree_cpu_seconds(process.pid), []
        for n in range(requests):
            started = time.perf_counter()
            connection.request("GET", paths[n % len(paths)], headers=headers)
            connection.getresponse().read()
            seconds.append(time.perf_counter() - started)
        cpu = (tree_cpu_seconds(process.pid) - started_cpu) / requests
        connection.close()
        return 1000 * statistics.median(seconds), 1e6 * cpu
    finally:
        stop_group(process)


def servers(workdir: Path, before: bool) -> dict[str, tuple[list[str], str, dict[str, str]]]:
    """Name → (command with ``{port}``, path, environment) of every server measured."""
    ours_store, ox_store = workdir / "ours" / "store", workdir / "oxigraph" / "store"
    ours = [*OUR_COMMAND, "serve", "--host", "127.0.0.1", "--port", "{port}", "--store", str(ours_store),
            "--cache-bytes", "0", "--workers", "1"]
    found = {
        "Oxigraph server": (["oxigraph", "serve-read-only", "--location", str(ox_store), "--bind", "127.0.0.1:{port}"],
                            "/query", {}),
        "granian, a WSGI app with a fixed body": ([*GRANIAN, "--port", "{port}", "trivial:app"], "/sparql", {}),
        "granian + pyoxigraph, JSON": ([*GRANIAN, "--port", "{port}", "minimal:app"], "/sparql",
                                       {"FLOOR_STORE": str(ours_store)}),
        "granian + pyoxigraph, TSV round trip": ([*GRANIAN, "--port", "{port}", "minimal:app"], "/sparql",
                                                 {"FLOOR_STORE": str(ours_store), "FLOOR_TSV": "1"}),
        "ours (serve --workers 1)": (ours, "/sparql", {}),
    }
    if before:
        code = OursBefore(workdir).code()
        found[f"ours at {OursBefore.revision}"] = (ours, "/sparql", {"PYTHONPATH": str(code)})
    return found


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.floor``: print the table; exit 2 when the stores are missing."""
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1m", help="the corpus size whose stores bench.run made")
    parser.add_argument("--workdir", type=Path, default=CACHE / "run", help="bench.run's work folder")
    parser.add_argument("--before", action="store_true", help="also the ours-before revision")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1500, help="requests per server per round")
    args = parser.parse_args(argv)
    workdir = args.workdir / args.size
    described = sorted(args.workdir.glob(f"corpus-{args.size}-seed*.nt.json"))
    if not (workdir / "ours" / "store" / "CURRENT").exists() or not (workdir / "oxigraph" / "store").exists() \
            or not described:
        print(f"error: no stores of a bench.run at {args.size} in {args.workdir}", file=sys.stderr)
        return 2
    documents = int(json.loads(described[0].read_text())["documents"])
    query = next(q for q in mix.all_queries(with_readme=False) if q.name == mix.TINY)
    texts = [query.render(values) for values in mix.parameter_sets(1, documents)]
    results: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as temporary:
        folder = Path(temporary)
        (folder / "trivial.py").write_text(TRIVIAL_APP)
        (folder / "minimal.py").write_text(PYOXIGRAPH_APP)
        table = servers(workdir, args.before)
        for _ in range(args.rounds):
            for name, (command, path, env) in table.items():
                results.setdefault(name, []).append(measure(command, path, env, folder, texts, args.requests))
    print(f"tiny query at concurrency 1, {args.size}, medians of {args.rounds} rounds of {args.requests} requests")
    print("| server | p50 ms | CPU µs per request |\n|---|---|---|")
    for name, rounds in results.items():
        p50, cpu = statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)
        print(f"| {name} | {p50:.3f} | {cpu:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
