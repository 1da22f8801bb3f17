"""A non-editable install works from any directory: build a wheel, install it into a fresh venv,
and run the command from somewhere else. Deselect with ``-m "not slow"``.

Offline and in any environment (the machine's interpreter or a user's venv): the fresh venv
has no system site-packages; the wheel is installed into it without dependencies, and the
dependencies come from this interpreter's own site-packages, put on the new venv's path with a
``.pth`` file (after the venv's own folder, so the package itself comes from the wheel). The
wheel's declared requirements are checked against what the new venv sees.
"""

from __future__ import annotations

import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA_FOLDERS = ("ontology", "graph", "shapes")
DISTRIBUTION = "spine-evidence-graph"
UNMET_REQUIREMENTS = """
import sys
from importlib.metadata import PackageNotFoundError, distribution, version
from packaging.requirements import Requirement
for line in distribution(sys.argv[1]).requires or []:
    wanted = Requirement(line)
    if wanted.marker is not None and not wanted.marker.evaluate({"extra": ""}):
        continue
    try:
        found = version(wanted.name)
    except PackageNotFoundError:
        print(wanted, "missing")
        continue
    if not wanted.specifier.contains(found, prereleases=True):
        print(wanted, "found", found)
"""  # run with the distribution's name as its argument

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def dependency_folders() -> list[str]:
    """The site-packages folders of this interpreter (a venv's own, or the machine's), where the dependencies are."""
    folders = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        folders.append(site.getusersitepackages())
    return [f for f in folders if Path(f).is_dir()]


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
    """A fresh venv (no system site-packages) with the project from the wheel and this interpreter's packages."""
    where = tmp_path_factory.mktemp("venv") / "venv"
    done = run(sys.executable, "-m", "venv", "--without-pip", where)
    assert done.returncode == 0, done.stderr
    python = where / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    assert Path(purelib).is_relative_to(where), purelib
    (Path(purelib) / "_dependencies.pth").write_text("\n".join(dependency_folders()) + "\n", encoding="utf-8")
    done = run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed",
               "--disable-pip-version-check", "-q", wheel)
    assert done.returncode == 0, done.stderr[-2000:]
    return where


def test_wheel_holds_the_package_and_the_three_data_folders(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "spine_evidence/__init__.py" in names
    assert "spine_evidence/cli/__init__.py" in names
    for folder in DATA_FOLDERS:
        turtle = [n for n in names if n.startswith(f"spine_evidence/_data/{folder}/") and n.endswith(".ttl")]
        assert turtle, f"no Turtle file under spine_evidence/_data/{folder}/"
    assert "spine_evidence/_data/graph/ultrasound-imaging-for-cervical-injections.txt" in names


def test_the_venv_is_not_this_interpreter(venv: Path) -> None:
    code = "import sys, sysconfig; print(sys.prefix); print(sysconfig.get_paths()['purelib'])"
    prefix, purelib = run(venv / "bin" / "python", "-c", code).stdout.split()
    assert Path(prefix) == venv and Path(purelib).is_relative_to(venv)
    assert str(REPO / "server") not in run(venv / "bin" / "python", "-c", "import sys; print(sys.path)").stdout
    assert sysconfig.get_paths()["purelib"] != purelib


def test_the_package_comes_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    code = "import spine_evidence.paths as p; print(p.PACKAGE_DIR); print(p.graph_dir())"
    done = run(venv / "bin" / "python", "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    package_dir, graph_dir = done.stdout.split()
    assert Path(package_dir).is_relative_to(venv)
    assert Path(graph_dir) == Path(package_dir) / "_data" / "graph"


def test_every_requirement_of_the_wheel_is_met_in_the_venv(venv: Path, tmp_path: Path) -> None:
    done = run(venv / "bin" / "python", "-c", UNMET_REQUIREMENTS, DISTRIBUTION, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "", f"requirements of the wheel not met:\n{done.stdout}"


def test_the_installed_command_runs_from_another_directory(venv: Path, tmp_path: Path) -> None:
    script = venv / "bin" / "spine-evidence"
    assert script.is_file()
    assert str(venv / "bin" / "python") in script.read_text(encoding="utf-8")[:500]  # the venv's interpreter
    done = run(script, "validate", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert not (tmp_path / "dist").exists()
