"""Defence against slow and idle clients: the read deadlines, connection caps and body buffering of ``serve``.

One place for these limits, which the default server applies (see
``granian_server``: HTTP/1.1 only there, since granian's HTTP/2 detection
waits for a first byte without any deadline). gunicorn's sync workers
(``server``) have none of them: one slow client holds a whole worker.

- ``HEADER_READ_SECONDS``: a connection must deliver a whole request head
  within this time, counted from when it is accepted or from the end of the
  previous answer; so a connection that sends nothing, a slow header
  (slowloris) and an idle keep-alive connection are all closed after it.
  5 s is Apache httpd's keep-alive default: long enough for a browser or a
  client library to reuse a connection, short enough that a flood of idle
  connections holds its slots for seconds, not minutes.
- Request bodies: granian hands a WSGI request over before its body has
  arrived, and a read of ``wsgi.input`` cannot be abandoned: a worker that
  answers while one of its body reads is still waiting stalls every other
  request until that client sends or hangs up (measured with granian 2.8).
  So a body is read to its end on the request thread, and what is bounded is
  how many bodies are read at once: ``MAX_BODY_READS`` per worker (half its
  request threads) and ``MAX_BODY_READS_PER_CLIENT`` per client address;
  beyond them a request with a body gets 503 with ``Retry-After`` at once,
  without its body being read. Slow bodies thus never hold more than half of
  a worker's request threads, and never a query thread. gunicorn also limits
  each wait for body bytes (``query_operation.BODY_READ_SECONDS``).
- ``MAX_CONNECTIONS_PER_WORKER``: connections a worker holds at once; more
  wait in the listening socket's backlog (``BACKLOG``) until a slot frees,
  which the deadlines above guarantee within seconds. Bounded by the
  process's file-descriptor limit, whose soft value :func:`raise_fd_limit`
  lifts to the hard one.
- ``REQUEST_THREADS``: WSGI threads per worker. A body being read holds one
  (the WSGI interface hands the request over before its body has arrived), so
  there are many more of them than query threads: slow bodies use request
  threads, never the query threads that answer everyone else.

:class:`BodyReads` is the WSGI middleware that admits and reads request
bodies and hands the application the whole body in memory, so nothing
downstream ever waits on a client; :func:`serving` counts the requests in
flight, so that a retiring worker ends as soon as it holds nothing but
bodies still arriving (:func:`exit_once_only_bodies_pending`).
"""

from __future__ import annotations

import io
import logging
import os
import resource
import threading
import time
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .environ import Environ
    from .fast_path import StartResponse, WSGIApp

HEADER_READ_SECONDS = 5
MAX_CONNECTIONS_PER_WORKER = 4096
FD_RESERVE = 128  # descriptors a worker keeps for its store, logs and pipes
REQUEST_THREADS = 32
MAX_BODY_READS = REQUEST_THREADS // 2
MAX_BODY_READS_PER_CLIENT = 4
RETRY_AFTER_SECONDS = 1
EXIT_POLL_SECONDS = 0.05
EXIT_SETTLE_POLLS = 5
BACKLOG = 4096
READ_CHUNK = 64 * 1024

log = logging.getLogger(__name__)


def raise_fd_limit() -> int:
    """Lift this process's soft limit on open files to its hard limit; the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as error:
            log.warning("cannot raise the open-file limit from %s to %s: %s", soft, target, error)
    return soft


def connections_per_worker() -> int:
    """The connection cap of one worker: ``MAX_CONNECTIONS_PER_WORKER`` within its open-file limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(64, min(MAX_CONNECTIONS_PER_WORKER, soft - FD_RESERVE))


