"""The store: blank nodes shared between the named graphs and the default graph, build.json counts, no scan at start.

Real pyoxigraph stores on disk, the real Flask app and the real ``spine-evidence`` command.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from spine_evidence import store
from spine_evidence.store import loading as store_load
from spine_evidence.store.location import data_store
from spine_evidence.web import AppConfig, create_app

EX = "http://example.org/"
DEFAULT_ONLY = "ASK { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
NAMED_ONLY = "ASK { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }"
# A value node reached through the named graph, its number read in the default graph.
CROSS_GRAPH_JOIN = f"SELECT ?v WHERE {{ GRAPH ?g {{ ?s <{EX}hasValue> ?b }} ?b <{EX}number> ?v }}"


def n_triples(lines: int) -> str:
    """N-Triples with a blank-node value every 7th subject, a literal holding ``_:``, no final newline."""
    out = []
    for i in range(lines):
        out.append(f"<{EX}s{i}> <{EX}label> \"item {i}\" .")
        if i % 7 == 0:
            out.append(f"<{EX}s{i}> <{EX}hasValue> _:v{i} .")
            out.append(f"_:v{i} <{EX}number> \"{i}\"^^<http://www.w3.org/2001/XMLSchema#integer> .")
    out.append(f"<{EX}odd> <{EX}label> \"not a node: _:x\" .")
    return "\n".join(out)


def triples_in(path: Path) -> int:
    """The number of distinct triples in an RDF file, parsed on its own."""
    return len(set(ox.parse(path=str(path), rename_blank_nodes=False)))


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """An N-Triples file (bigger than one split chunk), a Turtle file and an N-Quads file, all with blank nodes."""
    nt = tmp_path / "big.nt"
    nt.write_text(n_triples(70_000), encoding="utf-8")
    assert nt.stat().st_size > store_load.SPLIT_CHUNK
    ttl = tmp_path / "small.ttl"
    ttl.write_text(f"<{EX}t> <{EX}hasValue> [ <{EX}number> 5 ], [ <{EX}number> 6 ] .\n", encoding="utf-8")
    nq = tmp_path / "quads.nq"
    nq.write_text(f"<{EX}q> <{EX}hasValue> _:c .\n_:c <{EX}number> \"7\" .\n_:c <{EX}number> \"8\" <{EX}own> .\n")
    return {"nt": nt, "ttl": ttl, "nq": nq}


def test_default_graph_is_the_merge_with_the_same_blank_nodes(files):
    sources = [(f"{EX}graph/{name}", path) for name, path in files.items()]
    created = store.create_store(None, sources)
    assert not created.query(DEFAULT_ONLY)
    own = f"ASK {{ GRAPH <{EX}own> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ ?s ?p ?o }} }}"
    assert created.query(own)  # a quad file's own named graphs stay out of the default graph
    default, graphs = store.count_triples(created)
    assert graphs[f"{EX}graph/nt"] == triples_in(files["nt"]) == 70_000 + 2 * 10_000 + 1
    assert graphs[f"{EX}graph/ttl"] == 4
    assert default == sum(n for graph, n in graphs.items() if graph != f"{EX}own")
    values = sorted(int(row["v"].value) for row in created.query(CROSS_GRAPH_JOIN))
    assert values == sorted([*range(0, 70_000, 7), 5, 6, 7])


def test_without_merge_nothing_enters_the_default_graph(files):
    created = store.create_store(None, [(f"{EX}g", files["nt"])], default_graph_merge=False)
    assert store.count_triples(created)[0] == 0
    assert len(created) == triples_in(files["nt"])


def test_a_syntax_error_names_the_file_and_its_line(tmp_path):
    bad = tmp_path / "bad.nt"
    bad.write_text(f"<{EX}a> <{EX}b> _:c .\n<{EX}a> <{EX}b> <{EX}c> .\n<{EX}a> <{EX}b> .\n", encoding="utf-8")
    with pytest.raises(SyntaxError, match=r"bad\.nt.*line 3"):
        store.create_store(None, [(f"{EX}g", bad)])


def test_load_records_the_counts_and_version_beside_the_store(files, tmp_path):
    path = tmp_path / "out" / "store"
    dataset = store.load(path, [(f"{EX}g", files["nt"]), (f"{EX}h", files["ttl"])])
    record = json.loads((tmp_path / "out" / "build.json").read_text(encoding="utf-8"))
    assert record["graph_version"] == dataset.graph_version == store.graph_version([(f"{EX}g", files["nt"]),
                                                                                   (f"{EX}h", files["ttl"])])
    opened = store.open_store(path)
    default, graphs = store.count_triples(opened)
    assert record["dataset"] == {"quads": len(opened), "default_graph_triples": default, "graph_triples": graphs}
    assert store.read_dataset(path) == store.describe_store(opened, path) == dataset


def test_load_refuses_a_folder_that_is_not_empty_and_cleans_up_after_an_error(files, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(FileExistsError):
        store.load(tmp_path / "full", [(f"{EX}g", files["ttl"])])
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    with pytest.raises(SyntaxError, match="bad.ttl"):
        store.load(tmp_path / "new" / "store", [(f"{EX}g", bad)])
    assert not (tmp_path / "new" / "store").exists()


def test_the_endpoint_reads_its_counts_from_build_json(files, tmp_path):
    path = tmp_path / "out" / "store"
    store.load(path, [(f"{EX}g", files["ttl"])])
    record_file = tmp_path / "out" / "build.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    record["dataset"]["default_graph_triples"] = 12345  # the app states what the record says: it did not count
    record_file.write_text(json.dumps(record), encoding="utf-8")
    client = create_app(AppConfig(store_path=path)).test_client()
    health = client.get("/health").get_json()
    stated = {name: health[name] for name in ("status", "triples", "graph_version")}
    assert stated == {"status": "ok", "triples": 12345, "graph_version": record["graph_version"]}
    assert health["build_checksum"].startswith("sha256:")  # of the record as it is now (replicas compare it)
    etag = client.get("/sparql", query_string={"query": "ASK {}"}).headers["ETag"]
    assert record["graph_version"] in etag


def test_a_store_without_record_is_versioned_by_its_files_and_counted_only_on_demand(files, tmp_path):
    path = tmp_path / "bare"
    created = store.create_store(path, [(f"{EX}g", files["ttl"])])
    del created  # closed: the app opens it read-only
    client = create_app(AppConfig(store_path=path)).test_client()
    health = client.get("/health").get_json()
    assert health["status"] == "ok" and health["triples"] is None
    assert health["graph_version"] == store.store_fingerprint(path)
    assert create_app(AppConfig(store_path=path)).test_client().get("/health").get_json() == health
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert void.status_code == 200
    triples = ox.parse(void.data, format=ox.RdfFormat.N_TRIPLES)
    counted = [t.object.value for t in triples if t.predicate.value == "http://rdfs.org/ns/void#triples"]
    assert "4" in counted
    assert client.get("/health").get_json()["triples"] == 4  # counted once, for the description


def test_data_store_records_the_counts_of_the_added_graphs(files, tmp_path, monkeypatch):
    monkeypatch.setenv("SPINE_EVIDENCE_STATE_DIR", str(tmp_path / "state"))
    main = tmp_path / "main" / "store"
    store.load(main, [(f"{EX}g", files["ttl"])])
    extra = [(f"{EX}extra", files["nt"]), (f"{EX}g", files["nq"])]
    target = data_store(main, extra, announce=lambda line: None)
    recorded = store.read_dataset(target)
    opened = store.open_store(target)
    default, graphs = store.count_triples(opened)
    assert (recorded.quads, recorded.default_graph_triples, recorded.graph_triples) == (len(opened), default, graphs)
    assert graphs[f"{EX}extra"] == triples_in(files["nt"]) and default == 4


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """Run ``spine-evidence ARGS`` with this interpreter."""
    command = [sys.executable, "-m", "spine_evidence", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_load_command(files, tmp_path):
    target = tmp_path / "cli" / "store"
    done = run_cli("load", "--store", str(target), f"{EX}g={files['ttl']}", str(files["nq"]))
    assert done.returncode == 0, done.stderr
    assert "default graph 6 triples" in done.stdout
    assert store.read_dataset(target).graph_triples == {f"{EX}g": 4, files["nq"].resolve().as_uri(): 2, f"{EX}own": 1}
    again = run_cli("load", "--store", str(target), str(files["ttl"]))
    said, error = again.stderr.splitlines()  # the files and store it uses, then the one-line error
    assert again.returncode == 2 and error.startswith("error: ")
    assert said.startswith(f"loading {files['ttl']} into {target} ")
    missing = run_cli("load", "--store", str(tmp_path / "other"), str(tmp_path / "missing.nt"))
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
    assert "Example:" in run_cli("load", "--help").stdout
