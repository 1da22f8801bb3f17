"""The ``serve`` command and the store it serves: build once, start fast, ``--data`` graphs,
bad options, and the store module (default-graph merge, read-only opening by several processes).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from conftest import dataset_sources, serve_command

from spine_evidence.cli import main
from spine_evidence.store import create_store, describe_store, open_store, write_build_record
from spine_evidence.store.location import (
    StoreSetupError,
    current_input_hash,
    is_stale,
    parse_data_option,
    resolve_store,
)
from spine_evidence.web.config import AppConfig

COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def select(url: str, query: str, **params) -> list[dict]:
    response = requests.get(url, params={"query": query, **params}, headers={"Accept": "application/json"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def graph_counts(url: str) -> dict[str, int]:
    return {row["g"]["value"]: int(row["n"]["value"]) for row in select(url, COUNT_BY_GRAPH)}


# --- the command line -----------------------------------------------------------------

def test_help_ends_with_an_example():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "spine-evidence serve" in result.output.split("Example:")[1]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data", "/no/such/file.ttl"], "no such file"),
        (["--data", "not an iri=README.md"], "README.md"),
        (["--service-allow", "file:///etc/passwd"], "http(s)"),
        (["--timeout", "0"], "timeout"),
        (["--port", "70000"], "port"),
    ],
)
def test_bad_options_exit_2_with_one_line(args, message):
    result = subprocess.run(serve_command("serve", "--store", "/nonexistent-store-dir", *args),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_options_default_to_the_config_defaults():
    """The command writes no default of its own: each is ``AppConfig``'s (``--max-memory`` in MiB)."""
    defaults = {param.name: param.default for param in main.commands["serve"].params}
    config = AppConfig()
    assert defaults["timeout"] == config.timeout and defaults["max_rows"] == config.max_rows
    assert defaults["max_body"] == config.max_body and defaults["cache_bytes"] == config.cache_bytes
    assert defaults["threads"] == config.query_threads and defaults["max_answer_bytes"] == config.max_answer_bytes
    assert defaults["queue_size"] == config.queue and defaults["per_client"] == config.per_client
    assert defaults["max_memory"] << 20 == config.max_memory
    assert defaults["store_dir"] is None and defaults["workers"] is None  # store.location's and each server's own
    shown = CliRunner().invoke(main, ["serve", "--help"]).output
    assert f"[default: {config.query_threads};" in shown


