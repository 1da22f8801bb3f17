"""What a serving process imports: neither rdflib nor pySHACL nor owlready2 (issue 10, memory).

Each check runs in a fresh interpreter, since this test process has imported them all.
A real ``spine-evidence serve`` is watched by an audit hook (``sys.addaudithook``,
installed by a ``sitecustomize`` on its ``PYTHONPATH``) that every process of it
runs, the forked workers included: it writes each import of those modules, with
the process id, to a file.
``spine_evidence.iris`` (plain strings) and ``spine_evidence.namespaces`` (rdflib terms)
must name the same IRIs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from conftest import serve_command

from spine_evidence import iris, namespaces, processes
from spine_evidence.build import build

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


IMPORT_RECORDER = """
import os, sys
def _record(event, args):
    if event == "import" and args[0].split(".")[0] in {modules!r}:
        with open({log!r}, "a") as sink:
            sink.write(f"{{os.getpid()}} {{args[0]}}\\n")
sys.addaudithook(_record)
"""


# The pages for guideline authors (issue 13) and their twins, asked of a served built store.
PAGES = ("/evidence", "/evidence.csv", "/recommendations", "/recommendations.json", "/recommendation/1b",
         "/reader", "/query/vocabulary.json", "/study/ref-07", "/fhir/metadata")


def test_serving_over_a_backend_imports_none_of_them():
    """``serve --backend``: the remote store and its credentials (shared with ``publish``) come without rdflib."""
    code = "import spine_evidence.backend, spine_evidence.credentials, spine_evidence.web.app, spine_evidence.cli.serve"
    assert imported_after(code) == []


def status(url: str) -> int:
    """The HTTP status of ``GET url``."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def serve_recording_imports(dataset: Path, tmp_path: Path) -> tuple[list[list[str]], int, list[str]]:
    """Serve ``dataset`` with two granian workers under the import recorder, and ask each kind of page.

    Returns the recorded ``[pid, module]`` imports, the supervisor's PID and the workers' PIDs.
    """
    hook, imports, log = tmp_path / "hook", tmp_path / "imports.log", tmp_path / "serve.log"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(IMPORT_RECORDER.format(modules=(*HEAVY, "spine_evidence"), log=str(imports)))
    search_path = os.pathsep.join(filter(None, (str(hook), os.environ.get("PYTHONPATH"))))
    port = processes.free_port()
    command = serve_command("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
                            "--store", str(dataset))
    process = processes.spawn_in_session(command, log, env={"PYTHONPATH": search_path})
    base = f"http://127.0.0.1:{port}"
    try:
        processes.wait_until_answers(process, f"{base}/sparql", 60, log)
        for _ in range(4):  # each worker, most likely, answers a query, a page and a description
            for url in (f"/sparql?query={quote('SELECT * { ?s ?p ?o } LIMIT 3')}", "/", "/.well-known/void",
                        "/ontology", "/query", *PAGES):
                assert status(base + url) < 500, url
        workers = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    finally:
        processes.stop_group(process)
    assert len(workers) == 2, log.read_text()
    return [line.split() for line in imports.read_text().splitlines()], process.pid, workers


def test_serve_of_a_built_store_imports_none_of_them_in_supervisor_or_workers(tmp_path):
    """``spine-evidence serve --store`` a folder made by ``build`` (the README's path): its staleness check included."""
    build(tmp_path / "dataset", reason=False)
    records, supervisor, workers = serve_recording_imports(tmp_path / "dataset", tmp_path)
    assert str(supervisor) in {pid for pid, _ in records}, "the audit hook did not run in the supervisor"
    heavy = sorted({(pid, module.split(".")[0]) for pid, module in records if module.split(".")[0] in HEAVY})
    # Workers are forked: what the supervisor imported before, they hold too.
    assert heavy == [], f"imported by (pid, module), supervisor {supervisor}, workers {workers}: {heavy}"


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
