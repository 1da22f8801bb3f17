"""Every example query of the README returns exactly the answer the README shows.

The README's "Example queries" section gives each query as a ```sparql block
followed by a Markdown table of its answer. Each query runs on the session's build
(with the inferred triples) and its answer, written with the same table
renderer as ``spine-evidence query --format markdown``, must equal the table:
row for row when the query has ORDER BY, as a multiset otherwise.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spine_evidence import query
from spine_evidence.web.example_queries import section_lines

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"^### (?P<title>.+?)\n.*?```sparql\n(?P<query>.*?)```\n\s*(?P<table>(?:\|.*\|\n?)+)",
                     re.S | re.M)


def readme_examples() -> list[tuple[str, str, str]]:
    """(title, query, answer table) for every example of the README's "Example queries" section."""
    section = "\n".join(section_lines(README.read_text(encoding="utf-8"))) + "\n"
    chunks = ["### " + chunk for chunk in section.split("\n### ")[1:]]
    found = [EXAMPLE.match(chunk) for chunk in chunks]
    assert all(found), [c.splitlines()[0] for c, m in zip(chunks, found, strict=True) if not m]
    return [(m["title"], m["query"], m["table"]) for m in found]


def table_rows(markdown: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a Markdown table (its rule line dropped, ``\\|`` unescaped)."""
    lines = [line.strip() for line in markdown.strip().splitlines()]
    cells = [[c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    return cells[0], cells[2:]


EXAMPLES = readme_examples()


@pytest.fixture(scope="module")
def built_store(built_dataset) -> Path:
    """The session's reasoned build (``conftest.built_dataset``)."""
    return built_dataset.store


def test_the_readme_has_at_least_ten_examples():
    assert len(EXAMPLES) >= 10
    assert len({title for title, _, _ in EXAMPLES}) == len(EXAMPLES)


@pytest.mark.parametrize(("title", "sparql", "table"), EXAMPLES, ids=[t for t, _, _ in EXAMPLES])
def test_an_example_returns_the_answer_the_readme_shows(built_store: Path, title: str, sparql: str, table: str):
    expected_header, expected_rows = table_rows(table)
    header, rows = table_rows(query.query(sparql, store=built_store, fmt=query.MARKDOWN))
    assert header == expected_header
    if re.search(r"\bORDER\s+BY\b", sparql, re.I):
        assert rows == expected_rows
    else:
        assert sorted(rows) == sorted(expected_rows)
    assert rows, f"{title}: an example must have an answer"


def test_a_wrong_number_in_the_readme_would_fail(built_store: Path):
    """The comparison is strict: one changed count in a shown table no longer matches."""
    title, sparql, table = next(e for e in EXAMPLES if "| 82 | 107 |" in e[2])
    _, rows = table_rows(query.query(sparql, store=built_store, fmt=query.MARKDOWN))
    _, tampered = table_rows(table.replace("| 82 | 107 |", "| 83 | 107 |"))
    assert rows != tampered
