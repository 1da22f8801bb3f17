"""One truth across views: graph, FHIR bundle, nanopublications and results CSV state the source's numbers.

The oracle is ``tests/data/source-numbers.csv``: one row per number of a result
(result, property, value, datatype, the words of the source text that state it),
written by hand from ``graph/ultrasound-imaging-for-cervical-injections.txt``
and checked here against that file, not against the graph: the words must be in
the text (whitespace collapsed), the value must be a number written in those words
(a percentage with ``%``, a count without, ``one``/``none`` as counts; this
test's own parser, not ``validation.number_tokens``), and counts are xsd:integer,
percentages, means and volumes xsd:decimal. A table, not the numbers parsed out of
each result's quote: the quotes are the graph's choice of words, and a quote with
several numbers ("5 of 10 ... 3 of 10", "from 6.1 to 2.6") cannot say by itself
which number belongs to which result and property. Each view is then read by its own
means (``view_numbers``) and every number compared with the oracle: value,
lexical form and datatype, nothing missing, nothing added (a computed percentage
the text does not state is an error). The FHIR view carries the injectate
volume only as note text (and a Count's quantity as a decimal copy), so those
are compared by value and lexical form only; the test pins which ones.

A wrong number planted in any one view (a copy of the graph, of the bundle, of
the nanopublication file, of the CSV or its metadata) must make the check fail
with a line naming that view, the result and the number.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import REPO, BuiltDataset, dataset_sources
from Crypto.PublicKey import RSA
from view_numbers import (
    BASE,
    INFERRED_NUMBERS_NOT_STATED,
    SE,
    ViewNumbers,
    csv_numbers,
    disagreements,
    fhir_numbers,
    graph_numbers,
    nanopub_numbers,
    oracle_numbers,
    text_only,
)

from spine_evidence.fhir import write_bundle
from spine_evidence.nanopubs import write_nanopubs
from spine_evidence.results_table import METADATA_FILE, write_results_table
from spine_evidence.sparql import evaluate
from spine_evidence.store import create_store, open_store

ORACLE = REPO / "tests" / "data" / "source-numbers.csv"
SOURCE_TEXT = REPO / "graph" / "ultrasound-imaging-for-cervical-injections.txt"
Views = dict[str, ViewNumbers]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """The repository's graph in an in-memory store (no reasoning)."""
    return create_store(None, dataset_sources())


def write_views(store: ox.Store | Path, out: Path) -> dict[str, Path]:
    """The three files written from ``store``: bundle, nanopublications (throwaway key), results CSV."""
    key = out / "id_rsa.pem"
    key.write_bytes(RSA.generate(2048).export_key())
    table = write_results_table(store, out)
    return {"bundle": write_bundle(store, out), "trig": write_nanopubs(store, out, key), "csv": table,
            "metadata": table.with_name(METADATA_FILE)}


def read_views(store: ox.Store, written: dict[str, Path]) -> Views:
    """Every number of every result as each view states it."""
    return {"graph": graph_numbers(store), "fhir": fhir_numbers(written["bundle"]),
            "nanopubs": nanopub_numbers(written["trig"]), "csv": csv_numbers(written["csv"], written["metadata"])}


