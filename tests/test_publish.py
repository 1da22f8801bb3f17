"""``spine-evidence publish`` against real stores on 127.0.0.1: Oxigraph server, and Virtuoso 7 when installed.

The dataset is the session's store (ontology, FactFinder and vocabulary graphs,
the ontology with hundreds of blank nodes). Each store is started once for the
module. What is checked: every graph read back (through the store's own Graph
Store GET, not publish's code) is isomorphic to the store's; publishing again
sends nothing; a read-back endpoint holding another version is a mismatch
(exit 1, the differing triple named); an invalid graph is refused (exit 1,
nothing sent); an unreachable store or bad credentials exit 2 with one line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import requests
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from spine_evidence import processes
from spine_evidence.namespaces import GRAPH_FACTFINDER, GRAPH_ONTOLOGY, OA
from spine_evidence.publish import PUBLICATION_GRAPH, publish
from spine_evidence.store import load as load_store
from spine_evidence.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import console_script, dataset_sources  # noqa: E402

pytest_plugins = ["triple_stores"]  # the oxigraph, oxigraph_starter and virtuoso fixtures


def run_publish(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``spine-evidence publish ARGS`` as a user runs it."""
    return subprocess.run([console_script(), "publish", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def ours(store: Path, graph: str) -> Graph:
    """A named graph of our store as an rdflib graph."""
    data = Graph()
    data.parse(data=open_store(store).dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)),
               format="nt")
    return data


def theirs(gsp_url: str, graph: str, param: str = "graph", auth: object = None) -> Graph:
    """A named graph as the remote store's Graph Store GET returns it (N-Triples)."""
    answer = requests.get(gsp_url, params={param: graph}, headers={"Accept": "application/n-triples"},
                          auth=auth, timeout=60)  # type: ignore[arg-type]
    answer.raise_for_status()
    data = Graph()
    data.parse(data=answer.content.decode("utf-8"), format="nt")
    return data


def named_graphs(store: Path) -> list[str]:
    """The named graphs of our store."""
    quads = open_store(store)
    return sorted({str(quad.graph_name.value) for quad in quads if isinstance(quad.graph_name, ox.NamedNode)})


def test_publish_sends_every_graph_isomorphic_blank_nodes_included(oxigraph, store_dir):
    done = run_publish("--to", f"{oxigraph}/store", "--store", str(store_dir))
    assert done.returncode == 0, done.stderr
    assert "published build" in done.stdout
    graphs = named_graphs(store_dir)
    assert str(GRAPH_ONTOLOGY) in graphs and len(graphs) == 3
    for graph in graphs:
        assert f"{graph}: sent" in done.stderr, done.stderr  # the progress line
        sent, stored = ours(store_dir, graph), theirs(f"{oxigraph}/store", graph)
        assert len(sent) == len(stored) and isomorphic(sent, stored), graph
    ontology = ours(store_dir, str(GRAPH_ONTOLOGY))
    assert sum(1 for t in ontology for term in t if term.__class__.__name__ == "BNode") > 100


def test_the_record_names_the_live_version_counts_and_checksums(oxigraph, store_dir):
    record = theirs(f"{oxigraph}/store", PUBLICATION_GRAPH)
    rows = {str(row.g): (int(row.n), str(row.v), str(row.c)) for row in record.query(
        "SELECT ?g ?n ?v ?c WHERE { ?g void:triples ?n ; dcterms:hasVersion ?v ; dcterms:identifier ?c ; "
        "prov:generatedAtTime ?t }",
        initNs={"void": "http://rdfs.org/ns/void#", "dcterms": "http://purl.org/dc/terms/",
                "prov": "http://www.w3.org/ns/prov#"})}
    version = json.loads((store_dir.parent / "build.json").read_text(encoding="utf-8"))
    assert set(rows) == set(named_graphs(store_dir))
    for graph, (count, built, checksum) in rows.items():
        assert count == len(ours(store_dir, graph))
        assert built == version["graph_version"]
        assert checksum.startswith("sha256:") and len(checksum) == 71


