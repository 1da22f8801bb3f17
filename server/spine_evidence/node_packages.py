"""The Node packages the project uses, installed in a cache folder outside the checkout.

YASGUI (``@zazuko/yasgui``), the query page's editor, which the server serves
from this folder; Comunica (``@comunica/query-sparql``), the federation client
of ``tests/test_clients.py`` (declared with its lock file in ``tests/js``); and
the two page checkers of the browser tests: the Nu HTML Checker (``vnu-jar``,
run with the system's Java; its install script, which would download a Java
runtime, is not run) and axe-core (``@axe-core/playwright``, whose dependency
``axe-core`` holds the ``axe.min.js`` the tests inject). All live under
:func:`node_dir`: ``$SPINE_EVIDENCE_NODE_DIR``,
else ``$XDG_CACHE_HOME/spine-evidence/npm`` (``~/.cache/spine-evidence/npm``),
never inside the checkout, so a test run leaves the clone as it was. Installing
needs ``npm`` and the npm registry, once::

    python -m spine_evidence.node_packages yasgui comunica vnu axe
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import SpineEvidenceError
from .paths import PACKAGE_DIR

NODE_DIR_VARIABLE = "SPINE_EVIDENCE_NODE_DIR"
YASGUI_PACKAGE = "@zazuko/yasgui@4.6.2"
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")
VNU_PACKAGE = "vnu-jar@26.9.27"
AXE_PACKAGE = "@axe-core/playwright@4.14.1"
COMUNICA_SOURCE = PACKAGE_DIR.parents[1] / "tests" / "js"  # in a checkout only
COMUNICA_FILES = ("package.json", "package-lock.json", "federate.mjs")
NPM_INSTALL = "apt-get install nodejs npm"
NPM_SECONDS = 600


class NodePackageError(SpineEvidenceError, RuntimeError):
    """npm is missing, or an install failed; the message is one line."""


def node_dir() -> Path:
    """The folder the Node packages are installed in (outside the checkout)."""
    if os.environ.get(NODE_DIR_VARIABLE):
        return Path(os.environ[NODE_DIR_VARIABLE])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "spine-evidence" / "npm"


def yasgui_dir() -> Path:
    """Where YASGUI's built files (``yasgui.min.js``, ``yasgui.min.css``) are when installed."""
    return node_dir() / "yasgui" / "node_modules" / "@zazuko" / "yasgui" / "build"


def yasgui_installed(folder: Path | None = None) -> bool:
    """Whether ``folder`` (default :func:`yasgui_dir`) holds YASGUI's built files."""
    folder = yasgui_dir() if folder is None else folder
    return all((folder / name).is_file() for name in YASGUI_FILES)


def comunica_dir() -> Path:
    """The folder holding ``federate.mjs`` beside its installed ``node_modules``."""
    return node_dir() / "comunica"


def comunica_installed() -> bool:
    """Whether Comunica is installed from the current ``tests/js`` lock file."""
    target = comunica_dir()
    return (target / "node_modules" / "@comunica" / "query-sparql").is_dir() and all(
        (target / name).is_file() and (COMUNICA_SOURCE / name).is_file()
        and filecmp.cmp(COMUNICA_SOURCE / name, target / name, shallow=False)
        for name in COMUNICA_FILES
    )


def npm(*args: str, cwd: Path, timeout: float = NPM_SECONDS) -> None:
    """Run ``npm ARGS`` in ``cwd``; raise :class:`NodePackageError` with npm's last line on failure."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise NodePackageError(f"node and npm are not installed ({NPM_INSTALL})")
    command = ["npm", *args, "--no-audit", "--no-fund", "--loglevel=error"]
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise NodePackageError(f"npm {args[0]} did not finish within {timeout:.0f} s") from None
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["(no output)"]
        raise NodePackageError(f"npm {args[0]} failed (exit {done.returncode}): {lines[-1]}")


def install_yasgui() -> Path:
    """Install YASGUI into :func:`node_dir` unless it is there; its build folder."""
    if not yasgui_installed():
        target = node_dir() / "yasgui"
        target.mkdir(parents=True, exist_ok=True)
        npm("install", "--no-save", "--prefix", str(target), YASGUI_PACKAGE, cwd=target)
    if not yasgui_installed():
        raise NodePackageError(f"npm installed {YASGUI_PACKAGE} but {yasgui_dir()} lacks {', '.join(YASGUI_FILES)}")
    return yasgui_dir()


def install_comunica() -> Path:
    """Install Comunica from ``tests/js`` (``npm ci`` with its lock file) unless it is current; its folder."""
    if not (COMUNICA_SOURCE / "package-lock.json").is_file():
        raise NodePackageError(f"{COMUNICA_SOURCE} is absent: Comunica is installed from a checkout only")
    if not comunica_installed():
        target = comunica_dir()
        target.mkdir(parents=True, exist_ok=True)
        for name in COMUNICA_FILES:
            shutil.copyfile(COMUNICA_SOURCE / name, target / name)
        npm("ci", cwd=target)
    return comunica_dir()


def vnu_jar() -> Path:
    """Where the Nu HTML Checker's ``vnu.jar`` is when installed (run it with ``java -jar`` or as a servlet)."""
    return node_dir() / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def axe_script() -> Path:
    """Where axe-core's ``axe.min.js`` (the dependency of ``@axe-core/playwright``) is when installed."""
    return node_dir() / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def install_file(name: str, package: str, wanted: Path) -> Path:
    """Install ``package`` into ``node_dir()/name`` unless ``wanted`` is there; ``wanted``.

    Install scripts and peer dependencies are skipped: vnu-jar's script downloads a Java
    runtime (the system's Java runs it), and ``@axe-core/playwright``'s peer is Node
    Playwright (the tests drive Chromium from Python and need only ``axe-core``).
    """
    if not wanted.is_file():
        target = node_dir() / name
        target.mkdir(parents=True, exist_ok=True)
        npm("install", "--no-save", "--ignore-scripts", "--legacy-peer-deps", "--prefix", str(target), package,
            cwd=target)
    if not wanted.is_file():
        raise NodePackageError(f"npm installed {package} but {wanted} is absent")
    return wanted


def install_vnu() -> Path:
    """Install the Nu HTML Checker (``vnu-jar``) unless it is there; its ``vnu.jar``."""
    return install_file("vnu", VNU_PACKAGE, vnu_jar())


def install_axe() -> Path:
    """Install ``@axe-core/playwright`` (with ``axe-core``) unless it is there; ``axe.min.js``."""
    return install_file("axe", AXE_PACKAGE, axe_script())


INSTALLERS = {"yasgui": install_yasgui, "comunica": install_comunica, "vnu": install_vnu, "axe": install_axe}


def main(argv: list[str] | None = None) -> int:
    """``python -m spine_evidence.node_packages [yasgui] [comunica] [vnu] [axe]``: install them (all when none named).

    Example: ``python -m spine_evidence.node_packages vnu axe``.
    """
    names = (sys.argv[1:] if argv is None else argv) or list(INSTALLERS)
    unknown = [n for n in names if n not in INSTALLERS]
    if unknown:
        print(f"error: unknown package {unknown[0]!r}; expected {', '.join(INSTALLERS)}", file=sys.stderr)
        return 2
    try:
        for name in names:
            print(f"{name}: {INSTALLERS[name]()}")
    except (NodePackageError, OSError) as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
