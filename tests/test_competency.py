"""The competency suite: questions a guideline author, a systematic reviewer and a maintainer ask.

Each ``tests/competency/NN-slug.rq`` starts with ``# Question:`` and ``# Asked by:`` and is a
query that matches no label or quote text (no CONTAINS, REGEX, STRSTARTS, STRENDS, LCASE or
UCASE). It runs on the session's reasoned build with the model's prefixes predeclared, and its
answer is compared with its expected answer in ``tests/competency/expected.py``. Every number there is
copied from the source text (graph/ultrasound-imaging-for-cervical-injections.txt), not from
the graph; where the answer is a count of the text's own marks (its "(N)" citations) the test
also counts them in the source text itself.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from competency.expected import EXPECTED, TIMES_CITED

from spine_evidence import query
from spine_evidence.namespaces import PREFIXES, sparql_prologue
from spine_evidence.quotes import load_source_text, normalise

COMPETENCY = Path(__file__).resolve().parent / "competency"
FILES = sorted(COMPETENCY.glob("*.rq"))
ROLES = ("guideline author", "systematic reviewer", "maintainer")
TEXT_MATCHING = re.compile(r"\b(CONTAINS|REGEX|STRSTARTS|STRENDS|LCASE|UCASE)\s*\(", re.I)
XSD = "http://www.w3.org/2001/XMLSchema#"

def header(path: Path) -> dict[str, str]:
    """The ``# Question:`` and ``# Asked by:`` lines at the top of a query file."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        found[key.strip()] = value.strip()
    return found


def shorten(iri: str) -> str:
    """``iri`` with the longest predeclared prefix (as the tables of the README write it)."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    return next(p for p, ns in PREFIXES.items() if ns == best) + ":" + iri[len(best):]


def term(binding: dict | None):
    """A SPARQL JSON term as a Python value: prefixed IRI, int, Decimal or str."""
    if binding is None:
        return None
    if binding["type"] == "uri":
        return shorten(binding["value"])
    datatype = binding.get("datatype", "")
    if datatype == XSD + "integer":
        return int(binding["value"])
    if datatype == XSD + "decimal":
        return Decimal(binding["value"])
    return binding["value"]


def run(store: Path, sparql: str) -> list[tuple]:
    """The rows of ``sparql`` (model prefixes declared) on ``store``, as tuples in the variables' order."""
    answer = json.loads(query.query(sparql_prologue() + sparql, store=store, fmt="json"))
    names = answer["head"]["vars"]
    return [tuple(term(row.get(name)) for name in names) for row in answer["results"]["bindings"]]


@pytest.fixture(scope="module")
def store(built_dataset) -> Path:
    """The session's reasoned build (``conftest.built_dataset``)."""
    return built_dataset.store


def test_the_suite_has_enough_questions_from_every_asker():
    assert len(FILES) >= 32
    askers = Counter(header(path).get("Asked by") for path in FILES)
    assert set(askers) == set(ROLES), askers
    assert min(askers.values()) >= 5
    assert len({path.name[:2] for path in FILES}) == len(FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_a_query_starts_with_its_question_and_matches_no_text(path: Path):
    fields = header(path)
    assert fields.get("Question", "").endswith("?") or fields.get("Question", "").endswith("."), fields
    assert fields.get("Asked by") in ROLES
    body = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    assert not TEXT_MATCHING.search(body), f"{path.name} matches text"
    assert "PREFIX" not in body.upper().split("SELECT")[0], "the model's prefixes are predeclared"


def test_every_query_has_an_expected_answer():
    assert {p.stem for p in FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_a_query_gives_the_expected_answer(store: Path, path: Path):
    sparql = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    rows = run(store, sparql)
    expected = EXPECTED[path.stem]
    if callable(expected):
        expected(rows)
    elif re.search(r"\bORDER\s+BY\b", sparql, re.I):
        assert rows == expected
    else:
        assert sorted(rows, key=repr) == sorted(expected, key=repr)


def test_the_citation_counts_are_the_source_texts():
    counted = Counter(int(n) for n in re.findall(r"\((\d+)\)", normalise(load_source_text())))
    assert dict(sorted(counted.items())) == TIMES_CITED
    assert sum(TIMES_CITED.values()) == 24


def test_the_text_matching_check_would_catch_a_label_match():
    assert TEXT_MATCHING.search('FILTER(CONTAINS(LCASE(?label), "missed"))')
    assert TEXT_MATCHING.search("FILTER regex(?words, 'cadaveric')")
    assert not TEXT_MATCHING.search("FILTER(?basis != se:source-text)")


def test_numbers_compare_by_value_not_by_form(store: Path):
    """docs/MODEL.md: ``se:injectateVolumeMl 1`` (an xsd:integer) matches nothing; 1.0 or FILTER(?v = 1) does."""
    assert run(store, "SELECT ?r WHERE { ?r se:injectateVolumeMl 1 }") == []
    assert run(store, "SELECT ?r WHERE { ?r se:injectateVolumeMl 1.0 }") == [("result:ref-12-epidural-spread-1-ml",)]
    assert run(store, "SELECT ?r WHERE { ?r se:injectateVolumeMl ?v FILTER(?v = 1) }") == [
        ("result:ref-12-epidural-spread-1-ml",)]


def test_a_wrong_expected_number_would_fail(store: Path):
    """The comparison is strict: one changed count in an expected answer no longer matches."""
    path = COMPETENCY / "02-placement-accuracy-as-successes.rq"
    rows = run(store, path.read_text(encoding="utf-8"))
    tampered = [tuple(83 if v == 82 else v for v in row) for row in EXPECTED[path.stem]]
    assert rows == EXPECTED[path.stem] and rows != tampered


def test_the_byline_order_is_the_source_texts():
    byline = load_source_text().splitlines()[1]
    assert byline.index("Schneider") < byline.index("Popescu") < byline.index("Smith")


def test_the_citations_are_the_texts_in_its_order(store: Path):
    """Every "(N)" of the source text, in the text's order, is one in-text citation of the graph."""
    written = [int(n) for n in re.findall(r"\((\d+)\)", normalise(load_source_text()))]
    rows = run(store, "SELECT ?sequence ?number WHERE { ?c se:sequenceInText ?sequence ; se:citedNumber ?number } "
                      "ORDER BY ?sequence")
    assert rows == list(enumerate(written, 1))
