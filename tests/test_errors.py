"""One root for the core's errors, one way to make an error one line, and a command that stays cheap to start."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import spine_evidence
from spine_evidence.cli import main
from spine_evidence.errors import MAX_LINE, SpineEvidenceError, one_line

# Modules of the core: everything but the request path (``web``, whose errors are HTTP statuses) and the
# command (whose ``UsageFailure`` is how the root is shown).
CORE = sorted(
    info.name for info in pkgutil.walk_packages(spine_evidence.__path__, "spine_evidence.")
    if not info.name.startswith(("spine_evidence.web", "spine_evidence.cli", "spine_evidence.__main__"))
)
# Control flow inside one function, never raised to a caller.
INTERNAL = {"OutOfRuns", "_LimitReached"}


def core_error_classes() -> list[type[BaseException]]:
    """Every exception class defined in a core module."""
    found = []
    for name in CORE:
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == name and value.__name__ not in INTERNAL:
                found.append(value)
    return found


def test_every_core_error_derives_from_the_root():
    classes = core_error_classes()
    assert {"SourceError", "BuildError", "QueryError", "StoreSetupError", "ValidationInputError",
            "SuiteError"} <= {error.__name__ for error in classes}
    strays = [f"{error.__module__}.{error.__name__}" for error in classes if not issubclass(error, SpineEvidenceError)]
    assert not strays, f"core errors outside SpineEvidenceError: {strays}"


def test_the_config_error_is_one_of_them_and_still_a_value_error():
    from spine_evidence.web.config import AppConfig, ConfigError

    with pytest.raises(ConfigError, match="timeout") as raised:
        AppConfig(timeout=0)
    assert isinstance(raised.value, SpineEvidenceError) and isinstance(raised.value, ValueError)


def test_one_line_collapses_lines_and_cuts_a_long_message():
    assert one_line(ValueError("at line 3 of <x.ttl>:\n  Bad syntax\n\t(expected '.')")) == \
        "at line 3 of <x.ttl>: Bad syntax (expected '.')"
    assert one_line(RuntimeError()) == "RuntimeError"
    java = "Java error message is:\n" + "\n".join(f"\tat org.semanticweb.HermiT.Frame{n}" for n in range(200))
    cut = one_line(RuntimeError(java))
    assert len(cut) == MAX_LINE and cut.endswith("…") and "\n" not in cut
    assert cut.startswith("Java error message is: at org.semanticweb.HermiT.Frame0")


def test_the_command_prints_a_core_error_as_one_line_with_exit_2(tmp_path):
    done = CliRunner().invoke(main, ["query", "--store", str(tmp_path / "absent"), "ASK {}"])
    assert done.exit_code == 2, done.output
    lines = done.output.strip().splitlines()
    assert lines[-1].startswith("error: no store at ") and "spine-evidence build --out" in lines[-1]
    assert not isinstance(done.exception, SpineEvidenceError)  # handled, not escaped


def test_importing_the_command_imports_neither_the_engine_nor_the_web_stack():
    code = ("import sys, spine_evidence.cli; "
            "print(sorted(m for m in ('rdflib', 'pyoxigraph', 'flask', 'requests', 'gunicorn', 'granian', "
            "'owlready2', 'pyshacl') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
