"""The ``## Backend`` section of ``bench/RESULTS.md``, written by ``bench.backend`` in place of an earlier one.

Ratios are to Virtuoso queried directly in the same run (``×1.10``: 10 % more
time than Virtuoso alone). The section holds every corpus size kept in the
work folder's ``backend.json`` (``keep``: a run replaces only the sizes it
measured), each with the command and date of the run that measured it. The
rest of the file (``bench.run``'s) is left as it is; the section is added at
the end when the file has none.
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any

from bench.corpus import parse_size
from bench.report import machine
from bench.targets import ENGINE_BOUND_MS

HEADING = "## Backend"
DIRECT, BACKEND, EMBEDDED = "virtuoso", "ours-backend", "ours-embedded"
TARGET = 1.2  # issue 12: our layer's overhead on engine-bound queries at 1M
TINY = "tiny-citation-number"
FIXED_COST_FACTOR = 3.0
ENGINE_BOUND_ROWS = 100  # more rows: the answer, not the engine, is what takes the time (see engine_bound)


def p50(result: dict[str, Any], query: str, server: str) -> float | None:
    """The p50 (ms) of ``query`` on ``server``, ``None`` when it failed."""
    cell = result["latency"].get(query, {}).get(server, {})
    value = cell.get("p50_ms")
    return float(value) if isinstance(value, (int, float)) else None


def engine_floor(result: dict[str, Any]) -> float:
    """The p50 (ms) a query must reach on Virtuoso directly to count as engine-bound (see ``engine_bound``)."""
    return max(ENGINE_BOUND_MS, FIXED_COST_FACTOR * (p50(result, TINY, DIRECT) or 0.0))


def slow(result: dict[str, Any]) -> list[tuple[str, int | None]]:
    """The queries at or above :func:`engine_floor` on Virtuoso directly, slowest first, with its row count."""
    floor = engine_floor(result)
    found = [(ms, q) for q in result["latency"] if (ms := p50(result, q, DIRECT)) is not None]
    counted = result.get("rows", {})
    return [(q, rows if isinstance(rows := counted.get(q, {}).get(DIRECT), int) else None)
            for ms, q in sorted(found, reverse=True) if ms >= floor]


def engine_bound(result: dict[str, Any]) -> list[str]:
    """The queries whose time on Virtuoso is its engine's evaluation, slowest first.

    Their p50 on Virtuoso directly is at least ``ENGINE_BOUND_MS`` (issue 10's
    rule) and at least ``FIXED_COST_FACTOR`` times its p50 on the tiny query
    (one triple pattern by IRI: Virtuoso's fixed cost of a request, about
    1 ms here), and their answer has at most ``ENGINE_BOUND_ROWS`` rows: the
    time is spent finding few rows, not writing, sending and reading many.
    """
    return [q for q, rows in slow(result) if rows is not None and rows <= ENGINE_BOUND_ROWS]


def answer_heavy(result: dict[str, Any]) -> list[str]:
    """The queries as slow as the engine-bound ones whose answer has more than ``ENGINE_BOUND_ROWS`` rows."""
    return [q for q, rows in slow(result) if rows is None or rows > ENGINE_BOUND_ROWS]


def fixed_cost(result: dict[str, Any]) -> float | None:
    """The ms our layer adds to the tiny query (``None`` when a server failed it)."""
    ours, direct = p50(result, TINY, BACKEND), p50(result, TINY, DIRECT)
    return ours - direct if ours is not None and direct is not None else None


def added_per_thousand_rows(result: dict[str, Any], queries: list[str]) -> float | None:
    """The median ms our layer adds per 1,000 rows of ``queries``, beyond what it adds to the tiny query."""
    fixed = fixed_cost(result)
    if fixed is None:
        return None
    found = []
    for query in queries:
        rows = result["rows"].get(query, {}).get(DIRECT)
        over, under = p50(result, query, BACKEND), p50(result, query, DIRECT)
        if isinstance(rows, int) and rows > 0 and over is not None and under is not None:
            found.append(1000 * (over - under - fixed) / rows)
    return statistics.median(found) if found else None


def overheads(result: dict[str, Any], queries: list[str]) -> list[float]:
    """Ours over Virtuoso / Virtuoso directly, for each of ``queries`` both answered."""
    ratios = []
    for query in queries:
        ours, direct = p50(result, query, BACKEND), p50(result, query, DIRECT)
        if ours is not None and direct:
            ratios.append(ours / direct)
    return ratios


def keep(result: dict[str, Any], results_file: Path) -> list[dict[str, Any]]:
    """Store ``result`` in ``results_file`` in place of the earlier result of its size; every size kept, smallest first.

    The file is read just before it is written, so results another run wrote
    in the meantime for other sizes stay.
    """
    kept = json.loads(results_file.read_text()) if results_file.exists() else []
    kept = sorted([r for r in kept if r["size"] != result["size"]] + [result], key=lambda r: parse_size(r["size"]))
    results_file.write_text(json.dumps(kept, indent=1))
    return kept


def cell(result: dict[str, Any], query: str, server: str) -> str:
    """``p50 / p99`` with the ratio of the p50 to Virtuoso's, or the error (``—``: the server was not run)."""
    if server not in result.get("servers_order", (DIRECT, BACKEND, EMBEDDED)):
        return "—"
    data = result["latency"].get(query, {}).get(server, {})
    if "error" in data:
        return "error: " + str(data["error"])[:60].replace("|", "/")
    direct = p50(result, query, DIRECT)
    ratio = f" (×{data['p50_ms'] / direct:.2f})" if direct and server != DIRECT else ""
    return f"{data['p50_ms']:,.2f} / {data['p99_ms']:,.1f}{ratio}"