def has_body(environ: Environ) -> bool:
    """Whether the request announces a body (a non-zero ``Content-Length`` or chunked encoding)."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return True
    return environ.get("CONTENT_LENGTH", "").strip() not in ("", "0")


class InFlight:
    """This worker's requests in flight, and how many of them are still receiving their body.

    ``counting`` is set once :func:`serving` wraps the app (granian's workers).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.reading = 0
        self.counting = False

    def only_bodies_pending(self) -> bool:
        """Whether every request in flight is one still receiving its body (none is being answered)."""
        with self.lock:
            return self.requests == self.reading


IN_FLIGHT = InFlight()


def serving(app: WSGIApp) -> WSGIApp:
    """WSGI middleware counting the requests in flight in ``IN_FLIGHT`` (until their answer is handed over)."""
    IN_FLIGHT.counting = True

    def counted(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        with IN_FLIGHT.lock:
            IN_FLIGHT.requests += 1
        try:
            return app(environ, start_response)
        finally:
            with IN_FLIGHT.lock:
                IN_FLIGHT.requests -= 1

    return counted


def exit_once_only_bodies_pending() -> None:
    """In a retiring worker: end the process (status 0) as soon as no request is being answered.

    A retiring worker stops accepting and answers what it holds, but a
    request whose body is still arriving would keep it alive until the
    client sends or leaves, and its replacement is started only once it has
    ended: with every worker retiring, nobody would accept for seconds (5 s
    seen in the soak). Such bodies are given up instead (their connections
    close). The condition must hold for ``EXIT_SETTLE_POLLS`` polls in a row
    (a quarter second), so that the worker has stopped accepting, requests
    it accepted have reached the app, and answers just handed to the server
    have been written. Does nothing unless :func:`serving` counts this
    worker's requests.
    """
    if not IN_FLIGHT.counting:
        return
    idle_polls = 0
    while idle_polls < EXIT_SETTLE_POLLS:
        time.sleep(EXIT_POLL_SECONDS)
        idle_polls = idle_polls + 1 if IN_FLIGHT.only_bodies_pending() else 0
    os._exit(0)


class BodyReads:
    """WSGI middleware: admit a request body (within the caps), read it whole, then call the app.

    The app sees ``wsgi.input`` as the body in memory with its exact
    ``Content-Length``. At most ``limit + 1`` bytes are read (the app answers
    413 above ``limit``). Over ``max_reads`` bodies being read in this worker,
    or ``per_client`` from one address, the request gets 503 at once.
    """

    def __init__(self, app: WSGIApp, limit: int, max_reads: int = MAX_BODY_READS,
                 per_client: int = MAX_BODY_READS_PER_CLIENT) -> None:
        self.app = app
        self.limit = limit
        self.max_reads = max_reads
        self.per_client = per_client
        self._lock = threading.Lock()
        self._reading: Counter[str] = Counter()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if not has_body(environ):
            return self.app(environ, start_response)
        client = environ.get("REMOTE_ADDR", "")
        refusal = self._admit(client)
        if refusal:
            return refuse(start_response, "503 Service Unavailable", refusal)
        try:
            body = self._read(environ)
        except Exception as error:  # each WSGI server's body reader raises its own types
            return refuse(start_response, "400 Bad Request", f"the request body could not be read: {error}")
        finally:
            with IN_FLIGHT.lock:
                IN_FLIGHT.reading -= 1
            with self._lock:
                self._reading[client] -= 1
                if not self._reading[client]:
                    del self._reading[client]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    def _admit(self, client: str) -> str | None:
        """Count one more body being read from ``client``; the reason to refuse it instead, if any."""
        with self._lock:
            if sum(self._reading.values()) >= self.max_reads:
                return f"{self.max_reads} request bodies are already being received; retry shortly"
            if self._reading[client] >= self.per_client:
                return f"{self.per_client} request bodies from this client are already being received"
            self._reading[client] += 1
        with IN_FLIGHT.lock:
            IN_FLIGHT.reading += 1
        return None

    def _read(self, environ: Environ) -> bytes:
        """At most ``limit + 1`` bytes of the body."""
        from werkzeug.wsgi import get_input_stream

        stream = get_input_stream(environ, max_content_length=None)
        chunks, size = [], 0
        while size <= self.limit:
            chunk = stream.read(min(READ_CHUNK, self.limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)


def refuse(start_response: StartResponse, status: str, message: str) -> list[bytes]:
    """A plain-text error answer that closes the connection (its body was not read); 503 says when to retry."""
    body = (message + "\n").encode("utf-8")
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
               ("Connection", "close"), ("Access-Control-Allow-Origin", "*")]
    if status.startswith("503"):
        headers.append(("Retry-After", str(RETRY_AFTER_SECONDS)))
    start_response(status, headers)
    return [body]
