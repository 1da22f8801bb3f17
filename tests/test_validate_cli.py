"""The real ``spine-evidence validate`` console script: exit 0, 1 and 2, human and Turtle reports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

from spine_evidence import paths, reasoning, shacl
from spine_evidence.namespaces import VALUE
from spine_evidence.validation import CHECKS

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
    """The shipped document with a numerator (108) above its denominator (107), as a Turtle file.

    A text edit: rdflib's Turtle writer would rewrite decimals (``1`` as ``1.0``).
    """
    text = (paths.graph_dir() / "factfinder.ttl").read_text(encoding="utf-8")
    assert text.count("se:numerator 82 ;") == 1
    path = tmp_path_factory.mktemp("validate") / "corrupted.ttl"
    path.write_text(text.replace("se:numerator 82 ;", "se:numerator 108 ;"), encoding="utf-8")
    return path


def report_of(text: str) -> Graph:
    """Parse a Turtle report and return it, checking it has exactly one sh:ValidationReport."""
    report = Graph().parse(data=text, format="turtle")
    assert len(list(report.subjects(RDF.type, SH.ValidationReport))) == 1
    return report


def test_the_shipped_graph_conforms_exit_0_with_the_reasoner(tmp_path):
    try:
        reasoning.find_java()
    except reasoning.ReasonerError:
        pytest.skip("HermiT needs Java: apt-get install openjdk-17-jre-headless")
    done = run(cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Conforms: 0 violation(s)")
    announced = done.stderr.splitlines()
    assert len(announced) == 1 and announced[0].startswith("validating ") and "factfinder.ttl" in announced[0]


def test_the_shipped_graph_conforms_exit_0_without_the_reasoner(tmp_path):
    done = run("--no-reason", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Conforms: 0 violation(s)")
    announced = done.stderr.splitlines()
    assert len(announced) == 1 and announced[0].startswith("validating ") and "factfinder.ttl" in announced[0]


def test_a_corrupted_graph_exits_1_naming_the_shape(tmp_path, corrupted):
    done = run("--data", str(corrupted), "--no-reason", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("Does not conform: ")
    assert "shapes:NumeratorNotAboveDenominatorShape" in done.stdout
    assert "shapes:NumberInQuoteCheck" in done.stdout
    assert "focus node: value:ref-03-correct-placement" in done.stdout
    assert "108" in done.stdout
    assert "«82 of 107 (77%) attempts resulted in correct placement (3)»" in done.stdout


def test_turtle_report_parses_back(tmp_path, corrupted):
    done = run("--data", str(corrupted), "--format", "turtle", "--no-reason", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    report = report_of(done.stdout)
    node = report.value(None, RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    results = list(report.objects(node, SH.result))
    assert len(results) >= 2
    shapes = {str(report.value(r, SH.sourceShape)) for r in results}
    assert shacl.SHAPES_NS + "NumeratorNotAboveDenominatorShape" in shapes
    assert CHECKS["NumberInQuote"].shape in {report.value(r, SH.sourceShape) for r in results}
    assert (CHECKS["NumberInQuote"].component, RDF.type, SH.ConstraintComponent) in report
    assert {report.value(r, SH.focusNode) for r in results} == {PLACEMENT_VALUE}
    assert "77.0" not in done.stdout, "the Turtle report must keep the decimals as the graph writes them"


def test_turtle_report_of_the_shipped_graph_conforms(tmp_path):
    out = tmp_path / "report.ttl"
    done = run("--format", "turtle", "--output", str(out), "--no-reason", cwd=tmp_path)
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
    lines = done.stderr.splitlines()[1:]  # the first line says which files are validated
    assert len(lines) == 1 and lines[0].startswith("error: cannot read") and "missing.ttl" in lines[0]


def test_an_unparsable_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix se: <https://w3id.org/spine-evidence/ontology#> .\nse:a se:b ;;; .\n", encoding="utf-8")
    done = run("--data", str(bad), cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.splitlines()[1:]  # the first line says which files are validated
    assert len(lines) == 1 and lines[0].startswith("error: cannot parse") and "bad.ttl" in lines[0]
    assert "Traceback" not in done.stderr


def test_unparsable_shapes_exit_2_with_one_line(tmp_path):
    bad = tmp_path / "shapes.ttl"
    bad.write_text("this is not turtle\n", encoding="utf-8")
    done = run("--shapes", str(bad), "--no-reason", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.splitlines()[1:]  # the first line says which files are validated
    assert len(lines) == 1 and lines[0].startswith("error: cannot parse") and "shapes.ttl" in lines[0]


def test_an_unknown_file_kind_exits_2(tmp_path):
    odd = tmp_path / "graph.docx"
    odd.write_text("not rdf", encoding="utf-8")
    done = run("--data", str(odd), cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()[1:]) == 1 and "graph.docx" in done.stderr.splitlines()[1]


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
