"""What every request of one app shares: the config, the open store, the dataset record.

Kept in ``app.extensions["spine_evidence"]``; reach it from a view with
:func:`current_state` (or :func:`current_store`, :func:`current_dataset`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import current_app
from flask.typing import ResponseReturnValue

from ..store import Dataset, create_store, describe_store, open_store, read_build_record
from .cache import ResultCache
from .config import AppConfig
from .execution import QueryRunner

EXTENSION_KEY = "spine_evidence"


@dataclass
class EndpointState:
    """The shared state of one app: config, read-only store, query runner, result cache, dataset record."""

    config: AppConfig
    store: ox.Store
    runner: QueryRunner
    cache: ResultCache
    # Set by the self-description blueprint: answers GET /sparql without parameters.
    service_description: Callable[[], ResponseReturnValue] | None = None
    _dataset: Dataset | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _graph_version: str | None = None

    @property
    def graph_version(self) -> str:
        """The graph version (config, else ``build.json``, else the dataset record), read once.

        Part of every cache key and ETag: an answer is never served for another version.
        """
        if self._graph_version is None:
            version = self.config.graph_version
            if version is None and self.config.store_path is not None:
                version = read_build_record(self.config.store_path).get("graph_version")
            self._graph_version = str(version) if version is not None else self.dataset.graph_version
        return self._graph_version

    @property
    def dataset(self) -> Dataset:
        """The dataset record (graph version, triple counts), computed once on first use."""
        with self._lock:
            if self._dataset is None:
                self._dataset = describe_store(self.store, self.config.store_path, self.config.graph_version)
            return self._dataset


def open_state(config: AppConfig) -> EndpointState:
    """Open the store named by ``config`` (or load its sources in memory) and wrap it."""
    if config.store_path is not None:
        store = open_store(config.store_path)
    else:
        store = create_store(None, config.sources)
    runner = QueryRunner(config.query_threads)
    return EndpointState(config=config, store=store, runner=runner, cache=ResultCache(config.cache_bytes))


def current_state() -> EndpointState:
    """The :class:`EndpointState` of the app handling this request."""
    return current_app.extensions[EXTENSION_KEY]


def current_store() -> ox.Store:
    """The read-only pyoxigraph store of the app handling this request."""
    return current_state().store


def current_dataset() -> Dataset:
    """The :class:`~spine_evidence.store.Dataset` record of the app handling this request."""
    return current_state().dataset
