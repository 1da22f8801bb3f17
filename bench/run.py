"""Run the benchmark: our endpoint beside Oxigraph server, rdflib-endpoint and Virtuoso.

For each size: make the corpus, time ``build`` and ``validate`` on it, load it into every
server, time their start, count every query's rows on each, then measure latency at
concurrency 1 and throughput at concurrency 8 (wrk), servers interleaved A B A B. Writes
``bench/RESULTS.md`` and ``results.json`` in the work folder. Servers are stopped at the
end, on error and on Ctrl-C / SIGTERM.

``ours-before`` serves the same store with the code of an earlier revision (``--before``,
default the issue-10 base), so one run shows a change before and after, against Oxigraph.

Example::

    python -m bench.run --sizes 10k,100k
    python -m bench.run --sizes 10k --quick --servers ours,oxigraph
    python -m bench.run --sizes 1m --servers oxigraph,ours,ours-before --no-tools
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import measure, mix, report
from bench.corpus import corpus, parse_size, parse_sizes
from bench.install import install
from bench.load import wrk_available
from bench.servers import BEFORE_REVISION, CACHE, SERVERS, OursBefore, Server
from bench.tools import tool_times

DEFAULT_SERVERS = "oxigraph,ours,ours-cached,rdflib-endpoint,virtuoso"
LOAD_GENERATOR = ("load generator: wrk (C, event loop), 1 thread, 8 keep-alive connections, cycling "
                  "through the rendered queries (bench/load.py); it drives Oxigraph server "
                  "on the tiny query here (36-39k req/s in these runs), above FIELD-NOTES' 24k-35k, "
                  "so it is not the bottleneck")


def corpus_for(size: str, seed: int, workdir: Path) -> tuple[Path, dict[str, Any]]:
    """The corpus of ``size`` (made unless already there for this seed and sources)."""
    path = workdir / f"corpus-{size}-seed{seed}.nt"
    described = Path(str(path) + ".json")
    if not (path.exists() and described.exists()):
        corpus(parse_size(size), seed, path)
    return path, json.loads(described.read_text())


def start_servers(names: list[str], corpus_file: Path, workdir: Path,
                  budget: measure.Budget) -> tuple[list[Server], dict[str, dict[str, Any]]]:
    """Load and start every available server; return those running and what each cost."""
    running: list[Server] = []
    facts: dict[str, dict[str, Any]] = {}
    for name in names:
        server = SERVERS[name](workdir)
        why = server.available()
        if why:
            print(f"  {name}: not run: {why}", flush=True)
            facts[name] = {"error": why}
            continue
        try:
            load_s = server.load(corpus_file)
            load_peak, server.peak_rss = server.peak_rss, 0
            ready = []
            for run in range(budget.ready_runs):
                ready.append(server.start())
                if run < budget.ready_runs - 1:
                    server.stop()
        except RuntimeError as error:
            server.stop()
            print(f"  {name}: failed: {error}", flush=True)
            facts[name] = {"error": str(error)[:200]}
            continue
        facts[name] = {"load_s": load_s, "ready_s": sorted(ready)[len(ready) // 2],
                       "load_peak_rss_mb": load_peak / 2**20 or None}
        print(f"  {name}: load {load_s or 0:.2f} s, ready {facts[name]['ready_s']:.2f} s", flush=True)
        running.append(server)
    return running, facts


def measure_size(size: str, args: argparse.Namespace, names: list[str]) -> dict[str, Any]:
    """Everything measured at one corpus size."""
    budget = measure.QUICK if args.quick else measure.FULL
    workdir = args.workdir / size
    workdir.mkdir(parents=True, exist_ok=True)
    corpus_file, description = corpus_for(size, args.seed, args.workdir)
    print(f"{size}: {description['triple_lines']:,} triples, {description['documents']} documents", flush=True)
    tools = {} if args.no_tools else tool_times(corpus_file, workdir, parse_size(size), args.quick)
    queries = [q for q in mix.all_queries() if not args.queries or q.name in args.queries or q.name == mix.TINY]
    texts = mix.rendered(queries, mix.parameter_sets(args.seed, description["documents"]))
    servers, facts = start_servers(names, corpus_file, workdir, budget)
    try:
        rows = measure.row_counts(servers, queries, texts)
        latency = measure.latencies(servers, queries, texts, budget, rows)
        everything = [t for q in queries for t in texts[q.name]]
        tput = measure.throughputs(servers, texts[mix.TINY], everything, budget, workdir / "wrk")
    finally:
        for server in servers:
            server.stop()
    for server in servers:
        facts[server.name].update(peak_rss_mb=server.peak_rss / 2**20, peak_pss_mb=server.peak_pss / 2**20 or None,
                                  peak_uss_mb=server.peak_uss / 2**20 or None)
    return {"size": size, "corpus": description, "servers_order": names, "servers": facts, "tools": tools,
            "rows": rows, "latency": latency, "throughput": tput}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k", help="corpus sizes, e.g. 10k,100k,1m")
    parser.add_argument("--servers", default=DEFAULT_SERVERS, help=f"comma-separated, of: {', '.join(SERVERS)}")
    parser.add_argument("--quick", action="store_true", help="one short round: a smoke run, not a measurement")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=CACHE / "run")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md")
    parser.add_argument("--no-install", action="store_true", help="do not install missing peers")
    parser.add_argument("--no-tools", action="store_true", help="skip timing build and validate")
    parser.add_argument("--before", default=BEFORE_REVISION,
                        help=f"the git revision ours-before serves (default {BEFORE_REVISION}, the issue-10 base)")
    parser.add_argument("--queries", type=lambda text: {n.strip() for n in text.split(",") if n.strip()},
                        default=set(), help="measure only these queries (comma-separated names; the tiny query always)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.run``: measure, write RESULTS.md; exit 2 on bad options."""
    args = parse_args(argv)
    names = [n.strip() for n in args.servers.split(",") if n.strip()]
    unknown = [n for n in names if n not in SERVERS]
    try:
        sizes = parse_sizes(args.sizes)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if unknown or "oxigraph" not in names:
        print(f"error: unknown server(s) {unknown} or oxigraph missing (every ratio is to it)", file=sys.stderr)
        return 2
    OursBefore.revision = args.before
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    problems: dict[str, str] = {} if args.no_install else install(names)
    for name, why in problems.items():
        print(f"  not installed: {name}: {why}", flush=True)
    if missing := wrk_available():
        print(f"error: {missing}", file=sys.stderr)
        return 2
    args.workdir.mkdir(parents=True, exist_ok=True)
    command = "python -m bench.run " + shlex.join(argv if argv is not None else sys.argv[1:])
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    results = []
    for size in sizes:
        results.append({**measure_size(size, args, names), "command": command, "date": date})
        (args.workdir / "results.json").write_text(json.dumps(results, indent=1))
        report.write(results, command, date, args.out, LOAD_GENERATOR)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
