"""Real SPARQL clients against a real server: SPARQLWrapper, rdflib's SERVICE, Comunica.

Each talks HTTP to ``spine-evidence serve`` (gunicorn) on 127.0.0.1, started
by the ``endpoint`` fixture. Expected answers are computed independently,
by rdflib's own engine over the repository's Turtle files.
"""

from __future__ import annotations

import contextlib
import functools
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import node_package
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import JSON, JSONLD, POST, RDFXML, XML, SPARQLWrapper

from spine_evidence import node_packages
from spine_evidence.namespaces import SE

REPO = Path(__file__).resolve().parents[1]
JS_DIR = REPO / "tests" / "js"
CLIENT_SECONDS = 120
REVIEW = "http://example.org/review#"
PROLOGUE = f"PREFIX se: <{SE}>\nPREFIX ex: <{REVIEW}>\n"
CITATIONS = PROLOGUE + "SELECT ?study ?number WHERE { ?study se:citationNumber ?number } ORDER BY ?number"
JOINED = PROLOGUE + ("SELECT ?study ?number ?note "
                     "WHERE { ?study ex:reviewNote ?note . ?study se:citationNumber ?number }")


@pytest.fixture(scope="module")
def local_graph() -> Graph:
    """The repository's ontology and graph, parsed and queried by rdflib alone."""
    graph = Graph()
    for path in sorted((REPO / "ontology").glob("*.ttl")) + sorted((REPO / "graph").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def citations(local_graph) -> list[tuple[str, int]]:
    """Every study IRI with its citation number, by rdflib over the files."""
    numbers = local_graph.subject_objects(URIRef(SE.citationNumber))
    found = sorted(((str(s), int(n)) for s, n in numbers), key=lambda r: r[1])
    assert found, "the graph has no studies with citation numbers"
    return found


@pytest.fixture(scope="module")
def review_notes(citations) -> str:
    """A second source: Turtle notes on every other study (not in our graph), keyed by study IRI."""
    lines = [f'<{iri}> <{REVIEW}reviewNote> "note on citation {number}" .' for iri, number in citations[::2]]
    return "\n".join(lines) + "\n"


def sparql(endpoint, query: str, return_format: str, method: str | None = None) -> SPARQLWrapper:
    """A SPARQLWrapper client of ``endpoint`` set up for ``query``."""
    client = SPARQLWrapper(endpoint.url)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    if method:
        client.setMethod(method)
    return client


# ---------------------------------------------------------------- SPARQLWrapper


@pytest.mark.parametrize("method", [None, POST])
def test_sparqlwrapper_select_json(endpoint, citations, method):
    result = sparql(endpoint, CITATIONS, JSON, method).query().convert()
    rows = [(b["study"]["value"], int(b["number"]["value"])) for b in result["results"]["bindings"]]
    assert rows == citations


def test_sparqlwrapper_select_xml(endpoint, citations):
    document = sparql(endpoint, CITATIONS, XML).query().convert()
    results = document.getElementsByTagName("result")
    assert len(results) == len(citations)
    uris = [r.getElementsByTagName("uri")[0].firstChild.data for r in results]
    assert uris == [iri for iri, _ in citations]


def test_sparqlwrapper_ask(endpoint, citations):
    number = citations[0][1]
    present = PROLOGUE + f"ASK {{ ?s se:citationNumber {number} }}"
    absent = PROLOGUE + f"ASK {{ ?s se:citationNumber {max(n for _, n in citations) + 1} }}"
    assert sparql(endpoint, present, JSON).query().convert()["boolean"] is True
    assert sparql(endpoint, absent, XML).query().convert().getElementsByTagName("boolean")[0].firstChild.data == "false"


CONSTRUCT_CITATIONS = PROLOGUE + ("CONSTRUCT { ?study se:citationNumber ?number } "
                                  "WHERE { ?study se:citationNumber ?number }")


def values(graph: Graph) -> set[tuple]:
    """The triples of ``graph`` with literals as Python values.

    pyoxigraph's store keeps ``xsd:positiveInteger`` literals as ``xsd:integer``
    (the same numbers); that is checked where the store is built, not here.
    """
    return {(s, p, o.toPython() if isinstance(o, Literal) else o) for s, p, o in graph}


def test_sparqlwrapper_construct_gives_an_rdflib_graph(endpoint, local_graph):
    graph = sparql(endpoint, CONSTRUCT_CITATIONS, XML).query().convert()
    assert isinstance(graph, Graph)
    expected = values(local_graph.query(CONSTRUCT_CITATIONS).graph)
    assert len(expected) > 0 and values(graph) == expected


@pytest.mark.parametrize("return_format", [RDFXML, JSONLD])
def test_sparqlwrapper_construct_as_rdfxml_and_jsonld(endpoint, local_graph, return_format):
    graph = sparql(endpoint, CONSTRUCT_CITATIONS, return_format).query().convert()
    assert values(graph) == values(local_graph.query(CONSTRUCT_CITATIONS).graph)


# ---------------------------------------------------------------- rdflib SERVICE, from another process

SERVICE_SCRIPT = """
import json, sys
from rdflib import Graph
endpoint, notes, prologue = sys.argv[1], sys.stdin.read(), sys.argv[2]
graph = Graph().parse(data=notes, format="turtle")
query = prologue + ("SELECT ?study ?number ?note WHERE { ?study ex:reviewNote ?note . "
                    "SERVICE <" + endpoint + "> { ?study se:citationNumber ?number } }")
print(json.dumps([[str(v) for v in row] for row in graph.query(query)]))
"""


def test_rdflib_service_from_a_separate_process(endpoint, citations, review_notes):
    run = subprocess.run(
        [sys.executable, "-c", SERVICE_SCRIPT, endpoint.url, PROLOGUE],
        input=review_notes, capture_output=True, text=True, timeout=CLIENT_SECONDS, check=False,
    )
    assert run.returncode == 0, run.stderr
    rows = sorted((study, int(number), note) for study, number, note in json.loads(run.stdout))
    expected = sorted((iri, n, f"note on citation {n}") for iri, n in citations[::2])
    assert rows == expected


# ---------------------------------------------------------------- Comunica federation


class TurtleHandler(SimpleHTTPRequestHandler):
    """Serves a folder, ``.ttl`` as ``text/turtle``, quietly."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".ttl": "text/turtle"}

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def file_server(folder: Path) -> Iterator[str]:
    """A static HTTP server of ``folder`` on 127.0.0.1 (free port) until the block ends; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(TurtleHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="module")
def comunica() -> Path:
    """``tests/js`` (``federate.mjs`` and its lock file) installed with ``npm ci`` in the Node package cache.

    Outside the clone (``spine_evidence.node_packages.comunica_dir``); skipped without node/npm.
    """
    return node_package(f"the Comunica federation test ({JS_DIR / 'package.json'})", node_packages.comunica_installed,
                        node_packages.install_comunica, node_packages.comunica_dir)


def test_comunica_federates_the_endpoint_with_a_turtle_file(endpoint, citations, review_notes, comunica, tmp_path):
    (tmp_path / "notes.ttl").write_text(review_notes, encoding="utf-8")
    (tmp_path / "joined.rq").write_text(JOINED, encoding="utf-8")
    with file_server(tmp_path) as files:
        run = subprocess.run(
            ["node", "federate.mjs", str(tmp_path / "joined.rq"), endpoint.url, f"{files}/notes.ttl"],
            cwd=comunica, capture_output=True, text=True, timeout=CLIENT_SECONDS, check=False,
        )
    assert run.returncode == 0, run.stderr[-2000:]
    rows = sorted((r["study"], int(r["number"]), r["note"]) for r in json.loads(run.stdout))
    expected = sorted((iri, n, f"note on citation {n}") for iri, n in citations[::2])
    assert rows == expected
