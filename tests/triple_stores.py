"""Real triple stores on 127.0.0.1 for the tests that publish into one and serve over it.

``start_oxigraph(folder)``: Oxigraph server (PyPI ``oxigraph``, ``oxigraph serve``)
on a fresh store, its Graph Store at ``/store`` and SPARQL at ``/query``; a generator
yielding its base URL (skips when the command is absent). ``oxigraph`` and
``virtuoso`` are module-scoped fixtures: Virtuoso 7 as ``bench`` starts it (Debian
``virtuoso-opensource``, dba/dba, loopback ports, no 10,000-row cap), skipped when
absent. ``oxigraph_starter`` is ``start_oxigraph``; ``virtuoso_credentials`` the
environment variables of Virtuoso's dba account. Used by ``test_publish`` and ``test_backend`` as a plugin
(``pytest_plugins = ["triple_stores"]``, as ``shape_fixtures`` is).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from spine_evidence import processes

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.servers import Virtuoso  # noqa: E402

OXIGRAPH_MISSING = "the oxigraph command is not installed (pip install oxigraph)"
START_SECONDS = 60
VIRTUOSO_CREDENTIALS = {"SPINE_EVIDENCE_PUBLISH_USER": "dba", "SPINE_EVIDENCE_PUBLISH_PASSWORD": "dba"}


def start_oxigraph(folder: Path) -> Iterator[str]:
    """Oxigraph server on a free port with a fresh store in ``folder``; yields its base URL."""
    if not shutil.which("oxigraph"):
        pytest.skip(OXIGRAPH_MISSING)
    port = processes.free_port()
    folder.mkdir(parents=True, exist_ok=True)
    process = processes.spawn_in_session(["oxigraph", "serve", "--location", str(folder / "db"), "--bind",
                                          f"127.0.0.1:{port}"], folder / "server.log")
    try:
        processes.wait_until_answers(process, f"http://127.0.0.1:{port}/query", START_SECONDS, folder / "server.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop_group(process)


@pytest.fixture(scope="session")
def oxigraph_starter() -> Callable[[Path], Iterator[str]]:
    """:func:`start_oxigraph`, for a test that starts another Oxigraph server of its own."""
    return start_oxigraph


@pytest.fixture(scope="session")
def virtuoso_credentials() -> dict[str, str]:
    """The environment that gives ``publish`` (and ``serve --backend``) Virtuoso's dba account."""
    return dict(VIRTUOSO_CREDENTIALS)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory) -> Iterator[str]:
    """Oxigraph server on a fresh store, for the module; its base URL."""
    yield from start_oxigraph(tmp_path_factory.mktemp("oxigraph-target"))


def start_virtuoso(folder: Path) -> Iterator[Virtuoso]:
    """Virtuoso 7 as bench starts it on a fresh database in ``folder``; skips when it is not installed."""
    missing = Virtuoso.available()
    if missing:
        pytest.skip(missing)
    server = Virtuoso(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory) -> Iterator[Virtuoso]:
    """Virtuoso 7 as bench starts it (dba/dba, loopback ports), on a fresh database, for the module."""
    yield from start_virtuoso(tmp_path_factory.mktemp("virtuoso-target"))
