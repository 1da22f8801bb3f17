"""Smoke test of the benchmark at 10k triples: every server answers every query alike.

Starts ours and Oxigraph server always, rdflib-endpoint and Virtuoso when installed
(skipped otherwise), each on 127.0.0.1 with the same synthetic corpus, runs every query
of the mix on each (two parameter sets) and compares row counts with Oxigraph server's.
Also checks the corpus itself: deterministic, quotes found in its source texts, and
conforming to our shapes (while a corrupted copy does not). No timed assertions.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import mix  # noqa: E402
from bench.agreement import disagreements  # noqa: E402
from bench.corpus import corpus  # noqa: E402
from bench.measure import row_counts  # noqa: E402
from bench.servers import SERVERS  # noqa: E402

# ours-before: this endpoint at the revision bench.servers.BEFORE_REVISION (skipped when git lacks it).
OPTIONAL_PEERS = ("rdflib-endpoint", "virtuoso", "ours-before")
SIZE = 10_000


@pytest.fixture(scope="module")
def corpus_10k(tmp_path_factory) -> tuple[Path, dict, Path]:
    """A 10k-triple corpus, its description and its source texts."""
    folder = tmp_path_factory.mktemp("bench")
    file = folder / "corpus-10k.nt"
    description = corpus(SIZE, 1, file, texts=folder / "texts")
    return file, description, folder / "texts"


@pytest.fixture(scope="module")
def answers(corpus_10k, tmp_path_factory) -> tuple[dict, dict[str, str], dict[str, str], Path]:
    """Row counts of every query (two renderings) on every available server; why others were skipped."""
    file, description, _ = corpus_10k
    workdir = tmp_path_factory.mktemp("servers")
    queries = mix.all_queries()
    texts = mix.rendered(queries, mix.parameter_sets(1, description["documents"], count=2))
    counts: dict = {}
    skipped: dict[str, str] = {}
    for name in ("oxigraph", "ours", *OPTIONAL_PEERS):
        server = SERVERS[name](workdir)
        why = server.available()
        if why:
            skipped[name] = why
            continue
        try:
            server.load(file)
            server.start()
            for key, per_server in row_counts([server], queries, texts, renderings=2).items():
                counts.setdefault(key, {}).update(per_server)
        finally:
            server.stop()
    return counts, {q.name: q.form for q in queries}, skipped, workdir


def test_generator_is_deterministic_and_a_prefix(tmp_path):
    small, large = tmp_path / "a.nt", tmp_path / "b.nt"
    corpus(3_000, 7, small, with_sources=False)
    corpus(6_000, 7, large, with_sources=False)
    again = tmp_path / "c.nt"
    corpus(3_000, 7, again, with_sources=False)
    assert small.read_bytes() == again.read_bytes()
    assert large.read_text().startswith(small.read_text())
    assert len(large.read_text().splitlines()) >= 6_000


def test_every_quote_is_found_in_its_source_text(corpus_10k):
    file, _, texts = corpus_10k
    exact = re.compile(r'^<[^>]*/quote/(s\d{6})-[^>]*#selector> <http://www.w3.org/ns/oa#exact> "(.*)" \.$')
    found = 0
    for line in file.read_text(encoding="utf-8").splitlines():
        match = exact.match(line)
        if match:
            words = " ".join((texts / f"synthetic-{match.group(1)}.txt").read_text().split())
            assert match.group(2).replace('\\"', '"') in words
            found += 1
    assert found > 100


def test_proportions_are_consistent(corpus_10k):
    file, _, _ = corpus_10k
    values: dict[str, dict[str, str]] = {}
    pattern = re.compile(r'^<([^>]*/value/s\d{6}-[^>]*)> <[^>]*#(numerator|denominator|statedPercentage)> "([^"]*)"')
    for line in file.read_text(encoding="utf-8").splitlines():
        if match := pattern.match(line):
            values.setdefault(match.group(1), {})[match.group(2)] = match.group(3)
    proportions = [v for v in values.values() if "numerator" in v]
    assert len(proportions) > 50
    for v in proportions:
        n, d = int(v["numerator"]), int(v["denominator"])
        assert 0 <= n <= d
        if "statedPercentage" in v:
            assert abs(100 * n / d - float(v["statedPercentage"])) <= 0.05 + 1e-9


def _shapes_ready() -> None:
    import importlib.util

    from spine_evidence import paths

    try:
        shapes = paths.shapes_dir() / "spine-evidence-shapes.ttl"
    except FileNotFoundError as error:
        pytest.skip(f"no shapes folder: {error}")
    if not shapes.exists() or importlib.util.find_spec("spine_evidence.shacl") is None:
        pytest.skip("no shapes file or no spine_evidence.shacl")


def test_corpus_conforms_to_our_shapes_and_a_corruption_does_not(corpus_10k, tmp_path):
    _shapes_ready()
    from bench.conformance import conformance

    file, _, _ = corpus_10k
    conforms, report, _ = conformance(file)
    assert conforms, report[:2000]
    text = file.read_text(encoding="utf-8")
    numerator = re.search(r'(<[^>]*/value/[^>]*> <[^>]*#numerator> )"(\d+)"', text)
    corrupted = tmp_path / "corrupted.nt"
    corrupted.write_text(text.replace(numerator.group(0), f'{numerator.group(1)}"100000"', 1), encoding="utf-8")
    conforms, report, _ = conformance(corrupted)
    assert not conforms
    assert "NumeratorNotAboveDenominator" in report or "numerator" in report.lower()


def test_mix_has_every_kind_of_query():
    queries = mix.all_queries()
    text = "\n".join(q.template for q in queries)
    forms = {q.form for q in queries}
    assert {"SELECT", "CONSTRUCT", "DESCRIBE"} <= forms
    for needle in ("FILTER", "OPTIONAL", "ORDER BY", "LIMIT", "GROUP BY", "COUNT(", "*/"):
        assert needle in text, needle
    assert mix.TINY in {q.name for q in queries}


def test_oxigraph_and_ours_answer_every_query(answers):
    counts, forms, skipped, _ = answers
    for name in ("oxigraph", "ours"):
        assert name not in skipped, f"{name} must run here: {skipped.get(name)}"
    assert len(counts) >= 2 * len(mix.template_queries())
    assert any(isinstance(c.get("oxigraph"), int) and c["oxigraph"] > 0 for c in counts.values())
    assert disagreements(counts, forms, "ours") == []


@pytest.mark.parametrize("peer", OPTIONAL_PEERS)
def test_peer_answers_every_query_with_the_same_rows(answers, peer):
    counts, forms, skipped, _ = answers
    if peer in skipped:
        pytest.skip(skipped[peer])
    assert disagreements(counts, forms, peer) == []


def test_servers_were_stopped(answers):
    import psutil

    workdir = str(answers[3])
    commands = []
    for process in psutil.process_iter(["cmdline"]):
        commands.append(" ".join(process.info["cmdline"] or []))
    assert [c for c in commands if workdir in c] == []
