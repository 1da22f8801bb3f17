"""``serve`` under granian (a Rust HTTP server) with the WSGI interface: the default server.

Worker model: ``workers`` processes (one per core), forked by the
supervisor (granian's main process, :class:`EndpointGranian`); each opens the
store read-only and runs its queries on ``threads`` query threads (pyoxigraph
releases the GIL while it evaluates), fed by ``REQUEST_THREADS`` WSGI threads.

The supervisor never retires. It binds one listening socket per worker
slot, all on the same port with ``SO_REUSEPORT``, once, and keeps them open;
the worker of each slot (and each successor of it) accepts from that slot's
socket. The kernel spreads new connections over the slots by their address
hash, so the workers share the clients (with one socket shared by all
workers, the first to wake took every connection of a burst: wrk's 8
connections all went to one worker, 2.8k instead of 9.5k requests/s). While
a worker retires, crashes or restarts, the connections of its slot wait in
its socket's backlog (``BACKLOG``) for its successor, instead of being
refused; the other slots' are answered meanwhile. It respawns every worker that ends, whatever the cause and
however often (granian's own crash-loop check, which stops the whole server
after two deaths of one worker within 5.5 s, is switched off); a worker
that dies during its first second is respawned after a pause, so a broken
installation does not spin. Each end is logged once, at the level it
deserves: a retirement (status 0, see ``retirement``) as a warning, a crash (a
signal, another status) as an error.

Cancellation: when a query misses its deadline the client gets its 503
and the worker sends itself SIGTERM (``AppConfig.runaway = "retire"``):
granian stops it gracefully (no new connections; requests in flight are
answered), the process exits with status 0, which really stops the runaway
query, and the supervisor starts a fresh worker.

Memory: the workers are forked from the supervisor, which has imported the
app's modules; the supervisor freezes its objects before forking and each
worker freezes its own once its app is made (``gc.freeze``), so that the
cyclic garbage collector neither writes to the shared pages (each write
would copy a page into the worker) nor spends a pause traversing them.

Stopping: each worker leaves the terminal's process group (see
:mod:`.worker_process`), so a Ctrl-C or a SIGTERM reaches the supervisor
alone, which stops each worker with one SIGTERM and ends, after
``WORKERS_KILL_TIMEOUT``, any still answering (saying so).

Slow and idle clients: HTTP/1.1 only (the HTTP/2 detection of granian's
``auto`` mode waits for a first byte without any deadline), a deadline on
each request head and on the idle time between requests, a cap on the
request bodies read at once (:class:`~.slow_clients.BodyReads`) and a
connection cap per worker; the figures and why are in :mod:`.slow_clients`.
"""

# granian's process classes (MPServer, WorkerProcess) carry no type annotations.
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels, logger
from granian.net import SocketSpec  # type: ignore[attr-defined]  # re-exported by granian.net, not declared
from granian.server import MPServer
from granian.server.mp import WorkerProcess

from ..store.location import Announce
from .app import create_app
from .config import AppConfig
from .slow_clients import (
    BACKLOG,
    HEADER_READ_SECONDS,
    REQUEST_THREADS,
    BodyReads,
    connections_per_worker,
    raise_fd_limit,
    serving,
)
from .worker_process import detach_from_terminal_group

if TYPE_CHECKING:
    from .fast_path import WSGIApp

APP_TARGET = "spine_evidence.web:create_app"
RESPAWN_INTERVAL = 0.1
# Seconds the supervisor waits for a worker told to stop before killing it.
WORKERS_KILL_TIMEOUT = 5
# A worker that ends sooner than this after its start is respawned only after the same pause.
EARLY_DEATH_SECONDS = 1.0
CRASH_SIGNALS = frozenset({signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL, signal.SIGFPE})


def default_workers() -> int:
    """One granian worker per core: each serves many connections on its own threads."""
    return os.cpu_count() or 1


def describe_exit(exitcode: int | None) -> tuple[int, str]:
    """The log level and the words for a worker that ended by itself with ``exitcode``."""
    if exitcode == 0:
        return logging.WARNING, "retired itself (a runaway query: past its deadline or over the memory cap)"
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else f"signal {-exitcode}"
        verb = "crashed" if -exitcode in CRASH_SIGNALS else "was ended"
        return logging.ERROR, f"{verb} ({name})"
    return logging.ERROR, f"exited with status {exitcode}"


class EndpointWorker(WorkerProcess):
    """A granian worker process whose end, when the supervisor did not ask for it, is logged as what it was."""

    def _watcher(self) -> None:
        self.inner.join()
        if self.interrupt_by_parent:
            return
        level, what = describe_exit(self.inner.exitcode)
        logger.log(level, f"worker-{self.idx + 1} (PID {self.inner.pid}) {what}; starting a new one")
        self.parent.interrupt_children.append(self.idx)
        self.parent.main_loop_interrupt.set()


