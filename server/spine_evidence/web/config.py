"""The endpoint's configuration: one immutable record, passed to ``create_app``.

No globals: everything a request needs comes from this record and the store
it names, both kept in ``app.extensions["spine_evidence"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class AppConfig:
    """How the endpoint runs.

    ``store_path``: a built pyoxigraph store, opened read-only. Without it,
    ``sources`` (``(graph IRI or None, file)`` pairs, see ``store.create_store``)
    are loaded into an in-memory store when the app is created (for tests).
    ``timeout``: the query deadline in seconds (a client may only lower it).
    ``max_rows``: solutions or triples per answer before truncation.
    ``max_body``: request body bytes before 413.
    ``service_allow``: the only IRIs a ``SERVICE`` clause may name.
    ``cancel_by_exit``: after a deadline is missed, end this worker process
    once the 503 is sent (set by ``serve`` under gunicorn, whose arbiter
    starts a fresh worker); otherwise the runaway query is abandoned.
    ``graph_version``: overrides the version read from ``build.json``.
    ``options``: free-form settings for other blueprints.
    """

    store_path: Path | None = None
    sources: Sequence[tuple[str | None, Path]] = ()
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    max_body: int = DEFAULT_MAX_BODY
    service_allow: tuple[str, ...] = ()
    cancel_by_exit: bool = False
    graph_version: str | None = None
    options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError(f"timeout must be positive, not {self.timeout}")
        if self.max_rows < 1:
            raise ValueError(f"max_rows must be at least 1, not {self.max_rows}")
        if self.max_body < 1:
            raise ValueError(f"max_body must be at least 1, not {self.max_body}")
        for iri in self.service_allow:
            if not iri.startswith(("http://", "https://")):
                raise ValueError(f"SERVICE allow-list entries must be http(s) IRIs, not {iri!r}")
