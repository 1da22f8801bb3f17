"""Install the peers that are missing, each bounded in time, from PyPI and Debian only.

- ``oxigraph`` (PyPI; in the ``test`` extra) into this Python;
- rdflib-endpoint (PyPI) into its own venv under ``~/.cache/spine-evidence-bench`` (its
  FastAPI/uvicorn stack stays out of ours);
- Virtuoso 7 and wrk (Debian), the dba password preseeded with debconf, no daemon started.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from bench.servers import RDFLIB_ENDPOINT

DEBCONF = ("virtuoso-opensource-7 virtuoso-opensource-7/dba-password password dba\n"
           "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password dba\n")


def _run(command: list[str], timeout: float, **options) -> bool:
    try:
        return subprocess.run(command, timeout=timeout, capture_output=True, **options).returncode == 0
    except (subprocess.TimeoutExpired, OSError):
        return False


def install_oxigraph() -> str | None:
    """``pip install oxigraph`` unless its command exists; ``None`` on success, else why not."""
    if shutil.which("oxigraph") or _run([sys.executable, "-m", "pip", "install", "-q", "oxigraph>=0.5,<0.6"], 600):
        return None
    return "pip install oxigraph failed"


def install_rdflib_endpoint() -> str | None:
    """rdflib-endpoint in its own venv."""
    if RDFLIB_ENDPOINT.exists():
        return None
    venv = RDFLIB_ENDPOINT.parents[1]
    if _run([sys.executable, "-m", "venv", str(venv)], 120) and \
            _run([str(venv / "bin" / "pip"), "install", "-q", "rdflib-endpoint[cli]==0.6.3"], 600):
        return None
    return f"could not install rdflib-endpoint into {venv}"


def install_debian(packages: list[str]) -> str | None:
    """``apt-get install`` the packages (as root), preseeding Virtuoso's dba password."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"not root or no apt-get: install {' '.join(packages)} by hand"
    _run(["debconf-set-selections"], 60, input=DEBCONF.encode())
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", *packages]
    if _run(command, 900, env=env) or (_run(["apt-get", "update", "-q"], 600) and _run(command, 900, env=env)):
        return None
    return f"apt-get install {' '.join(packages)} failed"


def install(servers: list[str]) -> dict[str, str]:
    """Install what ``servers`` (and wrk) need; return the problems by name."""
    problems = {}
    debian = [] if shutil.which("wrk") else ["wrk"]
    if "virtuoso" in servers and not shutil.which("virtuoso-t"):
        debian.append("virtuoso-opensource")
    if debian and (why := install_debian(debian)):
        problems["debian"] = why
    for name, step in (("oxigraph", install_oxigraph), ("rdflib-endpoint", install_rdflib_endpoint)):
        if name in servers and (why := step()):
            problems[name] = why
    return problems
