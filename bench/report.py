"""``bench/RESULTS.md``: the run's figures, each beside its ratio to Oxigraph server.

Ratios: for times (latency, load, ready) and memory, ``×2.0`` means twice Oxigraph's
(worse); for throughput, ``×0.50`` means half Oxigraph's requests per second (worse).
"""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

from bench import targets

REFERENCE = "oxigraph"
NOTES = Path(__file__).resolve().parent / "NOTES.md"


def _cmd(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "not installed"


def machine() -> list[str]:
    """nproc, memory, CPU model, OS and the versions of everything measured."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    from importlib.metadata import version

    from bench.servers import RDFLIB_ENDPOINT
    names = ("pyoxigraph", "rdflib", "flask", "granian", "gunicorn", "pyshacl")
    packages = ", ".join(f"{p} {_safe_version(version, p)}" for p in names)
    return [f"- CPU: {cpu}; cores (nproc): {_cmd(['nproc'])}; memory: {memory}",
            f"- OS: {platform.platform()}; Python {platform.python_version()}",
            f"- ours: {packages}",
            f"- Oxigraph server: {_cmd(['oxigraph', '--version'])}",
            f"- rdflib-endpoint: {_pip_version(RDFLIB_ENDPOINT)} (default rdflib memory store)",
            f"- Virtuoso: {_cmd(['sh', '-c', 'virtuoso-t -? 2>&1 | sed -n 2p'])}",
            f"- wrk: {_cmd(['sh', '-c', 'wrk -v 2>&1 | head -1'])}"]


def _safe_version(version, name: str) -> str:
    try:
        return version(name)
    except Exception:
        return "absent"


def _pip_version(script: Path) -> str:
    out = _cmd(["sh", "-c", f"{script.parent / 'pip'} show rdflib-endpoint 2>/dev/null | sed -n 2p"])
    return out.replace("Version: ", "")


def ratio(value: float | None, reference: float | None) -> str:
    if value is None or not reference:
        return ""
    return f" (×{value / reference:.2f})"


def cell(data: dict | None, key: str, digits: int = 2, reference: dict | None = None) -> str:
    """A figure with its ratio to the reference's, or the error."""
    if not data:
        return "—"
    if "error" in data:
        return "error"
    value = data.get(key)
    if value is None:
        return "—"
    ref = reference.get(key) if reference and "error" not in reference else None
    return f"{value:,.{digits}f}{ratio(value, ref)}"


def size_section(result: dict) -> list[str]:
    """The tables of one corpus size."""
    names = result["servers_order"]
    corpus = result["corpus"]
    lines = [f"## {result['size']} triples ({corpus['triple_lines']:,} triple lines, "
             f"{corpus['documents']} synthetic documents, seed {corpus['seed']})", ""]
    if result.get("command"):
        lines += [f"Measured by `{result['command']}` on {result.get('date', '?')}.", ""]
    lines += build_lines(result)
    lines += ["### Servers", "",
              "| server | load s | ready s | peak RSS MB (serving) | peak PSS MB (serving) | peak RSS MB (load) "
              "| tiny c8 req/s | tiny c8 p99 ms | mix c8 req/s | mix c8 p99 ms |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    servers, tput = result["servers"], result["throughput"]
    ref = servers.get(REFERENCE, {})
    for name in names:
        s = servers[name]
        if "error" in s:
            lines.append(f"| {name} | {s['error']} ||||||||| ")
            continue
        tiny, mix = tput.get("tiny", {}), tput.get("mix", {})
        lines.append(f"| {name} | {cell(s, 'load_s', 2, ref)} | {cell(s, 'ready_s', 2, ref)} | "
                     f"{cell(s, 'peak_rss_mb', 0, ref)} | {cell(s, 'peak_pss_mb', 0, ref)} | "
                     f"{cell(s, 'load_peak_rss_mb', 0, ref)} | "
                     f"{cell(tiny.get(name), 'rps', 0, tiny.get(REFERENCE))} | "
                     f"{cell(tiny.get(name), 'p99_ms', 2, tiny.get(REFERENCE))} | "
                     f"{cell(mix.get(name), 'rps', 0, mix.get(REFERENCE))} | "
                     f"{cell(mix.get(name), 'p99_ms', 2, mix.get(REFERENCE))} |")
    lines += ["", *targets.lines(result), "### Latency at concurrency 1: p50 ms (ratio to Oxigraph) / p99 ms", "",
              "| query | rows | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for query, per_server in result["latency"].items():
        counts = result["rows"].get(query, {})
        cells = []
        for name in names:
            data, reference = per_server.get(name), per_server.get(REFERENCE)
            cells.append(f"{cell(data, 'p50_ms', 2, reference)} / {cell(data, 'p99_ms', 2)}")
        lines.append(f"| {query} | {rows_cell(counts, names)} | " + " | ".join(cells) + " |")
    return lines + [""]


def rows_cell(counts: dict, names: list[str]) -> str:
    """The row count when every server agrees, else each server's."""
    values = {name: counts.get(name) for name in names}
    if len({str(v) for v in values.values()}) == 1:
        return str(next(iter(values.values())))
    return "; ".join(f"{n}: {v if isinstance(v, int) else 'error'}" for n, v in values.items())


def build_lines(result: dict) -> list[str]:
    tools = result.get("tools", {})
    if not tools:
        return []
    lines = ["| `spine-evidence` step on the corpus | seconds |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in tools.items()]
    return lines + [""]


def write(results: list[dict], command: str, date: str, out: Path, load_generator: str) -> None:
    """Write RESULTS.md for the sizes in ``results`` (each may name the command that measured it)."""
    lines = ["# Benchmark results", "",
             "Generated by `bench/run.py`; every ratio is to Oxigraph server measured in the same run.",
             "Times and memory: ×2.00 = twice Oxigraph's (worse). Throughput: ×0.50 = half Oxigraph's (worse).",
             "", f"- Command: `{command}`", f"- Date: {date}", *machine(), f"- {load_generator}", ""]
    if NOTES.exists():
        lines += [NOTES.read_text(encoding="utf-8").strip(), ""]
    for result in results:
        lines += size_section(result)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