def test_publishing_again_sends_nothing(oxigraph, store_dir):
    before = theirs(f"{oxigraph}/store", PUBLICATION_GRAPH)
    report = publish(f"{oxigraph}/store", store=store_dir, validate=False, announce=lambda line: None)
    assert report.requests_made["PUT"] == 0 and not report.changed
    assert set(report.outcomes.values()) == {"unchanged"} and report.record == "unchanged"
    assert isomorphic(before, theirs(f"{oxigraph}/store", PUBLICATION_GRAPH))  # times kept: nothing rewritten
    done = run_publish("--to", f"{oxigraph}/store", "--store", str(store_dir), "--graph", str(GRAPH_FACTFINDER))
    assert done.returncode == 0 and "nothing changed" in done.stdout, done.stderr


def test_a_read_back_that_differs_is_a_mismatch_naming_the_triple(oxigraph, oxigraph_starter, store_dir,
                                                                  tmp_path_factory):
    """The read-back endpoint is another store holding the graph with one literal changed (a lagging replica)."""
    for other in oxigraph_starter(tmp_path_factory.mktemp("oxigraph-other")):
        altered = ours(store_dir, str(GRAPH_FACTFINDER))
        subject, exact = next(iter(altered.subject_objects(OA.exact)))
        altered.set((subject, OA.exact, Literal(f"{exact} PLANTED")))
        requests.put(f"{other}/store", params={"graph": str(GRAPH_FACTFINDER)}, data=altered.serialize(format="nt"),
                     headers={"Content-Type": "application/n-triples"}, timeout=60).raise_for_status()
        requests.post(f"{oxigraph}/update", data={"update": f"DROP GRAPH <{GRAPH_FACTFINDER}>"},
                      timeout=60).raise_for_status()
        done = run_publish("--to", f"{oxigraph}/store", "--query-endpoint", f"{other}/query",
                           "--store", str(store_dir), "--graph", str(GRAPH_FACTFINDER))
        assert done.returncode == 1, done.stderr
        message = done.stderr.strip().splitlines()[-1]
        assert "differs from what was sent" in message
        assert "1 triple(s) only in ours (-), 1 only in theirs (+)" in message
        assert f'- <{subject}> <{OA.exact}> "{exact}" .' in done.stderr, done.stderr
        assert f'+ <{subject}> <{OA.exact}> "{exact} PLANTED" .' in done.stderr, done.stderr
        assert isomorphic(theirs(f"{oxigraph}/store", str(GRAPH_FACTFINDER)), ours(store_dir, str(GRAPH_FACTFINDER)))


