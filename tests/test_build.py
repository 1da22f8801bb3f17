"""``build``: every serialisation parses back to the merged plus inferred triples, the store answers
the same count, ``build.json`` describes the build, and a failed build leaves ``dist/`` unchanged.

The reasoned build is the session's one (``conftest.built_dataset``: ``spine-evidence build``
into a fresh state folder); ``build.json`` holds what ``build()`` reports (``BuildReport``).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from spine_evidence import build as build_module
from spine_evidence import source_files, sources, store
from spine_evidence.namespaces import (
    GRAPH_FACTFINDER,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_VOCABULARY,
    ONTOLOGY_IRI,
    ONTOLOGY_VERSION_IRI,
    SE,
)

NAMED = {str(GRAPH_ONTOLOGY), str(GRAPH_VOCABULARY), str(GRAPH_FACTFINDER), str(GRAPH_INFERRED)}
RDFLIB_FORMAT = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}


@pytest.fixture(scope="module")
def built(built_dataset) -> tuple[Path, dict]:
    """The session's reasoned build folder and its ``build.json`` record."""
    return built_dataset.state, json.loads((built_dataset.state / "build.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def trig(built) -> Dataset:
    out, _ = built
    dataset = Dataset()
    dataset.parse(out / "spine-evidence.trig", format="trig")
    return dataset


@pytest.fixture(scope="module")
def expected(asserted: Graph, trig: Dataset) -> int:
    """Merged sources plus the inferred triples (which must not repeat asserted ones)."""
    inferred = trig.graph(GRAPH_INFERRED)
    assert len(inferred) > 0
    assert not [t for t in inferred if t in asserted]
    return len(asserted) + len(inferred)


def named_graphs(dataset: Dataset) -> dict[str, Graph]:
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def test_build_writes_every_output(built) -> None:
    out, record = built
    names = {p.name for p in out.iterdir()}  # other tests may add caches beside the build in this state folder
    expected_names = {f"spine-evidence{s}" for s in (".ttl", ".nt", ".jsonld", ".rdf", ".trig", ".nq")}
    assert expected_names | {"store", "build.json"} <= names
    assert expected_names | {"store"} <= set(record["files"]) <= names - {"build.json"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("suffix", sorted(RDFLIB_FORMAT))
def test_each_graph_serialisation_parses_back_to_every_triple(built, expected: int, suffix: str) -> None:
    out, record = built
    graph = Graph().parse(out / f"spine-evidence{suffix}", format=RDFLIB_FORMAT[suffix])
    assert len(graph) == expected == record["triples"]["default"]


def test_trig_has_one_named_graph_per_source_and_the_inferred(built, trig: Dataset, asserted, expected) -> None:
    _, record = built
    graphs = named_graphs(trig)
    assert set(graphs) == NAMED
    for iri, graph in graphs.items():
        assert len(graph) == record["triples"][iri]
    union = Graph()
    for graph in graphs.values():
        union += graph
    assert len(union) == expected


def test_nquads_hold_the_same_graphs(built, trig: Dataset) -> None:
    out, _ = built
    quads = Dataset()
    quads.parse(out / "spine-evidence.nq", format="nquads")
    assert {iri: len(g) for iri, g in named_graphs(quads).items()} == {
        iri: len(g) for iri, g in named_graphs(trig).items()
    }


def test_the_ontology_graph_holds_the_ontology_and_the_factfinder_graph_the_data(trig: Dataset) -> None:
    graphs = named_graphs(trig)
    assert (URIRef(ONTOLOGY_IRI), None, None) in graphs[str(GRAPH_ONTOLOGY)]
    assert len(set(graphs[str(GRAPH_FACTFINDER)].subjects(SE.citationNumber, None))) == 14


def test_jsonld_is_compacted_with_the_published_context(built) -> None:
    out, _ = built
    context_file = sources.context_path()
    document = json.loads((out / "spine-evidence.jsonld").read_text(encoding="utf-8"))
    if context_file is None:
        pytest.skip("ontology/context.jsonld is not there yet")
    published = json.loads(context_file.read_text(encoding="utf-8"))["@context"]
    assert document["@context"] == published
    assert (out / "context.jsonld").read_bytes() == context_file.read_bytes()


def test_store_counts_equal_the_serialisations(built, expected: int) -> None:
    out, record = built
    opened = store.open_store(out / "store")
    rows = list(opened.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert int(rows[0]["n"].value) == expected == record["store_default_graph_triples"]
    default, per_graph = store.count_triples(opened)
    assert default == expected
    assert per_graph == {iri: n for iri, n in record["triples"].items() if iri != "default"}
    study = "https://w3id.org/spine-evidence/study/ref-07"
    inferred = opened.query(f"ASK {{ GRAPH <{GRAPH_INFERRED}> {{ <{study}> a <{SE}RandomisedTrial> }} }}")
    assert bool(inferred)


def test_build_record_is_valid(built, built_dataset, expected: int) -> None:
    out, record = built
    assert re.fullmatch(r"[0-9a-f]{16}", record["graph_version"])
    assert f"graph version {record['graph_version']}" in built_dataset.build.stdout  # what the command said
    assert re.fullmatch(r"[0-9a-f]{16}", record["input_hash"])
    assert record["ontology"]["version_iri"] == ONTOLOGY_VERSION_IRI
    assert record["triples"]["default"] == expected
    assert set(record["triples"]) == NAMED | {"default"}
    assert record["reasoned"] is True and record["unsatisfiable"] == []
    assert record["started"] <= record["finished"]
    assert {"load", "reason", "store"} <= set(record["seconds"])
    assert [s["file"].split("/")[0] for s in record["sources"]] == ["ontology", "graph", "graph"]
    assert store.read_build_record(out / "store")["graph_version"] == record["graph_version"]
    print("build steps (s):", record["seconds"])


def test_no_reason_build_has_no_inferred_graph_and_keeps_other_files(tmp_path, built, asserted) -> None:
    _, reasoned = built
    (tmp_path / "plain" / "data-cache").mkdir(parents=True)
    (tmp_path / "plain" / "conformance.json").write_text("{}")
    report = build_module.build(tmp_path / "plain", reason=False)
    assert (tmp_path / "plain" / "data-cache").is_dir()
    assert (tmp_path / "plain" / "conformance.json").read_text() == "{}"
    assert report.triples[str(GRAPH_INFERRED)] == 0
    assert report.triples["default"] == report.store_triples == len(asserted)
    record = json.loads((tmp_path / "plain" / "build.json").read_text(encoding="utf-8"))
    assert record["input_hash"] == reasoned["input_hash"]
    assert report.graph_version != reasoned["graph_version"]


def inconsistent_root(tmp_path: Path) -> Path:
    """A copy of the shipped sources with one study given a second, different design."""
    root = tmp_path / "root"
    for source in source_files.source_files():
        target = root / source.path.parent.name / source.path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.path, target)
    graph = Graph()
    for path in (root / "graph").glob("*.ttl"):
        graph.parse(path, format="turtle")
    study, design = next(iter(graph.subject_objects(SE.studyDesign)))
    other = SE.cohort if design != SE.cohort else SE["randomised-trial"]
    with open(root / "graph" / "planted.ttl", "w", encoding="utf-8") as planted:
        planted.write(f"<{study}> <{SE.studyDesign}> <{other}> .\n")
    return root


def test_failed_build_leaves_the_previous_output_untouched(tmp_path, built) -> None:
    out = tmp_path / "dist"  # a copy: the session's build stays whole whatever this build does
    shutil.copytree(built[0], out)
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    record = (out / "build.json").read_bytes()
    with pytest.raises(build_module.BuildError, match="inconsistent.*spine-evidence validate"):
        build_module.build(out, root=inconsistent_root(tmp_path))
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert (out / "build.json").read_bytes() == record
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_build_refuses_to_overwrite_files_that_are_not_a_build(tmp_path) -> None:
    target = tmp_path / "precious"
    target.mkdir()
    (target / "spine-evidence.ttl").write_text("keep me")
    with pytest.raises(build_module.BuildError, match="refusing"):
        build_module.build(target, reason=False)
    assert (target / "spine-evidence.ttl").read_text() == "keep me"
    assert [p.name for p in target.iterdir()] == ["spine-evidence.ttl"]


@pytest.mark.java
def test_a_failed_first_build_leaves_no_folder(tmp_path) -> None:
    with pytest.raises(build_module.BuildError, match="inconsistent"):
        build_module.build(tmp_path / "new", root=inconsistent_root(tmp_path))
    assert not (tmp_path / "new").exists()


def test_build_data_without_out_is_refused_with_exit_2(tmp_path: Path):
    from click.testing import CliRunner

    from spine_evidence.cli import main

    document = tmp_path / "doc.ttl"
    document.write_text("", encoding="utf-8")
    done = CliRunner().invoke(main, ["build", "--data", str(document)])
    assert done.exit_code == 2
    assert "--data needs --out" in done.output