def rows_agree(result: dict[str, Any], query: str) -> str:
    """The row count when the three agree, else each server's."""
    counts = result["rows"].get(query, {})
    values = {str(v) for v in counts.values()}
    return values.pop() if len(values) == 1 else "; ".join(f"{k} {str(v)[:40]}" for k, v in counts.items())


def publish_lines(result: dict[str, Any]) -> list[str]:
    """One row per publish attempt (and the bulk load when every attempt failed), then the stamped output."""
    lines = ["| publish | outcome | wall, with checks | triples sent | triples/s | of which PUT | PUT triples/s | "
             "peak RSS of publish | Virtuoso peak RSS |", "|---|---|---|---|---|---|---|---|---|"]
    attempts = result.get("publish_attempts") or [result["publish"]]
    for n, run in enumerate(attempts, 1):
        outcome = ("nothing sent (unchanged)" if run["unchanged"] else "ok") if run["exit_code"] == 0 else \
            f"exit {run['exit_code']}: " + (run["lines"][-1:] or [""])[0].split("  ", 1)[-1][:90].replace("|", "/")
        rate = f"{run['triples_per_s']:,.0f}" if run.get("triples_per_s") else "—"
        put_rate = f"{run['put_triples_per_s']:,.0f}" if run.get("put_triples_per_s") else "—"
        lines.append(f"| {n} | {outcome} | {run['seconds']:.1f} s | {run.get('triples_sent') or 0:,} | {rate} | "
                     f"{run.get('put_seconds') or 0:.1f} s | {put_rate} | {run['peak_rss_mb']:,.0f} MB | "
                     f"{run['store_peak_rss_mb']:,.0f} MB |")
    again = result["publish_again"]
    lines.append(f"| again | {'nothing sent (unchanged)' if again['unchanged'] else 'CHANGED'} | "
                 f"{again['seconds']:.1f} s | 0 | — | — | — | {again['peak_rss_mb']:,.0f} MB | — |")
    if result.get("bulk_load_seconds"):
        tried = len(attempts) - 1
        why = f"Every publish failed ({tried} tried)" if tried else "No publish was tried (`--publish-attempts 0`)"
        lines += ["", f"{why}: the corpus was loaded with Virtuoso's bulk loader (`ld_dir`, "
                      f"{result['bulk_load_seconds']:.1f} s) and publish run once more (row 1), finding every graph "
                      f"isomorphic and sending only the record, so that the queries could be measured."]
    return lines + ["", "Each publish's output, stamped with the seconds since it started (without the progress "
                    f"lines of each PUT, the per-graph lines of its summary, and all but the first and last "
                    f"{SHOWN_GRAPHS} graphs):", "", "```", *[line for run in attempts for line in shown(run["lines"])],
                    "```", ""]


SHOWN_GRAPHS = 3


def shown(lines: list[str]) -> list[str]:
    """The lines of one publish's output worth reading: each graph's outcome (first and last few), then the end."""
    kept = [line for line in lines if " MiB" not in line and not re.match(r"\s*[\d.]+ s {4}", line)]
    graphs = [n for n, line in enumerate(kept) if re.search(r"\[\d+/\d+\]", line)]
    if len(graphs) > 2 * SHOWN_GRAPHS + 1:
        left_out = graphs[SHOWN_GRAPHS:-SHOWN_GRAPHS]
        kept = kept[:left_out[0]] + [f"          … {len(left_out)} more graphs"] + kept[left_out[-1] + 1:]
    return kept


