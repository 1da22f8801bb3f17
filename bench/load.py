"""Throughput at concurrency 8 with ``wrk`` (Debian package), driven by a Lua script.

wrk is written in C with an event loop per thread; one thread with eight keep-alive
connections drives Oxigraph server harder here (40–43k req/s on the tiny query) than two
threads (29k: client and server share the 2 cores), so it is not the bottleneck for the
servers under test (check: Oxigraph server's figures beside FIELD-NOTES.md).
The script cycles through a file of request paths (one rendered query each) and prints
its summary as JSON.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.client import BenchEndpoint

LUA = r"""
local paths = {}
local counter = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  counter = math.random(#paths)
end
request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter], {["Accept"] = args_accept})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('JSON{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n', summary.requests, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass
class Throughput:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def wrk_available() -> str | None:
    """``None`` when wrk is installed, else why not."""
    return None if shutil.which("wrk") else "wrk is not installed (apt-get install wrk)"


def write_script(folder: Path, accept: str) -> Path:
    """The Lua script, with the Accept header fixed."""
    script = folder / "mix.lua"
    script.write_text(f'args_accept = "{accept}"\n' + LUA)
    return script


def throughput(endpoint: BenchEndpoint, queries: list[str], folder: Path, seconds: float,
               connections: int = 8, threads: int = 1,
               accept: str = "application/sparql-results+json") -> Throughput:
    """Run wrk for ``seconds`` against ``endpoint`` cycling through ``queries``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / f"{endpoint.name}-paths.txt"
    paths.write_text("".join(endpoint.path_for(q) + "\n" for q in queries))
    script = write_script(folder, accept)
    base = endpoint.url.split("/", 3)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "60s",
               "-s", str(script), f"{base[0]}//{base[2]}", "--", str(paths)]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120).stdout
    line = next((x for x in output.splitlines() if x.startswith("JSON{")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {output[-400:]}")
    data = json.loads(line[4:])
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Throughput(data["requests"] / (data["duration_us"] / 1e6), data["p50_us"] / 1000,
                      data["p99_us"] / 1000, errors)
