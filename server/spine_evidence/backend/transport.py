"""One HTTP call to the backend, bound by a deadline, with its answer streamed (never read whole).

:func:`post_query` sends the SPARQL Protocol request (form-encoded POST) with
requests (the credentials of ``publish``, see :mod:`spine_evidence.publish.remote`)
and ``stream=True``: the connect timeout is at most ``CONNECT_SECONDS`` and
the time left; the read timeout (waiting for the status line) the time left.
It asks for an uncompressed answer (``Accept-Encoding: identity``: gzip cost
the backend and us CPU per row on a local network), and reads requests'
environment settings once per URL (:func:`environment`), not per call.
:class:`DeadlineStream` is the answer's body as a binary file for
pyoxigraph's parsers: before each read it sets the socket's timeout to the
time left and reads at most one network chunk, so the whole answer, however
slowly it drips, ends at the deadline (:class:`~.errors.BackendTimeout`)
(urllib3's ``stream``, one chunk of the answer per step: a backend that
drips one chunk could hold a step up to the time left once more); it
closes the connection at the end, at an error, at the deadline, or when the
parser is dropped (the row limit cut the answer).

Failures become :class:`~.errors.BackendError` (refused or reset connection,
an error status: 502), :class:`~.errors.BackendTimeout` (504) or
:class:`~.errors.BackendRefused` (the backend's 400 for the query).
"""

from __future__ import annotations

import functools
import http.client
import io
import re
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any, cast

import requests
import urllib3
from requests.auth import AuthBase

from .errors import BackendError, BackendRefused, BackendTimeout, relayed

# Virtuoso echoes each graph of a query's dataset as a response header (X-SPARQL-default-graph, …-named-graph),
# and every query names all published graphs: past 47 graphs, http.client's 100-header limit refused its answers.
# That limit is a setting of the module (for this process); it is raised, not removed.
MAX_RESPONSE_HEADERS = 10_000
CONNECT_SECONDS = 10.0
CHUNK = 64 * 1024
IDENTITY = "identity"  # the Accept-Encoding asked for (``gzip`` to trade CPU for network on a slow link)


def allow_response_headers(count: int = MAX_RESPONSE_HEADERS) -> None:
    """Let http.client (under requests and urllib3) read answers of up to ``count`` header lines."""
    if getattr(http.client, "_MAXHEADERS", 0) < count:
        setattr(http.client, "_MAXHEADERS", count)  # noqa: B010  # a private module setting, kept in one place


allow_response_headers()


def seconds_left(backend: str, deadline: float) -> float:
    """Seconds until ``deadline``; :class:`BackendTimeout` when it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise BackendTimeout(backend, "did not answer within the query's deadline; the request was cancelled")
    return left


def post_query(session: requests.Session, url: str, form: Sequence[tuple[str, str]], accept: str,
               deadline: float, auth: AuthBase | None = None) -> requests.Response:
    """POST ``form`` to ``url`` asking for ``accept``; the response, its body not yet read (2xx only)."""
    return call(session, "POST", url, accept, deadline, auth, data=list(form))


def http_get(session: requests.Session, url: str, params: Mapping[str, str], accept: str, deadline: float,
             auth: AuthBase | None = None) -> requests.Response:
    """GET ``url`` with ``params`` asking for ``accept``; the response, its body not yet read (2xx only)."""
    return call(session, "GET", url, accept, deadline, auth, params=dict(params))


def headers(accept: str) -> dict[str, str]:
    """The request's headers: ``accept``, and an uncompressed answer (on a local network gzip costs both sides CPU)."""
    return {"Accept": accept, "Accept-Encoding": IDENTITY}


@functools.lru_cache(maxsize=16)
def environment(url: str) -> dict[str, Any]:
    """What requests takes from the environment for ``url``, read once per URL, not per call.

    The proxies (``HTTP_PROXY``, ``NO_PROXY`` …), the CA bundle
    (``REQUESTS_CA_BUNDLE``) and the ``~/.netrc`` credentials (used when no
    others are given), as requests' ``trust_env`` would read them.
    """
    settings = requests.Session().merge_environment_settings(url, {}, None, None, None)
    return {"proxies": settings["proxies"], "verify": settings["verify"], "cert": settings["cert"],
            "auth": requests.utils.get_netrc_auth(url)}


def call(session: requests.Session, method: str, url: str, accept: str, deadline: float, auth: AuthBase | None,
         **options: object) -> requests.Response:
    """One request within ``deadline``: the streamed 2xx response, else the error of the module docstring."""
    left = seconds_left(url, deadline)
    try:
        session.trust_env = False  # the environment is read once per backend URL, not per call
        settings = environment(url)
        response = session.request(method, url, headers=headers(accept), stream=True, auth=auth or settings["auth"],
                                   proxies=settings["proxies"], verify=settings["verify"], cert=settings["cert"],
                                   timeout=(min(CONNECT_SECONDS, left), left), **options)  # type: ignore[arg-type]
    except requests.Timeout:
        seconds_left(url, deadline)  # the deadline passed: 504
        raise BackendError(url, f"did not accept a connection within {CONNECT_SECONDS:g} s") from None
    except requests.RequestException as error:
        reason = re.search(r"\[Errno -?\d+\] [^'\")]+", str(error))  # the socket's own words, when it has some
        raise BackendError(url, f"could not be reached: {reason.group(0) if reason else relayed(str(error))}") from None
    if response.status_code < 300:
        return response
    text = relayed(error_text(response, deadline))
    response.close()
    if response.status_code == 400:
        raise BackendRefused(url, f"refused the query: {text}")
    raise BackendError(url, f"answered HTTP {response.status_code} {response.reason}: {text}")


