"""``serve`` under granian (a Rust HTTP server) with the WSGI interface: the default server.

Worker model: ``workers`` processes (one per core), forked by granian's main
process after it binds the socket; each opens the store read-only and runs
its queries on ``threads`` query threads (pyoxigraph releases the GIL while
it evaluates), with as many WSGI threads feeding them.

Cancellation: when a query misses its deadline the client gets its 503
and the worker sends itself SIGTERM (``AppConfig.runaway = "retire"``):
granian stops it gracefully (no new connections; requests in flight are
answered), the process exits, which really stops the runaway query, and
granian's main process spawns a fresh worker. granian treats two exits of
the same worker within a few seconds as a crash loop and stops the server;
:class:`EndpointGranian` exempts workers that exited cleanly (status 0: a
retirement), so a burst of runaway queries cannot take the endpoint down.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server import MPServer

from .app import create_app
from .config import AppConfig
from .store_setup import Announce

APP_TARGET = "spine_evidence.web:create_app"
RESPAWN_INTERVAL = 0.1
# Seconds granian waits for a worker told to stop before killing it (a SIGTERM that arrives while a
# worker is still starting is lost, and the worker would otherwise be waited for forever).
WORKERS_KILL_TIMEOUT = 5
BACKLOG = 1024


def default_workers() -> int:
    """One granian worker per core: each serves many connections on its own threads."""
    return os.cpu_count() or 1


class EndpointGranian(MPServer):
    """granian's process manager, with retired workers (exit status 0) respawned without a crash-loop check."""

    def _respawn_workers(self, workers, spawn_target, target_loader, delay: float = 0):
        retired = [idx for idx in workers if idx < len(self.wrks) and self.wrks[idx].inner.exitcode == 0]
        super()._respawn_workers(workers, spawn_target, target_loader, delay)
        for idx in retired:
            self.respawned_wrks.pop(idx, None)


def app_loader(config: AppConfig) -> Callable[[str], Callable]:
    """The function granian calls in each worker to get the WSGI app (the config is inherited by fork)."""

    def load(_target: str) -> Callable:
        return create_app(config)

    return load


def serve_granian(config: AppConfig, host: str, port: int, workers: int, threads: int,
                  announce: Announce = print) -> None:
    """Serve ``create_app(config)`` under granian until interrupted."""
    server = EndpointGranian(
        APP_TARGET,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        backlog=BACKLOG,
        respawn_failed_workers=True,
        respawn_interval=RESPAWN_INTERVAL,
        workers_kill_timeout=WORKERS_KILL_TIMEOUT,
        log_level=LogLevels.warning,
        log_access=False,
    )

    @server.on_startup
    def ready() -> None:
        announce(f"spine-evidence: SPARQL endpoint at http://{host}:{port}/sparql (granian, {workers} workers)")
        sys.stdout.flush()

    server.serve(target_loader=app_loader(config))
