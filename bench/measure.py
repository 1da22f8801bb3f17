"""The measurements of one corpus size, servers interleaved A B A B, medians of rounds.

Latency at concurrency 1 uses ``bench.client`` (one keep-alive connection); throughput
at concurrency 8 uses ``bench.load`` (wrk). Each round visits every server in turn, so a
noisy moment of this 2-core machine hits all of them; the figure kept is the median of
the rounds' figures.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.client import Client, QueryFailed, accept_for
from bench.load import Throughput, throughput
from bench.mix import TINY, Query
from bench.servers import Server

MIX_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


@dataclass(frozen=True)
class Budget:
    """How long to measure: rounds, per-batch time and request counts, wrk seconds, ready runs."""

    rounds: int
    batch_seconds: float
    min_requests: int
    max_requests: int
    wrk_seconds: float
    ready_runs: int


FULL = Budget(rounds=3, batch_seconds=0.5, min_requests=5, max_requests=100, wrk_seconds=3, ready_runs=3)
QUICK = Budget(rounds=2, batch_seconds=0.2, min_requests=3, max_requests=30, wrk_seconds=1, ready_runs=1)


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def latency_batch(client: Client, texts: list[str], form: str, budget: Budget) -> list[float]:
    """Seconds of each request, cycling through ``texts`` until the batch's budget is spent."""
    seconds, started = [], time.perf_counter()
    for n in range(budget.max_requests):
        if n >= budget.min_requests and time.perf_counter() - started > budget.batch_seconds:
            break
        seconds.append(client.fetch(texts[n % len(texts)], form)[2])
    return seconds


def row_counts(servers: list[Server], queries: list[Query], texts: dict[str, list[str]],
               renderings: int = 1) -> dict[str, dict[str, int | str]]:
    """Each server's row count (or error) for each query's first ``renderings`` renderings.

    Keys are the query's name for its first rendering and ``name#i`` for the others.
    """
    counts: dict[str, dict[str, int | str]] = {}
    for server in servers:
        client = Client(server.endpoint)
        for query in queries:
            for i, text in enumerate(texts[query.name][:renderings]):
                key = query.name if i == 0 else f"{query.name}#{i}"
                try:
                    counts.setdefault(key, {})[server.name] = client.rows(text, query.form)
                except (QueryFailed, OSError) as error:
                    counts.setdefault(key, {})[server.name] = f"error: {str(error)[:160]}"
        client.close()
    return counts


def latencies(servers: list[Server], queries: list[Query], texts: dict[str, list[str]],
              budget: Budget, rows: dict[str, dict[str, int | str]] | None = None,
              ) -> dict[str, dict[str, dict[str, float | str]]]:
    """p50 and p99 (ms) per query and server at concurrency 1: medians over the rounds.

    A query a server failed in ``rows`` (:func:`row_counts`) is not sent to it
    again: one that timed out would keep a core of the machine busy (the
    server runs it to its own deadline) while the others are measured.
    """
    clients = {s.name: Client(s.endpoint) for s in servers}
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    failed: dict[tuple[str, str], str] = {
        (query, server): str(count)[len("error: "):] for query, by_server in (rows or {}).items()
        for server, count in by_server.items() if isinstance(count, str) and count.startswith("error: ")}
    for query in queries:
        for _ in range(budget.rounds):
            for server in servers:
                key = (query.name, server.name)
                if key in failed:
                    continue
                try:
                    batch = latency_batch(clients[server.name], texts[query.name], query.form, budget)
                except (QueryFailed, OSError) as error:
                    failed[key] = str(error)[:160]
                    continue
                samples.setdefault(key, []).append((percentile(batch, 50), percentile(batch, 99)))
    for client in clients.values():
        client.close()
    table: dict[str, dict[str, dict[str, float | str]]] = {}
    for query in queries:
        for server in servers:
            key = (query.name, server.name)
            cell: dict[str, float | str] = {"error": failed[key]} if key in failed else {
                "p50_ms": 1000 * statistics.median(a for a, _ in samples[key]),
                "p99_ms": 1000 * statistics.median(b for _, b in samples[key])}
            table.setdefault(query.name, {})[server.name] = cell
    return table


def throughputs(servers: list[Server], tiny: list[str], mix: list[str], budget: Budget,
                folder: Path) -> dict[str, dict[str, dict[str, float | str]]]:
    """Requests/s, p50 and p99 at concurrency 8 for the tiny query and the mix: medians of rounds."""
    runs: dict[tuple[str, str], list[Throughput | str]] = {}
    for _ in range(budget.rounds):
        for server in servers:
            for kind, texts, accept in (("tiny", tiny, accept_for("SELECT")), ("mix", mix, MIX_ACCEPT)):
                try:
                    runs.setdefault((kind, server.name), []).append(
                        throughput(server.endpoint, texts, folder, budget.wrk_seconds, accept=accept))
                except RuntimeError as error:
                    runs.setdefault((kind, server.name), []).append(str(error)[:160])
    table: dict[str, dict[str, dict[str, float | str]]] = {}
    for (kind, name), results in runs.items():
        good = [r for r in results if not isinstance(r, str)]
        table.setdefault(kind, {})[name] = {"error": str(results[0])} if not good else {
            "rps": statistics.median(r.requests_per_second for r in good),
            "p50_ms": statistics.median(r.p50_ms for r in good),
            "p99_ms": statistics.median(r.p99_ms for r in good),
            "errors": sum(r.errors for r in good)}
    return table


def tiny_texts(texts: dict[str, list[str]]) -> list[str]:
    """The renderings of the tiny query."""
    return texts[TINY]
