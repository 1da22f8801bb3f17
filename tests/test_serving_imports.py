"""What a serving process imports: neither rdflib nor pySHACL nor owlready2 (issue 10, memory).

Each check runs in a fresh interpreter, since this test process has imported them all.
``spine_evidence.iris`` (plain strings) and ``spine_evidence.namespaces`` (rdflib terms)
must name the same IRIs.
"""

from __future__ import annotations

import json
import subprocess
import sys

from spine_evidence import iris, namespaces

HEAVY = ("rdflib", "pyshacl", "owlready2")


def imported_after(code: str) -> list[str]:
    """Which of ``HEAVY`` a fresh interpreter has imported after running ``code``."""
    probe = code + f"\nimport sys, json\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_worker_serving_queries_and_pages_imports_none_of_them(tmp_path):
    code = f"""
from pathlib import Path
from spine_evidence.store import load
from spine_evidence.web import AppConfig, create_app
data = Path({str(tmp_path)!r}) / "data.nt"
data.write_text('<http://example.org/s> <http://www.w3.org/2000/01/rdf-schema#label> "s" .\\n')
load(Path({str(tmp_path)!r}) / "store", [("https://w3id.org/spine-evidence/graph/x", data)])
assert "rdflib" not in __import__("sys").modules, "store.load imported rdflib"
client = create_app(AppConfig(store_path=Path({str(tmp_path)!r}) / "store")).test_client()
for url in ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D", "/sparql?query=DESCRIBE%20%3Chttp://example.org/s%3E",
            "/sparql", "/.well-known/void", "/ontology", "/context.jsonld", "/query", "/"):
    assert client.get(url).status_code < 500, url
"""
    assert imported_after(code) == []


def test_the_serve_supervisor_imports_none_of_them():
    """``spine-evidence serve`` as far as starting granian: the workers are forked from this process."""
    code = """
import runpy, sys
sys.argv = ["spine_evidence", "serve", "--help"]
try:
    runpy.run_module("spine_evidence", run_name="__main__")
except SystemExit:
    pass
from spine_evidence.web import granian_server
"""
    assert imported_after(code) == []


def test_iris_and_namespaces_name_the_same_iris():
    assert namespaces.PREFIXES is iris.PREFIXES
    for name in ("SE", "DOC", "SRC", "CLAIM", "GRAPH", "SH", "SD", "VOID", "DCAT", "OA",
                 "RDF", "RDFS", "OWL", "XSD", "DCTERMS", "PROV", "SKOS"):
        assert str(getattr(namespaces, name)) == str(getattr(iris, name)), name
    assert str(namespaces.SE.Claim) == iris.SE.Claim and type(iris.SE.Claim) is str
    assert iris.VOID["class"] == "http://rdfs.org/ns/void#class"
    for name in ("GRAPH_ONTOLOGY", "GRAPH_FACTFINDER", "GRAPH_VOCABULARY", "GRAPH_INFERRED", "DOCUMENT_IRI",
                 "SOURCE_TEXT_IRI"):
        assert str(getattr(namespaces, name)) == getattr(iris, name), name
