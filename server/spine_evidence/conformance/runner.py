"""Selecting the tests, providing their data to an endpoint, running them in order."""

from __future__ import annotations

import time
from contextlib import contextmanager
from fnmatch import fnmatch
from pathlib import Path
from typing import Callable, Iterator

from ..paths import PACKAGE_DIR
from .endpoint import Endpoint, external_endpoint, oxigraph_server, spine_evidence_server
from .evaluation import NOT_APPLICABLE, run_query_evaluation_test, run_syntax_test
from .manifest import Suite, open_suite, protocol_tests, query_evaluation_tests, syntax_tests
from .outcome import Outcome
from .protocol import run_protocol_test
from .report import Report, known_failures

PARTS = ("protocol", "query", "syntax")
SERVERS = ("spine-evidence", "oxigraph")
SUITE_IN_SHARED = Path("shared") / "w3c-rdf-tests" / "sparql11"


def default_suite_dir() -> Path:
    """``../shared/w3c-rdf-tests/sparql11`` beside the repository (or the working directory)."""
    candidates = [PACKAGE_DIR.parents[1].parent / SUITE_IN_SHARED, Path.cwd().parent / SUITE_IN_SHARED]
    return next((c for c in candidates if c.is_dir()), candidates[0])


def _selected(items: list, parts: tuple[str, ...], part: str, patterns: tuple[str, ...]) -> list:
    """The tests of ``part`` whose ids match one of ``patterns`` (all when none are given)."""
    if part not in parts:
        return []
    return [t for t in items if not patterns or any(fnmatch(t.id, p) for p in patterns)]


def select_tests(suite: Suite, parts: tuple[str, ...], patterns: tuple[str, ...]) -> dict[str, list]:
    """The selected syntax, query-evaluation and protocol tests."""
    return {
        "syntax": _selected(syntax_tests(suite), parts, "syntax", patterns),
        "query": _selected(query_evaluation_tests(suite), parts, "query", patterns),
        "protocol": _selected(protocol_tests(suite), parts, "protocol", patterns),
    }


def needed_graphs(suite: Suite, tests: dict[str, list]) -> dict[str, Path]:
    """Graph IRI → data file, for every applicable test selected."""
    graphs: dict[str, Path] = {}
    for test in tests["query"]:
        if test.directory not in NOT_APPLICABLE:
            for iri in test.data + test.graph_data:
                graphs[iri] = suite.path(iri)
    for test in tests["protocol"]:
        graphs.update(dict(test.graph_data))
    return graphs


@contextmanager
def provide_endpoint(server: str, endpoint_url: str | None, graph_store_url: str | None,
                     graphs: dict[str, Path], store: Path | None = None) -> Iterator[Endpoint]:
    """Start the chosen server with the graphs, or use the given endpoint (loading it when writable)."""
    if endpoint_url is None:
        if server == "oxigraph":
            started = oxigraph_server(graphs)
        else:
            started = spine_evidence_server(graphs, options=["--store", str(store)] if store else [])
        with started as endpoint:
            yield endpoint
        return
    endpoint = external_endpoint(endpoint_url, graph_store_url)
    if not endpoint.read_only:
        endpoint.load(graphs)
    try:
        yield endpoint
    finally:
        endpoint.session.close()


def run_tests(endpoint: Endpoint, tests: dict[str, list], progress: Callable[[Outcome], None]) -> list[Outcome]:
    """Run query syntax, evaluation, protocol, then update syntax tests (which may write last)."""
    plan = [(run_syntax_test, [t for t in tests["syntax"] if t.category == "syntax-query"]),
            (run_query_evaluation_test, tests["query"]),
            (run_protocol_test, tests["protocol"]),
            (run_syntax_test, [t for t in tests["syntax"] if t.category == "syntax-update"])]
    outcomes = []
    for run, group in plan:
        for test in group:
            outcome = run(endpoint, test)
            progress(outcome)
            outcomes.append(outcome)
    return outcomes


def conformance(suite_dir: Path | None = None, endpoint_url: str | None = None,
                graph_store_url: str | None = None, server: str = "spine-evidence",
                only: str | None = None, patterns: tuple[str, ...] = (), min_query_pass: float = 0.95,
                store: Path | None = None, progress: Callable[[Outcome], None] = lambda outcome: None,
                literal_equality: str = "term") -> Report:
    """Run the W3C SPARQL 1.1 protocol, query-evaluation and syntax tests over HTTP.

    Without ``endpoint_url`` the chosen ``server`` is started on a free port of
    127.0.0.1 with the data of the selected tests (``store``: the store folder
    our server starts from) and stopped afterwards. ``patterns`` select tests
    by id (``bind/*``). Raises ``SuiteError`` or ``EndpointError`` when the
    suite or the endpoint is unusable. ``literal_equality`` (``term`` or
    ``value``) says how the bar counts typed literals; the report shows both.
    """
    if only is not None and only not in PARTS:
        raise ValueError(f"unknown part {only!r}; expected one of {', '.join(PARTS)}")
    if literal_equality not in ("term", "value"):
        raise ValueError(f"unknown literal equality {literal_equality!r}; expected term or value")
    if server not in SERVERS:
        raise ValueError(f"unknown server {server!r}; expected one of {', '.join(SERVERS)}")
    parts = PARTS if only is None else (only,)
    suite = open_suite(suite_dir or default_suite_dir())
    tests = select_tests(suite, parts, patterns)
    if not any(tests.values()):
        raise ValueError(f"no {' or '.join(parts)} test id matches {' '.join(patterns)}")
    started = time.monotonic()
    graphs = needed_graphs(suite, tests)
    with provide_endpoint(server, endpoint_url, graph_store_url, graphs, store) as endpoint:
        outcomes = run_tests(endpoint, tests, progress)
        report = Report(endpoint.query_url, endpoint.name, outcomes, min_query_pass, parts,
                        known=known_failures(server), literal_equality=literal_equality)
    report.seconds = time.monotonic() - started
    report.mark_known()
    return report
