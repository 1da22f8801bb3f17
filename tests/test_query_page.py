"""The query page: the dataset in a sentence, YASGUI or the plain form, the example queries, shared links.

The editor completes from ``/query/vocabulary.json``, which is compared here
with SPARQL over the endpoint (every ontology class and property the graph
uses, with its count) and with the shapes read by rdflib. A shared link
(``/?query=...&graph-version=...``) loads its query and says when its version
is not the one served, with YASGUI and with the plain form.

YASGUI (``@zazuko/yasgui`` from npm) is installed in the Node package cache
outside the clone (``conftest.yasgui_build``, ``spine_evidence.node_packages``)
when it is missing and npm is on the machine; the page then serves its assets
from this server. Without it the page falls back to a plain form that says how
to get the editor, which is tested by pointing the app at an empty folder.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from spine_evidence import node_packages
from spine_evidence.namespaces import GRAPH_ONTOLOGY, SE
from spine_evidence.sparql import PREDECLARED_PREFIXES
from spine_evidence.web import AppConfig, create_app
from spine_evidence.web.example_queries import example_queries, parse_examples

REPO = Path(__file__).resolve().parents[1]

MARKDOWN = """# Project

## Example queries

Some prose.

### Which studies back a recommendation?
Lists studies.

```sparql
# a comment that looks like a heading
SELECT ?s WHERE { ?s ?p ?o } LIMIT 1
```

### Not a query
```sh
echo no
```

### Which studies back a recommendation?
```sparql
ASK {}
```

## Next section

### Outside
```sparql
SELECT * {}
```
"""


def count(client, cls: str) -> int:
    """Instances of ``cls`` or its subclasses, by SPARQL."""
    query = f"SELECT (COUNT(DISTINCT ?x) AS ?n) {{ ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> }}"
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def triples(client) -> int:
    """The default graph's triple count, by SPARQL."""
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def test_page_states_the_dataset_in_one_sentence(client):
    page = html.unescape(client.get("/").get_data(as_text=True))
    sentence = re.search(r'<p class="sentence" id="dataset">(.*?)</p>', page, re.S).group(1)
    assert f"{triples(client):,} triples" in sentence
    for word, cls in (("claims", SE.Claim), ("studies", SE.Study), ("results", SE.Result)):
        assert f"{count(client, cls):,} {word}" in sentence


def test_parse_examples_reads_titled_sparql_blocks_of_the_section_only():
    examples = parse_examples(MARKDOWN)
    assert [e.title for e in examples] == ["Which studies back a recommendation?"] * 2
    slug = "which-studies-back-a-recommendation"
    assert [e.slug for e in examples] == [slug, f"{slug}-2"]
    assert examples[0].query.startswith("# a comment") and "LIMIT 1" in examples[0].query
    assert examples[0].description == "Lists studies."
    assert parse_examples("# Nothing here\n") == []


