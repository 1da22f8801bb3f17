"""``serve``: the Flask app under granian (default) or gunicorn, on the persisted read-only store.

granian: see ``granian_server.py`` (one worker per core, threads within).

gunicorn: *sync* workers (several per core), each opening the store
read-only after the fork (no app preloading). A query runs on a query
thread of its worker; when it misses its deadline the request gets a 503
and the app marks the WSGI environ; the ``post_request`` hook below then
stops the worker's loop, and ``worker_exit`` ends the process at once (the
runaway query with it) instead of waiting for it. The arbiter starts a fresh
worker; the others keep serving meanwhile.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from gunicorn.app.base import BaseApplication

from .. import store as store_module
from ..store.location import Announce, StoreSetupError, data_store, parse_data_option, resolve_store, store_summary
from .app import create_app
from .config import AppConfig
from .query_operation import RUNAWAY_KEY
from .worker_process import detach_from_terminal_group

# gunicorn's own limit on the request line (the longest it allows); a longer GET gets its 4xx.
REQUEST_LINE_LIMIT = 8190
HEARTBEAT_MARGIN = 30.0
SERVERS = ("granian", "gunicorn")
# How each WSGI server really stops a runaway query (``AppConfig.runaway``).
RUNAWAY_BY_SERVER = {"granian": "retire", "gunicorn": "exit"}
DEFAULT_THREADS = 4


def check_listen(host: str, port: int) -> None:
    """Raise ``OSError`` (one clear line) when ``host:port`` cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as error:
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def default_workers() -> int:
    """Two sync workers per core plus one, as gunicorn's documentation suggests."""
    return 2 * (os.cpu_count() or 1) + 1


def post_request(worker, req, environ, resp) -> None:
    """gunicorn hook: after a 503 for a runaway query, stop this worker's loop."""
    if environ.get(RUNAWAY_KEY):
        worker.alive = False
        worker.spine_evidence_runaway = True


def post_fork(server, worker) -> None:
    """gunicorn hook, in each new worker: leave the terminal's process group (see ``worker_process``)."""
    detach_from_terminal_group()


def worker_exit(server, worker) -> None:
    """gunicorn hook: a worker ends now, without waiting for a runaway query or running the interpreter's exit.

    The interpreter's exit (finalising modules while query threads and the
    store's native threads still run) crashed the worker with SIGSEGV at
    every shutdown; nothing is left to clean up that the kernel does not.
    """
    for number in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)
    if getattr(worker, "spine_evidence_runaway", False):
        server.log.warning("worker (pid:%s) retired itself: a query missed its deadline", worker.pid)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class EndpointServer(BaseApplication):
    """gunicorn, configured in code, serving ``create_app(config)`` in each worker."""

    def __init__(self, config: AppConfig, options: dict, announce: Announce = print) -> None:
        self.app_config = config
        self.options = options
        self.announce = announce
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_request", post_request)
        self.cfg.set("post_fork", post_fork)
        self.cfg.set("worker_exit", worker_exit)
        self.cfg.set("when_ready", self.when_ready)

    def when_ready(self, arbiter) -> None:
        """Say where the endpoint listens (once, from the arbiter)."""
        for listener in arbiter.LISTENERS:
            self.announce(f"spine-evidence: SPARQL endpoint at {listener}/sparql")
        sys.stdout.flush()

    def load(self):
        return create_app(self.app_config)


def gunicorn_options(host: str, port: int, workers: int, timeout: float) -> dict:
    """The gunicorn settings for ``serve``."""
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


def prepare_config(
    store: Path | None,
    data: Sequence[str],
    config: AppConfig,
    announce: Announce = print,
    server: str = "gunicorn",
) -> AppConfig:
    """The config for serving under ``server``: the resolved (built if needed) store, with ``--data`` files added.

    The store is opened once here, so that a broken one is one clear error
    rather than workers failing one after another.
    """
    extra = [parse_data_option(value) for value in data]
    store_path = resolve_store(store, announce)
    if extra:
        store_path = data_store(store_path, extra, announce)
    try:
        store_module.open_store(store_path)  # closed at once: workers open their own
    except (OSError, ValueError) as error:
        raise StoreSetupError(f"cannot open the store at {store_path}: {' '.join(str(error).split())}") from None
    announce(f"serving {store_summary(store_path)}")
    version = store_module.read_build_record(store_path).get("graph_version")
    return replace(config, store_path=store_path, graph_version=config.graph_version or version,
                   runaway=RUNAWAY_BY_SERVER[server])


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int | None = None,
    store: Path | None = None,
    data: Sequence[str] = (),
    config: AppConfig | None = None,
    announce: Announce = print,
    server: str = "granian",
    threads: int | None = None,
) -> None:
    """Serve the SPARQL endpoint under ``server`` (granian or gunicorn) until interrupted.

    ``store``: a store folder or a build folder (default: see
    ``store.location``: the state folder, where ``build`` writes), built once when missing or stale. ``data``:
    extra ``[IRI=]FILE`` RDF files served as named graphs. ``config`` carries
    the limits (timeout, max rows, max body, SERVICE allow-list, cache).
    ``workers``: processes (default: one per core under granian, two per core
    plus one under gunicorn); ``threads``: query threads per process.
    Raises ``StoreSetupError`` (no store, bad data file) or ``ValueError``.
    """
    if server not in SERVERS:
        raise ValueError(f"unknown server {server!r}; use one of {', '.join(SERVERS)}")
    check_listen(host, port)
    threads = threads or DEFAULT_THREADS
    config = replace(config or AppConfig(), query_threads=threads)
    config = prepare_config(store, data, config, announce, server)
    if server == "granian":
        from .granian_server import default_workers as granian_workers
        from .granian_server import serve_granian

        serve_granian(config, host, port, workers or granian_workers(), threads, announce)
        return
    options = gunicorn_options(host, port, workers or default_workers(), config.timeout)
    EndpointServer(config, options, announce).run()