def size_section(result: dict[str, Any]) -> list[str]:
    """The tables of one corpus size."""
    corpus = result["corpus"]
    bound = engine_bound(result)
    ratios = overheads(result, bound)
    budget = result["budget"]
    graphs = result.get("graph_triples")
    lines = [f"### {result['size'].upper()} triples ({corpus['triple_lines']:,} triple lines, "
             f"{corpus['documents']} documents)", "",
             f"- Command: `{result.get('command', 'not recorded')}`", f"- Date: {result.get('date', 'not recorded')}",
             f"- Published in {result['graphs']} named graphs"
             + (f" of at most {graphs:,} triples" if graphs else "") + ".",
             f"- Latency: per query {budget['rounds']} rounds, each visiting the servers in turn "
             f"(≥ {budget['min_requests']} requests or {budget['batch_seconds']} s, ≤ {budget['max_requests']}); "
             "figure: the median of the rounds' p50 (p99)."]
    if by := result.get("published_by"):
        lines.append(f"- Published into this Virtuoso database by an earlier run, `{by['command']}` ({by['date']}): "
                     "the publish rows (\"again\": its read-back check just before it checkpointed the database "
                     "queried here) are that run's, the queries this run's.")
    if EMBEDDED not in result["servers_order"]:
        lines.append("- `serve --store` (ours embedded) was not run at this size (`--no-embedded`), to keep the run "
                     "within its time: its column shows —.")
    lines += ["", *publish_lines(result)]
    heavy = answer_heavy(result)
    lines += overhead_lines(result, ratios, heavy)
    lines += ["p50 / p99 in ms at concurrency 1 (ratio of the p50 to Virtuoso's); engine-bound queries first, "
              "marked *, then the answer-heavy ones, marked †:", "",
              "| query | rows | Virtuoso directly | ours over Virtuoso | ours embedded |", "|---|---|---|---|---|"]
    order = bound + heavy + [q for q in result["latency"] if q not in bound and q not in heavy]
    for query in order:
        mark = "*" if query in bound else "†" if query in heavy else ""
        lines.append(f"| {query}{mark} | {rows_agree(result, query)} | "
                     + " | ".join(cell(result, query, s) for s in (DIRECT, BACKEND, EMBEDDED)) + " |")
    peaks = ", ".join(f"{name} {mb:,.0f} MB" for name, mb in result["peak_rss_mb"].items())
    return lines + ["", f"Peak RSS while queried: {peaks}.", ""]


def overhead_lines(result: dict[str, Any], ratios: list[float], heavy: list[str]) -> list[str]:
    """Our layer's overhead on the engine-bound queries against the target, then on the answer-heavy ones."""
    if not ratios:
        return []
    worst = max(ratios)
    lines = [f"Our layer's overhead on the {len(ratios)} engine-bound queries (Virtuoso p50 ≥ "
             f"{engine_floor(result):.1f} ms: ≥ {ENGINE_BOUND_MS:g} ms and ≥ {FIXED_COST_FACTOR:g}× its p50 on the "
             f"tiny query, its fixed cost per request; and at most {ENGINE_BOUND_ROWS} rows, so that the time is the "
             f"engine's evaluation): median ×{statistics.median(ratios):.2f}, geometric mean "
             f"×{statistics.geometric_mean(ratios):.2f}, worst ×{worst:.2f}; target ≤ {TARGET:g}× "
             f"{'met on every one' if worst <= TARGET else 'not met on ' + str(sum(r > TARGET for r in ratios))}.", ""]
    if heavy_ratios := overheads(result, heavy):
        per_rows = added_per_thousand_rows(result, heavy)
        fixed = fixed_cost(result) or 0.0
        lines += [f"On the {len(heavy_ratios)} answer-heavy queries (as slow on Virtuoso, more than "
                  f"{ENGINE_BOUND_ROWS} rows): median ×{statistics.median(heavy_ratios):.2f}, worst "
                  f"×{max(heavy_ratios):.2f}, {sum(r <= TARGET for r in heavy_ratios)} within {TARGET:g}×. Beyond "
                  f"the {fixed:.2f} ms it adds to the tiny query, our layer adds a median "
                  + (f"{per_rows:.2f} ms per 1,000 rows" if per_rows is not None else "(not measured)")
                  + ": reading and checking every row of Virtuoso's answer (pyoxigraph's parser), which Virtuoso "
                  "does not stream (bench/NOTES.md, \"Our layer over Virtuoso, profiled\").", ""]
    return lines


def section(results: list[dict[str, Any]]) -> list[str]:
    """The whole ``## Backend`` section: what is measured, the machine, then each size kept."""
    return [HEADING, "",
            "Generated by `bench/backend.py`; see bench/NOTES.md (\"Backend\") for the method. Virtuoso 7 holds the "
            "corpus that `spine-evidence publish` sent it; it is queried directly (the same text, dataset and "
            "timeout our layer sends it), through `spine-evidence serve --backend` and, for reference, through "
            "`spine-evidence serve --store` on our own store of the corpus; both of ours uncached. Each size is "
            "from its own run (its command and date below).", "", *machine(),
            "- Latency: one keep-alive connection per server, the servers interleaved per query.",
            "- On 2 cores a query's figures move by 10–20 % between runs, Virtuoso's own too (bench/NOTES.md, "
            "\"Engine-bound, and answer-heavy\"): the interleaving spreads any load over the servers alike, but "
            "single figures are noisy.", "",
            *[line for result in results for line in size_section(result)]]


def write(results: list[dict[str, Any]], out: Path) -> None:
    """Put the section of ``results`` into ``out``: in place of its ``## Backend`` section, else at the end."""
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmark results\n"
    new = "\n".join(section(results)).rstrip() + "\n"
    pattern = re.compile(rf"(?ms)^{re.escape(HEADING)}\b.*?(?=^## |\Z)")
    if pattern.search(text):
        text = pattern.sub(lambda _: new + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + new
    out.write_text(text, encoding="utf-8")