def test_port_in_use_exits_2(store_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(serve_command("serve", "--port", str(port), "--store", str(store_dir)),
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "cannot listen" in result.stderr


# --- build once, then start without parsing ----------------------------------------------

@pytest.mark.skipif(not list((Path(__file__).parents[1] / "graph").glob("*.ttl")), reason="no graph/*.ttl yet")
def test_first_start_builds_the_store_later_starts_reuse_it(endpoint_factory, tmp_path):
    build_dir = tmp_path / "build"
    with endpoint_factory("--workers", "1", store=build_dir) as first:
        assert "building the store" in first.output()
        counts = graph_counts(first.url)
    record = json.loads((build_dir / "build.json").read_text())
    assert record["input_hash"] == current_input_hash()
    with endpoint_factory("--workers", "1", store=build_dir) as second:
        assert "building" not in second.output()
        assert graph_counts(second.url) == counts
        print(f"\nready in {second.ready_seconds:.2f} s with a built store (first start: {first.ready_seconds:.2f} s)")


def test_stale_store_is_detected(tmp_path):
    store_path = tmp_path / "out" / "store"
    created = create_store(store_path, dataset_sources()[:1])
    del created
    write_build_record(store_path, "v1", input_hash=current_input_hash())
    assert not is_stale(store_path)
    assert resolve_store(store_path) == store_path
    write_build_record(store_path, "v0", input_hash="0000000000000000")
    assert is_stale(store_path)
    with pytest.raises(StoreSetupError, match="other sources"):
        resolve_store(store_path)


# --- --data: extra named graphs, never in the default graph ---------------------------------

def test_data_files_become_named_graphs(endpoint_factory, store_dir, tmp_path):
    first = tmp_path / "first.ttl"
    first.write_text("<http://example.org/a> <http://example.org/p> 1, 2, 3 .\n")
    second = tmp_path / "second.nt"
    second.write_text("<http://example.org/b> <http://example.org/p> <http://example.org/c> .\n")
    named = "http://example.org/graphs/second"
    data = ("--data", str(first), "--data", f"{named}={second}")
    with endpoint_factory("--workers", "1", *data, store=store_dir) as server:
        counts = graph_counts(server.url)
        assert counts[first.resolve().as_uri()] == 3
        assert counts[named] == 1
        default = int(select(server.url, COUNT_DEFAULT)[0]["n"]["value"])
    main = open_store(store_dir)  # the main store is untouched
    assert default == describe_store(main).default_graph_triples
    assert {first.resolve().as_uri(), named}.isdisjoint(str(g.value) for g in main.named_graphs())


def test_w3c_protocol_datasets_can_be_hosted(endpoint_factory, store_dir, shared_dir):
    folder = shared_dir / "w3c-rdf-tests" / "sparql11" / "protocol"
    data = [f"http://kasei.us/2009/09/sparql/data/data{i}.rdf={folder / f'data{i}.nt'}" for i in (1, 2, 3)]
    options = [arg for value in data for arg in ("--data", value)]
    query = ("ASK { <http://kasei.us/2009/09/sparql/data/data3.rdf> a ?type "
             "GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } "
             "GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }")
    params = {"default-graph-uri": "http://kasei.us/2009/09/sparql/data/data3.rdf",
              "named-graph-uri": ["http://kasei.us/2009/09/sparql/data/data1.rdf",
                                  "http://kasei.us/2009/09/sparql/data/data2.rdf"]}
    with endpoint_factory("--workers", "1", *options, store=store_dir) as server:
        response = requests.post(server.url, params=params, data=query,
                                 headers={"Content-Type": "application/sparql-query"}, timeout=10)
        assert response.json()["boolean"] is True
        no_dataset = requests.get(server.url, params={"query": query}, timeout=10)
        assert no_dataset.json()["boolean"] is False


def test_parse_data_option(tmp_path):
    file = tmp_path / "a=b.ttl"
    file.write_text("")
    assert parse_data_option(str(file)) == (file.resolve().as_uri(), file)
    assert parse_data_option(f"http://example.org/g?x=1={file}") == ("http://example.org/g?x=1", file)


# --- the store module ---------------------------------------------------------------

def test_default_graph_is_the_merge_with_blank_nodes_kept(tmp_path):
    data = tmp_path / "bnodes.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> [ <http://example.org/q> 1 ] .\n")
    store = create_store(None, [("http://example.org/g", data)])
    join = "ASK { ?x <http://example.org/q> 1 . GRAPH <http://example.org/g> { <http://example.org/a> ?p ?x } }"
    assert bool(store.query(join))
    unmerged = create_store(None, [("http://example.org/g", data)], default_graph_merge=False)
    assert len(unmerged) == 2 and len(store) == 4


def test_store_opens_read_only_in_several_processes(store_dir):
    held = open_store(store_dir)
    with pytest.raises(Exception, match="read-write"):
        held.update("INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
    script = f"from spine_evidence.store import open_store; print(len(open_store({str(store_dir)!r})))"
    runs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [int(run.communicate(timeout=60)[0]) for run in runs]
    assert outputs == [len(held)] * 3


def test_open_store_refuses_a_folder_without_a_store(tmp_path):
    with pytest.raises(FileNotFoundError):
        open_store(tmp_path)


def test_rdf_formats_by_extension(tmp_path):
    files = {"a.nt": "<http://e/a> <http://e/p> \"1\" .\n", "b.rdf": (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
        '<rdf:Description rdf:about="http://e/b"><e:p>2</e:p></rdf:Description></rdf:RDF>'),
        "c.jsonld": '{"@id": "http://e/c", "http://e/p": 3}', "d.trig": "<http://e/g> { <http://e/d> <http://e/p> 4 }"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    store = create_store(None, [(None, tmp_path / name) for name in files])
    assert len(store) == 4
    assert [q.graph_name for q in store.quads_for_pattern(ox.NamedNode("http://e/d"), None, None)] == [ox.NamedNode("http://e/g")]
    (tmp_path / "x.yaml").write_text("")
    with pytest.raises(ValueError, match="unknown RDF file extension"):
        create_store(None, [(None, tmp_path / "x.yaml")])