def has_ended(worker: WorkerProcess, settle: float = 0.2) -> bool:
    """Whether ``worker`` has ended, allowing for the moment between its pipe closing and its exit being seen."""
    until = time.monotonic() + settle
    while worker.is_alive():
        if time.monotonic() > until:
            return False
        time.sleep(0.005)
    return True


class EndpointGranian(MPServer):
    """granian's process manager as a supervisor that holds the socket and always respawns (module docstring)."""

    def _init_shared_socket(self) -> None:
        """Bind each slot's socket once, here, and keep them (granian on Linux binds one in each worker it starts)."""
        self._ssp = None
        self._slots: list[tuple[Any, int, socket.socket]] = []
        port = self.bind_port
        for _ in range(max(self.workers, 1)):
            holder = SocketSpec(self.bind_addr, port, self.backlog).build()  # SO_REUSEPORT: one port, many sockets
            inherited = socket.socket(fileno=holder.get_fd())
            inherited.set_inheritable(True)
            port = inherited.getsockname()[1]  # the port the first one got, when asked for any (0)
            self._slots.append((holder, holder.get_fd(), inherited))

    def _spawn_worker(  # type: ignore[override]  # MPServer's own signature (its base declares another)
            self, idx: int, target: Callable[..., Any], callback_loader: Callable[..., Any]) -> WorkerProcess:
        holder, descriptor, self._sso = self._slots[idx % len(self._slots)]
        self._shd, self._sfd = holder, descriptor  # type: ignore[assignment]  # granian hands the worker these
        worker = super()._spawn_worker(idx, target, callback_loader)
        worker.__class__ = EndpointWorker
        return worker

    def _respawn_workers(self, workers: list[int], spawn_target: Callable[..., Any],
                         target_loader: Callable[..., Any], delay: float = 0) -> None:
        """Respawn ``workers``; never let granian count them towards a crash loop."""
        now = time.monotonic()
        if any(now - self.wrks[idx].birth < EARLY_DEATH_SECONDS for idx in workers if idx < len(self.wrks)):
            time.sleep(EARLY_DEATH_SECONDS)
        super()._respawn_workers(workers, spawn_target, target_loader, delay)
        self.respawned_wrks.clear()

    def _stop_workers(self) -> None:
        """Ask every worker to stop (one SIGTERM each); end those still answering after ``WORKERS_KILL_TIMEOUT``."""
        for worker in self.wrks:
            worker.terminate()
        deadline = time.monotonic() + WORKERS_KILL_TIMEOUT
        for worker in self.wrks:
            worker.join(max(0.001, deadline - time.monotonic()))
            if not has_ended(worker):
                logger.warning(f"worker-{worker.idx + 1} still had requests in flight {WORKERS_KILL_TIMEOUT} s "
                               "after the stop (a slow client or a long query); ending it")
                worker.kill()
                worker.join()
        self.wrks.clear()

    def shutdown(self, exit_code: int = 0) -> None:
        """Stop the workers; a worker that ended by itself meanwhile was logged already, not an error exit."""
        self.interrupt_children.clear()
        super().shutdown(exit_code)


def app_loader(config: AppConfig) -> Callable[[str], WSGIApp]:
    """The function granian calls in each worker to get the WSGI app (the config is inherited by fork)."""

    def load(_target: str) -> WSGIApp:
        detach_from_terminal_group()
        app = serving(BodyReads(create_app(config), config.max_body))
        gc.freeze()  # the app's long-lived objects: never traversed by the collector (no pauses, no copied pages)
        return app

    return load


class QuietThreadCount(logging.Filter):
    """Drop granian's start-up advice about many Python threads: ours wait on clients, by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Configuration allows spawning up to")


def serve_granian(config: AppConfig, host: str, port: int, workers: int, threads: int,
                  announce: Announce = print) -> None:
    """Serve ``create_app(config)`` under granian until interrupted."""
    raise_fd_limit()
    server = EndpointGranian(
        APP_TARGET,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=max(REQUEST_THREADS, 2 * threads),
        backlog=BACKLOG,
        backpressure=connections_per_worker(),
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_SECONDS * 1000, keep_alive=True),
        respawn_failed_workers=True,
        respawn_interval=RESPAWN_INTERVAL,
        workers_kill_timeout=WORKERS_KILL_TIMEOUT,
        log_level=LogLevels.warning,
        log_access=False,
    )
    logger.addFilter(QuietThreadCount())

    @server.on_startup
    def ready() -> None:
        announce(f"spine-evidence: SPARQL endpoint at http://{host}:{port}/sparql (granian, {workers} workers)")
        sys.stdout.flush()

    gc.freeze()  # what the workers inherit by fork stays shared: their collectors never write to it
    server.serve(target_loader=app_loader(config))
