"""The real ``spine-evidence validate`` console script: exit 0, 1 and 2, human and Turtle reports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH, XSD

from spine_evidence import shacl
from spine_evidence.namespaces import SE, VALUE

PLACEMENT_VALUE = VALUE["ref-03-correct-placement"]


def find_script() -> str:
    """The installed console script beside this interpreter (or on PATH)."""
    script = Path(sys.executable).with_name("spine-evidence")
    found = str(script) if script.is_file() else shutil.which("spine-evidence")
    assert found, "the spine-evidence console script is not installed (pip install -e '.[test]')"
    return found


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``spine-evidence validate ARGS`` from ``cwd``."""
    return subprocess.run([find_script(), "validate", *args], cwd=cwd, env=dict(os.environ),
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory) -> Path:
    """The shipped graph with a numerator (108) above its denominator (107), as a Turtle file."""
    graph = Graph()
    for path in shacl.shipped_data_files()[1]:
        graph.parse(path)
    graph.remove((PLACEMENT_VALUE, SE.numerator, None))
    graph.add((PLACEMENT_VALUE, SE.numerator, Literal(108, datatype=XSD.integer)))
    path = tmp_path_factory.mktemp("validate") / "corrupted.ttl"
    graph.serialize(path, format="turtle")
    return path


def report_of(text: str) -> Graph:
    """Parse a Turtle report and return it, checking it has exactly one sh:ValidationReport."""
    report = Graph().parse(data=text, format="turtle")
    assert len(list(report.subjects(RDF.type, SH.ValidationReport))) == 1
    return report


def test_the_shipped_graph_conforms_exit_0(tmp_path):
    done = run(cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Conforms: 0 violation(s)")
    assert done.stderr == ""


def test_a_corrupted_graph_exits_1_naming_the_shape(tmp_path, corrupted):
    done = run("--data", str(corrupted), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("Does not conform: 2 violation(s)")
    assert "shapes:NumeratorNotAboveDenominatorShape" in done.stdout
    assert "focus node: value:ref-03-correct-placement" in done.stdout
    assert "Numerator 108 is above denominator 107." in done.stdout


def test_turtle_report_parses_back(tmp_path, corrupted):
    done = run("--data", str(corrupted), "--format", "turtle", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    report = report_of(done.stdout)
    node = report.value(None, RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    results = list(report.objects(node, SH.result))
    assert len(results) == 2
    shapes = {str(report.value(r, SH.sourceShape)) for r in results}
    assert shacl.SHAPES_NS + "NumeratorNotAboveDenominatorShape" in shapes
    assert {report.value(r, SH.focusNode) for r in results} == {PLACEMENT_VALUE}


def test_turtle_report_of_the_shipped_graph_conforms(tmp_path):
    out = tmp_path / "report.ttl"
    done = run("--format", "turtle", "--output", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    report = report_of(out.read_text(encoding="utf-8"))
    node = report.value(None, RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(True)
    assert list(report.objects(node, SH.result)) == []


def test_a_missing_file_exits_2_with_one_line(tmp_path):
    done = run("--data", str(tmp_path / "missing.ttl"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot read") and "missing.ttl" in lines[0]


def test_an_unparsable_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix se: <https://w3id.org/spine-evidence/ontology#> .\nse:a se:b ;;; .\n", encoding="utf-8")
    done = run("--data", str(bad), cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot parse") and "bad.ttl" in lines[0]
    assert "Traceback" not in done.stderr


def test_unparsable_shapes_exit_2_with_one_line(tmp_path):
    bad = tmp_path / "shapes.ttl"
    bad.write_text("this is not turtle\n", encoding="utf-8")
    done = run("--shapes", str(bad), cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot parse") and "shapes.ttl" in lines[0]


def test_an_unknown_file_kind_exits_2(tmp_path):
    odd = tmp_path / "graph.docx"
    odd.write_text("not rdf", encoding="utf-8")
    done = run("--data", str(odd), cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and "graph.docx" in done.stderr


def test_a_bad_option_exits_2(tmp_path):
    done = run("--format", "xml", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_help_ends_with_an_example(tmp_path):
    done = run("--help", cwd=tmp_path)
    assert done.returncode == 0
    description = done.stdout.split("Options:")[0].rstrip().splitlines()
    assert "Example:" in [line.strip() for line in description]
    assert description[-1].strip().startswith("spine-evidence validate")
