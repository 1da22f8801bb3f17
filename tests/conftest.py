"""Shared fixtures: the test store, the Flask app and client, and real served endpoints.

- ``store_dir``: a pyoxigraph store built (without reasoning, in a second)
  from the repository's ``ontology/*.ttl`` and ``graph/*.ttl``.
- ``built_dataset``: the dataset as ``spine-evidence build`` (HermiT, no
  ``--out``) writes it into a fresh state folder: the session's one reasoned build,
  shared by every test that needs one (skipped without Java).
- ``app`` / ``client``: the Flask app on that store, for fast protocol tests.
- ``endpoint``: ``spine-evidence serve`` (granian, the default) on that store, on a
  free 127.0.0.1 port, for the whole session, with ``--timeout 2 --max-rows 500``.
- ``server_endpoint``: the same under each WSGI server (``wsgi_server``: granian,
  gunicorn); a test using it runs once per server, each server started once a session.
- ``endpoint_factory(*args, store=...)``: a context manager starting another
  server with other options; it is stopped when the block ends. Processes are
  started, awaited and stopped with ``spine_evidence.processes``.
- ``shared_dir``: ``../shared`` (skips the test when it is absent).
- ``require_java()`` / ``@pytest.mark.java``: skip when no Java runtime is found (HermiT needs one).
- ``yasgui_build``: YASGUI's build folder in the Node package cache outside the clone
  (``spine_evidence.node_packages``), installed with npm when missing; skips without npm.
- ``browser`` / ``visit``: headless Chromium and a guarded page, from ``browser_support``
  (loaded below as a plugin; a module imports ``check_page`` from it).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from spine_evidence import node_packages, processes
from spine_evidence.namespaces import BASE, GRAPH_FACTFINDER, GRAPH_ONTOLOGY
from spine_evidence.source_files import GRAPH_OF_FILE
from spine_evidence.store import STORE_DIR
from spine_evidence.store import load as load_store
from spine_evidence.store.location import STATE_DIR_VARIABLE
from spine_evidence.web import AppConfig, create_app

pytest_plugins = ["browser_support"]  # the browser fixtures (tests/browser_support.py)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SERVER_START_SECONDS = 60
ENDPOINT_TIMEOUT = 2
ENDPOINT_MAX_ROWS = 500


def dataset_sources() -> list[tuple[str, Path]]:
    """The repository's Turtle files with their named graphs (as ``source_files.py`` assigns them)."""
    found = [(str(GRAPH_ONTOLOGY), p) for p in sorted((REPO / "ontology").glob("*.ttl"))]
    found += [(str(GRAPH_OF_FILE.get(p.name, GRAPH_FACTFINDER)), p) for p in sorted((REPO / "graph").glob("*.ttl"))]
    if not found:
        pytest.skip("no ontology/*.ttl or graph/*.ttl in the repository")
    return found


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repository; skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED


JAVA_INSTALL = "apt-get install openjdk-17-jre-headless"


def require_java() -> None:
    """Skip the calling test or fixture when no Java runtime is found (HermiT runs on Java 17)."""
    from spine_evidence.reasoning import ReasonerError, find_java

    try:
        find_java()
    except ReasonerError:
        pytest.skip(f"Java is not installed: HermiT needs Java 17 ({JAVA_INSTALL})")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``java`` skip when no Java runtime is found."""
    if item.get_closest_marker("java") is not None:
        require_java()


def require_npm(what: str) -> None:
    """Skip when node or npm is absent, naming what needs them and the install command."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip(f"node/npm are not installed, needed for {what} ({node_packages.NPM_INSTALL})")


def node_package(what: str, installed, install, folder) -> Path:
    """``folder()`` of a Node package in the cache, installed with npm when ``installed()`` is false.

    Skipped without node/npm; a failed install (no npm registry) fails the test with npm's reason.
    """
    if not installed():
        require_npm(what)
        try:
            install()
        except node_packages.NodePackageError as error:
            pytest.fail(f"cannot install {what} into {node_packages.node_dir()}: {error}", pytrace=False)
    return folder()


