"""Selecting the tests, providing their data to an endpoint, running them in order."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fnmatch import fnmatch
from functools import partial
from pathlib import Path
from typing import TypedDict, TypeVar

from ..paths import PACKAGE_DIR
from .endpoint import ServiceUnderTest, external_endpoint, oxigraph_server, spine_evidence_server
from .evaluation import NOT_APPLICABLE, run_query_evaluation_test, run_syntax_test
from .manifest import (
    ProtocolTest,
    QueryEvaluationTest,
    Suite,
    SuiteError,
    SyntaxTest,
    open_suite,
    protocol_tests,
    query_evaluation_tests,
    syntax_tests,
)
from .outcome import Outcome
from .protocol import run_protocol_test
from .report import Report, known_failures
from .settings import (
    DEFAULT_LITERAL_EQUALITY,
    DEFAULT_MIN_QUERY_PASS,
    DEFAULT_SERVER,
    LITERAL_EQUALITIES,
    PARTS,
    SERVERS,
)

SUITE_IN_SHARED = Path("shared") / "w3c-rdf-tests" / "sparql11"
SUITE_VARIABLE = "SPINE_EVIDENCE_W3C_TESTS"

AnyTest = TypeVar("AnyTest", SyntaxTest, QueryEvaluationTest, ProtocolTest)


class Selection(TypedDict):
    """The selected tests of each part."""

    syntax: list[SyntaxTest]
    query: list[QueryEvaluationTest]
    protocol: list[ProtocolTest]


def suite_candidates() -> list[Path]:
    """Where the suite is looked for: ``$SPINE_EVIDENCE_W3C_TESTS`` alone when set, else ``../shared``.

    ``../shared/w3c-rdf-tests/sparql11`` beside the checkout (a source or
    editable install only: an installed package is not in a checkout), then
    beside the working directory.
    """
    if os.environ.get(SUITE_VARIABLE):
        return [Path(os.environ[SUITE_VARIABLE])]
    checkout = PACKAGE_DIR.parents[1]
    beside_checkout = [checkout.parent / SUITE_IN_SHARED] if (checkout / "pyproject.toml").is_file() else []
    return list(dict.fromkeys([*beside_checkout, Path.cwd().parent / SUITE_IN_SHARED]))


def default_suite_dir() -> Path | None:
    """The first of :func:`suite_candidates` that is a folder, or ``None``."""
    return next((c for c in suite_candidates() if c.is_dir()), None)


def find_suite(suite_dir: Path | None) -> Suite:
    """The suite at ``suite_dir``, else the default one; ``SuiteError`` says where it looked."""
    if suite_dir is not None:
        return open_suite(suite_dir)
    found = default_suite_dir()
    if found is None:
        looked = ", ".join(str(c) for c in suite_candidates())
        raise SuiteError(f"no W3C SPARQL 1.1 test suite found (looked in {looked}); give --suite DIR "
                         f"(the sparql11 folder of the W3C RDF tests) or set ${SUITE_VARIABLE}")
    return open_suite(found)


def _selected(items: list[AnyTest], parts: tuple[str, ...], part: str, patterns: tuple[str, ...]) -> list[AnyTest]:
    """The tests of ``part`` whose ids match one of ``patterns`` (all when none are given)."""
    if part not in parts:
        return []
    return [t for t in items if not patterns or any(fnmatch(t.id, p) for p in patterns)]


def select_tests(suite: Suite, parts: tuple[str, ...], patterns: tuple[str, ...]) -> Selection:
    """The selected syntax, query-evaluation and protocol tests."""
    return {
        "syntax": _selected(syntax_tests(suite), parts, "syntax", patterns),
        "query": _selected(query_evaluation_tests(suite), parts, "query", patterns),
        "protocol": _selected(protocol_tests(suite), parts, "protocol", patterns),
    }


def needed_graphs(suite: Suite, tests: Selection) -> dict[str, Path]:
    """Graph IRI → data file, for every applicable test selected."""
    graphs: dict[str, Path] = {}
    for evaluation in tests["query"]:
        if evaluation.directory not in NOT_APPLICABLE:
            for iri in evaluation.data + evaluation.graph_data:
                graphs[iri] = suite.path(iri)
    for protocol in tests["protocol"]:
        graphs.update(dict(protocol.graph_data))
    return graphs


@contextmanager
def provide_endpoint(server: str, endpoint_url: str | None, graph_store_url: str | None,
                     graphs: dict[str, Path], store: Path | None = None) -> Iterator[ServiceUnderTest]:
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


def run_tests(endpoint: ServiceUnderTest, tests: Selection, progress: Callable[[Outcome], None]) -> list[Outcome]:
    """Run query syntax, evaluation, protocol, then update syntax tests (which may write last)."""
    plan: list[Callable[[], Outcome]] = [
        *(partial(run_syntax_test, endpoint, t) for t in tests["syntax"] if t.category == "syntax-query"),
        *(partial(run_query_evaluation_test, endpoint, t) for t in tests["query"]),
        *(partial(run_protocol_test, endpoint, t) for t in tests["protocol"]),
        *(partial(run_syntax_test, endpoint, t) for t in tests["syntax"] if t.category == "syntax-update"),
    ]
    outcomes = []
    for run in plan:
        outcome = run()
        progress(outcome)
        outcomes.append(outcome)
    return outcomes


def conformance(suite_dir: Path | None = None, endpoint_url: str | None = None,
                graph_store_url: str | None = None, server: str = DEFAULT_SERVER,
                only: str | None = None, patterns: tuple[str, ...] = (), min_query_pass: float = DEFAULT_MIN_QUERY_PASS,
                store: Path | None = None, progress: Callable[[Outcome], None] = lambda outcome: None,
                literal_equality: str = DEFAULT_LITERAL_EQUALITY) -> Report:
    """Run the W3C SPARQL 1.1 protocol, query-evaluation and syntax tests over HTTP.

    Without ``endpoint_url`` the chosen ``server`` is started on a free port of
    127.0.0.1 with the data of the selected tests (``store``: the store folder
    our server starts from) and stopped afterwards. ``patterns`` select tests
    by id (``bind/*``). Raises ``SuiteError`` or ``EndpointError`` when the
    suite or the endpoint is unusable (no ``suite_dir``: see
    :func:`suite_candidates`). ``literal_equality`` (``value``, the default,
    or ``term``) says how the bar counts typed literals; the report shows both.
    """
    if only is not None and only not in PARTS:
        raise ValueError(f"unknown part {only!r}; expected one of {', '.join(PARTS)}")
    if literal_equality not in LITERAL_EQUALITIES:
        raise ValueError(f"unknown literal equality {literal_equality!r}; expected {' or '.join(LITERAL_EQUALITIES)}")
    if server not in SERVERS:
        raise ValueError(f"unknown server {server!r}; expected one of {', '.join(SERVERS)}")
    parts = PARTS if only is None else (only,)
    suite = find_suite(suite_dir)
    tests = select_tests(suite, parts, patterns)
    if not any(tests.values()):
        raise SuiteError(f"no {' or '.join(parts)} test id matches {' '.join(patterns)}")
    started = time.monotonic()
    graphs = needed_graphs(suite, tests)
    with provide_endpoint(server, endpoint_url, graph_store_url, graphs, store) as endpoint:
        outcomes = run_tests(endpoint, tests, progress)
        report = Report(endpoint.query_url, endpoint.name, outcomes, min_query_pass, parts,
                        known=known_failures(server), literal_equality=literal_equality)
    report.seconds = time.monotonic() - started
    report.mark_known()
    return report
