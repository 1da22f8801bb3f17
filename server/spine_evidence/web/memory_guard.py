"""The per-worker memory cap: a watchdog thread that samples the process's resident memory.

pyoxigraph cannot bound the memory of one query (a GROUP_CONCAT of a cross
product grows one string to gigabytes before the first row), and cannot be
stopped. So a daemon thread reads the resident set size from
``/proc/self/statm`` every ``SAMPLE_SECONDS``; when it is over the cap, the
``exceeded`` callback runs (``retirement.memory_exceeded``: every
query waiting on this worker gets 503, and the worker is replaced the way a
runaway query's worker is). Linux only: without ``/proc`` the guard is off
and says so in the log.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

SAMPLE_SECONDS = 0.02
STATM = Path("/proc/self/statm")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

log = logging.getLogger(__name__)


def resident_bytes(statm: int | None = None) -> int | None:
    """The resident set size of this process in bytes (``None`` when ``/proc`` is not there).

    ``statm``: a descriptor of ``/proc/self/statm`` kept open by the caller, read with one
    ``pread`` (the watchdog samples every ``SAMPLE_SECONDS``); else the file is opened for this read.
    """
    try:
        if statm is not None:
            return int(os.pread(statm, 128, 0).split()[1]) * PAGE_BYTES
        with open(STATM, "rb") as file:
            return int(file.read().split()[1]) * PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return None


class MemoryGuard:
    """Calls ``exceeded(rss)`` from its own thread when the resident memory passes ``limit`` bytes.

    Re-armed once the memory is back under the cap (a worker that is not replaced).
    """

    def __init__(self, limit: int, exceeded: Callable[[int], None]) -> None:
        self.limit = limit
        self.exceeded = exceeded
        self._pid: int | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the watchdog in this process (again after a fork: threads do not survive it)."""
        with self._lock:
            if self.limit <= 0 or self._pid == os.getpid():
                return
            if resident_bytes() is None:
                log.warning("memory cap off: %s cannot be read on this system", STATM)
                self._pid = os.getpid()
                return
            self._pid = os.getpid()
            threading.Thread(target=self._watch, name="memory-guard", daemon=True).start()

    def _watch(self) -> None:
        statm = os.open(STATM, os.O_RDONLY)  # this process's own: opened in the process the thread runs in
        while True:
            rss = resident_bytes(statm) or 0
            if rss > self.limit:
                log.warning("worker %d: resident memory %d MiB is over the cap of %d MiB; replacing it",
                            os.getpid(), rss >> 20, self.limit >> 20)
                self.exceeded(rss)
                while (resident_bytes(statm) or 0) > self.limit:  # re-armed once back under the cap
                    time.sleep(SAMPLE_SECONDS * 10)
            time.sleep(SAMPLE_SECONDS)
