"""What the benchmark adds to ``spine_evidence.processes``: peak memory of a process tree, bounded runs.

Servers are started, awaited and stopped with the package's helper
(``spine_evidence.processes``: its own session per server, stopped by the id
of the process we started and no other).
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import psutil

from spine_evidence.processes import spawn_in_session, stop_group


class MemorySampler:
    """Samples the memory of a process tree in a thread and keeps the peaks (bytes).

    ``peak``: the sum of the members' resident set sizes (RSS), which counts a
    page shared by several processes (a mapped store file, the copy-on-write
    pages of forked workers, shared libraries) once per process.
    ``peak_pss``: the sum of their proportional set sizes (PSS, a shared page
    divided among the processes sharing it): the tree's own share of memory.
    ``peak_uss``: the sum of the pages each member alone holds (USS).
    PSS and USS read ``/proc/PID/smaps_rollup`` (Linux; 0 where it cannot be
    read), every ``SHARES_EVERY`` samples.
    """

    SHARES_EVERY = 3

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self.peak_pss = self.peak_uss = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def members(self) -> list[psutil.Process]:
        """The process and all its descendants now."""
        try:
            root = psutil.Process(self.pid)
            return [root] + root.children(recursive=True)
        except psutil.Error:
            return []

    def tree_rss(self) -> int:
        """Resident memory of the process and all its descendants now."""
        total = 0
        for member in self.members():
            try:
                total += member.memory_info().rss
            except psutil.Error:
                continue
        return total

    def tree_shares(self) -> tuple[int, int]:
        """PSS and USS of the process and all its descendants now, each summed."""
        pss = uss = 0
        for member in self.members():
            try:
                full = member.memory_full_info()
            except psutil.Error:
                continue
            pss += getattr(full, "pss", 0)
            uss += getattr(full, "uss", 0)
        return pss, uss

    def _run(self) -> None:
        tick = 0
        while not self._stopped.is_set():
            self.peak = max(self.peak, self.tree_rss())
            if tick % self.SHARES_EVERY == 0:  # smaps_rollup walks the page tables: read less often
                pss, uss = self.tree_shares()
                self.peak_pss, self.peak_uss = max(self.peak_pss, pss), max(self.peak_uss, uss)
            tick += 1
            self._stopped.wait(self.interval)

    def close(self) -> int:
        """Stop sampling; return the peak RSS (``peak_pss``, ``peak_uss`` hold the others)."""
        self._stopped.set()
        self._thread.join(timeout=2)
        return self.peak


def run_bounded(command: list[str], timeout: float, log: Path, env: dict[str, str] | None = None) -> float:
    """Run ``command`` to completion within ``timeout`` seconds; return the seconds it took."""
    started = time.perf_counter()
    process = spawn_in_session(command, log, env)
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_group(process)
        raise RuntimeError(f"{command[0]} took longer than {timeout:.0f} s (log: {log})") from None
    if code != 0:
        tail = log.read_text(errors="replace")[-600:]
        raise RuntimeError(f"{' '.join(command[:3])} failed with exit code {code}: {tail}")
    return time.perf_counter() - started
