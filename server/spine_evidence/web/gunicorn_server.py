"""``serve --server gunicorn``: the Flask app under gunicorn's *sync* workers, configured in code.

Worker model: ``workers`` processes (default :func:`default_workers`),
forked by gunicorn's arbiter; each creates the app after the fork (no
preloading), so it opens the store read-only itself, and answers one
request at a time.

Cancellation (``AppConfig.runaway = "exit"``, see :mod:`.retirement`): when
a query must be stopped, the app marks the request's WSGI environ with
``RUNAWAY_KEY``; once that answer is sent, :func:`post_request` stops the
worker's loop and :func:`worker_exit` ends the process at once, the runaway
query with it. The arbiter starts a fresh worker; the others keep serving.
A worker stopped with no request at hand (over its memory cap) gets
SIGTERM instead, gunicorn's graceful stop.

Stopping: each worker leaves the terminal's process group (:func:`post_fork`,
see :mod:`.worker_process`), so a Ctrl-C reaches the arbiter alone, which
stops the workers. A worker stops gracefully whichever signal the arbiter
sends (:func:`post_worker_init`): the answer it is writing is finished, not
cut by an exception mid-write (which gunicorn logged with a traceback).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import TYPE_CHECKING, Any, cast

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.http.message import Request
from gunicorn.http.wsgi import Response
from gunicorn.workers.base import Worker

from ..store.location import Announce
from .app import create_app
from .config import AppConfig
from .retirement import RUNAWAY_KEY
from .worker_process import detach_from_terminal_group

if TYPE_CHECKING:
    from gunicorn._types import _WSGIAppType

# gunicorn's own limit on the request line (the longest it allows); a longer GET gets its 4xx.
REQUEST_LINE_LIMIT = 8190
# Seconds beyond the query deadline before the arbiter takes a silent worker for hung and kills it.
HEARTBEAT_MARGIN = 30.0


def default_workers() -> int:
    """Two sync workers per core plus one, as gunicorn's documentation suggests."""
    return 2 * (os.cpu_count() or 1) + 1


def post_request(worker: Worker, req: Request, environ: dict[str, Any], resp: Response) -> None:
    """gunicorn hook, after each answer: when the app marked the request as runaway, stop this worker's loop."""
    if environ.get(RUNAWAY_KEY):
        worker.alive = False
        worker.spine_evidence_runaway = True  # type: ignore[attr-defined]  # read by worker_exit


def post_fork(server: Arbiter, worker: Worker) -> None:
    """gunicorn hook, in each new worker: leave the terminal's process group (see ``worker_process``)."""
    detach_from_terminal_group()


def post_worker_init(worker: Worker) -> None:
    """gunicorn hook, in each worker before it serves: SIGQUIT and SIGINT stop it gracefully, as SIGTERM does.

    gunicorn's quick stop (Ctrl-C, SIGQUIT) raises ``SystemExit`` in the
    worker wherever it is, even inside the ``sendall`` of an answer already
    delivered; a graceful stop ends the worker's loop after that answer.
    The arbiter still kills a worker that has not stopped after ``graceful_timeout``.
    """
    for number in (signal.SIGQUIT, signal.SIGINT):
        signal.signal(number, worker.handle_exit)
        signal.siginterrupt(number, False)


def worker_exit(server: Arbiter, worker: Worker) -> None:
    """gunicorn hook, as any worker ends: end the process now, without running the interpreter's exit.

    The interpreter's exit (finalising modules while query threads and the
    store's native threads still run) crashed the worker with SIGSEGV at
    every shutdown, and would wait for a runaway query; nothing is left to
    clean up that the kernel does not.
    """
    for number in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)
    if getattr(worker, "spine_evidence_runaway", False) and server.log is not None:
        server.log.warning("worker (pid:%s) retired itself: a query missed its deadline", worker.pid)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def gunicorn_options(host: str, port: int, workers: int, timeout: float) -> dict[str, object]:
    """gunicorn's settings: where to listen, how many sync workers, and their limits."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "timeout": int(timeout + HEARTBEAT_MARGIN),
        "graceful_timeout": 5,
        "keepalive": 2,
        "limit_request_line": REQUEST_LINE_LIMIT,
        "preload_app": False,
        "accesslog": None,
        "loglevel": "warning",
        "proc_name": "spine-evidence",
    }


class EndpointGunicorn(BaseApplication):
    """gunicorn configured in code (``options`` and the hooks above), serving ``create_app(config)`` in each worker."""

    def __init__(self, config: AppConfig, options: dict[str, object], announce: Announce = print) -> None:
        self.app_config = config
        self.options = options
        self.announce = announce
        super().__init__()

    def load_config(self) -> None:
        """Set gunicorn's settings from ``options``, and the hooks of this module."""
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_request", post_request)
        self.cfg.set("post_fork", post_fork)
        self.cfg.set("post_worker_init", post_worker_init)
        self.cfg.set("worker_exit", worker_exit)
        self.cfg.set("when_ready", self.when_ready)

    def when_ready(self, arbiter: Arbiter) -> None:
        """gunicorn hook, once the arbiter listens: say where the endpoint is."""
        for listener in arbiter.LISTENERS:
            self.announce(f"spine-evidence: SPARQL endpoint at {listener}/sparql")
        sys.stdout.flush()

    def load(self) -> _WSGIAppType:
        """The WSGI app of one worker, created after the fork."""
        return cast("_WSGIAppType", create_app(self.app_config))  # gunicorn's environ is a dict; its stubs say Mapping


def serve_gunicorn(config: AppConfig, host: str, port: int, workers: int, announce: Announce = print) -> None:
    """Serve ``create_app(config)`` under gunicorn until interrupted."""
    EndpointGunicorn(config, gunicorn_options(host, port, workers, config.timeout), announce).run()
