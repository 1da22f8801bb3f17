"""Ending the worker that holds a runaway query or went over its memory cap.

pyoxigraph cannot stop a query, so a runaway one is stopped by ending its
process; ``AppConfig.runaway`` says how. ``exit`` (gunicorn) marks the
WSGI environ so that gunicorn's ``post_request`` hook ends the worker after
this answer (see ``server.py``); ``retire`` (granian, and gunicorn when no
request is at hand) sends this worker SIGTERM, which the server takes as a
graceful stop (the worker finishes its other requests, then exits, killing
the runaway thread) and respawns it; a worker still alive ``grace`` seconds
later ends at once (exit status 0, so it is respawned). ``abandon`` leaves
the thread (tests, in-memory stores).

When a deadline was the server's own (``AppConfig.timeout``), the worker is
ended at once. When the client asked for a shorter one, its 503 is sent at
that deadline but the query is left to run until the server's deadline,
counted from when it started: only a query still running then ends the
worker. So a client-given timeout can never retire workers faster than the
server's own deadline does (issue 9: ``timeout=0.000001`` did, 229 times in 30 s).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .memory_guard import MemoryGuard
from .slow_clients import exit_once_only_bodies_pending

if TYPE_CHECKING:
    from .environ import Environ
    from .query_runner import _Job
    from .state import EndpointState

RUNAWAY_KEY = "spine_evidence.runaway"
RETIRE_DELAY = 0.05  # seconds between a runaway's 503 and this worker's graceful stop
RETIRE_MARGIN = 5.0  # seconds past the deadline after which a retiring worker ends without waiting
MEMORY_GRACE = 1.0  # seconds a worker over its memory cap has to answer its 503s before it ends
_retiring = threading.Event()


def later(delay: float, call: Callable[..., object], *args: object) -> None:
    """Run ``call(*args)`` on a daemon timer thread after ``delay`` seconds."""
    timer = threading.Timer(max(delay, 0.0), call, args)
    timer.daemon = True
    timer.start()


def stop_runaway(state: EndpointState, environ: Environ | None = None, grace: float | None = None) -> None:
    """Arrange for this worker to end after the current answers (see the module docstring)."""
    action = state.config.runaway
    if action == "abandon":
        return
    if action == "exit" and environ is not None:
        environ[RUNAWAY_KEY] = True
        return
    if grace is not None:  # a shorter grace than a retirement already under way
        later(grace, os._exit, 0)
    if _retiring.is_set():
        return
    _retiring.set()
    later(RETIRE_DELAY, os.kill, os.getpid(), signal.SIGTERM)
    later(state.config.timeout + RETIRE_MARGIN if grace is None else grace, os._exit, 0)
    later(RETIRE_DELAY, exit_once_only_bodies_pending)  # slow request bodies do not hold a retirement up


def watch_runaway(state: EndpointState, environ: Environ, job: _Job[object] | None) -> None:
    """After a 503 for a query still running: end the worker now, or at the server's deadline if it still runs."""
    if job is None:
        return
    remaining = job.started_at + state.config.timeout - time.monotonic()
    if remaining <= RETIRE_DELAY:
        stop_runaway(state, environ)
        return

    def check() -> None:
        if job.running:
            stop_runaway(state)

    later(remaining, check)


def memory_exceeded(state: EndpointState, rss: int) -> None:
    """The memory guard's callback: answer every query of this worker with 503, then replace the worker."""
    replacing = state.config.runaway != "abandon"
    message = (f"the worker's memory ({rss >> 20} MiB) went over its cap of {state.config.max_memory >> 20} MiB; "
               "the queries it was running were stopped")
    state.runner.fail_all(message, refuse_new=replacing)
    if replacing:
        stop_runaway(state, None, MEMORY_GRACE)


def start_memory_guard(state: EndpointState) -> MemoryGuard:
    """Start this worker's memory guard (``AppConfig.max_memory``; 0 leaves it off)."""
    guard = MemoryGuard(state.config.max_memory, lambda rss: memory_exceeded(state, rss))
    guard.start()
    return guard
