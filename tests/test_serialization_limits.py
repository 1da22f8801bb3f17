"""The row and byte limits of ``serialize_solutions`` (the endpoint's cut), on real pyoxigraph solutions."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from spine_evidence.sparql.serialization import serialize_solutions

TSV = ox.QueryResultsFormat.TSV
JSON = ox.QueryResultsFormat.JSON


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """50 solutions of ``?s ?o``, their lines of different lengths."""
    held = ox.Store()
    for number in range(50):
        held.add(ox.Quad(ox.NamedNode(f"http://example.org/s{number}"), ox.NamedNode("http://example.org/p"),
                         ox.Literal("x" * number)))
    return held


def solutions(store: ox.Store) -> ox.QuerySolutions:
    answer = store.query("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s")
    assert isinstance(answer, ox.QuerySolutions)
    return answer


@pytest.mark.parametrize("max_rows", [0, 1, 7, 49])
def test_row_limit_keeps_exactly_that_many_rows(store: ox.Store, max_rows: int) -> None:
    written = serialize_solutions(solutions(store), JSON, max_rows, None)
    assert (written.rows, written.truncated) == (max_rows, True)
    assert len(list(ox.parse_query_results(written.body, JSON))) == max_rows


def test_no_limit_reached_is_the_whole_answer(store: ox.Store) -> None:
    whole = serialize_solutions(solutions(store), TSV)
    written = serialize_solutions(solutions(store), TSV, 50, 10**6)
    assert (written.body, written.rows, written.truncated) == (whole.body, 50, False)


@pytest.mark.parametrize("max_bytes", [0, 10, 200, 1000, 2000])
def test_byte_limit_cuts_at_the_last_whole_line(store: ox.Store, max_bytes: int) -> None:
    whole = serialize_solutions(solutions(store), TSV).body
    header = whole.index(b"\n") + 1
    written = serialize_solutions(solutions(store), TSV, None, max_bytes)
    assert written.truncated
    assert written.body.endswith(b"\n") and whole.startswith(written.body)
    assert len(written.body) <= max(max_bytes, header)  # the header line is kept in any case
    assert written.rows == written.body.count(b"\n") - 1
    assert len(written.body) + len(whole[len(written.body):].split(b"\n", 1)[0]) + 1 > max_bytes  # none more fit
