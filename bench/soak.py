"""Concurrency and fault soak of ``spine-evidence serve``: mixed hostile load for a while, then the figures.

Starts the server on a free 127.0.0.1 port on a store loaded from the
repository's ontology/ and graph/ (no reasoning), runs every kind of client
of ``bench/soak_load.py`` together for ``--seconds`` (ordinary small
queries, heavy queries past the deadline, malformed requests,
crashing-shape and memory-hungry queries, slow bodies and 1,000 idle
connections), stops the server by its PID, and prints: errors by kind
(unexpected statuses, refused connections, resets, client timeouts), p50
and p99 of the ordinary queries, worker restarts (PIDs seen, and what the
log says), and the graph checksum (``/health`` graph version and a COUNT of
all quads) before and after, which must be identical. Exit 0 when there was
no unexpected error and the checksums match, 1 otherwise. Run by hand; never
a timed test.

Example::

    python -m bench.soak
    python -m bench.soak --seconds 20 --server gunicorn
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import psutil

from bench.soak_load import KINDS, Tally, load_plan
from spine_evidence.processes import free_port, spawn_in_session, stop_group, wait_until_answers

ALL_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
SERVE = [sys.executable, "-m", "spine_evidence", "serve"]
LOG_EVENTS = ("retired itself", "crashed", "was ended", "exited with status", "still had requests in flight",
              "crash loop", "refused to gracefully stop", "SIGSEGV", "Traceback")
TARGET_P99_MS = 100


def make_store(folder: Path) -> Path:
    """A store of the repository's sources (as the tests make it), in ``folder``."""
    from spine_evidence.source_files import source_files, store_sources
    from spine_evidence.store import load

    path = folder / "store"
    load(path, store_sources(source_files()))
    return path


def checksum(port: int) -> tuple[str, int]:
    """The graph version from ``/health`` and the number of quads (default graph plus named graphs)."""
    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(f"{base}/health", timeout=30) as response:
        version = json.load(response)["graph_version"]
    request = urllib.request.Request(f"{base}/sparql?{urlencode({'query': ALL_QUADS})}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        count = int(json.load(response)["results"]["bindings"][0]["n"]["value"])
    return version, count


def watch_workers(pid: int, seen: set[int], done: threading.Event) -> None:
    """Collect the PIDs of the server's workers until ``done``."""
    while not done.wait(0.2):
        try:
            seen.update(child.pid for child in psutil.Process(pid).children())
        except psutil.Error:
            return


def run_load(port: int, seconds: float, plan: list[tuple]) -> Tally:
    """Run every loop of ``plan`` for ``seconds``; the tally once all have ended."""
    tally = Tally(until=time.monotonic() + seconds)
    threads = [threading.Thread(target=loop, args=(tally, port, index), daemon=True)
               for loop, count in plan for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 90)
    return tally


def report(tally: Tally, before: tuple, after: tuple, workers: int, pids: set[int], log: str) -> bool:
    """Print the figures; whether the soak passed (no unexpected error, same checksum)."""
    latencies = sorted(tally.latencies)
    print("\nstatuses by kind of client:")
    for kind, counter in sorted(tally.statuses.items()):
        print(f"  {kind:15} " + ", ".join(f"{code}: {n}" for code, n in sorted(counter.items())))
    print("unexpected errors by kind:" if tally.errors else "unexpected errors: none")
    for what, n in tally.errors.most_common():
        print(f"  {n:6}  {what}")
    if latencies:
        p50, p99 = statistics.median(latencies) * 1000, latencies[int(0.99 * (len(latencies) - 1))] * 1000
        verdict = "within" if p99 <= TARGET_P99_MS else "OVER"
        print(f"ordinary queries: {len(latencies)}, p50 {p50:.1f} ms, p99 {p99:.1f} ms ({verdict} {TARGET_P99_MS} ms), "
              f"max {latencies[-1] * 1000:.1f} ms")
    print(f"worker processes seen: {len(pids)} for {workers} workers: {max(0, len(pids) - workers)} restarts")
    for event in LOG_EVENTS:
        if log.count(event):
            print(f"  log: {log.count(event)} x '{event}'")
    print(f"graph checksum before: {before}, after: {after}: {'identical' if before == after else 'DIFFERENT'}")
    return not tally.errors and before == after


def client_counts(args: argparse.Namespace) -> dict[str, int]:
    """How many clients of each kind to run, from the options."""
    counts = {"ordinary": args.ordinary, "heavy": args.heavy, "malformed": 1, "crashing shape": 1,
              "memory hungry": 1, "slow": args.slow, "idle": args.idle}
    skipped = {kind.strip() for kind in args.skip.split(",") if kind.strip()}
    if skipped - set(KINDS):
        raise SystemExit(f"soak: unknown kind of client in --skip: {', '.join(sorted(skipped - set(KINDS)))}")
    return {kind: 0 if kind in skipped else count for kind, count in counts.items()}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=2, help="the server's query deadline (--timeout)")
    parser.add_argument("--ordinary", type=int, default=4, help="clients looping small queries")
    parser.add_argument("--heavy", type=int, default=2, help="clients looping queries past the deadline")
    parser.add_argument("--slow", type=int, default=16, help="slow request bodies held open")
    parser.add_argument("--idle", type=int, default=1000, help="idle connections held open")
    parser.add_argument("--skip", default="", help=f"kinds of client to leave out, comma-separated "
                                                     f"({', '.join(KINDS)})")
    parser.add_argument("--store", type=Path, default=None, help="a store folder (default: made from the sources)")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, args.idle + args.slow + 1024)), hard))
    with tempfile.TemporaryDirectory(prefix="spine-soak-") as work:
        folder = Path(work)
        store = args.store or make_store(folder)
        port = free_port()
        log = folder / "server.log"
        command = [*SERVE, "--port", str(port), "--store", str(store), "--server", args.server,
                   "--workers", str(args.workers), "--timeout", str(args.timeout)]
        process = spawn_in_session(command, log)
        pids: set[int] = set()
        done = threading.Event()
        try:
            wait_until_answers(process, f"http://127.0.0.1:{port}/sparql", 120, log)
            before = checksum(port)
            watcher = threading.Thread(target=watch_workers, args=(process.pid, pids, done), daemon=True)
            watcher.start()
            print(f"soak: {args.seconds:g} s against {args.server} ({args.workers} workers, deadline "
                  f"{args.timeout:g} s) on port {port}, PID {process.pid}")
            tally = run_load(port, args.seconds, load_plan(client_counts(args)))
            time.sleep(args.timeout + 1)  # let the last retirements finish
            after = checksum(port)
            alive = process.poll() is None
        finally:
            done.set()
            stop_group(process)
        text = log.read_text(errors="replace")
    if not alive:
        tally.errors["server exited during the soak"] += 1
    return 0 if report(tally, before, after, args.workers, pids, text) else 1


if __name__ == "__main__":
    sys.exit(main())