def one_click_examples(client, examples) -> None:
    """Each example has a link that opens the page with it in the editor, and a link that runs it."""
    page = client.get("/").get_data(as_text=True)
    for example in examples:
        assert f'href="?example={example.slug}#editor"' in page
        chosen = client.get("/", query_string={"example": example.slug})
        assert chosen.status_code == 200
        assert example.query.strip() in html.unescape(chosen.get_data(as_text=True))
    runs = [html.unescape(href) for href in re.findall(r'<a class="run" href="([^"]+)"', page)]
    assert len(runs) == len(examples)
    for href in runs:
        response = client.get(href, headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"})
        assert response.status_code == 200, (href, response.get_data(as_text=True))
    assert client.get("/", query_string={"example": "no-such-example"}).status_code == 404


def test_examples_of_a_readme_are_one_click_away(store_dir, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(MARKDOWN, encoding="utf-8")
    app = create_app(AppConfig(store_path=store_dir, readme=readme))
    examples = example_queries(readme)
    assert len(examples) == 2
    one_click_examples(app.test_client(), examples)


def test_the_readme_examples_are_one_click_away(client):
    examples = example_queries()
    if not examples:
        pytest.skip("no README 'Example queries' section and no docs/queries/*.rq yet")
    one_click_examples(client, examples)


def test_yasgui_is_served_from_this_server(store_dir, yasgui_build):
    app = create_app(AppConfig(store_path=store_dir, yasgui_dir=yasgui_build))
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert 'src="/yasgui/yasgui.min.js"' in page and 'href="/yasgui/yasgui.min.css"' in page
    assert "<textarea" not in page and "http://localhost/sparql" in page
    scripts = re.findall(r'<script src="(/assets/query_[a-z]+\.js)"', page)
    assert scripts == ["/assets/query_completion.js", "/assets/query_chart.js", "/assets/query_editor.js"]
    assert "new Yasgui(" in client.get(scripts[-1]).get_data(as_text=True)
    for name, kind in (("yasgui.min.js", "javascript"), ("yasgui.min.css", "css")):
        response = client.get(f"/yasgui/{name}")
        assert response.status_code == 200 and kind in response.mimetype
        assert response.get_data() == (yasgui_build / name).read_bytes()
    assert not re.search(r'(src|href)="https?://(?!localhost)', page), "the page must not load anything from elsewhere"


def test_plain_form_when_yasgui_is_absent_and_it_posts_to_the_endpoint(store_dir, tmp_path):
    app = create_app(AppConfig(store_path=store_dir, yasgui_dir=tmp_path))
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "query_editor.js" not in page and client.get("/yasgui/yasgui.min.js").status_code == 404
    form = re.search(r'<form method="post" action="([^"]+)"', page)
    assert form and form.group(1) == "/sparql"
    assert '<textarea name="query"' in page and '<select name="format">' in page
    assert "python -m spine_evidence.node_packages yasgui" in page, "the plain form says how to get the editor"
    answer = client.post(form.group(1), data={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "format": "json"})
    assert answer.status_code == 200
    assert int(answer.get_json()["results"]["bindings"][0]["n"]["value"]) == triples(client)


def test_health_over_real_http(endpoint):
    import requests

    response = requests.get(f"{endpoint.base}/health", timeout=10)
    assert response.status_code == 200
    record = response.json()
    assert record["status"] == "ok" and record["triples"] > 0 and record["graph_version"]


def test_node_packages_live_outside_the_clone(monkeypatch, tmp_path):
    monkeypatch.delenv(node_packages.NODE_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert node_packages.node_dir() == tmp_path / "cache" / "spine-evidence" / "npm"
    assert node_packages.yasgui_dir().is_relative_to(node_packages.node_dir())
    assert node_packages.comunica_dir().is_relative_to(node_packages.node_dir())
    monkeypatch.setenv(node_packages.NODE_DIR_VARIABLE, str(tmp_path / "npm"))
    assert node_packages.node_dir() == tmp_path / "npm"


def test_the_yasgui_installer_says_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv(node_packages.NODE_DIR_VARIABLE, str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    with pytest.raises(node_packages.NodePackageError, match="apt-get install nodejs npm"):
        node_packages.install_yasgui()
    assert node_packages.main(["yasgui"]) == 2 and node_packages.main(["leftpad"]) == 2


# --- Completion from our own vocabulary, shared links (issue 13, the query page) ---

OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
ONTOLOGY_CLASSES_USED = f"""SELECT ?term (COUNT(DISTINCT ?x) AS ?n) WHERE {{
  {{ SELECT DISTINCT ?term {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?term a ?kind FILTER(isIRI(?term))
     VALUES ?kind {{ <{OWL}Class> <{RDFS}Class> }} }} }} }}
  ?x a ?term }} GROUP BY ?term"""
ONTOLOGY_PROPERTIES_USED = f"""SELECT ?term (COUNT(*) AS ?n) WHERE {{
  {{ SELECT DISTINCT ?term {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?term a ?kind FILTER(isIRI(?term))
     VALUES ?kind {{ <{OWL}ObjectProperty> <{OWL}DatatypeProperty> <{OWL}AnnotationProperty> <{RDFS}Property> }}
  }} }} }}
  ?s ?term ?o }} GROUP BY ?term"""
ONTOLOGY_LABELS = f"""SELECT ?term ?label WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?term a ?kind ; <{RDFS}label> ?label }}
  FILTER(isIRI(?term) && (LANG(?label) = "" || LANGMATCHES(LANG(?label), "en"))) }}"""


def select_rows(client, query: str) -> list[dict]:
    """The bindings of a SELECT query answered by the endpoint."""
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]["bindings"]


def counted(client, query: str) -> dict[str, int]:
    """``?term`` → ``?n`` of a grouped count query."""
    return {row["term"]["value"]: int(row["n"]["value"]) for row in select_rows(client, query)}


@pytest.fixture(scope="module")
def vocabulary(app):
    client = app.test_client()
    response = client.get("/query/vocabulary.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def used_terms(terms: list[dict], count: str) -> dict[str, int]:
    """IRI → count of the terms the vocabulary says the ontology declares and the graph uses."""
    return {t["iri"]: t[count] for t in terms if "ontology" in t["sources"] and t[count] > 0}


def test_vocabulary_lists_every_ontology_class_the_graph_uses(client, vocabulary):
    expected = counted(client, ONTOLOGY_CLASSES_USED)
    assert len(expected) > 20, "the graph uses the ontology's classes"
    assert used_terms(vocabulary["classes"], "instances") == expected
    shown = [t["prefixed"] for t in vocabulary["classes"]]
    assert "se:Recommendation" in shown and "se:Study" in shown


def test_vocabulary_lists_every_ontology_property_the_graph_uses(client, vocabulary):
    expected = counted(client, ONTOLOGY_PROPERTIES_USED)
    assert len(expected) > 20
    assert used_terms(vocabulary["properties"], "triples") == expected


def test_vocabulary_labels_prefixes_and_version_come_from_this_server(client, vocabulary):
    labels: dict[str, set[str]] = {}
    for row in select_rows(client, ONTOLOGY_LABELS):
        labels.setdefault(row["term"]["value"], set()).add(row["label"]["value"])
    terms = vocabulary["classes"] + vocabulary["properties"]
    labelled = {t["iri"]: t["label"] for t in terms if t["iri"] in labels}
    assert labelled and all(label in labels[iri] for iri, label in labelled.items())
    assert vocabulary["prefixes"] == PREDECLARED_PREFIXES
    assert vocabulary["graph_version"] == client.get("/health").get_json()["graph_version"]
    # Every term is listed once, used terms (by their VoID count) first.
    iris = [t["iri"] for t in terms]
    assert len(set(iris)) == len(iris)
    instances = [t["instances"] for t in vocabulary["classes"]]
    assert instances == sorted(instances, reverse=True)


def test_vocabulary_has_every_property_path_and_class_of_the_shapes(vocabulary):
    from rdflib import Graph, URIRef
    from rdflib.namespace import SH

    shapes = Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        shapes.parse(path)
    paths = {str(o) for o in shapes.objects(None, SH.path) if isinstance(o, URIRef)}
    classes = {str(o) for p in (SH.targetClass, SH["class"]) for o in shapes.objects(None, p) if isinstance(o, URIRef)}
    assert paths and classes
    properties = {t["iri"]: t for t in vocabulary["properties"]}
    assert all("shapes" in properties[iri]["sources"] for iri in paths)
    by_class = {t["iri"]: t for t in vocabulary["classes"]}
    assert all("shapes" in by_class[iri]["sources"] for iri in classes)


def test_vocabulary_is_cached_per_graph_version(client):
    first = client.get("/query/vocabulary.json")
    etag = first.headers["ETag"]
    assert client.get("/health").get_json()["graph_version"] in etag
    again = client.get("/query/vocabulary.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.get_data()


def pinned_notice(page: str) -> str | None:
    """The text of the page's pinned-version notice, whitespace collapsed (``None`` when there is none)."""
    found = re.search(r'<p class="notice[^"]*" id="pinned-version">(.*?)</p>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", html.unescape(found.group(1))).split()) if found else None


def initial_query(page: str) -> str:
    """The query the YASGUI page starts with (its JSON island)."""
    import json

    return json.loads(re.search(r'<script type="application/json" id="initial-query">(.*?)</script>', page, re.S)[1])


def test_shared_link_loads_the_query_and_says_when_the_version_differs(store_dir, yasgui_build):
    app = create_app(AppConfig(store_path=store_dir, yasgui_dir=yasgui_build))
    client = app.test_client()
    version = client.get("/health").get_json()["graph_version"]
    query = 'SELECT ?s WHERE { ?s a se:Study } # "quoted" & <angled>'
    old = client.get("/", query_string={"query": query, "graph-version": "0ld-version"})
    assert old.status_code == 200
    page = old.get_data(as_text=True)
    assert initial_query(page) == query and "data-run-on-load" in page
    notice = pinned_notice(page)
    assert notice and "another version" in notice and "0ld-version" in notice and version in notice
    assert "answers may differ" in notice
    same = client.get("/", query_string={"query": query, "graph-version": version}).get_data(as_text=True)
    assert pinned_notice(same) == f"This link was made on graph version {version}, the version served here."
    plain = client.get("/").get_data(as_text=True)
    assert pinned_notice(plain) is None and "data-run-on-load" not in plain
    assert f'data-graph-version="{version}"' in plain and 'data-version-parameter="graph-version"' in plain
    for bad in (" ", "x" * 20_001):
        refused = client.get("/", query_string={"query": bad})
        assert refused.status_code == 400 and "query parameter" in refused.get_data(as_text=True)


def test_the_plain_form_makes_a_shared_link_without_javascript(store_dir, tmp_path):
    app = create_app(AppConfig(store_path=store_dir, yasgui_dir=tmp_path))
    client = app.test_client()
    version = client.get("/health").get_json()["graph_version"]
    page = client.get("/").get_data(as_text=True)
    button = re.search(r'<button type="submit" formmethod="get" formaction="([^"]+)" name="([^"]+)" value="([^"]+)"',
                       page)
    assert button and button.groups() == ("/", "graph-version", version)
    # What the browser GETs when that button submits the form: every field, and the button's own.
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    linked = client.get(button[1], query_string={"query": query, "format": "csv", button[2]: button[3]})
    assert linked.status_code == 200
    shown = linked.get_data(as_text=True)
    assert html.unescape(re.search(r'<textarea name="query"[^>]*>(.*?)</textarea>', shown, re.S)[1]) == query
    assert '<option value="csv" selected>' in shown
    assert pinned_notice(shown) == f"This link was made on graph version {version}, the version served here."
    two_lines = client.get("/", query_string={"query": "SELECT *\r\n{ ?s ?p ?o }"}).get_data(as_text=True)
    assert "<textarea name=\"query\" aria-label=\"SPARQL query\" spellcheck=\"false\">SELECT *\n{" in two_lines
    older = client.get("/", query_string={"query": query, "graph-version": "older"}).get_data(as_text=True)
    assert "another version" in pinned_notice(older)
    refused = client.get("/", query_string={"query": query, "format": "pdf"})
    assert refused.status_code == 400 and "unknown format 'pdf'" in refused.get_data(as_text=True)
