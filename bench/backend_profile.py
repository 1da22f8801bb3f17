"""Where our layer's time goes over Virtuoso: per request, wall time and CPU of each side, and py-spy's top frames.

After ``python -m bench.backend --sizes SIZE`` (its Virtuoso database and
publication record stay in the work folder): start that Virtuoso with its
packaged query threads and ``serve --backend`` over it; for each query asked
for, send ``--requests`` requests at concurrency 1 to Virtuoso directly and
as many through ours, alternating (A B A B), and report the p50 of each,
the difference, and the CPU time per request of ours's process tree and of
Virtuoso's (``psutil``: user + system, children included). With
``--py-spy``, ours's workers are sampled while the queries go through it
(``py-spy record --gil``: Python holding the GIL, raw stacks) and the functions holding the
most samples (own time) are printed.

Example::

    python -m bench.backend_profile --size 1m --queries tiny-citation-number,readme-08 --py-spy
"""

from __future__ import annotations

import argparse
import collections
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import psutil  # type: ignore[import-untyped]

from bench import mix
from bench.backend_servers import OursOverBackend, PublishedVirtuoso
from bench.client import Client
from bench.servers import CACHE, Server
from spine_evidence.backend import RemoteSparqlStore


def tree_cpu(server: Server) -> float:
    """CPU seconds (user + system, with children) of the server's process tree so far."""
    assert server.process is not None
    root = psutil.Process(server.process.pid)
    total = 0.0
    for member in [root, *root.children(recursive=True)]:
        try:
            times = member.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def profile_query(name: str, texts: list[str], form: str, servers: list[Server], requests: int) -> list[str]:
    """p50 and CPU per request of ``name`` on each server, requests alternated between them."""
    clients = [Client(s.endpoint) for s in servers]
    seconds: dict[str, list[float]] = {s.name: [] for s in servers}
    cpu: dict[str, float] = {s.name: 0.0 for s in servers}
    for n in range(requests):
        for server, client in zip(servers, clients, strict=True):
            before = tree_cpu(server)
            seconds[server.name].append(client.fetch(texts[n % len(texts)], form)[2])
            cpu[server.name] += tree_cpu(server) - before
    for client in clients:
        client.close()
    p50 = {k: 1000 * statistics.median(v) for k, v in seconds.items()}
    direct, ours = (s.name for s in servers)
    return [f"{name}: p50 {direct} {p50[direct]:.2f} ms, {ours} {p50[ours]:.2f} ms (×{p50[ours] / p50[direct]:.2f}, "
            f"+{p50[ours] - p50[direct]:.2f} ms); CPU per request: {direct} {1000 * cpu[direct] / requests:.2f} ms, "
            f"{ours} {1000 * cpu[ours] / requests:.2f} ms"]


def top_frames(raw: Path, shown: int = 15) -> list[str]:
    """The functions with the most own samples in py-spy's raw (collapsed stacks) output."""
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frame = stack.split(";")[-1]
        own[frame] += int(count)
        total += int(count)
    return [f"  {100 * n / max(total, 1):5.1f} %  {frame[:150]}" for frame, n in own.most_common(shown)]


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.backend_profile``; exit 2 when the work folder has no published Virtuoso."""
    parser = argparse.ArgumentParser(prog="python -m bench.backend_profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1m")
    parser.add_argument("--queries", default=f"{mix.TINY},readme-08")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=CACHE / "backend")
    parser.add_argument("--py-spy", action="store_true", help="sample ours's workers with py-spy meanwhile")
    args = parser.parse_args(argv)
    folder = args.workdir / args.size
    if not (folder / "virtuoso" / "db" / "virtuoso.db").exists():
        print(f"error: no Virtuoso database in {folder}: run python -m bench.backend --sizes {args.size}",
              file=sys.stderr)
        return 2
    described = (args.workdir / f"corpus-{args.size}-seed{args.seed}.nt.json").read_text()
    documents = int(__import__("json").loads(described)["documents"])
    wanted = {q.strip() for q in args.queries.split(",")}
    queries = [q for q in mix.all_queries() if q.name in wanted]
    texts = mix.rendered(queries, mix.parameter_sets(args.seed, documents))
    virtuoso = PublishedVirtuoso(args.workdir / args.size)
    virtuoso.publishing = False
    ours = OursOverBackend(args.workdir / args.size, "")
    spy: subprocess.Popen[bytes] | None = None
    try:
        virtuoso.start()
        # the published graphs, named in every direct query as our layer names them (its publication record)
        record = RemoteSparqlStore(virtuoso.sparql_url, timeout=60, max_rows=10, max_bytes=1 << 20)
        virtuoso.graphs = tuple(record.graphs)
        ours.backend_url = virtuoso.sparql_url
        ours.start()
        raw = folder / "py-spy.txt"
        if args.py_spy and shutil.which("py-spy") and ours.process is not None:
            spy = subprocess.Popen(["py-spy", "record", "--gil", "--subprocesses", "--format", "raw",
                                    "--rate", "200", "-o", str(raw), "-p", str(ours.process.pid)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for query in queries:
            for line in profile_query(query.name, texts[query.name], query.form, [virtuoso, ours], args.requests):
                print(line, flush=True)
    finally:
        if spy is not None:
            spy.send_signal(2)  # SIGINT: py-spy writes its output and exits
            spy.wait(timeout=60)
        ours.stop()
        virtuoso.stop()
    if spy is not None and raw.exists():
        print("py-spy, functions with the most own samples (holding the GIL) in ours's processes:")
        print("\n".join(top_frames(raw)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
