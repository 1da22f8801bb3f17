"""The errors of a remote store behind the endpoint, and the deadline every call to it carries.

Each error names the backend; :func:`spine_evidence.web.http_errors.from_backend`
turns them into HTTP answers (502, 504, 400). None of them derives from
``RuntimeError``, ``ValueError`` or ``OSError``: the SPARQL core turns those
into "the query could not be evaluated" (400), which a backend failure is not.

The deadline is a context variable (:func:`deadline_at`): the endpoint sets it
on the query thread around one query's evaluation and serialisation; a call
made without one (a page, a description) gets ``now + the store's timeout``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

from ..errors import SpineEvidenceError, one_line

MAX_RELAYED = 300  # characters of a backend's own error message relayed to the client
_DEADLINE: ContextVar[float | None] = ContextVar("spine_evidence_backend_deadline", default=None)


class BackendError(SpineEvidenceError):
    """The remote store failed a call: down, refused, unreadable answer, or an error status (502)."""

    def __init__(self, backend: str, problem: str) -> None:
        super().__init__(f"the backend store {backend} {problem}")
        self.backend = backend


class BackendTimeout(BackendError):
    """The remote store did not answer within the query's deadline; the connection was closed (504)."""


class BackendRefused(BackendError):
    """The remote store refused the query itself (its 400); the message relays its words (400)."""


def relayed(text: str) -> str:
    """A backend's error text on one line, cut after ``MAX_RELAYED`` characters."""
    line = one_line(text)
    return line if len(line) <= MAX_RELAYED else line[: MAX_RELAYED - 1] + "…"


@contextlib.contextmanager
def deadline_at(moment: float) -> Iterator[None]:
    """Within the block, every backend call on this thread ends by ``moment`` (``time.monotonic()`` seconds)."""
    token = _DEADLINE.set(moment)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def current_deadline(default_seconds: float) -> float:
    """The deadline set by :func:`deadline_at`, else ``default_seconds`` from now."""
    moment = _DEADLINE.get()
    return moment if moment is not None else time.monotonic() + default_seconds
