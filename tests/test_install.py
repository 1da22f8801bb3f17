"""A non-editable install works from any directory: build a wheel, install it into a fresh venv,
and run the command from somewhere else. Deselect with ``-m "not slow"``."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA_FOLDERS = ("ontology", "graph", "shapes")

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The project's wheel, built offline with the installed hatchling."""
    out = tmp_path_factory.mktemp("wheel")
    done = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
               "--disable-pip-version-check", "-q", "-w", out, REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    wheels = list(out.glob("spine_evidence_graph-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel: Path) -> Path:
    """A fresh venv (dependencies from the system site-packages) with the project from the wheel."""
    where = tmp_path_factory.mktemp("venv") / "venv"
    done = run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", where)
    assert done.returncode == 0, done.stderr
    python = where / "bin" / "python"
    done = run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed",
               "--disable-pip-version-check", "-q", wheel)
    assert done.returncode == 0, done.stderr[-2000:]
    return where


def test_wheel_holds_the_package_and_the_three_data_folders(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "spine_evidence/__init__.py" in names
    assert "spine_evidence/cli.py" in names
    for folder in DATA_FOLDERS:
        turtle = [n for n in names if n.startswith(f"spine_evidence/_data/{folder}/") and n.endswith(".ttl")]
        assert turtle, f"no Turtle file under spine_evidence/_data/{folder}/"
    assert "spine_evidence/_data/graph/ultrasound-imaging-for-cervical-injections.txt" in names


def test_the_package_comes_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    code = "import spine_evidence.paths as p; print(p.PACKAGE_DIR); print(p.graph_dir())"
    done = run(venv / "bin" / "python", "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    package_dir, graph_dir = done.stdout.split()
    assert Path(package_dir).is_relative_to(venv)
    assert Path(graph_dir) == Path(package_dir) / "_data" / "graph"


def test_the_installed_command_runs_from_another_directory(venv: Path, tmp_path: Path) -> None:
    script = venv / "bin" / "spine-evidence"
    assert script.is_file()
    commands = run(script, "--help", cwd=tmp_path).stdout
    if " validate " in commands:
        done = run(script, "validate", cwd=tmp_path)
    else:  # until the shapes engineer's command exists
        done = run(script, "build", "--out", tmp_path / "dist", cwd=tmp_path)
        assert (tmp_path / "dist" / "build.json").is_file()
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
