"""``serve``: the endpoint on the persisted read-only store, under granian (default) or gunicorn.

This module prepares what both servers share (the port is free, the store
is resolved, built when needed and opened once, ``--data`` files added, the
way a runaway query is stopped chosen) and hands over to
:mod:`.granian_server` or :mod:`.gunicorn_server`, each imported only when chosen.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .. import store as store_module
from ..errors import one_line
from ..store.location import Announce, StoreSetupError, data_store, parse_data_option, resolve_store, store_summary
from .config import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SERVER, SERVERS, AppConfig, ConfigError

# How each WSGI server really stops a runaway query (``AppConfig.runaway``, see ``retirement``).
RUNAWAY_BY_SERVER = {"granian": "retire", "gunicorn": "exit"}


def check_listen(host: str, port: int) -> None:
    """Raise ``OSError`` (one clear line) when ``host:port`` cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as error:
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def prepare_config(
    store: Path | None,
    data: Sequence[str],
    config: AppConfig,
    announce: Announce = print,
    server: str = DEFAULT_SERVER,
) -> AppConfig:
    """The config for serving under ``server``: the resolved (built if needed) store, with ``--data`` files added.

    The store is opened once here, so that a broken one is one clear error
    rather than workers failing one after another. With ``config.backend``,
    that remote store is reached once instead (``BackendError`` when it is
    down or holds no publication record); ``store`` and ``data`` do not apply.
    """
    if config.backend is not None:
        return backend_config(store, data, config, announce, server)
    extra = [parse_data_option(value) for value in data]
    store_path = resolve_store(store, announce)
    if extra:
        store_path = data_store(store_path, extra, announce)
    try:
        store_module.open_store(store_path)  # closed at once: workers open their own
    except (OSError, ValueError) as error:
        raise StoreSetupError(f"cannot open the store at {store_path}: {one_line(error)}") from None
    announce(f"serving {store_summary(store_path)}")
    version = store_module.read_build_record(store_path).get("graph_version")
    return replace(config, store_path=store_path, graph_version=config.graph_version or version,
                   runaway=RUNAWAY_BY_SERVER[server])


def backend_config(store: Path | None, data: Sequence[str], config: AppConfig, announce: Announce,
                   server: str) -> AppConfig:
    """The config for serving over ``config.backend``, once its publication record has been read."""
    from ..backend import open_backend
    from ..backend.virtuoso import check_row_cap

    if store is not None or data:
        raise ConfigError("--backend serves the remote store: --store and --data do not go with it")
    assert config.backend is not None
    remote = open_backend(config.backend, config.backend_gsp, timeout=config.timeout, max_rows=config.max_rows,
                          max_bytes=config.max_answer_bytes)
    check_row_cap(remote, config.max_rows)
    record = remote.publication
    announce(f"serving {config.backend}: build {record.version}, {len(record.graph_triples)} graphs, "
             f"{record.default_graph_triples} triples in the default graph")
    return replace(config, store_path=None, runaway=RUNAWAY_BY_SERVER[server])


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int | None = None,
    store: Path | None = None,
    data: Sequence[str] = (),
    config: AppConfig | None = None,
    announce: Announce = print,
    server: str = DEFAULT_SERVER,
) -> None:
    """Serve the SPARQL endpoint under ``server`` (granian or gunicorn) until interrupted.

    ``store``: a store folder or a dataset folder (default: the state
    folder's, see ``store.location``), built once when missing or stale.
    ``data``: extra ``[IRI=]FILE`` RDF files served as named graphs.
    ``config`` carries the limits (deadline, rows, body, SERVICE allow-list,
    cache, query threads per worker). ``workers``: processes (default: the
    server's own ``default_workers()``). Raises ``StoreSetupError`` (no
    store, bad data file), ``ConfigError`` (unknown server) or ``OSError``
    (the port is taken).
    """
    if server not in SERVERS:
        raise ConfigError(f"unknown server {server!r}; use one of {', '.join(SERVERS)}")
    check_listen(host, port)
    config = prepare_config(store, data, config or AppConfig(), announce, server)
    if server == "granian":
        from .granian_server import default_workers as granian_workers
        from .granian_server import serve_granian

        serve_granian(config, host, port, workers or granian_workers(), config.query_threads, announce)
    else:
        from .gunicorn_server import default_workers as gunicorn_workers
        from .gunicorn_server import serve_gunicorn

        serve_gunicorn(config, host, port, workers or gunicorn_workers(), announce)