@pytest.fixture(scope="module")
def written(store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_views(store, tmp_path_factory.mktemp("views"))


@pytest.fixture(scope="module")
def oracle() -> ViewNumbers:
    return oracle_numbers(ORACLE, SOURCE_TEXT)


@pytest.fixture(scope="module")
def views(store: ox.Store, written: dict[str, Path]) -> Views:
    return read_views(store, written)


def test_the_oracle_is_borne_out_by_the_source_text(oracle: ViewNumbers) -> None:
    assert oracle.problems == []
    keys = {(n.result, n.prop) for n in oracle.numbers}
    assert len(keys) == len(oracle.numbers) > 0, "one row per number of a result"


def test_the_oracle_check_can_fail(tmp_path: Path) -> None:
    rows = ORACLE.read_text(encoding="utf-8").splitlines()
    bad = rows + ["result/ref-03-correct-placement,numerator,83,integer,found that 82 of 107 (77%) attempts resulted",
                  "result/ref-03-correct-placement,statedPercentage,77,decimal,found that 82 of 170 (77%) attempts",
                  "result/ref-03-correct-placement,denominator,107,decimal,found that 82 of 107 (77%) attempts"]
    (tmp_path / "oracle.csv").write_text("\n".join(bad) + "\n", encoding="utf-8")
    problems = oracle_numbers(tmp_path / "oracle.csv", SOURCE_TEXT).problems
    assert len(problems) == 3
    assert "83 is not written in its words" in problems[0]
    assert "its words are not in the source text" in problems[1]
    assert "a denominator is an xsd:integer" in problems[2]


def test_every_view_states_exactly_the_source_numbers(oracle: ViewNumbers, views: Views) -> None:
    assert disagreements(oracle, views) == []
    for name, numbers in views.items():
        assert {(n.result, n.prop) for n in numbers.numbers} == {(n.result, n.prop) for n in oracle.numbers}, name


@pytest.mark.java
def test_the_reasoned_build_says_the_same_numbers(built_dataset: BuiltDataset, oracle: ViewNumbers,
                                                  tmp_path: Path) -> None:
    """The dataset ``spine-evidence build`` writes (with HermiT's inferences) gives the same four views."""
    store = open_store(built_dataset.store)
    assert disagreements(oracle, read_views(store, write_views(built_dataset.store, tmp_path))) == []
    assert bool(evaluate(store, "ASK { GRAPH graph:inferred { ?s ?p ?o } }")), "the build inferred nothing"
    inferred = evaluate(store, INFERRED_NUMBERS_NOT_STATED)
    assert isinstance(inferred, ox.QuerySolutions)
    assert list(inferred) == [], "an inferred number that restates no stated one"


def test_only_the_fhir_injectate_volume_is_compared_without_a_datatype(oracle: ViewNumbers, views: Views) -> None:
    volumes = {(n.result, n.prop) for n in oracle.numbers if n.prop == SE + "injectateVolumeMl"}
    assert volumes and text_only(views["fhir"]) == volumes
    assert all(text_only(views[name]) == set() for name in ("graph", "nanopubs", "csv"))


def test_the_csv_keeps_integers_and_decimals_as_the_graph_writes_them(written: dict[str, Path]) -> None:
    columns = {c["name"]: c for c in json.loads(written["metadata"].read_text(encoding="utf-8"))["tableSchema"]
               ["columns"]}
    assert columns["numerator"]["datatype"] == "integer" and columns["stated_percentage"]["datatype"] == "decimal"
    assert columns["numerator"]["aboutUrl"] == "{+value}" and columns["numerator"]["propertyUrl"] == SE + "numerator"
    with written["csv"].open(encoding="utf-8", newline="") as stream:
        row = next(r for r in csv.DictReader(stream) if r["result"].endswith("/ref-03-correct-placement"))
    assert (row["numerator"], row["denominator"], row["stated_percentage"], row["reference_number"]) == \
        ("82", "107", "77", "3")


# --- planted errors: each changes one number in a copy of one view ------------------------------------------

def plant_in_graph(tmp_path: Path, old: str, new: str) -> ViewNumbers:
    """The graph's numbers, by SPARQL, from a store loaded with a copy of ``graph/factfinder.ttl`` so changed."""
    sources = []
    for graph, path in dataset_sources():
        sources.append((graph, plant_in_file(path, tmp_path, old, new) if path.name == "factfinder.ttl" else path))
    return graph_numbers(create_store(None, sources))


def plant_in_file(source: Path, tmp_path: Path, old: str, new: str) -> Path:
    """A copy of ``source`` with the first occurrence of ``old`` replaced by ``new``."""
    text = source.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {source.name}"
    copy = tmp_path / source.name
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def plant_in_bundle(bundle: Path, tmp_path: Path, result: str, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the bundle with ``change`` applied to the first statistic of the Evidence of ``result``."""
    data = json.loads(bundle.read_text(encoding="utf-8"))
    evidence = next(e["resource"] for e in data["entry"] if e["resource"]["id"] == f"result-{result}")
    change(evidence["statistic"][0])
    copy = tmp_path / "bundle.json"
    copy.write_text(json.dumps(data), encoding="utf-8")
    return copy


def plant_number(statistic: dict[str, Any], path: tuple[str, ...], value: int | float) -> None:
    """Set the number at ``path`` of ``statistic`` to ``value`` (a JSON number: ``82.0`` stays ``82.0``)."""
    *parents, last = path
    for key in parents:
        statistic = statistic.setdefault(key, {})
    statistic[last] = value


GRAPH_CASES = {
    "a numerator": ("se:numerator 82 ;", "se:numerator 83 ;",
                    ["graph: result/ref-03-correct-placement se:numerator is 83", "states 82"]),
    "a datatype": ('se:statedPercentage "77"^^xsd:decimal', "se:statedPercentage 77",
                   ["graph: result/ref-03-correct-placement se:statedPercentage is 77 as an xsd:integer",
                    "is an xsd:decimal"]),
    "a number left out": ("se:denominator 107 ;", "",
                          ["graph: result/ref-03-correct-placement se:denominator is missing", "states 107"]),
}


@pytest.mark.parametrize("case", sorted(GRAPH_CASES))
def test_a_number_planted_in_the_graph_is_found(case: str, oracle: ViewNumbers, views: Views,
                                                tmp_path: Path) -> None:
    old, new, expected = GRAPH_CASES[case]
    found = disagreements(oracle, {**views, "graph": plant_in_graph(tmp_path, old, new)})
    assert_planted(found, "graph", expected)


BUNDLE_CASES: dict[str, tuple[str, Callable[[dict[str, Any]], None], list[str]]] = {
    "a sample size": ("ref-07-intravascular-fluoroscopy",
                      lambda s: plant_number(s, ("sampleSize", "knownDataCount"), 61),
                      ["fhir: result/ref-07-intravascular-fluoroscopy se:denominator is 61", "states 60"]),
    "a mean": ("ref-07-vas-ultrasound-baseline", lambda s: plant_number(s, ("quantity", "value"), 6.2),
               ["fhir: result/ref-07-vas-ultrasound-baseline se:meanValue is 6.2", "states 6.1"]),
    "a computed percentage": ("ref-01-target-missed", lambda s: plant_number(s, ("quantity", "value"), 11.8),
                              ["fhir: result/ref-01-target-missed se:statedPercentage is 11.8",
                               "the source text does not state"]),
    "a count written as a decimal": ("ref-03-correct-placement",
                                     lambda s: plant_number(s, ("numberOfEvents",), 82.0),
                                     ["fhir: result/ref-03-correct-placement se:numerator", "'82.0'"]),
    "a percentage left out": ("ref-08-pain-improvement-50-percent", lambda s: s.pop("quantity"),
                              ["fhir: result/ref-08-pain-improvement-50-percent se:statedPercentage is missing",
                               "states 78"]),
}


@pytest.mark.parametrize("case", sorted(BUNDLE_CASES))
def test_a_number_planted_in_the_fhir_bundle_is_found(case: str, written: dict[str, Path], oracle: ViewNumbers,
                                                      views: Views, tmp_path: Path) -> None:
    result, change, expected = BUNDLE_CASES[case]
    found = disagreements(oracle, {**views, "fhir": fhir_numbers(plant_in_bundle(written["bundle"], tmp_path,
                                                                                  result, change))})
    assert_planted(found, "fhir", expected)


NANOPUB_CASES = {
    "a numerator": ("se:numerator 82 ;", "se:numerator 83 ;",
                    ["nanopubs: result/ref-03-correct-placement se:numerator is 83", "states 82"]),
    "a datatype": ('se:statedPercentage "77"^^xsd:decimal', "se:statedPercentage 77",
                   ["nanopubs: result/ref-03-correct-placement se:statedPercentage is 77 as an xsd:integer"]),
    "a lexical form": ("se:meanValue 6.1 ;", "se:meanValue 6.10 ;", ["nanopubs:", "se:meanValue is 6.10",
                                                                    "written otherwise than the source's 6.1"]),
}


@pytest.mark.parametrize("case", sorted(NANOPUB_CASES))
def test_a_number_planted_in_the_nanopublications_is_found(case: str, written: dict[str, Path], oracle: ViewNumbers,
                                                           views: Views, tmp_path: Path) -> None:
    old, new, expected = NANOPUB_CASES[case]
    planted = plant_in_file(written["trig"], tmp_path, old, new)
    assert_planted(disagreements(oracle, {**views, "nanopubs": nanopub_numbers(planted)}), "nanopubs", expected)


def plant_in_csv(table: Path, tmp_path: Path, result: str, column: str, value: str) -> Path:
    """A copy of the CSV (and its metadata) with one cell of ``result``'s row set to ``value``."""
    with table.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    header, row = rows[0], next(r for r in rows if r[0] == BASE + "result/" + result)
    row[header.index(column)] = value
    copy = tmp_path / table.name
    with copy.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\r\n").writerows(rows)
    shutil.copy(table.with_name(METADATA_FILE), tmp_path / METADATA_FILE)
    return copy


CSV_CASES = {
    "a denominator": ("ref-03-correct-placement", "denominator", "170",
                      ["csv: result/ref-03-correct-placement se:denominator is 170", "states 107"]),
    "an integer written as a decimal": ("ref-03-correct-placement", "numerator", "82.0",
                                        ["csv: result/ref-03-correct-placement se:numerator", "'82.0'",
                                         "not an xsd:integer"]),
    "a percentage left out": ("ref-14-successful-facet-injection", "stated_percentage", "",
                              ["csv: result/ref-14-successful-facet-injection se:statedPercentage is missing"]),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_a_number_planted_in_the_csv_is_found(case: str, written: dict[str, Path], oracle: ViewNumbers,
                                              views: Views, tmp_path: Path) -> None:
    result, column, value, expected = CSV_CASES[case]
    planted = plant_in_csv(written["csv"], tmp_path, result, column, value)
    found = disagreements(oracle, {**views, "csv": csv_numbers(planted, planted.with_name(METADATA_FILE))})
    assert_planted(found, "csv", expected)


def test_a_datatype_planted_in_the_csv_metadata_is_found(written: dict[str, Path], oracle: ViewNumbers,
                                                         views: Views, tmp_path: Path) -> None:
    shutil.copy(written["csv"], tmp_path / written["csv"].name)
    metadata = plant_in_file(written["metadata"], tmp_path, '"name": "stated_percentage",\n'
                             '        "titles": "Stated percentage",\n        "datatype": "decimal"',
                             '"name": "stated_percentage",\n        "titles": "Stated percentage",\n'
                             '        "datatype": "integer"')
    found = disagreements(oracle, {**views, "csv": csv_numbers(tmp_path / written["csv"].name, metadata)})
    assert found and all(line.startswith("csv: ") and "se:statedPercentage" in line for line in found)
    assert any("ref-05-vessel-c4-5" in line and "'5.5'" in line and "not an xsd:integer" in line for line in found)
    assert any("ref-03-correct-placement" in line and "as an xsd:integer" in line for line in found)


def assert_planted(found: list[str], view: str, expected: list[str]) -> None:
    """The check failed, only on ``view``, with one line naming the view, the result and the number."""
    assert found, f"a number planted in the {view} view was not found"
    assert all(line.startswith(f"{view}: ") for line in found), found
    assert any(all(part in line for part in expected) for line in found), found
