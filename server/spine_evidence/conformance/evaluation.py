"""Running query-evaluation and syntax tests over HTTP.

Every data file is a named graph whose IRI is the file's canonical IRI; the
test's ``qt:data`` becomes ``default-graph-uri`` and its ``qt:graphData``
``named-graph-uri``, unless the query names its own dataset with FROM / FROM
NAMED, which then resolve against the ``BASE`` prepended to the query.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import requests
from rdflib import Graph
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from .endpoint import ServiceUnderTest
from .manifest import QueryEvaluationTest, SyntaxTest
from .outcome import Outcome
from .results import Table, compare, from_query_results, read_csv, read_expected, to_rdflib

NOT_APPLICABLE = {
    "entailment": "needs an entailment regime; the endpoint evaluates simple entailment only",
    "service": "needs SERVICE to remote endpoints, which the test data does not provide",
}
EMPTY_GRAPH = "urn:x-spine-evidence:conformance:empty-graph"
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
CSV = "text/csv"
OWN_BASE = re.compile(r"(?i)(?:^|\s)BASE\s*<")
DATASET_CLAUSE = re.compile(r"(?i)\bFROM\s+(?:NAMED\s+)?(?:<|[A-Za-z][\w.-]*:|:)")
WRAPPERS = {"SelectQuery", "ConstructQuery", "DescribeQuery", "AskQuery", "Project", "Distinct",
            "Reduced", "Slice", "ToMultiSet"}


def with_base(text: str, base_iri: str) -> str:
    """The query text with ``BASE <base_iri>`` prepended, unless it has a BASE of its own."""
    return text if OWN_BASE.search(text) else f"BASE <{base_iri}>\n{text}"


def order_keys(text: str, base_iri: str) -> list[str] | None:
    """The top-level ORDER BY keys that are plain variables, up to the first expression.

    ``None`` when the query has no top-level ORDER BY (or rdflib cannot read it:
    then order is not compared).
    """
    if "ORDER" not in text.upper():
        return None
    try:
        node: CompValue | None = translateQuery(parseQuery(text), base=base_iri).algebra
    except Exception:  # rdflib's parser raises many kinds; order is then not compared
        return None
    while node is not None and node.name != "OrderBy":
        node = node.get("p") if node.name in WRAPPERS else None
    if node is None:
        return None
    keys = []
    for condition in node.expr:
        expression = getattr(condition, "expr", condition)
        if not isinstance(expression, Variable):
            break
        keys.append(str(expression))
    return keys


def run_query_evaluation_test(endpoint: ServiceUnderTest, test: QueryEvaluationTest) -> Outcome:
    """Send one evaluation test's query and compare the response with the expected result."""
    category = f"query-eval/{test.directory}"
    if test.directory in NOT_APPLICABLE:
        return Outcome(test.id, category, "n/a", NOT_APPLICABLE[test.directory])
    try:
        text = test.query.read_text(encoding="utf-8")
        expected = read_expected(test.result, base_iri=test.result_iri)
    except (OSError, SyntaxError, ValueError) as error:  # a broken suite file, not the endpoint's fault
        return Outcome(test.id, category, "fail", f"cannot read the test files: {error}")
    accept = CSV if test.csv else (N_TRIPLES if isinstance(expected, Graph) else RESULTS_JSON)
    default, named = ([], []) if DATASET_CLAUSE.search(text) else (list(test.data) or [EMPTY_GRAPH],
                                                                   list(test.graph_data))
    try:
        response = endpoint.query(with_base(text, test.query_iri), default, named, accept)
    except requests.RequestException as error:
        return Outcome(test.id, category, "fail", f"request failed: {type(error).__name__}")
    if response.status_code != 200:
        return Outcome(test.id, category, "fail", f"HTTP {response.status_code}: {_first_line(response.text)}")
    try:
        actual = read_response(response, accept)
    except (SyntaxError, ValueError, UnicodeDecodeError) as error:  # pyoxigraph raises SyntaxError
        return Outcome(test.id, category, "fail", f"unreadable {accept} response: {error}")
    reason = compare(expected, actual, order_keys(text, test.query_iri))
    return Outcome(test.id, category, "fail" if reason else "pass", reason or "")


def read_response(response: requests.Response, accept: str) -> bool | Table | Graph:
    """Parse a response body in the format asked for, after checking its media type."""
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media_type != accept:
        raise ValueError(f"asked for {accept}, got {media_type or 'no Content-Type'}")
    if accept == CSV:
        return read_csv(response.content)
    if accept == N_TRIPLES:
        return to_rdflib([q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)])
    return from_query_results(ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON))


def _first_line(text: str) -> str:
    """The first non-empty line of an error body, shortened."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines[0] if lines else "(empty body)")[:160]


def run_syntax_test(endpoint: ServiceUnderTest, test: SyntaxTest) -> Outcome:
    """Send one syntax test: positive queries must get 200, negative ones 400.

    Updates go to a read-only service, which must refuse them: a positive update
    passes with 403, a negative one with 400 or 403. A writable endpoint would
    execute them (some LOAD from the network), so they are not applicable there.
    """
    if test.directory == "syntax-fed":
        return Outcome(test.id, test.category, "n/a", "SERVICE: the endpoint would call a remote service")
    if test.category == "syntax-update" and not endpoint.read_only:
        return Outcome(test.id, test.category, "n/a", "would modify the store of a writable endpoint")
    try:
        text = with_base(test.action.read_text(encoding="utf-8"), test.action_iri)
    except UnicodeDecodeError:
        return Outcome(test.id, test.category, "n/a", "the test file is not UTF-8")
    try:
        if test.category == "syntax-update":
            status = endpoint.update(text).status_code
        else:
            status = endpoint.query(text, [], [], RESULTS_JSON + ", " + N_TRIPLES).status_code
    except requests.RequestException as error:
        return Outcome(test.id, test.category, "fail", f"request failed: {type(error).__name__}")
    return _syntax_outcome(test, status, endpoint.read_only)


def _syntax_outcome(test: SyntaxTest, status: int, read_only: bool) -> Outcome:
    """Judge the status code of a syntax test."""
    if test.category == "syntax-update":
        wanted = {403} if test.positive else {400, 403}
        note = "refused by the read-only service" if status == 403 else ""
    else:
        wanted, note = ({200} if test.positive else {400}), ""
    if status in wanted:
        return Outcome(test.id, test.category, "pass", note)
    expected = " or ".join(str(code) for code in sorted(wanted))
    return Outcome(test.id, test.category, "fail", f"expected HTTP {expected}, got {status}")