@pytest.fixture(scope="session")
def yasgui_build() -> Path:
    """YASGUI's build folder in the Node package cache, installed with npm when missing (needs the npm registry)."""
    return node_package(f"the YASGUI editor ({node_packages.YASGUI_PACKAGE})", node_packages.yasgui_installed,
                        node_packages.install_yasgui, node_packages.yasgui_dir)


def console_script() -> str:
    """The installed ``spine-evidence`` console script (beside this interpreter, else on PATH)."""
    script = Path(sys.executable).with_name("spine-evidence")
    found = str(script) if script.is_file() else shutil.which("spine-evidence")
    assert found, "the spine-evidence console script is not installed (pip install -e '.[test]')"
    return found


@dataclass
class BuiltDataset:
    """A state folder into which ``spine-evidence build`` wrote the dataset, and what the command printed."""

    state: Path
    build: subprocess.CompletedProcess

    @property
    def store(self) -> Path:
        return self.state / STORE_DIR

    def env(self) -> dict[str, str]:
        """The environment in which every command uses this state folder."""
        return {**os.environ, STATE_DIR_VARIABLE: str(self.state)}


@pytest.fixture(scope="session")
def built_dataset(tmp_path_factory) -> BuiltDataset:
    """``spine-evidence build`` (with HermiT, no ``--out``) from an empty folder into an empty state folder.

    The one reasoned build (HermiT) of the session: ``test_build`` checks its outputs;
    ``test_query_cli``, ``test_readme_queries``, ``test_competency`` and ``test_entry_points`` query it.
    """
    require_java()
    state, cwd = tmp_path_factory.mktemp("state-built"), tmp_path_factory.mktemp("cwd")
    done = subprocess.run([console_script(), "build"], cwd=cwd, env={**os.environ, STATE_DIR_VARIABLE: str(state)},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert not any(cwd.iterdir()), "build without --out wrote into the working directory"
    return BuiltDataset(state, done)


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory) -> Path:
    """A store of the repository's ontology and graph, built once per session (no reasoning)."""
    path = tmp_path_factory.mktemp("store") / "store"
    load_store(path, dataset_sources())  # closed, with its build.json (version, triple counts) beside it
    return path


@pytest.fixture(scope="session")
def app(store_dir):
    """The Flask app on the session store (timeout 10 s, max rows 500)."""
    return create_app(AppConfig(store_path=store_dir, timeout=10, max_rows=ENDPOINT_MAX_ROWS))


@pytest.fixture
def client(app):
    """A Flask test client of :func:`app`."""
    return app.test_client()


