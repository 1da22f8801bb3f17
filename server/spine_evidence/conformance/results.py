"""Reading expected and actual query results, and comparing them strictly.

Terms are compared as RDF terms (lexical form, datatype, language); a table
that matches only once typed literals are compared by value (``"1.0"`` and
``"1"`` as xsd:decimal, ``"-3"`` as xsd:negativeInteger and xsd:integer) gets
the note ``outcome.VALUES_EQUAL``, so a report can count it either way; blank
nodes are interchangeable through a bijection (an isomorphism check over the
solutions); order is ignored unless ORDER BY keys are given. Graphs are
compared with ``rdflib.compare.isomorphic``. CSV results are lossy, so they
are compared CSV-to-CSV as text cells, blank-node labels interchangeable.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from .outcome import VALUES_EQUAL

RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
DECIMAL_TYPES = {"decimal", "integer", "int", "long", "short", "byte", "nonNegativeInteger",
                 "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt",
                 "unsignedLong", "unsignedShort", "unsignedByte"}
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
MAX_STEPS = 200_000

SUFFIX_RESULTS = {".srx": ox.QueryResultsFormat.XML, ".srj": ox.QueryResultsFormat.JSON,
                   ".tsv": ox.QueryResultsFormat.TSV}
SUFFIX_RDF = {".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML, ".nt": ox.RdfFormat.N_TRIPLES}


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = dict[str, object]  # variable name → term (pyoxigraph's, or a CSV cell's text or blank node)
Bijection = dict[object, object]  # blank node → blank node


@dataclass
class Table:
    """A SELECT result: its variables and its solutions (variable name → term)."""

    variables: frozenset[str]
    rows: list[Row] = field(default_factory=list)


def read_expected(path: Path, base_iri: str) -> bool | Table | Graph:
    """Read an expected-result file: a boolean, a table of solutions or a graph."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path.read_bytes())
    if suffix in SUFFIX_RESULTS:
        return from_query_results(ox.parse_query_results(path=path, format=SUFFIX_RESULTS[suffix]))
    if suffix in SUFFIX_RDF:
        triples = [quad.triple for quad in ox.parse(path=path, format=SUFFIX_RDF[suffix], base_iri=base_iri)]
        return from_result_set(triples) if _is_result_set(triples) else to_rdflib(triples)
    raise ValueError(f"unknown result format {path.name}")


def from_query_results(results: ox.QuerySolutions | ox.QueryBoolean) -> bool | Table:
    """Turn pyoxigraph's parsed results into a boolean or a ``Table``."""
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    variables = [variable.value for variable in results.variables]
    rows: list[Row] = []
    for solution in results:
        rows.append({name: solution[name] for name in variables if solution[name] is not None})
    return Table(frozenset(variables), rows)


def read_csv(content: bytes) -> Table:
    """Read SPARQL CSV results as text cells; ``_:`` cells become blank nodes."""
    reader = csv.reader(io.StringIO(content.decode("utf-8"), newline=""))
    header = next(reader, [])
    rows: list[Row] = []
    for record in reader:
        if record:
            rows.append({name: _csv_cell(value) for name, value in zip(header, record, strict=False) if value != ""})
    return Table(frozenset(header), rows)


def _csv_cell(value: str) -> object:
    """A CSV cell as a comparable value: a blank node for ``_:label``, else the text."""
    return ox.BlankNode(value[2:]) if value.startswith("_:") else value


def _is_result_set(triples: list[ox.Triple]) -> bool:
    """True when an RDF result file encodes a DAWG ``rs:ResultSet``."""
    return any(t.predicate == RDF_TYPE and t.object == ox.NamedNode(RS + "ResultSet") for t in triples)


def from_result_set(triples: list[ox.Triple]) -> bool | Table:
    """Decode the DAWG result-set vocabulary (``rs:solution``/``rs:binding``)."""
    objects: dict[tuple[Term, str], list[Term]] = {}
    for t in triples:
        objects.setdefault((t.subject, t.predicate.value), []).append(t.object)
    result_set = next(t.subject for t in triples if t.object == ox.NamedNode(RS + "ResultSet"))
    boolean = objects.get((result_set, RS + "boolean"))
    if boolean:
        return _lexical(boolean[0]) == "true"
    variables = frozenset(_lexical(v) for v in objects.get((result_set, RS + "resultVariable"), []))
    rows: list[Row] = []
    for solution in objects.get((result_set, RS + "solution"), []):
        row: Row = {}
        for binding in objects.get((solution, RS + "binding"), []):
            row[_lexical(objects[(binding, RS + "variable")][0])] = objects[(binding, RS + "value")][0]
        rows.append(row)
    return Table(variables, rows)


def _lexical(term: Term) -> str:
    """The value of an IRI, a blank node or a literal; a quoted triple's N-Triples form."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def to_rdflib(triples: list[ox.Triple]) -> Graph:
    """Build an rdflib graph from pyoxigraph triples, keeping lexical forms as written."""
    graph = Graph()
    for t in triples:
        graph.add((_rdflib_term(t.subject), _rdflib_term(t.predicate), _rdflib_term(t.object)))
    return graph


def _rdflib_term(term: Term) -> Node:
    """Convert one pyoxigraph term to rdflib without normalising literals."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Triple):
        raise ValueError(f"a quoted triple has no rdflib term: {term}")
    if term.language:
        return Literal(term.value, lang=term.language, normalize=False)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype in (XSD_STRING, LANG_STRING) else datatype,
                   normalize=False)