def test_an_invalid_graph_is_refused_with_its_violations(oxigraph, store_dir, tmp_path):
    graph = Graph()
    factfinder = [path for iri, path in dataset_sources() if iri == str(GRAPH_FACTFINDER)]
    for path in factfinder:
        graph.parse(path)
    subject, exact = next(iter(graph.subject_objects(OA.exact)))
    graph.set((subject, OA.exact, Literal(f"{exact} words the source never says")))
    (tmp_path / "factfinder.ttl").write_text(graph.serialize(format="turtle"), encoding="utf-8")
    sources = [(iri, tmp_path / "factfinder.ttl" if iri == str(GRAPH_FACTFINDER) else path)
               for iri, path in dataset_sources() if iri != str(GRAPH_FACTFINDER) or path == factfinder[0]]
    load_store(tmp_path / "bad" / "store", sources)
    before = requests.post(f"{oxigraph}/query", data={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                           headers={"Accept": "text/csv"}, timeout=60).text
    done = run_publish("--to", f"{oxigraph}/store", "--store", str(tmp_path / "bad"))
    assert done.returncode == 1, done.stderr
    assert "does not validate: nothing published" in done.stderr and "QuoteInSource" in done.stderr, done.stderr
    after = requests.post(f"{oxigraph}/query", data={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                          headers={"Accept": "text/csv"}, timeout=60).text
    assert before == after


def test_a_graph_the_store_lacks_is_one_line_exit_2(oxigraph, store_dir):
    done = run_publish("--to", f"{oxigraph}/store", "--store", str(store_dir), "--graph", "https://example.org/none")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: no graph https://example.org/none in "), done.stderr


def test_an_unreachable_store_is_one_line_exit_2(store_dir):
    done = run_publish("--to", f"http://127.0.0.1:{processes.free_port()}/store", "--store", str(store_dir),
                       "--no-validate")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: POST http://127.0.0.1:")


def test_virtuoso_publish_with_digest_auth_read_back_and_again(virtuoso, store_dir, monkeypatch):
    gsp = f"http://127.0.0.1:{virtuoso.port}/sparql-graph-crud-auth"
    credentials = {"SPINE_EVIDENCE_PUBLISH_USER": "dba", "SPINE_EVIDENCE_PUBLISH_PASSWORD": "dba"}
    wrong = run_publish("--to", gsp, "--store", str(store_dir), "--no-validate",
                        env={**credentials, "SPINE_EVIDENCE_PUBLISH_PASSWORD": "wrong"})
    assert wrong.returncode == 2 and "HTTP 401" in wrong.stderr.strip().splitlines()[-1], wrong.stderr
    for name, value in credentials.items():
        monkeypatch.setenv(name, value)
    report = publish(gsp, store=store_dir, validate=False, announce=lambda line: None)
    assert set(report.outcomes.values()) == {"sent"} and report.record == "sent"
    # the digest handshake: no PUT body is sent twice (once unauthenticated, then again after the 401)
    assert report.requests_made["PUT"] == len(report.outcomes) + 1
    assert report.requests_made["PUT resent after a challenge"] == 0
    auth = requests.auth.HTTPDigestAuth("dba", "dba")
    for graph in named_graphs(store_dir):
        assert isomorphic(ours(store_dir, graph), theirs(gsp, graph, "graph-uri", auth)), graph
    again = run_publish("--to", gsp, "--store", str(store_dir), "--no-validate", env=credentials)
    assert again.returncode == 0 and "nothing changed" in again.stdout, again.stderr


CONTENT_A = b"""<urn:s> <urn:p> "b" .
<urn:s> <urn:p> "a\\u00e9" .
<urn:s> <urn:q> _:x .
_:x <urn:p> _:y .
_:y <urn:p> "leaf" .
<urn:s> <urn:p> "b" .
"""
# The same graph: other blank-node labels, other order, other escaping of the same literal, no duplicate.
CONTENT_B = """_:n2 <urn:p> "leaf" .
<urn:s> <urn:p> "a\u00e9" .
_:n1 <urn:p> _:n2 .
<urn:s> <urn:q> _:n1 .
<urn:s> <urn:p> "b" .
""".encode("utf-8")


def test_graph_content_is_compared_in_two_parts_and_names_what_differs():
    """Publish's comparison (sorted on disk without blank nodes, canonical with them) against rdflib's own."""
    from spine_evidence.publish.content import difference, parse_ntriples, same_graph

    a, b = parse_ntriples(CONTENT_A, "urn:g"), parse_ntriples(CONTENT_B, "urn:g")
    assert a.triples == b.triples == 5 and a.blank and b.blank
    assert same_graph(a, b) and a.checksum == b.checksum
    plain = Graph().parse(data=CONTENT_A.decode("utf-8"), format="nt")
    assert isomorphic(plain, Graph().parse(data=CONTENT_B.decode("utf-8"), format="nt"))  # rdflib agrees
    changed_plain = parse_ntriples(CONTENT_B.replace(b'"b"', b'"c"'), "urn:g")
    changed_blank = parse_ntriples(CONTENT_B.replace(b'"leaf"', b'"other"'), "urn:g")
    # a changed leaf also changes its blank node's canonical label, so the triple pointing to it differs too
    for other, differing, gone, came in ((changed_plain, 1, '<urn:s> <urn:p> "b" .', '<urn:s> <urn:p> "c" .'),
                                         (changed_blank, 2, '"leaf" .', '"other" .')):
        assert not same_graph(a, other) and a.checksum != other.checksum
        counts, lines = difference(a, other)
        assert counts == f"{differing} triple(s) only in ours (-), {differing} only in theirs (+)", counts
        assert any(line.startswith("- ") and line.endswith(gone) for line in lines), lines
        assert any(line.startswith("+ ") and line.endswith(came) for line in lines), lines
    files = [a.plain, b.plain]
    del a, b
    assert not any(path.exists() for path in files)  # the sorted files go with their content
