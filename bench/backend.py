"""The backend benchmark (issue 12): the corpus published into Virtuoso 7, queried directly and through us.

For each size: make the corpus (``bench.corpus``) and our store of it
(``bench.servers.Ours.load``); start Virtuoso 7 on a fresh database and run
``spine-evidence publish`` into it (one named graph, Graph Store PUT, read-back
check; publish throughput in triples/s, and a second publish, which must send
nothing: the read-back check alone); restart Virtuoso with its packaged query
threads (it publishes with one: ``backend_servers.PublishedVirtuoso``); then start ``serve --backend`` over
Virtuoso and ``serve --store`` on our store, count every query's rows on the
three (they must agree), and time every query at concurrency 1 with the three
interleaved per query (``bench.measure.latencies``: each round visits
Virtuoso directly, ours over it, ours embedded in turn, so load from other
work on the machine falls on all alike). Writes its own section,
``## Backend``, into ``bench/RESULTS.md`` (replacing an earlier one), and
``backend.json`` in the work folder. Every server binds 127.0.0.1 and is
stopped at the end, on error and on Ctrl-C.

Engine-bound queries: those Virtuoso itself answers in at least 10 ms (p50,
``bench.targets.ENGINE_BOUND_MS``): there its engine's time dominates the
fixed cost of an HTTP request; our layer's overhead is their p50 through
``serve --backend`` over their p50 on Virtuoso directly.

Example::

    python -m bench.backend --sizes 1m
    python -m bench.backend --sizes 1m,10m --queries group-by-outcome,readme-08
    python -m bench.backend --sizes 10k --quick
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import backend_report, measure, mix
from bench.backend_publish import publish_corpus
from bench.backend_servers import OursEmbedded, OursOverBackend, PublishedVirtuoso
from bench.corpus import parse_size
from bench.run import corpus_for
from bench.servers import CACHE, Ours, Server

# Per query: 5 rounds of the three servers in turn, each batch ≥ 5 requests or 0.5 s (≤ 100 requests).
BUDGET = measure.Budget(rounds=5, batch_seconds=0.5, min_requests=5, max_requests=100, wrk_seconds=0, ready_runs=1)
QUICK = measure.Budget(rounds=2, batch_seconds=0.2, min_requests=3, max_requests=30, wrk_seconds=0, ready_runs=1)
PUBLISH_TIMEOUT_S = {"default": 1200.0, "10m": 3600.0}


def stamp(message: str) -> None:
    """A progress line with the time of day."""
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def our_store(corpus_file: Path, workdir: Path) -> tuple[Path, float | None]:
    """Our store of the corpus (made unless the work folder has it): its path and the seconds taken."""
    maker = Ours(workdir)
    store = maker.workdir / "store"
    if (store / "CURRENT").exists() and (store.parent / "build.json").exists():
        return store, None
    seconds = maker.load(corpus_file)
    return store, seconds


def measure_size(size: str, args: argparse.Namespace) -> dict[str, Any]:
    """Everything measured at one corpus size (servers stopped before it returns)."""
    budget = QUICK if args.quick else BUDGET
    workdir = args.workdir / size
    workdir.mkdir(parents=True, exist_ok=True)
    corpus_file, description = corpus_for(size, args.seed, args.workdir)
    stamp(f"{size}: {description['triple_lines']:,} triples, {description['documents']} documents")
    store, store_s = our_store(corpus_file, workdir)
    stamp(f"  our store: {store} ({'made in ' + format(store_s, '.1f') + ' s' if store_s else 'already made'})")
    virtuoso = PublishedVirtuoso(workdir)
    virtuoso.fresh()
    running: list[Server] = []
    try:
        virtuoso.start()
        running.append(virtuoso)
        timeout = PUBLISH_TIMEOUT_S.get(size, PUBLISH_TIMEOUT_S["default"])
        first = publish_corpus(store, virtuoso, workdir / "publish.log", timeout).summary()
        stamp(f"  publish: exit {first['exit_code']}, {first['seconds']:.1f} s, {first['triples_per_s'] or 0:,.0f} "
              f"triples/s, peak {first['peak_rss_mb']:.0f} MB")
        if first["exit_code"] != 0:
            raise RuntimeError(f"publish failed: {first['lines'][-3:]}")
        again = publish_corpus(store, virtuoso, workdir / "publish.log", timeout).summary()
        stamp(f"  publish again: exit {again['exit_code']}, {again['seconds']:.1f} s, unchanged {again['unchanged']}")
        stamp(f"  virtuoso restarted with its packaged query threads in {virtuoso.restart_for_queries():.1f} s")
        servers = start_queried(virtuoso, store, workdir, running)
        queries = [q for q in mix.all_queries() if not args.queries or q.name in args.queries or q.name == mix.TINY]
        texts = mix.rendered(queries, mix.parameter_sets(args.seed, description["documents"]))
        stamp(f"  rows of {len(queries)} queries")
        rows = measure.row_counts(servers, queries, texts)
        stamp(f"  latency at concurrency 1, {budget.rounds} rounds interleaved")
        latency = measure.latencies(servers, queries, texts, budget)
    finally:
        for server in reversed(running):
            server.stop()
    return {"size": size, "corpus": description, "store_seconds": store_s, "publish": first, "publish_again": again,
            "servers_order": [s.name for s in servers], "rows": rows, "latency": latency,
            "peak_rss_mb": {s.name: s.peak_rss / 2**20 for s in servers}, "budget": budget.__dict__}


def start_queried(virtuoso: PublishedVirtuoso, store: Path, workdir: Path, running: list[Server]) -> list[Server]:
    """Start ours over Virtuoso and ours embedded (added to ``running``); the three servers in measuring order."""
    backend = OursOverBackend(workdir, virtuoso.sparql_url)
    embedded = OursEmbedded(workdir)
    embedded.use_store(store)
    for server in (backend, embedded):
        seconds = server.start()
        running.append(server)
        stamp(f"  {server.name}: ready in {seconds:.2f} s")
    return [virtuoso, backend, embedded]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.backend", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1m", help="corpus sizes, e.g. 1m,10m")
    parser.add_argument("--quick", action="store_true", help="two short rounds: a smoke run, not a measurement")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=CACHE / "backend")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md",
                        help="the results file whose '## Backend' section is written (created when absent)")
    parser.add_argument("--queries", type=lambda text: {n.strip() for n in text.split(",") if n.strip()},
                        default=set(), help="measure only these queries (comma-separated names; the tiny query always)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.backend``: measure, write the Backend section; exit 2 on bad options or a missing peer."""
    args = parse_args(argv)
    try:
        sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
        [parse_size(s) for s in sizes]
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for why in (PublishedVirtuoso.available(), OursOverBackend.available()):
        if why:
            print(f"error: {why}", file=sys.stderr)
            return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.workdir.mkdir(parents=True, exist_ok=True)
    command = "python -m bench.backend " + shlex.join(argv if argv is not None else sys.argv[1:])
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    results = []
    for size in sizes:
        results.append(measure_size(size, args))
        (args.workdir / "backend.json").write_text(json.dumps(results, indent=1))
        backend_report.write(results, command, date, args.out)
    stamp(f"wrote the Backend section of {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
