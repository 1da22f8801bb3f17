"""Query threads with admission control: a bounded queue, per-client caps, deadlines from arrival.

pyoxigraph evaluates on the calling thread, releases the GIL, and cannot be
interrupted; it also recurses once per level of nesting. So each query runs
on one of a worker's query threads, made with a stack of
``QUERY_STACK_BYTES`` (the input bounds of :mod:`.query_bounds` sit far
below the depth that stack holds; measured in the README), while the
request thread waits for it until the request's deadline.

Admission (:class:`QueryRunner.run`): at most ``threads + queue`` queries
are admitted per worker (running, waiting, or still running after their
503); one more gets 503 with ``Retry-After`` at once. At most
``per_client`` of them may come from one client address (429 with
``Retry-After``), so one client looping heavy queries cannot take every
thread. The deadline counts from the request's arrival: a query still
waiting when it passes is dropped from the queue (503, ``Retry-After``,
nothing was run). A query that was running is abandoned: its thread ends
once the call returns and a fresh thread takes its place; the caller
decides whether to retire the worker (see ``query_operation``).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from .http_errors import HttpError

T = TypeVar("T")
QUERY_STACK_BYTES = 64 * 1024 * 1024  # virtual; pages are committed only as deep as a query recurses
RETRY_AFTER_SECONDS = 1
QUEUED, RUNNING, DONE, CANCELLED = "queued", "running", "done", "cancelled"


class Overloaded(HttpError):
    """A query not admitted, or dropped from the queue: 503 (or 429 for a client over its cap) with ``Retry-After``."""

    def __init__(self, status: int, message: str, retry_after: int = RETRY_AFTER_SECONDS) -> None:
        super().__init__(status, message, [("Retry-After", str(retry_after))])
        self.retry_after = retry_after


class DeadlineExceeded(HttpError):
    """The query was running when its deadline passed (503); ``job`` is the abandoned call (still running)."""

    def __init__(self, message: str, job: _Job[object] | None = None) -> None:
        super().__init__(503, message)
        self.job = job


class _Job(Generic[T]):
    """One call handed to a query thread, with its outcome; ``done`` is held until it has finished."""

    __slots__ = ("call", "client", "done", "value", "error", "state", "abandoned", "started_at")

    def __init__(self, call: Callable[[], T], client: str | None) -> None:
        self.call = call
        self.client = client
        self.done = threading.Lock()
        self.done.acquire()
        self.value: T | None = None
        self.error: BaseException | None = None
        self.state = QUEUED
        self.abandoned = False
        self.started_at = 0.0

    @property
    def running(self) -> bool:
        """Whether the call has started and not yet returned."""
        return self.state == RUNNING

    def run(self) -> None:
        """Make the call and keep its value or error (handed back to the waiting request thread)."""
        try:
            self.value = self.call()
        except BaseException as error:
            self.error = without_tracebacks(error)

    def signal(self) -> None:
        """Wake the request thread waiting for this job."""
        with contextlib.suppress(RuntimeError):  # already released by QueryRunner.fail_all
            self.done.release()


class QueryRunner:
    """Runs calls on ``threads`` query threads (big stacks), with the admission rules of the module.

    The hand-off costs two thread wake-ups; the Python work around them is
    kept short, and each side gives up the GIL right after waking the other:
    the request thread blocks on the job as soon as it is queued, and a query
    thread finishes its bookkeeping *before* waking the request thread, then
    blocks on the queue, so the woken thread never waits for the GIL.
    """

    def __init__(self, threads: int = 4, queue_size: int = 8, per_client: int = 2,
                 stack_bytes: int = QUERY_STACK_BYTES) -> None:
        self.threads = threads
        self.queue_size = queue_size
        self.per_client = per_client
        self.stack_bytes = stack_bytes
        self._jobs: queue.SimpleQueue[_Job[object]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._started = False
        self._admitted: dict[_Job[object], None] = {}  # insertion-ordered set: O(1) removal
        self._by_client: dict[str | None, int] = {}
        self._refusing: str | None = None

    def _start(self, count: int) -> None:
        previous = threading.stack_size(self.stack_bytes)
        try:
            for _ in range(count):
                threading.Thread(target=self._serve, name="sparql-query", daemon=True).start()
        finally:
            threading.stack_size(previous)

    def _admit(self, job: _Job[object]) -> None:
        with self._lock:
            if not self._started:
                self._start(self.threads)
                self._started = True
            if self._refusing is not None:
                raise Overloaded(503, self._refusing)
            held = self._by_client.get(job.client, 0)
            if job.client is not None and held >= self.per_client:
                raise Overloaded(429, f"this client already has {self.per_client} queries running or waiting "
                                      "on this worker; retry when one has finished")
            if len(self._admitted) >= self.threads + self.queue_size:
                raise Overloaded(503, f"every query thread is busy and the queue of {self.queue_size} is full")
            self._admitted[job] = None
            self._by_client[job.client] = held + 1

    def _release(self, job: _Job[object]) -> None:
        """Forget an admitted job (lock held)."""
        if self._admitted.pop(job, 0) is None:
            held = self._by_client[job.client] - 1
            if held > 0:
                self._by_client[job.client] = held
            else:
                del self._by_client[job.client]

    def run(self, call: Callable[[], T], deadline: float, client: str | None = None) -> T:
        """The value of ``call()``, run on a query thread before ``deadline`` (``time.monotonic()`` seconds).

        Raises :class:`Overloaded` (not admitted, or still queued at the
        deadline) or :class:`DeadlineExceeded` (running at the deadline).
        """
        job: _Job[object] = _Job(call, client)
        self._admit(job)
        self._jobs.put(job)
        if job.done.acquire(timeout=max(deadline - time.monotonic(), 0)):
            return self._outcome(job)  # type: ignore[return-value]
        with self._lock:
            if job.state == QUEUED:
                job.state = CANCELLED
                self._release(job)
                raise Overloaded(503, "the query waited for a query thread until its deadline passed; nothing was run")
            if job.state == DONE or job.done.acquire(blocking=False):  # finished between the timeout and the lock
                return self._outcome(job)  # type: ignore[return-value]
            job.abandoned = True
            self._start(1)  # replaces the thread held by the runaway call
        raise DeadlineExceeded("the query did not finish within its deadline and was stopped", job)

    @staticmethod
    def _outcome(job: _Job[object]) -> object:
        if job.error is not None:
            raise job.error
        return job.value

    def _serve(self) -> None:
        """A query thread: run jobs until one of them is abandoned (a fresh thread replaced this one)."""
        while True:
            job = self._jobs.get()
            with self._lock:
                if job.state == CANCELLED:
                    continue
                job.state, job.started_at = RUNNING, time.monotonic()
            job.run()
            with self._lock:
                job.state = DONE
                self._release(job)
                abandoned = job.abandoned
            job.signal()
            if abandoned:
                return

    def fail_all(self, message: str, refuse_new: bool = True) -> int:
        """Answer every admitted query with ``message`` (503), and every new one when ``refuse_new``; how many.

        For a worker about to be replaced (memory cap): its waiting requests
        get their 503 now rather than a dropped connection.
        """
        with self._lock:
            if refuse_new:
                self._refusing = message + "; this worker is being replaced, retry"
            admitted = list(self._admitted)
            held = sum(1 for job in admitted if job.state == RUNNING and not job.abandoned)
            for job in admitted:
                if job.state == QUEUED:
                    job.state = CANCELLED
                else:
                    job.abandoned = True  # its thread ends once the call returns
                job.error = Overloaded(503, message)
                if job.done.locked():
                    job.done.release()
                self._release(job)
            if not refuse_new:  # the worker goes on: replace the threads held by the failed calls
                self._start(held)
        return len(admitted)

    def running_since(self) -> list[float]:
        """When each running (not abandoned) call started."""
        with self._lock:
            return [job.started_at for job in self._admitted if job.running and not job.abandoned]


def without_tracebacks(error: BaseException) -> BaseException:
    """``error`` and the exceptions chained to it with their tracebacks dropped.

    pyoxigraph objects may only be released on the thread that made them; a
    traceback would keep the query thread's frames (and their results) alive
    and release them on the request thread.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return error
