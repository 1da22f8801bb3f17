"""``spine-evidence publish`` of the benchmark corpus into Virtuoso, timed line by line, with its peak memory.

The real command runs as a user runs it (a child process, credentials in its
environment); each line it prints is stamped with the seconds since it
started, so the phases show: our graph dumped and read, the store's graph
read (empty the first time), the PUT (its progress lines), the read-back and
the record. The publish process tree's peak RSS (with its ``sort`` children)
and Virtuoso's are sampled while it runs.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.backend_servers import CREDENTIALS, PublishedVirtuoso
from bench.processes import MemorySampler
from bench.servers import OUR_COMMAND
from spine_evidence.processes import stop_group

SUMMARY = re.compile(r"published build \S+: (\d+) triples sent in ([\d.]+) s.*?\(([\d.]+) s in PUT")


@dataclass
class PublishRun:
    """One publish: its exit code, seconds, stamped output lines and peak memory (MB)."""

    exit_code: int
    seconds: float
    lines: list[tuple[float, str]] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    store_peak_rss_mb: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The figures of the run: triples sent, seconds in PUT, triples/s (``None`` when nothing was sent)."""
        found = next((SUMMARY.search(line) for _, line in self.lines if SUMMARY.search(line)), None)
        sent = int(found.group(1)) if found else None
        put = float(found.group(3)) if found else None
        unchanged = any("nothing changed" in line for _, line in self.lines)
        return {"exit_code": self.exit_code, "seconds": self.seconds, "triples_sent": sent, "put_seconds": put,
                "triples_per_s": sent / self.seconds if sent else None,
                "put_triples_per_s": sent / put if sent and put else None, "unchanged": unchanged,
                "peak_rss_mb": self.peak_rss_mb, "store_peak_rss_mb": self.store_peak_rss_mb,
                "lines": [f"{at:7.1f} s  {line}" for at, line in self.lines]}


def publish_corpus(store: Path, virtuoso: PublishedVirtuoso, log: Path, timeout_s: float) -> PublishRun:
    """Run ``spine-evidence publish --to VIRTUOSO --store STORE --no-validate`` (every graph); what it did."""
    command = [*OUR_COMMAND, "publish", "--to", virtuoso.gsp_url, "--store", str(store), "--no-validate"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               env={**os.environ, **CREDENTIALS}, start_new_session=True)
    sampler = MemorySampler(process.pid)
    run = PublishRun(exit_code=-1, seconds=0.0)
    reader = threading.Thread(target=stamp_lines, args=(process, started, run.lines), daemon=True)
    reader.start()
    try:
        run.exit_code = process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        stop_group(process)
        run.lines.append((time.perf_counter() - started, f"bench: publish stopped after {timeout_s:.0f} s"))
    reader.join(timeout=10)
    run.seconds = time.perf_counter() - started
    run.peak_rss_mb = sampler.close() / 2**20
    if virtuoso.sampler is not None:  # since Virtuoso started, just before
        run.store_peak_rss_mb = virtuoso.sampler.peak / 2**20
    with log.open("a", encoding="utf-8") as sink:
        sink.write(" ".join(command) + "\n" + "\n".join(run.summary()["lines"]) + "\n")
    return run


def stamp_lines(process: subprocess.Popen[bytes], started: float, into: list[tuple[float, str]]) -> None:
    """Append each output line of ``process`` with the seconds since ``started``."""
    assert process.stdout is not None
    for line in process.stdout:
        into.append((time.perf_counter() - started, line.decode("utf-8", "replace").rstrip("\n")))
