"""A Virtuoso whose ``ResultSetMaxRows`` is below our row limit: never served, and publish's read-back refuses it.

Debian's packaged ``virtuoso.ini`` caps every answer at 10,000 rows: a SELECT's
with an ``X-SPARQL-MaxRows`` header, a CONSTRUCT's without any sign. A real
Virtuoso 7 holds the session's store (published while it had no cap), then is
started again with a cap of ``CAP`` rows. ``serve --backend`` refuses to start
over it with a row limit above the cap (exit 2, one line naming the setting),
and over it with a row limit below the cap answers as the limit says (a SELECT the
cap cut after the start is refused by its ``X-SPARQL-MaxRows`` header);
``publish`` into it fails on its read-back, which the cap cut, and says so.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
import requests
from conftest import console_script

from spine_evidence.backend import BackendError, RemoteSparqlStore
from spine_evidence.processes import free_port
from spine_evidence.publish import PublishMismatchError, publish
from spine_evidence.sparql import PREDECLARED_PREFIXES

pytest_plugins = ["triple_stores"]

from bench.servers import Virtuoso  # noqa: E402  # triple_stores puts the repository root on sys.path

CAP = 5


class CappedVirtuoso(Virtuoso):
    """Virtuoso 7 as bench starts it, with ``ResultSetMaxRows = cap`` (``None``: bench's, no cap)."""

    cap: int | None = None

    def write_ini(self) -> None:
        super().write_ini()
        if self.cap is not None:
            ini = self.workdir / "virtuoso.ini"
            ini.write_text(re.sub(r"(?m)^ResultSetMaxRows\s*=.*$", f"ResultSetMaxRows = {self.cap}", ini.read_text()))


@pytest.fixture(scope="module")
def capped(tmp_path_factory, store_dir, virtuoso_credentials) -> Iterator[CappedVirtuoso]:
    """The session's store published into Virtuoso, which then runs with a cap of ``CAP`` rows."""
    missing = CappedVirtuoso.available()
    if missing:
        pytest.skip(missing)
    server = CappedVirtuoso(tmp_path_factory.mktemp("virtuoso-capped"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in virtuoso_credentials.items():
            patch.setenv(name, value)
        server.start()
        try:
            publish(f"http://127.0.0.1:{server.port}/sparql-graph-crud-auth", store=store_dir, validate=False,
                    announce=lambda line: None)
        finally:
            server.stop()
        server.cap = CAP
        server.start()
        try:
            yield server
        finally:
            server.stop()


def test_serve_refuses_a_virtuoso_that_would_cut_answers_below_its_row_limit(capped, virtuoso_credentials):
    done = subprocess.run([console_script(), "serve", "--backend", f"http://127.0.0.1:{capped.port}/sparql",
                           "--max-rows", "1000", "--port", str(free_port())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert f"cuts every answer at {CAP} rows (Virtuoso's ResultSetMaxRows)" in last and "--max-rows below" in last


def test_serve_with_a_row_limit_below_the_cap_answers_as_its_limit_says(capped, endpoint_factory):
    with endpoint_factory("--backend", f"http://127.0.0.1:{capped.port}/sparql", "--workers", "1",
                          "--max-rows", str(CAP - 1), store=None) as running:
        for sparql in ("SELECT ?n WHERE { ?s se:citationNumber ?n } ORDER BY ?n",
                       "CONSTRUCT WHERE { ?s se:citationNumber ?n }"):
            graph = sparql.startswith("CONSTRUCT")
            answer = requests.post(f"{running.base}/sparql", data={"query": sparql}, timeout=60, headers={
                "Accept": "application/n-triples" if graph else "application/sparql-results+json"})
            assert answer.status_code == 200, answer.text
            assert answer.headers["X-SPARQL-Rows"] == str(CAP - 1) and answer.headers["X-SPARQL-Truncated"] == "true"
            rows = answer.text.strip().splitlines() if graph else answer.json()["results"]["bindings"]
            assert len(rows) == CAP - 1


def test_publish_into_it_fails_on_the_read_back_the_cap_cut(capped, store_dir):
    with pytest.raises(PublishMismatchError, match=r"differs from what was sent \(\d+ triples sent, [1-9]\d? read\)"
                       r".*Virtuoso cuts a CONSTRUCT answer at its ResultSetMaxRows"):
        publish(f"http://127.0.0.1:{capped.port}/sparql-graph-crud-auth", store=store_dir, validate=False,
                announce=lambda line: None)


def test_a_select_the_cap_cut_is_refused_when_the_cap_changed_after_the_start(capped):
    """The answer's own ``X-SPARQL-MaxRows``: for a Virtuoso restarted with a cap after ``serve`` checked it."""
    remote = RemoteSparqlStore(f"http://127.0.0.1:{capped.port}/sparql", timeout=30, max_rows=1000,
                               max_bytes=1 << 24)
    within = remote.query(f"SELECT ?n WHERE {{ ?s se:citationNumber ?n }} LIMIT {CAP - 1}",
                          prefixes=PREDECLARED_PREFIXES)
    assert len(list(within)) == CAP - 1
    with pytest.raises(BackendError, match=rf"cut its answer at {CAP} rows \(Virtuoso's ResultSetMaxRows\)"):
        remote.query("SELECT ?n WHERE { ?s se:citationNumber ?n }", prefixes=PREDECLARED_PREFIXES)
