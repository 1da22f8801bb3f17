"""The real ``spine-evidence`` console script: ``build`` then ``query`` in every output format,
and one-line errors with exit code 2.

The build is the session's (``conftest.built_dataset``: ``spine-evidence build`` into a
fresh state folder); where ``query`` finds or builds its store is tested in
``test_entry_points``."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import BuiltDataset, console_script
from rdflib import Graph

from spine_evidence.namespaces import SE

CITATIONS = "SELECT ?study ?n WHERE { ?study se:citationNumber ?n } ORDER BY ?n"


def run(*args: str, cwd: Path | None = None, stdin: str | None = None, env: dict | None = None):
    environment = {**os.environ, **(env or {})}
    return subprocess.run([console_script(), *args], cwd=cwd, input=stdin, env=environment,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def dist(built_dataset: BuiltDataset) -> Path:
    done = built_dataset.build
    assert "graph version" in done.stdout and "graph:inferred" in done.stdout
    assert done.stderr.startswith(f"building {built_dataset.state} from ")
    assert (built_dataset.state / "build.json").is_file()
    return built_dataset.state


@pytest.fixture(scope="module")
def citations(asserted: Graph) -> int:
    count = len(list(asserted.subject_objects(SE.citationNumber)))
    assert count > 0
    return count


def query(dist: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    done = run("query", "--store", str(dist), *args, **kwargs)
    assert done.returncode == 0, done.stderr
    return done


def test_json_results_have_one_row_per_citation(dist: Path, citations: int) -> None:
    results = json.loads(query(dist, CITATIONS, "--format", "json").stdout)
    assert results["head"]["vars"] == ["study", "n"]
    rows = results["results"]["bindings"]
    assert len(rows) == citations
    assert [int(row["n"]["value"]) for row in rows] == sorted(int(row["n"]["value"]) for row in rows)
    assert all(row["study"]["type"] == "uri" for row in rows)


def test_csv_results(dist: Path, citations: int) -> None:
    rows = list(csv.reader(io.StringIO(query(dist, CITATIONS, "--format", "csv").stdout)))
    assert rows[0] == ["study", "n"]
    assert len(rows) == citations + 1
    assert rows[1][0].startswith("https://w3id.org/spine-evidence/study/")


def test_tsv_and_xml_results(dist: Path, citations: int) -> None:
    lines = query(dist, CITATIONS, "--format", "tsv").stdout.splitlines()
    assert lines[0] == "?study\t?n" and len(lines) == citations + 1
    xml = query(dist, CITATIONS, "--format", "xml").stdout
    assert xml.count("<result>") == citations


def test_table_shortens_iris_and_counts_rows(dist: Path, citations: int) -> None:
    lines = query(dist, CITATIONS).stdout.splitlines()
    assert lines[0].split() == ["study", "|", "n"]
    assert lines[-1] == f"({citations} rows)"
    assert any(line.startswith("study:ref-07 ") for line in lines)


def test_ask_sees_the_inferred_classes(dist: Path) -> None:
    result = json.loads(query(dist, "ASK { study:ref-07 a se:RandomisedTrial }", "--format", "json").stdout)
    assert result["boolean"] is True


def test_construct_as_turtle_and_ntriples(dist: Path, citations: int) -> None:
    text = query(dist, "CONSTRUCT WHERE { ?s se:citationNumber ?n }", "--format", "turtle").stdout
    assert len(Graph().parse(data=text, format="turtle")) == citations
    text = query(dist, "CONSTRUCT WHERE { ?s se:citationNumber ?n }", "--format", "ntriples").stdout
    assert len(Graph().parse(data=text, format="nt")) == citations


def test_query_from_file_and_from_standard_input(dist: Path, tmp_path: Path, citations: int) -> None:
    file = tmp_path / "q.rq"
    file.write_text(CITATIONS, encoding="utf-8")
    from_file = json.loads(query(dist, "--file", str(file), "--format", "json").stdout)
    from_stdin = json.loads(query(dist, "-", "--format", "json", stdin=CITATIONS).stdout)
    assert len(from_file["results"]["bindings"]) == len(from_stdin["results"]["bindings"]) == citations


@pytest.mark.parametrize(
    "args, message",
    [
        (["SELECT ?s WHERE { ?s ?p }"], "bad SPARQL"),
        (["SELECT ?s WHERE { ?s a nosuchprefix:Thing }"], "undeclared prefix"),
        (["INSERT DATA { <urn:a> <urn:b> <urn:c> }"], "read-only"),
        (["ASK { ?s ?p ?o }", "--format", "turtle"], "CONSTRUCT/DESCRIBE"),
        (["ASK { ?s ?p ?o }", "--format", "yaml"], "unknown format"),
        ([], "exactly one query"),
        (["--file", "/nonexistent/q.rq"], "cannot read the query"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(dist: Path, args: list[str], message: str) -> None:
    done = run("query", "--store", str(dist), *args)
    assert done.returncode == 2
    assert done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if not line.startswith("using the store ")]
    assert len(errors) == 1 and errors[0].startswith("error: "), done.stderr
    assert message in errors[0]


def test_a_missing_store_is_one_line_with_exit_code_2(tmp_path: Path) -> None:
    done = run("query", "--store", str(tmp_path / "nowhere"), "ASK {}")
    assert done.returncode == 2
    nowhere = tmp_path / "nowhere"
    expected = f"error: no store at {nowhere}; run `spine-evidence build --out {nowhere}` first"
    assert done.stderr.strip().splitlines() == [expected]


def test_build_refuses_a_folder_that_is_not_a_build(tmp_path: Path) -> None:
    (tmp_path / "spine-evidence.nt").write_text("mine")
    done = run("build", "--out", str(tmp_path), "--no-reason")
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].startswith(f"building {tmp_path} from ")  # what it uses, then the error
    assert len(done.stderr.strip().splitlines()) == 2 and done.stderr.splitlines()[1].startswith("error: refusing")
    assert (tmp_path / "spine-evidence.nt").read_text() == "mine"


@pytest.mark.parametrize("command", ["build", "query", "load"])
def test_help_ends_with_an_example(command: str) -> None:
    done = run(command, "--help")
    assert done.returncode == 0
    assert "Example:" in done.stdout
    assert f"spine-evidence {command}" in done.stdout.split("Example:")[1]
