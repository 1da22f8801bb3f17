"""The results table (``spine_evidence.results_table``): one row per result, datatypes kept, errors said.

Its numbers are compared with the source and the other views in
``test_views_agree.py``; here: the rows and columns, the CSV as the ``csv``
module reads it back, and the graphs it refuses (a number of the wrong datatype,
two values for one cell, no ontology to type the columns).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pyoxigraph as ox
import pytest
from conftest import dataset_sources

from spine_evidence.results_table import ResultsTableError, csvw_metadata, results_table, write_csv
from spine_evidence.sparql import evaluate
from spine_evidence.store import create_store

VALUE = "<https://w3id.org/spine-evidence/value/ref-03-correct-placement>"
NUMERATOR = "<https://w3id.org/spine-evidence/ontology#numerator>"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return create_store(None, dataset_sources())


def changed(store: ox.Store, update: str) -> ox.Store:
    """A copy of ``store`` with ``update`` applied to its default graph."""
    copy = ox.Store()
    copy.extend(store.quads_for_pattern(None, None, None, None))
    copy.update(update)
    return copy


def test_one_row_per_result_with_typed_numbers(store: ox.Store) -> None:
    table = results_table(store)
    solutions = evaluate(store, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a se:Result }")
    assert isinstance(solutions, ox.QuerySolutions)
    count = next(iter(solutions))["n"]
    assert isinstance(count, ox.Literal) and len(table.rows) == int(count.value) > 0
    row = next(r for r in table.rows if str(r["result"]).endswith("/ref-03-correct-placement"))
    assert (row["numerator"], row["denominator"], row["stated_percentage"]) == (82, 107, Decimal("77"))
    assert type(row["numerator"]) is int and row["reference_number"] == 3 and row["statistic"] == "Proportion"
    no_percentage = next(r for r in table.rows if str(r["result"]).endswith("/ref-01-target-missed"))
    assert no_percentage["stated_percentage"] is None, "a percentage the text does not state is never computed"


def test_the_csv_reads_back_cell_for_cell(store: ox.Store) -> None:
    table = results_table(store)
    stream = io.StringIO(newline="")
    write_csv(table, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue(), newline="")))
    assert rows[0] == [c.name for c in table.columns]
    assert rows[1:] == [["" if r[c.name] is None else str(r[c.name]) for c in table.columns] for r in table.rows]
    assert any("," in cell for row in rows for cell in row), "labels with commas are quoted by the csv module"


def test_the_csvw_metadata_types_every_column(store: ox.Store) -> None:
    columns = csvw_metadata(results_table(store))["tableSchema"]["columns"]
    types = {c["name"]: c["datatype"] for c in columns}
    assert types["numerator"] == "integer" and types["mean_value"] == "decimal" and types["result"] == "anyURI"
    assert all(c["datatype"] for c in columns)


def test_a_number_of_the_wrong_datatype_is_refused(store: ox.Store) -> None:
    wrong = changed(store, f"DELETE {{ {VALUE} {NUMERATOR} ?n }} INSERT {{ {VALUE} {NUMERATOR} 82.0 }} "
                           f"WHERE {{ {VALUE} {NUMERATOR} ?n }}")
    expected = r"ref-03-correct-placement: numerator is .*#decimal>, expected an xsd:integer"
    with pytest.raises(ResultsTableError, match=expected):
        results_table(wrong)


def test_two_values_for_one_cell_are_refused(store: ox.Store) -> None:
    wrong = changed(store, f"INSERT DATA {{ {VALUE} {NUMERATOR} 83 }}")
    with pytest.raises(ResultsTableError, match="ref-03-correct-placement has two values for numerator"):
        results_table(wrong)


def test_a_store_without_the_ontology_is_refused(store: ox.Store) -> None:
    bare = changed(store, "DELETE WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#range> ?r }")
    with pytest.raises(ResultsTableError, match="no single numeric range"):
        results_table(bare)
