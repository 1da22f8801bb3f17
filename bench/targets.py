"""The performance targets of issue 10, read from one run's figures: each uncached ``ours*`` server against Oxigraph.

One table per corpus size in ``bench/RESULTS.md``: a row per target, a column per
uncached server of ours (``ours``, ``ours-before``), each cell the ratio to Oxigraph
server measured in the same run and whether it meets the bound. Engine-bound queries
are those whose Oxigraph p50 at concurrency 1 is at least ``ENGINE_BOUND_MS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REFERENCE = "oxigraph"
CACHED = frozenset({"ours-cached"})
ENGINE_BOUND_MS = 10.0
ONE_CLAIM = ("lookup-claim", "describe-claim")
Result = dict[str, Any]  # one corpus size of results.json (see bench.run.measure_size)


@dataclass(frozen=True)
class Target:
    """One target: what it measures, the bound on the ratio, and whether higher is better."""

    label: str
    bound: float
    higher_is_better: bool = False

    def met(self, value: float) -> bool:
        """Whether the ratio ``value`` meets the bound."""
        return value >= self.bound if self.higher_is_better else value <= self.bound

    @property
    def wording(self) -> str:
        """The bound as the issue writes it."""
        return f"{'≥' if self.higher_is_better else '≤'} {self.bound:g}×"


def ratio(result: Result, section: str, kind: str, key: str, name: str) -> float | None:
    """``name``'s figure over Oxigraph's for ``result[section][kind][*][key]`` (``None`` when either is missing)."""
    table = result.get(section, {}).get(kind, {})
    ours, reference = table.get(name) or {}, table.get(REFERENCE) or {}
    if ours.get(key) is None or not reference.get(key):
        return None
    return float(ours[key]) / float(reference[key])


def memory_ratio(result: Result, key: str, name: str) -> float | None:
    """``name``'s peak memory (``key``: ``peak_rss_mb`` or ``peak_pss_mb``) over Oxigraph's."""
    servers = result.get("servers", {})
    ours, reference = servers.get(name) or {}, servers.get(REFERENCE) or {}
    if ours.get(key) is None or not reference.get(key):
        return None
    return float(ours[key]) / float(reference[key])


def engine_bound(result: Result, name: str) -> tuple[float, str, int, int] | None:
    """The worst p50 ratio over the engine-bound queries, its query, how many meet 1.2×, and how many there are."""
    ratios = {}
    for query, cells in result.get("latency", {}).items():
        reference = (cells.get(REFERENCE) or {}).get("p50_ms")
        if reference is not None and reference >= ENGINE_BOUND_MS:
            value = ratio(result, "latency", query, "p50_ms", name)
            if value is not None:
                ratios[query] = value
    if not ratios:
        return None
    worst = max(ratios, key=lambda query: ratios[query])
    return ratios[worst], worst, sum(1 for value in ratios.values() if value <= 1.2), len(ratios)


def latency_ratio(result: Result, query: str) -> Callable[[str], float | None]:
    """A server's p50 ratio to Oxigraph for ``query`` at concurrency 1, as a function of the server's name."""
    return lambda name: ratio(result, "latency", query, "p50_ms", name)


def row(target: Target, names: list[str], value_of: Callable[[str], float | None]) -> str:
    """One table row: the target, its bound, and each server's ratio with met / not met."""
    cells = []
    for name in names:
        value = value_of(name)
        cells.append("—" if value is None else f"{value:.2f}× ({'met' if target.met(value) else 'not met'})")
    return f"| {target.label} | {target.wording} | " + " | ".join(cells) + " |"


def lines(result: Result) -> list[str]:
    """The targets table of one corpus size (nothing when no uncached server of ours ran beside Oxigraph)."""
    names = [n for n in result.get("servers_order", []) if n.startswith("ours") and n not in CACHED
             and "error" not in result.get("servers", {}).get(n, {"error": True})]
    if not names or REFERENCE not in result.get("servers_order", []):
        return []
    out = ["### Issue 10 targets (ratio to Oxigraph server in this run)", "",
           "| target | bound | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names),
           row(Target("tiny query c8 uncached req/s", 0.5, higher_is_better=True), names,
               lambda n: ratio(result, "throughput", "tiny", "rps", n))]
    for query in ONE_CLAIM:
        out.append(row(Target(f"{query} c1 p50", 1.5), names, latency_ratio(result, query)))
    out += [row(Target("tiny query c8 p99", 2.0), names, lambda n: ratio(result, "throughput", "tiny", "p99_ms", n)),
            row(Target("peak memory, RSS summed over the process tree", 1.5), names,
                lambda n: memory_ratio(result, "peak_rss_mb", n)),
            row(Target("peak memory, PSS summed over the process tree", 1.5), names,
                lambda n: memory_ratio(result, "peak_pss_mb", n))]
    worst = {n: w for n in names if (w := engine_bound(result, n)) is not None}
    target = Target(f"worst engine-bound query c1 p50 (Oxigraph ≥ {ENGINE_BOUND_MS:g} ms)", 1.2)
    out.append(row(target, names, lambda n: worst[n][0] if n in worst else None))
    notes = [f"{n}: worst {w[1]}, {w[2]} of {w[3]} engine-bound queries within 1.2×" for n, w in worst.items()]
    return [*out, "", *(f"- {note}" for note in notes), ""] if notes else [*out, ""]
