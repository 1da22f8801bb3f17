"""The real ``spine-evidence`` console script: ``build`` then ``query`` in every output format,
and one-line errors with exit code 2."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from spine_evidence.namespaces import SE

CITATIONS = "SELECT ?study ?n WHERE { ?study se:citationNumber ?n } ORDER BY ?n"


def find_script() -> str:
    script = Path(sys.executable).with_name("spine-evidence")
    found = str(script) if script.is_file() else shutil.which("spine-evidence")
    assert found, "the spine-evidence console script is not installed (pip install -e '.[test]')"
    return found


def run(*args: str, cwd: Path | None = None, stdin: str | None = None, env: dict | None = None):
    environment = {**os.environ, **(env or {})}
    return subprocess.run([find_script(), *args], cwd=cwd, input=stdin, env=environment,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "dist"
    done = run("build", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "graph version" in done.stdout and "graph:inferred" in done.stdout
    assert (out / "build.json").is_file()
    return out


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


def test_without_a_build_the_sources_are_queried(tmp_path: Path, asserted: Graph) -> None:
    no_state = {"SPINE_EVIDENCE_STATE_DIR": str(tmp_path / "state")}  # where `serve` would have built
    done = run("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv", cwd=tmp_path, env=no_state)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n", str(len(asserted))]


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
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert message in done.stderr


def test_a_missing_store_is_one_line_with_exit_code_2(tmp_path: Path) -> None:
    done = run("query", "--store", str(tmp_path / "nowhere"), "ASK {}")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: no store at {tmp_path / 'nowhere'}; run 'spine-evidence build' first"]


def test_build_refuses_a_folder_that_is_not_a_build(tmp_path: Path) -> None:
    (tmp_path / "spine-evidence.nt").write_text("mine")
    done = run("build", "--out", str(tmp_path), "--no-reason")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "refusing" in done.stderr
    assert (tmp_path / "spine-evidence.nt").read_text() == "mine"


@pytest.mark.parametrize("command", ["build", "query"])
def test_help_ends_with_an_example(command: str) -> None:
    done = run(command, "--help")
    assert done.returncode == 0
    assert "Example:" in done.stdout
    assert f"spine-evidence {command}" in done.stdout.split("Example:")[1]
