"""The W3C SPARQL 1.1 conformance runner against our own started server.

Needs ``../shared/w3c-rdf-tests/sparql11`` (skips without it). One server
(``spine-evidence serve`` under gunicorn on 127.0.0.1, a free port) holds
the data of the protocol tests and of a few evaluation folders; the full
run is ``spine-evidence conformance`` in ``.ci/run``. The comparison is
shown to be strict by feeding it deliberately wrong expected results.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from spine_evidence.conformance import default_suite_dir
from spine_evidence.conformance.endpoint import spine_evidence_server
from spine_evidence.conformance.evaluation import run_query_evaluation_test
from spine_evidence.conformance.manifest import open_suite
from spine_evidence.conformance.outcome import VALUES_EQUAL, Outcome
from spine_evidence.conformance.report import Report, known_failures
from spine_evidence.conformance.results import Table, compare, isomorphic_solutions
from spine_evidence.conformance.runner import SUITE_VARIABLE, needed_graphs, run_tests, select_tests, suite_candidates
from spine_evidence.store.location import STATE_DIR_VARIABLE

SUITE = default_suite_dir() or Path("absent")
WHERE = " or ".join(str(c) for c in suite_candidates())
FOLDERS = ("bind/*", "construct/*", "csv-tsv-res/*", "exists/*", "grouping/*", "json-res/*",
           "negation/*", "project-expression/*", "subquery/*")
STRICTNESS = ("json-res/jsonres01", "construct/constructwhere01", "grouping/group01", "exists/exists01")

pytestmark = pytest.mark.skipif(not (SUITE / "manifest-all.ttl").is_file(),
                                reason=f"no W3C SPARQL 1.1 test suite at {WHERE} (../shared, or set {SUITE_VARIABLE})")


@pytest.fixture(scope="module", autouse=True)
def state_dir(tmp_path_factory) -> Iterator[Path]:
    """A state folder outside the clone, where the started servers cache their ``--data`` stores."""
    folder = tmp_path_factory.mktemp("conformance-state")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(STATE_DIR_VARIABLE, str(folder))
        yield folder


@pytest.fixture(scope="module")
def tests():
    """The selected protocol, syntax and evaluation tests."""
    suite = open_suite(SUITE)
    selected = select_tests(suite, ("protocol", "query", "syntax"), ())
    selected["query"] = [t for t in selected["query"] if any(t.id.startswith(f[:-1]) for f in FOLDERS)]
    return suite, selected


@pytest.fixture(scope="module")
def endpoint(tests, empty_store):
    """Our server, started with the data of the selected tests, stopped after the module."""
    suite, selected = tests
    with spine_evidence_server(needed_graphs(suite, selected), options=["--store", str(empty_store)]) as running:
        yield running


@pytest.fixture(scope="module")
def outcomes(endpoint, tests):
    """The outcomes of every selected test against our server."""
    return run_tests(endpoint, tests[1], lambda outcome: None)


def unexpected_failures(outcomes, category_prefix: str) -> list[str]:
    """Failures in a category that known_failures.toml does not list."""
    known = known_failures("spine-evidence")
    return [f"{o.id}: {o.note}" for o in outcomes
            if o.category.startswith(category_prefix) and o.status == "fail" and o.id not in known]


def test_protocol_tests_pass(outcomes):
    protocol = [o for o in outcomes if o.category in ("protocol", "graph-store")]
    assert len([o for o in protocol if o.category == "protocol"]) == 34
    assert unexpected_failures(outcomes, "protocol") == []
    assert unexpected_failures(outcomes, "graph-store") == []
    refused = [o for o in protocol if "read-only" in o.note]
    assert refused and all(o.status == "pass" for o in refused)


def test_evaluation_folders_pass(outcomes):
    evaluation = [o for o in outcomes if o.category.startswith("query-eval/")]
    assert len(evaluation) > 60
    assert unexpected_failures(outcomes, "query-eval/") == []


def test_syntax_tests_pass(outcomes):
    assert len([o for o in outcomes if o.category == "syntax-update"]) > 50
    assert unexpected_failures(outcomes, "syntax-") == []


def strictness_test(tests, test_id: str):
    """One evaluation test record by id."""
    return next(t for t in tests[1]["query"] if t.id == test_id)


def test_a_wrong_literal_fails(endpoint, tests, tmp_path):
    test = strictness_test(tests, "grouping/group01")
    assert run_query_evaluation_test(endpoint, test).status == "pass"
    wrong = tmp_path / test.result.name
    text = test.result.read_text(encoding="utf-8")
    assert "http://example/s2" in text
    wrong.write_text(text.replace("http://example/s2", "http://example/S2"), encoding="utf-8")
    outcome = run_query_evaluation_test(endpoint, dataclasses.replace(test, result=wrong))
    assert outcome.status == "fail" and "differ" in outcome.note


def test_a_wrong_order_fails(endpoint, tests, tmp_path):
    test = strictness_test(tests, "json-res/jsonres01")
    document = json.loads(test.result.read_text(encoding="utf-8"))
    bindings = document["results"]["bindings"]
    assert len(bindings) > 2
    document["results"]["bindings"] = bindings[::-1]
    wrong = tmp_path / test.result.name
    wrong.write_text(json.dumps(document), encoding="utf-8")
    assert run_query_evaluation_test(endpoint, test).status == "pass"
    outcome = run_query_evaluation_test(endpoint, dataclasses.replace(test, result=wrong))
    assert outcome.status == "fail" and "ORDER BY" in outcome.note


def test_a_missing_triple_fails(endpoint, tests, tmp_path):
    test = strictness_test(tests, "construct/constructwhere01")
    lines = test.result.read_text(encoding="utf-8").splitlines()
    wrong = tmp_path / test.result.name
    wrong.write_text("\n".join(line for line in lines if ":s3" not in line) + "\n", encoding="utf-8")
    assert run_query_evaluation_test(endpoint, test).status == "pass"
    outcome = run_query_evaluation_test(endpoint, dataclasses.replace(test, result=wrong))
    assert outcome.status == "fail" and "isomorphic" in outcome.note


def test_a_wrong_boolean_fails(endpoint, tests, tmp_path):
    test = strictness_test(tests, "exists/exists01")
    wrong = tmp_path / "wrong.srj"
    wrong.write_text('{"head": {}, "boolean": true}', encoding="utf-8")
    outcome = run_query_evaluation_test(endpoint, dataclasses.replace(test, result=wrong))
    assert outcome.status == "fail" and "bool" in outcome.note


def test_blank_nodes_are_matched_by_a_bijection():
    a, b, c = ox.BlankNode("a"), ox.BlankNode("b"), ox.BlankNode("c")
    one, two = ox.Literal("1"), ox.Literal("2")
    expected = [{"x": a, "y": one}, {"x": b, "y": two}, {"x": a, "y": two}]
    renamed = [{"x": c, "y": one}, {"x": a, "y": two}, {"x": c, "y": two}]
    merged = [{"x": c, "y": one}, {"x": c, "y": two}, {"x": c, "y": two}]
    assert isomorphic_solutions(expected, renamed)
    assert not isomorphic_solutions(expected, merged)
    assert compare(Table(frozenset("xy"), expected), Table(frozenset("xy"), merged)) is not None


def test_lexical_forms_count():
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    written = Table(frozenset("v"), [{"v": ox.Literal("1.0", datatype=decimal)}])
    canonical = Table(frozenset("v"), [{"v": ox.Literal("1", datatype=decimal)}])
    assert "lexical forms" in compare(written, canonical)


def test_value_equality_accepts_canonical_forms_but_nothing_else():
    """By value, "1.0" equals "1" (xsd:decimal) and -3 as xsd:negativeInteger equals xsd:integer -3;
    a different value, or the right values in the wrong ORDER BY order, still fails."""
    xsd = "http://www.w3.org/2001/XMLSchema#"
    decimal, integer, negative = (ox.NamedNode(xsd + t) for t in ("decimal", "integer", "negativeInteger"))
    def table(first: str, first_type: ox.NamedNode, second: str, second_type: ox.NamedNode) -> Table:
        return Table(frozenset("v"), [{"v": ox.Literal(first, datatype=first_type)},
                                      {"v": ox.Literal(second, datatype=second_type)}])

    written = table("1.0", decimal, "-3", negative)
    canonical = table("1", decimal, "-3", integer)
    other = table("1.5", decimal, "-3", integer)
    reversed_ = Table(frozenset("v"), list(reversed(canonical.rows)))
    assert compare(written, canonical) == VALUES_EQUAL
    assert compare(written, other) not in (None, VALUES_EQUAL)
    assert compare(written, reversed_, ["v"]) not in (None, VALUES_EQUAL)


def test_the_bar_counts_value_equal_failures_only_by_value():
    outcomes = [Outcome("a/1", "query-eval/a", "pass"), Outcome("a/2", "query-eval/a", "fail", VALUES_EQUAL),
                Outcome("a/3", "query-eval/a", "fail", "expected 2 solutions, got 1"),
                Outcome("e/1", "query-eval/entailment", "n/a")]
    by_value = Report("http://127.0.0.1/sparql", "spine-evidence", outcomes, 0.6, ("query",))
    assert by_value.literal_equality == "value", "by value is the default"
    by_term = dataclasses.replace(by_value, literal_equality="term")
    assert by_term.query_pass_ratio() == pytest.approx(1 / 3) and not by_term.bar_met()
    assert by_value.query_pass_ratio() == pytest.approx(2 / 3) and by_value.bar_met()
    assert any("1/3 pass" in line for line in by_value.lines())


def test_known_failures_that_pass_are_reported(outcomes):
    passing = next(o for o in outcomes if o.status == "pass")
    report = Report("http://127.0.0.1/sparql", "spine-evidence", [dataclasses.replace(passing)], 0.95,
                    ("query",), known={passing.id: "listed by this test"})
    report.mark_known()
    assert [o.id for o in report.now_passing()] == [passing.id]
    assert any("now passes" in line for line in report.lines())


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """Run ``spine-evidence`` in a fresh interpreter."""
    command = [sys.executable, "-m", "spine_evidence", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_cli_runs_the_protocol_tests_and_writes_json(empty_store, tmp_path):
    report = tmp_path / "conformance.json"
    done = run_cli("conformance", "--suite", str(SUITE), "--store", str(empty_store), "--only", "protocol",
                   "--json", str(report))
    assert "protocol" in done.stdout, done.stderr
    results = json.loads(report.read_text(encoding="utf-8"))
    assert results["categories"]["protocol"].get("pass", 0) >= 30
    assert len(results["tests"]) == sum(sum(c.values()) for c in results["categories"].values())
    assert done.returncode == (0 if results["bar_met"] else 1)


def test_cli_error_is_one_line_with_exit_2(tmp_path):
    done = run_cli("conformance", "--suite", str(tmp_path / "absent"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and done.stderr.startswith("error:")


def test_without_a_suite_the_cli_says_where_it_looked_and_exits_2(tmp_path):
    env = {**os.environ, "SPINE_EVIDENCE_W3C_TESTS": str(tmp_path / "absent")}
    command = [sys.executable, "-m", "spine_evidence", "conformance"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert str(tmp_path / "absent") in done.stderr and "--suite" in done.stderr
