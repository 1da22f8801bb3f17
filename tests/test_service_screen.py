"""The SERVICE screen (a token scan, no parser) and the DESCRIBE queries answered on the request thread.

The screen is also exercised end to end, over HTTP with a canary server that must
see no request, in ``test_safety.py``; here each way of writing a SERVICE target is
checked against the allow-list on its own, with the status and message it gets.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from spine_evidence.iris import PREFIXES
from spine_evidence.web.bounded import bounded
from spine_evidence.web.config import DEFAULT_TIMEOUT
from spine_evidence.web.http_errors import HttpError
from spine_evidence.web.protocol import QueryRequest
from spine_evidence.web.safety import check_services, service_targets

ALLOWED = "http://127.0.0.1:9/sparql"
ESCAPED = ALLOWED.replace("/sparql", "/\\u0073parql")  # the same IRI with a codepoint escape

REFUSED = [  # (query, status, words of the message)
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/other> { ?s ?p ?o } }", 403, "allow-list"),
    ("SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/other> { ?s ?p ?o } }", 403, "allow-list"),
    ("PREFIX c: <http://127.0.0.1:9/> SELECT * WHERE { service c:other { ?s ?p ?o } }", 403, "/other"),
    (f"SELECT * WHERE {{ VALUES ?x {{ <{ALLOWED}> }} SERVICE ?x {{ ?s ?p ?o }} }}", 403, "variable target (?x)"),
    ("SELECT * WHERE { SERVICE $x { ?s ?p ?o } }", 403, "variable target (?x)"),
    ("ASK { SERVICE <file:///etc/passwd> { ?s ?p ?o } }", 403, "file:///etc/passwd"),
    ("SELECT * { SERVICE se:x { } }", 403, PREFIXES["se"] + "x"),  # a predeclared prefix
    ("BASE <http://evil.example/> SELECT * { SERVICE <sparql> { } }", 403, "http://evil.example/sparql"),
    (f"SELECT * {{ SERVICE <{ALLOWED}> {{ }} SERVICE <http://127.0.0.1:9/x> {{ }} }}", 403, "/x>"),
    ("SELECT * { SERVICE { } }", 400, "must be followed by"),
    ("SELECT * { SERVICE nope:x { } }", 400, "undeclared prefix nope:"),
    ("SELECT * { SERVICE", 400, "the end of the query"),
    # A string whose escaped quote the SPARQL reading ends early: that reading sees the SERVICE.
    ('SELECT * { ?s ?p "a\\u0022 x" SERVICE <http://evil.example/\\u0067> { } }', 403, "http://evil.example/g"),
    # pyoxigraph reads <…'\u0067> as one IRI, so the SERVICE after it runs: the raw reading must see it.
    ("SELECT * { <http://x/'\\u0067> ?p ?o SERVICE <http://evil.example/> { } # '\n}", 403, "evil.example"),
]

ALLOWED_QUERIES = [
    f"SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}",
    f"select * where {{ service silent <{ALLOWED}> {{ ?s ?p ?o }} }}",
    "PREFIX c: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE c:sparql { ?s ?p ?o } }",
    "PREFIX c: <http://elsewhere/> PREFIX c: <http://127.0.0.1:9/> SELECT * { SERVICE c:sparql { } }",  # last wins
    "BASE <http://127.0.0.1:9/> SELECT * { SERVICE <sparql> { } }",
    f"SELECT * WHERE {{ SERVICE <{ESCAPED}> {{ ?s ?p ?o }} }}",
]

NO_SERVICE = [
    "SELECT ?service WHERE { ?service a se:Service }",
    "SELECT * WHERE { ?s ?p \"SERVICE <http://evil.example/>\" }",
    "SELECT * WHERE { ?s ?p ?o # SERVICE <http://evil.example/>\n }",
    "SELECT * WHERE { <http://evil.example/SERVICE> ?p se:SERVICE }",
    "SELECT * WHERE { ?s ?p '''SERVICE\n<http://evil.example/>''' }",
]


@pytest.mark.parametrize(("query", "status", "words"), REFUSED)
def test_service_targets_off_the_allow_list_are_refused(query, status, words):
    with pytest.raises(HttpError) as refused:
        check_services(query, (ALLOWED,))
    assert refused.value.status == status
    assert words in refused.value.message


@pytest.mark.parametrize("query", ALLOWED_QUERIES)
def test_a_service_on_the_allow_list_passes(query):
    check_services(query, (ALLOWED,))
    assert service_targets(query) and set(service_targets(query)) == {ALLOWED}


@pytest.mark.parametrize("query", NO_SERVICE)
def test_the_word_service_elsewhere_is_no_service_clause(query):
    assert service_targets(query) == []
    check_services(query, ())


def test_an_empty_allow_list_refuses_every_service():
    with pytest.raises(HttpError) as refused:
        check_services(ALLOWED_QUERIES[0], ())
    assert refused.value.status == 403 and "(empty)" in refused.value.message


# --- DESCRIBE of IRIs: bounded, answered on the request thread ------------------------------

DESCRIBE_BOUNDED = [
    "DESCRIBE <https://w3id.org/spine-evidence/claim/x>",
    "# one claim\nDESCRIBE<https://w3id.org/spine-evidence/claim/x>\n",
    "PREFIX c: <http://e/> describe c:a c:b <http://e/c>",
]
DESCRIBE_NOT_BOUNDED = [
    "DESCRIBE ?x WHERE { ?x ?p ?o }",
    "DESCRIBE <http://e/a> WHERE { }",
    "DESCRIBE <http://e/a> FROM <http://e/g>",
    "DESCRIBE *",
    "DESCRIBE <http://e/a> ?x",
    "DESCRIBE se:a:b",
]


@pytest.mark.parametrize("text", DESCRIBE_BOUNDED)
def test_describe_of_iris_is_bounded(text):
    assert bounded(QueryRequest(text, timeout=DEFAULT_TIMEOUT))
    assert not bounded(QueryRequest(text, timeout=0.5))
    assert not bounded(QueryRequest(text, timeout=DEFAULT_TIMEOUT, default_graphs=("http://e/g",)))


@pytest.mark.parametrize("text", DESCRIBE_NOT_BOUNDED)
def test_describe_with_a_pattern_or_dataset_is_not(text):
    assert not bounded(QueryRequest(text, timeout=DEFAULT_TIMEOUT))


def test_the_describe_check_cannot_be_made_to_backtrack():
    """A long run of prefixed names that fails at its end is refused at once (in a subprocess: a hang fails)."""
    texts = ["DESCRIBE " + "a:bc:de:" * 240 + "!", "DESCRIBE " + "<x> " * 490 + "?"]
    probe = ("from spine_evidence.web.bounded import bounded\n"
             "from spine_evidence.web.config import DEFAULT_TIMEOUT\n"
             "from spine_evidence.web.protocol import QueryRequest\n"
             f"print(sum(bounded(QueryRequest(t[:1999], timeout=DEFAULT_TIMEOUT)) for t in {texts!r}))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