def error_text(response: requests.Response, deadline: float) -> str:
    """The first bytes of an error answer's body as text (read within the deadline)."""
    try:
        with DeadlineStream(response, deadline) as body:
            return body.read(4096).decode("utf-8", "replace")
    except BackendError:
        return ""


class DeadlineStream(io.RawIOBase):
    """The body of ``response`` as a binary file whose every read ends by ``deadline`` (module docstring)."""

    def __init__(self, response: requests.Response, deadline: float, max_bytes: int | None = None,
                 replace: Sequence[tuple[bytes, bytes]] = (), copy_up_to: int = 0) -> None:
        super().__init__()
        self.response = response
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.size = 0
        self.url = response.url
        self.replace = replace  # (old, new) pairs: rewritten wherever they occur, across chunk boundaries too
        self.held = b""
        self.ended = False  # the answer was read to its end, or failed: the connection is given back or closed
        self.complete = False  # the answer was read to its end
        self.copy: list[bytes] | None = [] if copy_up_to > 0 else None  # what read returned, while it fits
        self.copy_up_to = copy_up_to
        self.copied = 0
        self.chunks: Iterator[bytes] = response.raw.stream(CHUNK, decode_content=True)  # urllib3's fastest reader
        self.pending = b""  # the part of the last chunk not read yet

    def readable(self) -> bool:
        return True

    def as_file(self) -> IO[bytes]:
        """This stream, buffered, as the binary file pyoxigraph's parsers read.

        pyoxigraph reads 1 KiB at a time: the buffer serves those reads in C
        and reads the network ``CHUNK`` bytes at a time.
        """
        return cast(IO[bytes], io.BufferedReader(self, CHUNK))

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # io's own signature
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        """About ``size`` bytes (one network chunk), rewritten when asked; ``b""`` at the end."""
        data = self.rewritten(size) if self.replace else self.read_chunk(size)
        if self.copy is not None:
            self.copied += len(data)
            if self.copied > self.copy_up_to:
                self.copy = None
            else:
                self.copy.append(data)
        return data

    def rewritten(self, size: int | None) -> bytes:
        """:meth:`read_chunk` with every ``replace`` pair applied."""
        keep = max(len(old) for old, _ in self.replace) - 1  # a match may begin in the last bytes: held back
        while True:
            chunk = self.read_chunk(size)
            data = self.held + chunk
            for old, new in self.replace:
                data = data.replace(old, new)
            if not chunk:
                self.held = b""
                return data
            self.held, data = data[-keep:], data[:-keep]
            if data:
                return data

    def whole(self) -> bytes | None:
        """Everything read returned, when the answer was read to its end and within ``copy_up_to`` bytes."""
        return b"".join(self.copy) if self.complete and self.copy is not None else None

    def read_chunk(self, size: int | None = -1) -> bytes:
        """At most ``size`` bytes of the next network chunk; ``b""`` at the end or past ``max_bytes``."""
        if not self.pending:
            self.pending = self.next_chunk()
        amount = len(self.pending) if size is None or size < 0 else size
        data, self.pending = self.pending[:amount], self.pending[amount:]
        return data

    def next_chunk(self) -> bytes:
        """The next chunk of the answer, received within the deadline (``b""`` at its end)."""
        if self.ended or self.closed or (self.max_bytes is not None and self.size >= self.max_bytes):
            return b""
        try:
            self.set_timeout(seconds_left(self.url, self.deadline))
            data = next(self.chunks, b"")
        except BackendError:
            self.finish()
            raise
        except (TimeoutError, requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError):
            self.finish()
            seconds_left(self.url, self.deadline)
            raise BackendTimeout(self.url, "stopped sending its answer (read timeout)") from None
        except Exception as error:  # urllib3's ProtocolError, a reset connection …
            self.finish()
            if time.monotonic() >= self.deadline:
                seconds_left(self.url, self.deadline)
            raise BackendError(self.url, f"broke off its answer: {relayed(str(error))}") from None
        self.size += len(data)
        if not data:
            self.complete = True
            self.finish()
        return data

    def finish(self) -> None:
        """Stop reading: the response is closed (its connection back in the pool when it was read to the end)."""
        self.ended = True
        self.response.close()

    def set_timeout(self, seconds: float) -> None:
        """Give the connection's socket ``seconds`` for its next receive."""
        connection = getattr(self.response.raw, "connection", None) or getattr(self.response.raw, "_connection", None)
        sock = getattr(connection, "sock", None)
        if isinstance(sock, socket.socket):
            sock.settimeout(seconds)

    def close(self) -> None:
        """Close the answer (and its connection unless it was read to the end)."""
        if not self.closed:
            self.finish()
        super().close()


def content_kind(response: requests.Response, known: Mapping[str, object]) -> str | None:
    """The answer's media type when it is one of ``known`` (``None`` otherwise)."""
    kind = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return kind if kind in known else None