@dataclass
class RunningServer:
    """A running ``spine-evidence serve``: its base URL, SPARQL URL, process, log and WSGI server."""

    base: str
    process: subprocess.Popen
    log: Path
    server: str = "granian"
    ready_seconds: float = 0.0

    @property
    def url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    def output(self) -> str:
        """What the server printed so far."""
        return self.log.read_text(errors="replace")

    def worker_pids(self) -> set[int]:
        """The PIDs of the server's worker processes now (children of the supervisor or arbiter)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()} if children.exists() else set()

    def settled_workers(self, count: int, stable: float = 1.5, limit: float = 30.0) -> set[int]:
        """The worker PIDs once there are ``count`` and they stayed the same for ``stable`` seconds.

        A bounded wait (``limit`` seconds, a hang guard): workers retired or
        crashed by an earlier test have been replaced by then.
        """
        deadline = time.monotonic() + limit
        pids, since = self.worker_pids(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.worker_pids()
            if now != pids:
                pids, since = now, time.monotonic()
            elif len(pids) == count and time.monotonic() - since >= stable:
                return pids
        raise AssertionError(f"the {self.server} workers did not settle at {count} within {limit} s: {pids}")


def serve_command(*args: str) -> list[str]:
    """The command line running ``spine-evidence`` with this interpreter."""
    return [sys.executable, "-m", "spine_evidence", *args]


@contextlib.contextmanager
def start_endpoint(*args: str, store: Path | None, state_dir: Path, log: Path) -> Iterator[RunningServer]:
    """Run ``spine-evidence serve --store STORE ARGS`` on a free port until the block ends."""
    port = processes.free_port()
    command = serve_command("serve", "--host", "127.0.0.1", "--port", str(port), *args)
    if store is not None:
        command += ["--store", str(store)]
    process = processes.spawn_in_session(command, log, env={STATE_DIR_VARIABLE: str(state_dir)})
    server = args[args.index("--server") + 1] if "--server" in args else "granian"
    running = RunningServer(f"http://127.0.0.1:{port}", process, log, server)
    try:
        running.ready_seconds = processes.wait_until_answers(process, running.url, SERVER_START_SECONDS, log)
        yield running
    finally:
        processes.stop_group(process)


@pytest.fixture(scope="session")
def endpoint_factory(tmp_path_factory):
    """``factory(*args, store=...)``: a context manager running ``serve`` with those options."""
    state = tmp_path_factory.mktemp("state")

    def factory(*args: str, store: Path | None):
        log = tmp_path_factory.mktemp("serve") / "serve.log"
        return start_endpoint(*args, store=store, state_dir=state, log=log)

    return factory


# The WSGI servers ``serve --server`` offers, and the options that choose each.
SERVER_OPTIONS = {"granian": (), "gunicorn": ("--server", "gunicorn")}
ENDPOINT_OPTIONS = ("--workers", "4", "--timeout", str(ENDPOINT_TIMEOUT), "--max-rows", str(ENDPOINT_MAX_ROWS))


@pytest.fixture(scope="session")
def session_servers(endpoint_factory, store_dir):
    """``get(server)``: ``serve`` on the session store under that WSGI server, started on first use, kept all session.

    4 workers, ``--timeout 2 --max-rows 500``.
    """
    with contextlib.ExitStack() as started:
        running: dict[str, RunningServer] = {}

        def get(server: str) -> RunningServer:
            if server not in running:
                options = (*ENDPOINT_OPTIONS, *SERVER_OPTIONS[server])
                running[server] = started.enter_context(endpoint_factory(*options, store=store_dir))
            return running[server]

        yield get


@pytest.fixture(scope="session")
def endpoint(session_servers) -> RunningServer:
    """The session endpoint under granian, the default server (see :func:`session_servers`)."""
    return session_servers("granian")


@pytest.fixture(scope="session", params=sorted(SERVER_OPTIONS))
def wsgi_server(request) -> str:
    """The name of a WSGI server; a test using this fixture (or :func:`server_endpoint`) runs under each."""
    return request.param


@pytest.fixture(scope="session")
def server_endpoint(session_servers, wsgi_server) -> RunningServer:
    """The session endpoint under each WSGI server (granian's is :func:`endpoint` itself)."""
    return session_servers(wsgi_server)


@pytest.fixture(scope="module")
def asserted():
    """The source files parsed one by one with rdflib, independently of ``sources`` merging and of the build."""
    from rdflib import Graph

    from spine_evidence.source_files import source_files

    graph = Graph()
    for source in source_files():
        graph.parse(source.path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory) -> Path:
    """An empty pyoxigraph store for a started server whose tests bring all their data (as --data graphs).

    A fixed graph_version lets the servers of a session share one cached --data store per data set.
    """
    folder = tmp_path_factory.mktemp("empty-store")
    ox.Store(str(folder / "store")).flush()
    (folder / "build.json").write_text(json.dumps({"graph_version": "empty-for-test-data"}), encoding="utf-8")
    return folder / "store"


def select_rows(client, query: str) -> list[dict[str, str]]:
    """The bindings of a SELECT on the Flask ``client``'s ``/sparql`` as ``{name: value}`` rows."""
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [{k: v["value"] for k, v in row.items()} for row in response.get_json()["results"]["bindings"]]


def path_of(iri: str) -> str:
    """The request path of one of our IRIs (under ``https://w3id.org/spine-evidence/``)."""
    assert iri.startswith(BASE), iri
    return "/" + iri[len(BASE):]


@pytest.fixture
def plain_endpoint(endpoint_factory, store_dir, tmp_path, monkeypatch):
    """A served endpoint whose YASGUI folder is empty, so the query page falls back to the plain form."""
    from spine_evidence.web.query_page import YASGUI_ENV

    empty = tmp_path / "no-yasgui"
    empty.mkdir()
    monkeypatch.setenv(YASGUI_ENV, str(empty))
    with endpoint_factory(store=store_dir) as running:
        yield running
