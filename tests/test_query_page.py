"""The query page: the dataset in a sentence, YASGUI or the plain form, the example queries.

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
from spine_evidence.namespaces import SE
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
    assert "new Yasgui(" in page and "<textarea" not in page
    assert "http://localhost/sparql" in page
    for name, kind in (("yasgui.min.js", "javascript"), ("yasgui.min.css", "css")):
        response = client.get(f"/yasgui/{name}")
        assert response.status_code == 200 and kind in response.mimetype
        assert response.get_data() == (yasgui_build / name).read_bytes()
    assert not re.search(r'(src|href)="https?://(?!localhost)', page), "the page must not load anything from elsewhere"


def test_plain_form_when_yasgui_is_absent_and_it_posts_to_the_endpoint(store_dir, tmp_path):
    app = create_app(AppConfig(store_path=store_dir, yasgui_dir=tmp_path))
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "new Yasgui(" not in page and client.get("/yasgui/yasgui.min.js").status_code == 404
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
