"""What every request of one app shares: the config, the open store, the dataset record.

Kept in ``app.extensions["spine_evidence"]``; reach it from a view with
:func:`current_state` (or :func:`current_store`, :func:`current_dataset`).
Opening the state never scans the store: the graph version and the triple
counts come from ``build.json`` (written when the store was made). Only a
store without that record is counted, once, when a description first asks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import pyoxigraph as ox
from flask import current_app

from .. import store as store_module
from ..store import Dataset, create_store, describe_store, open_store
from .cache import ResultCache
from .config import AppConfig
from .query_runner import QueryRunner

if TYPE_CHECKING:
    from ..backend import RemoteSparqlStore

EXTENSION_KEY = "spine_evidence"


@dataclass
class EndpointState:
    """The shared state of one app: config, read-only store, query runner, result cache, dataset record."""

    config: AppConfig
    store: ox.Store
    runner: QueryRunner
    cache: ResultCache
    _dataset: Dataset | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _graph_version: str | None = None
    backend: RemoteSparqlStore | None = None  # serve --backend: ``store`` is this remote store

    @property
    def graph_version(self) -> str:
        """The graph version: the config's, else the store's record, else its files' fingerprint; read once.

        Part of every cache key and ETag: an answer is never served for another version. Over a
        backend: the live version of its publication record (re-read after a while, see ``backend``).
        """
        if self.backend is not None:
            return self.backend.publication.version
        if self._graph_version is None:
            self._graph_version = self.config.graph_version or self.recorded_version()
        return self._graph_version

    def recorded_version(self) -> str:
        """The version in ``build.json``, else the dataset's (in memory), else the store's fingerprint."""
        path = self.config.store_path
        if path is None:  # an in-memory store: counted when it was loaded (open_state)
            return (self._dataset or describe_store(self.store)).graph_version
        version = store_module.read_build_record(path).get("graph_version")
        return str(version) if version is not None else store_module.store_fingerprint(path)

    @property
    def dataset(self) -> Dataset:
        """The dataset record (graph version, triple counts): recorded, else counted once on first use."""
        if self.backend is not None:
            return self.backend.publication.dataset
        with self._lock:
            if self._dataset is None:
                self._dataset = describe_store(self.store, self.config.store_path, self.graph_version)
            return self._dataset

    @property
    def known_dataset(self) -> Dataset | None:
        """The dataset record when it is at hand without scanning the store (``None`` otherwise)."""
        return self.backend.publication.dataset if self.backend is not None else self._dataset


def open_state(config: AppConfig) -> EndpointState:
    """Open the store named by ``config`` (or load its sources in memory) and wrap it.

    An on-disk store's counts come from its ``build.json``; an in-memory
    store, just loaded, is counted at once. With ``config.backend``, the
    store is that remote store (its record read at once, see ``backend``).
    """
    runner = QueryRunner(config.query_threads, config.queue, config.per_client)
    if config.backend is not None:
        from ..backend import open_backend

        remote = open_backend(config.backend, config.backend_gsp, timeout=config.timeout, max_rows=config.max_rows,
                              max_bytes=config.max_answer_bytes)
        return EndpointState(config=config, store=cast(ox.Store, remote), runner=runner,
                             cache=ResultCache(config.cache_bytes), backend=remote)
    if config.store_path is not None:
        store = open_store(config.store_path)
        dataset = store_module.read_dataset(config.store_path)
        if dataset is not None and config.graph_version not in (None, dataset.graph_version):
            dataset = None
    else:
        store = create_store(None, config.sources)
        version = config.graph_version or store_module.graph_version(config.sources)
        dataset = store_module.count_dataset(store, None, version)
    return EndpointState(config=config, store=store, runner=runner, cache=ResultCache(config.cache_bytes),
                         _dataset=dataset)


def current_state() -> EndpointState:
    """The :class:`EndpointState` of the app handling this request."""
    state: EndpointState = current_app.extensions[EXTENSION_KEY]
    return state


def current_store() -> ox.Store:
    """The read-only pyoxigraph store of the app handling this request (or the remote store standing in for it)."""
    return current_state().store


def current_dataset() -> Dataset:
    """The :class:`~spine_evidence.store.Dataset` record of the app handling this request."""
    return current_state().dataset
