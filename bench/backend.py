"""The backend benchmark (issue 12): the corpus published into Virtuoso 7, queried directly and through us.

For each size: make the corpus (``bench.corpus``) and our store of it, in
named graphs of at most ``--graph-triples`` (default 500,000: Virtuoso reads
back no larger graph, and a query naming more than ~47 graphs gets more
response headers than Python's http.client reads); start Virtuoso 7 on a
fresh database and run ``spine-evidence publish`` into it (Graph Store PUT of
each graph, read-back check; publish throughput in triples/s, and a second
publish, which must send nothing: the read-back check alone); Virtuoso
publishes with one query thread and its loader on the request's thread (in
one transaction: with the packaged threads large PUTs deadlock or keep part
of the graph; ``backend_servers.PublishedVirtuoso`` says what was measured)
and is restarted with its packaged threads for the queries; then start ``serve --backend`` over
Virtuoso and ``serve --store`` on our store, count every query's rows on the
three (they must agree), and time every query at concurrency 1 with the three
interleaved per query (``bench.measure.latencies``: each round visits
Virtuoso directly, ours over it, ours embedded in turn, so load from other
work on the machine falls on all alike). Each size's results (with its
command and date) are kept in ``backend.json`` in the work folder, a run
replacing only the sizes it measured, and the ``## Backend`` section of
``bench/RESULTS.md`` is written from every size kept there. ``--publish-only``
stops after the publishes (nothing written but ``publish-only.json`` in the
size's folder, Virtuoso's database checkpointed, after the second publish
found it holding the build, and kept); ``--published`` then measures the
queries on that database, unchanged since (the report names the run that
published); ``--no-embedded`` leaves out ``serve --store`` (the report says
so). Every server binds 127.0.0.1 and is stopped at the end, on error
and on Ctrl-C.

Engine-bound queries: those Virtuoso itself answers in at least 10 ms (p50,
``bench.targets.ENGINE_BOUND_MS``): there its engine's time dominates the
fixed cost of an HTTP request; our layer's overhead is their p50 through
``serve --backend`` over their p50 on Virtuoso directly.

Example::

    python -m bench.backend --sizes 1m
    python -m bench.backend --sizes 10m --publish-only
    python -m bench.backend --sizes 10m --published --no-embedded --rounds 3
    python -m bench.backend --sizes 1m,10m --queries group-by-outcome,readme-08
    python -m bench.backend --sizes 10k --quick
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import shlex
import shutil
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import backend_report, measure, mix
from bench.backend_publish import publish_corpus
from bench.backend_servers import GRAPH_TRIPLES, OursEmbedded, OursOverBackend, PublishedVirtuoso, part_graphs
from bench.corpus import parse_sizes
from bench.processes import run_bounded
from bench.run import corpus_for
from bench.servers import CACHE, Server

# Per query: 5 rounds of the three servers in turn, each batch ≥ 5 requests or 0.5 s (≤ 100 requests).
BUDGET = measure.Budget(rounds=5, batch_seconds=0.5, min_requests=5, max_requests=100, wrk_seconds=0, ready_runs=1)
QUICK = measure.Budget(rounds=2, batch_seconds=0.2, min_requests=3, max_requests=30, wrk_seconds=0, ready_runs=1)
PUBLISH_TIMEOUT_S = {"default": 1200.0, "10m": 3600.0}
PUBLISH_ONLY = "publish-only.json"  # in the size's folder: what a --publish-only run published


def stamp(message: str) -> None:
    """A progress line with the time of day."""
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def our_store(corpus_file: Path, workdir: Path,
              graph_triples: int) -> tuple[Path, list[tuple[str, Path]], float | None]:
    """Our store of the corpus in graphs of at most ``graph_triples`` lines (made unless there): path, parts, seconds.

    Each part is a file of consecutive lines of the corpus (its header, with
    every blank node, in the first) loaded into its own named graph and, merged,
    into the default graph (``spine_evidence.store.load``), as one graph is.
    The store of each graph size has its own folder.
    """
    folder = workdir / f"ours-graphs-of-{graph_triples}"
    store = folder / "store"
    parts_dir = folder / "parts"
    parts = [(graph, parts_dir / f"part-{n}.nt") for n, graph in
             enumerate(part_graphs(len(list(parts_dir.glob("part-*.nt")))), 1)] if parts_dir.is_dir() else []
    if parts and (store / "CURRENT").exists() and (folder / "build.json").exists():
        return store, parts, None
    shutil.rmtree(folder, ignore_errors=True)
    parts_dir.mkdir(parents=True)
    started = time.perf_counter()
    with corpus_file.open("rb") as source:
        chunk = list(itertools.islice(source, graph_triples))
        while chunk:
            (parts_dir / f"part-{len(parts) + 1}.nt").write_bytes(b"".join(chunk))
            parts.append((part_graphs(len(parts) + 1)[-1], parts_dir / f"part-{len(parts) + 1}.nt"))
            chunk = list(itertools.islice(source, graph_triples))
    script = ("import sys; from pathlib import Path; from spine_evidence.store import load; "
              "load(Path(sys.argv[1]), list(zip(sys.argv[2::2], map(Path, sys.argv[3::2]))))")
    run_bounded([sys.executable, "-c", script, str(store), *[str(x) for part in parts for x in part]], 3600,
                folder / "load.log")
    return store, parts, time.perf_counter() - started


def measure_size(size: str, args: argparse.Namespace) -> dict[str, Any]:
    """Everything measured at one corpus size (servers stopped before it returns)."""
    budget = QUICK if args.quick else BUDGET
    if args.rounds:
        budget = dataclasses.replace(budget, rounds=args.rounds)
    workdir = args.workdir / size
    workdir.mkdir(parents=True, exist_ok=True)
    corpus_file, description = corpus_for(size, args.seed, args.workdir)
    stamp(f"{size}: {description['triple_lines']:,} triples, {description['documents']} documents")
    store, parts, store_s = our_store(corpus_file, workdir, args.graph_triples)
    made = f"made in {store_s:.1f} s" if store_s else "already made"
    stamp(f"  our store: {store}, {len(parts)} graphs ({made})")
    virtuoso = PublishedVirtuoso(workdir)
    virtuoso.graphs = tuple(sorted(graph for graph, _ in parts))  # in IRI order, as ours names them
    if args.published:
        virtuoso.publishing = False  # started once, with its packaged query threads
    else:
        virtuoso.fresh()
    running: list[Server] = []
    try:
        virtuoso.start()
        running.append(virtuoso)
        if args.published:
            published_result = earlier_publish(workdir / PUBLISH_ONLY)
        else:
            attempts, bulk_s = published(store, parts, virtuoso, workdir, size, args.publish_attempts)
            first = attempts[-1]
            if first["exit_code"] != 0:
                raise RuntimeError(f"publish failed: {first['lines'][-3:]}")
            published_result = {"size": size, "corpus": description, "graphs": len(parts),
                                "graph_triples": args.graph_triples, "store_seconds": store_s,
                                "publish_attempts": attempts, "bulk_load_seconds": bulk_s, "publish": first}
            again = publish_corpus(store, virtuoso, workdir / "publish.log", publish_timeout(size)).summary()
            stamp(f"  publish again: exit {again['exit_code']}, {again['seconds']:.1f} s, "
                  f"unchanged {again['unchanged']}")
            published_result["publish_again"] = again
        if args.publish_only:
            virtuoso.isql("checkpoint;", 1800)  # so that a --published run starts without replaying the log
            return published_result
        if not args.published:
            stamp(f"  virtuoso restarted with its packaged query threads in {virtuoso.restart_for_queries():.1f} s")
        servers = start_queried(virtuoso, store, workdir, running, embedded=not args.no_embedded)
        queries = [q for q in mix.all_queries() if not args.queries or q.name in args.queries or q.name == mix.TINY]
        texts = mix.rendered(queries, mix.parameter_sets(args.seed, description["documents"]))
        stamp(f"  rows of {len(queries)} queries")
        rows = measure.row_counts(servers, queries, texts)
        stamp(f"  latency at concurrency 1, {budget.rounds} rounds interleaved")
        latency = measure.latencies(servers, queries, texts, budget, rows)
    finally:
        for server in reversed(running):
            server.stop()
    return {**published_result, "servers_order": [s.name for s in servers], "rows": rows, "latency": latency,
            "peak_rss_mb": {s.name: s.peak_rss / 2**20 for s in servers}, "budget": budget.__dict__}


def earlier_publish(saved: Path) -> dict[str, Any]:
    """The publish figures a ``--publish-only`` run saved, with its command and date as ``published_by``."""
    earlier = json.loads(saved.read_text())
    keys = ("size", "corpus", "graphs", "graph_triples", "store_seconds", "publish_attempts", "bulk_load_seconds",
            "publish", "publish_again")
    return {**{key: earlier[key] for key in keys}, "published_by": {"command": earlier["command"],
                                                                    "date": earlier["date"]}}


def check_published(saved: Path, graph_triples: int) -> None:
    """``ValueError`` unless a ``--publish-only`` run saved ``saved`` for graphs of ``graph_triples``."""
    if not saved.exists():
        raise ValueError(f"--published: no {saved}; run with --publish-only first")
    earlier = json.loads(saved.read_text()).get("graph_triples")
    if earlier != graph_triples:
        raise ValueError(f"--published: {saved} is of graphs of {earlier} triples, not {graph_triples}")


def publish_timeout(size: str) -> float:
    """The time one publish of ``size`` may take."""
    return PUBLISH_TIMEOUT_S.get(size, PUBLISH_TIMEOUT_S["default"])


def published(store: Path, parts: list[tuple[str, Path]], virtuoso: PublishedVirtuoso, workdir: Path, size: str,
              attempts: int) -> tuple[list[dict[str, Any]], float | None]:
    """Publish until it succeeds, at most ``attempts`` times; every attempt's summary, and the bulk load's seconds.

    Virtuoso's graph-crud PUT of a large graph may fail (500, deadlock) or
    keep part of it (publish's read-back check then fails): each attempt is
    kept and reported. When none succeeds, the corpus is loaded with
    Virtuoso's bulk loader (``ld_dir``) and publish runs once more: it finds
    the graph isomorphic and sends only the publication record, so that the
    queries can be measured; the report says so.
    """
    runs: list[dict[str, Any]] = []
    for attempt in range(1, attempts + 1):
        runs.append(publish_corpus(store, virtuoso, workdir / "publish.log", publish_timeout(size)).summary())
        last = runs[-1]
        stamp(f"  publish {attempt}: exit {last['exit_code']}, {last['seconds']:.1f} s, "
              f"{last['triples_per_s'] or 0:,.0f} triples/s, peak {last['peak_rss_mb']:.0f} MB: {last['lines'][-1:]}")
        if last["exit_code"] == 0:
            return runs, None
    bulk_s = virtuoso.bulk_load(parts)
    stamp(f"  bulk-loaded with ld_dir in {bulk_s:.1f} s; publish again (the record only)")
    runs.append(publish_corpus(store, virtuoso, workdir / "publish.log", publish_timeout(size)).summary())
    return runs, bulk_s


def start_queried(virtuoso: PublishedVirtuoso, store: Path, workdir: Path, running: list[Server],
                  embedded: bool = True) -> list[Server]:
    """Start ours over Virtuoso and ours embedded (unless not ``embedded``); the servers in measuring order.

    Each server started is added to ``running`` as soon as it runs, so the
    caller stops it whatever happens next.
    """
    backend = OursOverBackend(workdir, virtuoso.sparql_url)
    started: list[Server] = [backend]
    if embedded:
        ours = OursEmbedded(workdir)
        ours.use_store(store)
        started.append(ours)
    for server in started:
        seconds = server.start()
        running.append(server)
        stamp(f"  {server.name}: ready in {seconds:.2f} s")
    return [virtuoso, *started]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.backend", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1m", help="corpus sizes, e.g. 1m,10m")
    parser.add_argument("--quick", action="store_true", help="two short rounds: a smoke run, not a measurement")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=CACHE / "backend")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md",
                        help="the results file whose '## Backend' section is written (created when absent)")
    parser.add_argument("--publish-attempts", type=int, default=2,
                        help="publishes tried before the bulk loader is used instead (default 2)")
    parser.add_argument("--graph-triples", type=int, default=GRAPH_TRIPLES,
                        help=f"triples per published named graph (default {GRAPH_TRIPLES:,})")
    parser.add_argument("--publish-only", action="store_true",
                        help="stop after the publishes: no queries, nothing written but publish-only.json")
    parser.add_argument("--published", action="store_true",
                        help="query the Virtuoso database a --publish-only run left (its publish figures reported)")
    parser.add_argument("--no-embedded", action="store_true",
                        help="leave out serve --store (ours embedded): Virtuoso directly and ours over it only")
    parser.add_argument("--rounds", type=int, default=0, help="rounds per query (default 5; --quick: 2)")
    parser.add_argument("--queries", type=lambda text: {n.strip() for n in text.split(",") if n.strip()},
                        default=set(), help="measure only these queries (comma-separated names; the tiny query always)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.backend``: measure, write the Backend section; exit 2 on bad options or a missing peer."""
    args = parse_args(argv)
    try:
        sizes = parse_sizes(args.sizes)
        if args.graph_triples < 1 or args.rounds < 0:
            raise ValueError("--graph-triples must be at least 1 and --rounds at least 0")
        if args.published and args.publish_only:
            raise ValueError("--published and --publish-only exclude each other")
        for size in sizes if args.published else []:
            check_published(args.workdir / size / PUBLISH_ONLY, args.graph_triples)
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
    for size in sizes:
        date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        result = {**measure_size(size, args), "command": command, "date": date}
        if args.publish_only:
            (args.workdir / size / PUBLISH_ONLY).write_text(json.dumps(result, indent=1))
            continue
        kept = backend_report.keep(result, args.workdir / "backend.json")
        backend_report.write(kept, args.out)
        stamp(f"wrote the Backend section of {args.out} ({', '.join(r['size'] for r in kept)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
