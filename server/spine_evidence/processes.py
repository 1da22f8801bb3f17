"""Server processes started by the tests, the benchmark and the conformance runner.

One helper for the three of them (datasette ships its test helpers in
``datasette/utils/testing.py`` likewise): a free port on 127.0.0.1, a
process started in its own session (process group) so that it and its
workers are stopped together by the id of the process we started and no
other, a bounded wait until it answers a trivial SPARQL query (noticing an
early exit), and a bounded stop (SIGTERM, wait, SIGKILL).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from .errors import SpineEvidenceError

READY_QUERY = "ASK {}"
PROBE_SECONDS = 5.0  # one readiness probe's connect and read timeout
POLL_SECONDS = 0.02
STOP_GRACE_SECONDS = 10.0  # SIGTERM, then this long before SIGKILL
KILL_WAIT_SECONDS = 5.0

Process = subprocess.Popen[bytes]


class ServerStartError(SpineEvidenceError, RuntimeError):
    """A started server exited, or did not answer in time; the message ends with its last output line."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def spawn_in_session(command: Sequence[str], log: Path, env: Mapping[str, str] | None = None,
                     cwd: Path | None = None) -> Process:
    """Start ``command`` in a new session (its own process group), stdout and stderr appended to ``log``.

    ``env`` is added to this process's environment.
    """
    with open(log, "ab") as sink:
        return subprocess.Popen(list(command), stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, cwd=cwd, env={**os.environ, **(env or {})})


def answers(url: str, params: Mapping[str, str] | None = None) -> bool:
    """Whether the SPARQL endpoint at ``url`` answers ``GET ?query=ASK {}`` (and ``params``) with 200."""
    parts = urlsplit(url)
    target = f"{parts.path or '/'}?{urlencode({'query': READY_QUERY, **(params or {})})}"
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=PROBE_SECONDS)
    try:
        connection.request("GET", target, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def last_line(log: Path | None) -> str:
    """The last line a process wrote to ``log``, for a one-line error."""
    text = log.read_text(errors="replace").strip() if log is not None and log.exists() else ""
    return text.splitlines()[-1] if text else "(no output)"


def wait_until_answers(process: Process, url: str, limit_s: float, log: Path | None = None,
                       params: Mapping[str, str] | None = None) -> float:
    """Poll ``url`` with ``ASK {}`` until it answers 200; the seconds it took.

    Raises :class:`ServerStartError` as soon as the process exits, or after
    ``limit_s`` seconds without an answer.
    """
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if process.poll() is not None:
            raise ServerStartError(f"the server exited with code {process.returncode}: {last_line(log)}")
        if answers(url, params):
            return time.monotonic() - started
        time.sleep(POLL_SECONDS)
    raise ServerStartError(f"the server did not answer within {limit_s:.0f} s: {last_line(log)}")


def stop_group(process: Process | None, grace_s: float = STOP_GRACE_SECONDS) -> None:
    """Stop ``process`` and its process group: SIGTERM, then SIGKILL after ``grace_s`` seconds.

    Only the group led by the process we started is signalled (``spawn_in_session``).
    """
    if process is None or process.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, KILL_WAIT_SECONDS)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue
