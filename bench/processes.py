"""Processes the benchmark starts: free loopback ports, readiness, peak memory, stopping.

Every server runs in its own session (process group) so that it and its workers are
stopped together, by the id of the process we started and no other.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psutil

READY_QUERY = "ASK {}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``command`` in its own process group, output to ``log``."""
    with open(log, "ab") as sink:
        return subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env={**os.environ, **(env or {})})


def stop(process: subprocess.Popen | None, grace: float = 10.0) -> None:
    """Stop ``process`` and its group: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def answers(url: str, extra: dict[str, str] | None = None) -> bool:
    """Whether the SPARQL endpoint at ``url`` answers a trivial ASK with HTTP 200."""
    parts = urlsplit(url)
    path = f"{parts.path or '/'}?{urlencode({'query': READY_QUERY, **(extra or {})})}"
    try:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except (OSError, http.client.HTTPException):
        return False


def wait_ready(process: subprocess.Popen, url: str, timeout: float, extra: dict[str, str] | None = None) -> float:
    """Seconds until ``url`` answers; raises ``RuntimeError`` if the process dies or time runs out."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"exited with code {process.returncode} before answering")
        if answers(url, extra):
            return time.perf_counter() - started
        time.sleep(0.02)
    raise RuntimeError(f"not ready after {timeout:.0f} s")


class MemorySampler:
    """Samples the resident memory of a process tree in a thread and keeps the peak (bytes)."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def tree_rss(self) -> int:
        """Resident memory of the process and all its descendants now."""
        try:
            root = psutil.Process(self.pid)
            members = [root] + root.children(recursive=True)
        except psutil.Error:
            return 0
        total = 0
        for member in members:
            try:
                total += member.memory_info().rss
            except psutil.Error:
                continue
        return total

    def _run(self) -> None:
        while not self._stopped.is_set():
            self.peak = max(self.peak, self.tree_rss())
            self._stopped.wait(self.interval)

    def close(self) -> int:
        """Stop sampling; return the peak."""
        self._stopped.set()
        self._thread.join(timeout=2)
        return self.peak


def run_bounded(command: list[str], timeout: float, log: Path, env: dict[str, str] | None = None) -> float:
    """Run ``command`` to completion within ``timeout`` seconds; return the seconds it took."""
    started = time.perf_counter()
    process = spawn(command, log, env)
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(process)
        raise RuntimeError(f"{command[0]} took longer than {timeout:.0f} s (log: {log})") from None
    if code != 0:
        tail = log.read_text(errors="replace")[-600:]
        raise RuntimeError(f"{' '.join(command[:3])} failed with exit code {code}: {tail}")
    return time.perf_counter() - started
