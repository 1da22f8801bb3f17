"""One answer from every entry point, and one place where the dataset lives.

Every competency query (``tests/competency/*.rq``) and every README example
query returns the same table through:

(a) ``spine-evidence query`` from an empty working directory before any build
    (an empty state folder: the first query builds the dataset and says so,
    the others use that store);
(b) ``spine-evidence query`` after ``spine-evidence build`` (the session's build);
(c) the Python API, ``spine_evidence.query.query``;
(d) ``/sparql`` of ``spine-evidence serve`` started on the same state folder.

Tables are compared as sorted rows of RDF terms parsed from SPARQL JSON results
(CONSTRUCT/DESCRIBE: sorted N-Triples lines); blank node labels are not compared.
The other tests: what ``query`` does when it cannot build, ``build --no-reason``
then ``query`` and ``serve`` agree, ``load`` keeps its record beside its store,
and the endpoint predeclares the CLI's prefixes (an explicit ``PREFIX`` wins,
the service description and the query page list them).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from conftest import REPO, BuiltDataset, console_script, start_endpoint
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from test_readme_queries import EXAMPLES

from spine_evidence import query as query_module
from spine_evidence.cli import main
from spine_evidence.namespaces import SD
from spine_evidence.sparql import PREDECLARED_PREFIXES, evaluate
from spine_evidence.store.location import STATE_DIR_VARIABLE

COMPETENCY = sorted((REPO / "tests" / "competency").glob("*.rq"))
QUERIES = [(f"competency/{path.name}", path.read_text(encoding="utf-8")) for path in COMPETENCY]
QUERIES += [(f"README: {title}", sparql) for title, sparql, _ in EXAMPLES]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CITED = "ASK { ?study se:citationNumber ?n }"  # true with the predeclared se:, false with another
OTHER_SE = "PREFIX se: <http://example.org/not-the-model#>\n"
BLANK = re.compile(r"_:\S+")
Table = tuple

# --- one table of RDF terms, whatever the entry point -----------------------------------------


def is_graph_query(sparql: str) -> bool:
    """Whether ``sparql`` is a CONSTRUCT or DESCRIBE (its form, read by the engine on an empty store)."""
    return isinstance(evaluate(ox.Store(), sparql), ox.QueryTriples)


def term(binding: dict | None) -> tuple:
    """One SPARQL JSON term as a comparable tuple (blank node labels dropped)."""
    if binding is None:
        return ("unbound",)
    kind = binding["type"]
    if kind == "bnode":
        return ("bnode",)
    if kind == "triple":
        value = binding["value"]
        return ("triple", term(value["subject"]), term(value["predicate"]), term(value["object"]))
    return (kind, binding["value"], binding.get("datatype", ""), binding.get("xml:lang", ""))


def table(answer: bytes | str, graph_query: bool) -> Table:
    """The answer as (header, sorted rows): SPARQL JSON results, or N-Triples for a graph query."""
    text = answer.decode("utf-8") if isinstance(answer, bytes) else answer
    if graph_query:
        return ("triples",), tuple(sorted(BLANK.sub("_:", line) for line in text.splitlines() if line.strip()))
    results = json.loads(text)
    if "boolean" in results:
        return ("boolean",), ((results["boolean"],),)
    names = tuple(results["head"]["vars"])
    rows = (tuple(term(row.get(name)) for name in names) for row in results["results"]["bindings"])
    return names, tuple(sorted(rows))


def fmt(graph_query: bool) -> str:
    """The ``--format`` of an answer that :func:`table` reads."""
    return "ntriples" if graph_query else "json"


# --- the entry points --------------------------------------------------------------------------


def cli(*args: str, state: Path, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run the ``spine-evidence`` console script with ``state`` as the state folder."""
    env = {**os.environ, STATE_DIR_VARIABLE: str(state)}
    return subprocess.run([console_script(), *args], cwd=cwd, env=env, input=stdin, capture_output=True,
                          text=True, timeout=600)


def cli_table(sparql: str, state: Path, cwd: Path) -> tuple[Table, str]:
    """``spine-evidence query`` on the state folder's dataset: the table and what it said on standard error."""
    graph_query = is_graph_query(sparql)
    done = cli("query", "-", "--format", fmt(graph_query), state=state, cwd=cwd, stdin=sparql)
    assert done.returncode == 0, done.stderr
    return table(done.stdout, graph_query), done.stderr