def compare(expected: bool | Table | Graph, actual: bool | Table | Graph,
            order_keys: list[str] | None = None) -> str | None:
    """Compare results; return ``None`` when they match, else the reason why not."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        if type(expected) is not type(actual):
            return f"expected {type(expected).__name__} result, got {type(actual).__name__}"
        return None if expected == actual else f"expected {expected}, got {actual}"
    if isinstance(expected, Graph) or isinstance(actual, Graph):
        if not (isinstance(expected, Graph) and isinstance(actual, Graph)):
            return "expected a graph and a table, or the reverse"
        if isomorphic(expected, actual):
            return None
        return f"graphs not isomorphic ({len(expected)} expected triples, {len(actual)} returned)"
    return compare_tables(expected, actual, order_keys)


def compare_tables(expected: Table, actual: Table, order_keys: list[str] | None = None) -> str | None:
    """Compare two solution tables; blank nodes through a bijection, order by ``order_keys``."""
    if expected.variables != actual.variables:
        return f"variables differ: expected {sorted(expected.variables)}, got {sorted(actual.variables)}"
    if len(expected.rows) != len(actual.rows):
        return f"expected {len(expected.rows)} solutions, got {len(actual.rows)}"
    if not isomorphic_solutions(expected.rows, actual.rows):
        by_value = _by_value(expected.rows), _by_value(actual.rows)
        if not isomorphic_solutions(*by_value):
            return "solutions differ (compared as RDF terms, blank nodes through a bijection)"
        return (order_keys and _compare_order(*by_value, order_keys)) or VALUES_EQUAL
    if order_keys:
        return _compare_order(expected.rows, actual.rows, order_keys)
    return None


def _compare_order(expected: list[Row], actual: list[Row], keys: list[str]) -> str | None:
    """Compare the sequence of ORDER BY key values, position by position."""
    for index, (left, right) in enumerate(zip(expected, actual, strict=True)):  # as many rows: compare_tables
        for key in keys:
            a, b = left.get(key), right.get(key)
            if isinstance(a, ox.BlankNode) and isinstance(b, ox.BlankNode):
                continue
            if a != b:
                return f"ORDER BY key ?{key} differs at solution {index + 1}: expected {a}, got {b}"
    return None


def _by_value(rows: list[Row]) -> list[Row]:
    """The rows with numeric and boolean literals replaced by their values in their XSD value space."""
    return [{key: _value(term) for key, term in row.items()} for row in rows]


def _value(term: object) -> object:
    """A numeric or boolean literal as (datatype, value); any other term unchanged."""
    if not isinstance(term, ox.Literal) or not term.datatype.value.startswith(XSD):
        return term
    kind = term.datatype.value[len(XSD):]
    try:
        if kind in DECIMAL_TYPES:  # xsd:integer and its derived types share xsd:decimal's value space
            return "decimal", Decimal(term.value)
        if kind in ("float", "double"):
            return kind, float(term.value)
    except (ArithmeticError, ValueError):
        return term
    if kind == "boolean":
        return kind, term.value in ("true", "1")
    return term


def _signature(row: Row) -> tuple[tuple[str, object], ...]:
    """A row with its blank nodes erased: rows that can match share a signature."""
    return tuple(sorted(((k, None if isinstance(v, ox.BlankNode) else v) for k, v in row.items()),
                        key=lambda item: item[0]))


def isomorphic_solutions(expected: list[Row], actual: list[Row]) -> bool:
    """True when some blank-node bijection maps the expected multiset onto the actual one."""
    if Counter(map(_signature, expected)) != Counter(map(_signature, actual)):
        return False
    has_blank = [r for r in expected if any(isinstance(v, ox.BlankNode) for v in r.values())]
    if not has_blank:
        return True
    others = [r for r in actual if any(isinstance(v, ox.BlankNode) for v in r.values())]
    has_blank.sort(key=lambda row: sum(_signature(o) == _signature(row) for o in others))
    return _assign(has_blank, others, 0, set(), {}, {}, [MAX_STEPS])


def _assign(expected: list[Row], actual: list[Row], index: int, used: set[int],
            forward: Bijection, backward: Bijection, budget: list[int]) -> bool:
    """Backtracking search for a row matching consistent with one blank-node bijection."""
    if index == len(expected):
        return True
    budget[0] -= 1
    if budget[0] < 0:
        return False
    row = expected[index]
    for position, candidate in enumerate(actual):
        if position in used:
            continue
        maps = _extend(row, candidate, forward, backward)
        if maps is None:
            continue
        used.add(position)
        if _assign(expected, actual, index + 1, used, maps[0], maps[1], budget):
            return True
        used.discard(position)
    return False


def _extend(row: Row, candidate: Row, forward: Bijection, backward: Bijection) -> tuple[Bijection, Bijection] | None:
    """The bijection extended so that ``row`` maps onto ``candidate``, or ``None``."""
    if row.keys() != candidate.keys():
        return None
    forward, backward = dict(forward), dict(backward)
    for key, left in row.items():
        right = candidate[key]
        if isinstance(left, ox.BlankNode) != isinstance(right, ox.BlankNode):
            return None
        if not isinstance(left, ox.BlankNode):
            if left != right:
                return None
            continue
        if forward.setdefault(left, right) != right or backward.setdefault(right, left) != left:
            return None
    return forward, backward
