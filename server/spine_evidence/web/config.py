"""The endpoint's configuration: one immutable record, passed to ``create_app``.

No globals: everything a request needs comes from this record and the store
it names, both kept in ``app.extensions["spine_evidence"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SpineEvidenceError

if TYPE_CHECKING:
    from .query_bounds import QueryBounds

# Where ``serve`` listens and which WSGI server it runs (see ``serve``).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SERVERS = ("granian", "gunicorn")
DEFAULT_SERVER = SERVERS[0]
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_BODY = 1024 * 1024
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
DEFAULT_CACHE_MAX_AGE = 300
DEFAULT_QUERY_THREADS = 4
DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_MEMORY = 2 * 1024 * 1024 * 1024
DEFAULT_QUEUE = 8
DEFAULT_PER_CLIENT = 2
# What happens to the worker once a query missed its deadline and got its 503 (see ``query_operation``).
RUNAWAY_ACTIONS = ("abandon", "exit", "retire")


class ConfigError(SpineEvidenceError, ValueError):
    """A setting of the endpoint is out of its range; the message names it."""


def default_bounds() -> QueryBounds:
    """The default input bounds, imported here only when a config is made.

    The ``spine-evidence`` command reads this module's defaults for its
    options; importing ``query_bounds`` at once would import the request path.
    """
    from .query_bounds import QueryBounds

    return QueryBounds()


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
    ``runaway``: what stops a query that missed its deadline, once its 503 is
    sent: ``abandon`` (its thread is left to finish; tests, in-memory stores),
    ``exit`` (gunicorn: the worker process ends, the arbiter starts another) or
    ``retire`` (granian: the worker stops itself gracefully, finishing its other
    requests, and is respawned). ``serve`` sets it for its WSGI server.
    ``query_threads``: queries evaluated at once per worker process.
    ``bounds``: the input bounds checked before a query is parsed (see ``query_bounds``).
    ``max_answer_bytes``: answer bytes (as TSV or N-Triples text) before truncation.
    ``max_memory``: resident bytes of a worker before its queries get 503 and it is replaced (0: no cap).
    ``queue``: queries per worker that may wait for a query thread (more get 503).
    ``per_client``: queries of one client address per worker at once (more get 429).
    ``cache_bytes``: bound of the per-worker result cache (0 disables it).
    ``cache_max_age``: seconds in ``Cache-Control: public, max-age`` of GET answers.
    ``graph_version``: overrides the version read from ``build.json``.
    ``yasgui_dir``: the folder of YASGUI's built files for the query page
    (default: ``$SPINE_EVIDENCE_YASGUI_DIR``, else the Node package cache).
    ``readme``: the Markdown file whose example queries the query page lists
    (default: the README, see ``example_queries``).
    ``backend``: the SPARQL endpoint of a remote store served instead of
    ``store_path`` (see :mod:`spine_evidence.backend`); ``backend_gsp``: its
    Graph Store endpoint, which ``GET /graph-store`` then forwards to.
    """

    store_path: Path | None = None
    sources: Sequence[tuple[str | None, Path]] = ()
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    max_body: int = DEFAULT_MAX_BODY
    service_allow: tuple[str, ...] = ()
    runaway: str = "abandon"
    query_threads: int = DEFAULT_QUERY_THREADS
    bounds: QueryBounds = field(default_factory=default_bounds)
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES
    max_memory: int = DEFAULT_MAX_MEMORY
    queue: int = DEFAULT_QUEUE
    per_client: int = DEFAULT_PER_CLIENT
    cache_bytes: int = DEFAULT_CACHE_BYTES
    cache_max_age: int = DEFAULT_CACHE_MAX_AGE
    graph_version: str | None = None
    yasgui_dir: Path | None = None
    readme: Path | None = None
    backend: str | None = None
    backend_gsp: str | None = None

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ConfigError(f"timeout must be positive, not {self.timeout}")
        if self.max_rows < 1:
            raise ConfigError(f"max_rows must be at least 1, not {self.max_rows}")
        if self.max_body < 1:
            raise ConfigError(f"max_body must be at least 1, not {self.max_body}")
        if self.runaway not in RUNAWAY_ACTIONS:
            raise ConfigError(f"runaway must be one of {', '.join(RUNAWAY_ACTIONS)}, not {self.runaway!r}")
        if self.query_threads < 1:
            raise ConfigError(f"query_threads must be at least 1, not {self.query_threads}")
        if self.max_answer_bytes < 1 or self.per_client < 1:
            raise ConfigError("max_answer_bytes and per_client must be at least 1")
        if self.max_memory < 0 or self.queue < 0:
            raise ConfigError("max_memory and queue must not be negative")
        if self.cache_bytes < 0 or self.cache_max_age < 0:
            raise ConfigError("cache_bytes and cache_max_age must not be negative")
        if self.backend_gsp is not None and self.backend is None:
            raise ConfigError("backend_gsp needs a backend (--backend-gsp goes with --backend)")
        for iri in self.service_allow:
            if not iri.startswith(("http://", "https://")):
                raise ConfigError(f"SERVICE allow-list entries must be http(s) IRIs, not {iri!r}")