def endpoint_table(url: str, sparql: str) -> Table:
    """``/sparql`` (POST, ``application/sparql-query``) in SPARQL JSON or N-Triples."""
    graph_query = is_graph_query(sparql)
    accept = "application/n-triples" if graph_query else "application/sparql-results+json"
    response = requests.post(url, data=sparql.encode("utf-8"), timeout=60,
                             headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers.get("X-SPARQL-Truncated") != "true"
    return table(response.content, graph_query)


def in_threads(call: Callable, items: list) -> list:
    """``call(item)`` for each item, a few subprocesses at a time (each mostly waits on its start-up)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(call, items))


def test_every_query_gives_the_same_table_through_every_entry_point(built_dataset: BuiltDataset, tmp_path, monkeypatch):
    if not QUERIES:
        pytest.skip("no competency query and no README example yet")
    texts = [sparql for _, sparql in QUERIES]
    fresh, before = tmp_path / "fresh", tmp_path / "state-before"
    fresh.mkdir()
    before.mkdir()

    # (a) before any build: the first query builds the dataset in the state folder and says so
    first, said = cli_table(texts[0], before, fresh)
    assert f"building the store in {before}" in said and f"using the store {before / 'store'} " in said
    rest = in_threads(lambda sparql: cli_table(sparql, before, fresh), texts[1:])
    assert all("building" not in said and f"using the store {before / 'store'} " in said for _, said in rest)
    from_cli_before = [first, *(found for found, _ in rest)]
    assert not any(fresh.iterdir()), "query wrote into the working directory"

    # (b) after `spine-evidence build` (the session's, in its own state folder): nothing is built
    after = in_threads(lambda sparql: cli_table(sparql, built_dataset.state, fresh), texts)
    assert all("building" not in said and f"using the store {built_dataset.store} " in said for _, said in after)
    from_cli_after = [found for found, _ in after]

    # (c) the Python API, which finds the same state folder
    monkeypatch.setenv(STATE_DIR_VARIABLE, str(built_dataset.state))
    from_api = [table(query_module.query(sparql, fmt=fmt(is_graph_query(sparql)), announce=lambda line: None),
                      is_graph_query(sparql)) for sparql in texts]

    # (d) /sparql of `spine-evidence serve` on the same state folder (no --store)
    served_log = tmp_path / "serve.log"
    with start_endpoint("--workers", "1", store=None, state_dir=built_dataset.state, log=served_log) as server:
        from_endpoint = [endpoint_table(server.url, sparql) for sparql in texts]
        assert "building" not in server.output() and f"serving the store {built_dataset.store} " in server.output()
        served = requests.get(f"{server.base}/health", timeout=10).json()["graph_version"]
    assert served == json.loads((built_dataset.state / "build.json").read_text())["graph_version"]  # what was built

    for index, (name, _) in enumerate(QUERIES):
        assert from_cli_before[index] == from_cli_after[index] == from_api[index] == from_endpoint[index], name
    assert sum(1 for _, rows in from_api if rows) >= len(QUERIES) // 2, "most queries must have an answer"


# --- where the dataset lives -------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["build"], ["query"], ["serve"]])
def test_help_states_where_the_dataset_lives(command):
    shown = CliRunner().invoke(main, [*command, "--help"])
    assert shown.exit_code == 0
    assert STATE_DIR_VARIABLE in shown.output and "dist/" in shown.output and ".cache/spine-evidence" in shown.output


def test_query_exits_2_with_the_command_when_the_dataset_cannot_be_built(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = cli("query", "ASK {}", state=blocker / "state", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"cannot build the dataset in {blocker / 'state'}" in errors[0]
    assert "spine-evidence build --out DIR" in errors[0] and STATE_DIR_VARIABLE in errors[0]


def test_build_no_reason_then_query_and_serve_agree(tmp_path):
    state = tmp_path / "state"
    built = cli("build", "--no-reason", state=state, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert built.stderr.startswith(f"building {state} from ") and "(no reasoning)" in built.stderr
    recorded = json.loads((state / "build.json").read_text())["dataset"]["default_graph_triples"]
    done = cli("query", COUNT, "--format", "csv", state=state, cwd=tmp_path)
    assert done.returncode == 0 and "not reasoned: no graph:inferred" in done.stderr, done.stderr
    assert done.stdout.split() == ["n", str(recorded)]
    with start_endpoint("--workers", "1", store=None, state_dir=state, log=tmp_path / "serve.log") as server:
        served = requests.get(server.url, params={"query": COUNT}, headers={"Accept": "application/json"}, timeout=10)
        assert "building" not in server.output() and f"serving the store {state / 'store'} " in server.output()
    assert int(served.json()["results"]["bindings"][0]["n"]["value"]) == recorded


def test_load_keeps_its_record_beside_its_store(tmp_path, built_dataset: BuiltDataset):
    work = tmp_path / "work"
    work.mkdir()
    done = cli("load", "--store", "mine", str(built_dataset.state / "spine-evidence.nt"), state=tmp_path, cwd=work)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"loading {built_dataset.state / 'spine-evidence.nt'} into mine/store ")
    assert sorted(p.name for p in work.iterdir()) == ["mine"]
    assert sorted(p.name for p in (work / "mine").iterdir()) == ["build.json", "store"]
    counted = cli("query", "--store", "mine", COUNT, "--format", "csv", state=tmp_path, cwd=work)
    record = json.loads((work / "mine" / "build.json").read_text())
    assert counted.stdout.split()[1] == str(record["dataset"]["default_graph_triples"])


# --- predeclared prefixes, the same on every entry point ----------------------------------------


def ask(url: str, sparql: str) -> bool:
    response = requests.get(url, params={"query": sparql}, headers={"Accept": "application/json"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def test_a_query_copied_from_the_terminal_answers_on_the_endpoint(endpoint, store_dir):
    sparql = "SELECT ?study ?n WHERE { ?study se:citationNumber ?n } ORDER BY ?n"  # no PREFIX line
    response = requests.get(endpoint.url, params={"query": sparql}, headers={"Accept": "application/json"}, timeout=10)
    assert response.status_code == 200, response.text
    expected = query_module.query(sparql, store=store_dir, fmt="json", announce=lambda line: None)
    assert table(response.content, False) == table(expected, False)
    assert table(expected, False)[1], "the query must have an answer"


def test_an_explicit_prefix_wins_over_the_predeclared_one(endpoint, store_dir, tmp_path):
    assert ask(endpoint.url, CITED) is True
    assert ask(endpoint.url, OTHER_SE + CITED) is False
    quiet = {"announce": lambda line: None}
    assert json.loads(query_module.query(CITED, store=store_dir, fmt="json", **quiet))["boolean"] is True
    assert json.loads(query_module.query(OTHER_SE + CITED, store=store_dir, fmt="json", **quiet))["boolean"] is False
    done = cli("query", "--store", str(store_dir), OTHER_SE + CITED, state=tmp_path, cwd=tmp_path)
    assert done.stdout.strip() == "false", done.stderr


def test_syntax_errors_point_into_the_text_as_written(endpoint, store_dir, tmp_path):
    """The prefixes are not written in front of the query: line numbers are the user's."""
    broken = "SELECT ?s\nWHERE {\n  ?s se:citationNumber\n}"
    response = requests.get(endpoint.url, params={"query": broken}, timeout=10)
    assert response.status_code == 400 and "at 4:" in response.text, response.text
    done = cli("query", "--store", str(store_dir), broken, state=tmp_path, cwd=tmp_path)
    assert done.returncode == 2 and "at 4:" in done.stderr, done.stderr


def test_service_with_a_predeclared_prefix_is_checked_not_rejected_as_unparsable(endpoint):
    response = requests.get(endpoint.url, params={"query": "SELECT * WHERE { SERVICE se:elsewhere { ?s ?p ?o } }"},
                            timeout=10)
    assert response.status_code == 403, response.text
    assert "https://w3id.org/spine-evidence/ontology#elsewhere" in response.text


def test_the_service_description_lists_the_predeclared_prefixes(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    service = next(graph.subjects(RDF.type, SD.Service))
    declarations = graph.value(service, RDFS.seeAlso)
    assert (declarations, RDF.type, OWL.Ontology) in graph
    declared = {}
    for declaration in graph.objects(declarations, SH.declare):
        assert (declaration, RDF.type, SH.PrefixDeclaration) in graph
        namespace = graph.value(declaration, SH.namespace)
        assert isinstance(namespace, Literal) and namespace.datatype == URIRef("http://www.w3.org/2001/XMLSchema#anyURI")
        declared[str(graph.value(declaration, SH.prefix))] = str(namespace)
    assert declared == dict(PREDECLARED_PREFIXES)


def test_the_query_page_lists_the_predeclared_prefixes(client):
    page = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    listed = dict(re.findall(r"<tr><td><code>([^<]*):</code></td><td><code>([^<]*)</code></td></tr>", page))
    assert listed == dict(PREDECLARED_PREFIXES)
