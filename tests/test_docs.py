"""The documentation says what the code does: every command is in the README, every prefix in docs/MODEL.md.

In the manner of sqlite-utils' ``tests/test_docs.py``: the README's command table lists
every ``spine-evidence`` command, each command's help ends with an example, and the
prefixes docs/MODEL.md documents are exactly the ones every entry point predeclares.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from spine_evidence.cli import main
from spine_evidence.namespaces import BASE, PREFIXES

REPO = Path(__file__).resolve().parents[1]
COMMANDS = sorted(main.commands)


@pytest.fixture(scope="module")
def readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def model() -> str:
    return (REPO / "docs" / "MODEL.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_a_row_of_the_readme_command_table(readme: str, command: str):
    assert re.search(rf"^\| `spine-evidence {command}\b", readme, re.M), f"no README row for {command}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_ends_with_an_example(command: str):
    done = CliRunner().invoke(main, [command, "--help"])
    assert done.exit_code == 0, done.output
    examples = done.output.split("Example:")
    assert len(examples) == 2, done.output
    assert "spine-evidence" in examples[1]


def documented_prefixes(model: str) -> dict[str, str]:
    """Prefix → IRI as docs/MODEL.md gives them (its namespace table and its external prefixes)."""
    found = dict(re.findall(r"^\| `([a-z]+):` \| `(https?://[^`]+)` \|", model, re.M))
    found.update(re.findall(r"`([a-z]+): (https?://[^`\s]+)`", model))
    row = re.search(r"^\| ((?:`[a-z]+:` ?)+) \| ((?:`…/[a-z-]+/`,? ?)+) \|", model, re.M)
    assert row, "docs/MODEL.md lost its row of the clinical-context prefixes"
    names = re.findall(r"`([a-z]+):`", row.group(1))
    folders = re.findall(r"`…/([a-z-]+/)`", row.group(2))
    assert len(names) == len(folders)
    found.update({name: BASE + folder for name, folder in zip(names, folders, strict=True)})
    return found


def test_docs_model_documents_exactly_the_predeclared_prefixes(model: str):
    assert documented_prefixes(model) == PREFIXES
