"""Reading the W3C SPARQL 1.1 test manifests into plain test records.

The manifests use relative IRIs and no ``@base``; each is parsed with its
canonical IRI (``SUITE_BASE`` + its path in the suite) as the base, so every
query, data and result file gets the IRI the W3C published it under. Data
files are loaded as named graphs with exactly those IRIs, and a query sent
with ``BASE <its own canonical IRI>`` resolves ``FROM <data.ttl>`` to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from ..errors import SpineEvidenceError

SUITE_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
TOP_MANIFEST = "manifest-all.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

EVALUATION_TYPES = {MF.QueryEvaluationTest, MF.CSVResultFormatTest}
SYNTAX_TYPES = {
    MF.PositiveSyntaxTest11: ("syntax-query", True),
    MF.NegativeSyntaxTest11: ("syntax-query", False),
    MF.PositiveUpdateSyntaxTest11: ("syntax-update", True),
    MF.NegativeUpdateSyntaxTest11: ("syntax-update", False),
}
PROTOCOL_TYPES = {MF.ProtocolTest: "protocol", MF.GraphStoreProtocolTest: "graph-store"}


class SuiteError(SpineEvidenceError):
    """The test suite is missing or a manifest cannot be read."""


@dataclass(frozen=True)
class QueryEvaluationTest:
    """One ``mf:QueryEvaluationTest`` (or ``mf:CSVResultFormatTest``)."""

    id: str
    directory: str
    name: str
    query: Path
    query_iri: str
    data: tuple[str, ...]
    graph_data: tuple[str, ...]
    result: Path
    result_iri: str
    csv: bool


@dataclass(frozen=True)
class SyntaxTest:
    """One positive or negative query or update syntax test."""

    id: str
    directory: str
    category: str
    positive: bool
    action: Path
    action_iri: str


@dataclass(frozen=True)
class ProtocolTest:
    """One protocol or Graph Store Protocol test: its graphs and its ``ht:Request`` list."""

    id: str
    category: str
    name: str
    requires: tuple[str, ...]
    graph_data: tuple[tuple[str, Path], ...]
    connection: Node | None  # the test's mf:action, an ht:Connection
    graph: Graph


@dataclass(frozen=True)
class Suite:
    """The ``sparql11`` folder of the W3C RDF tests and its canonical IRIs."""

    root: Path

    def iri(self, path: Path) -> str:
        """The canonical IRI of a file of the suite."""
        return SUITE_BASE + path.resolve().relative_to(self.root.resolve()).as_posix()

    def path(self, iri: str) -> Path:
        """The local file of a canonical IRI."""
        if not iri.startswith(SUITE_BASE):
            raise SuiteError(f"{iri} is not a file of the test suite")
        return self.root / iri[len(SUITE_BASE):]

    def manifest(self, relative: str) -> Graph:
        """Parse the manifest at ``relative`` with its canonical IRI as base."""
        location = self.root / relative
        if not location.is_file():
            raise SuiteError(f"no manifest {location}")
        graph = Graph()
        try:
            graph.parse(location, format="turtle", publicID=self.iri(location))
        except Exception as error:  # rdflib raises many kinds on bad Turtle
            raise SuiteError(f"cannot read {location}: {error}") from error
        return graph

    def included_manifests(self) -> list[str]:
        """The sub-manifests listed by ``manifest-all.ttl``, in order."""
        top = self.manifest(TOP_MANIFEST)
        subject = URIRef(self.iri(self.root / TOP_MANIFEST))
        head = top.value(subject, MF.include)
        if head is None:
            raise SuiteError(f"{self.root / TOP_MANIFEST} includes no manifests (no mf:include)")
        return [self.path(str(item)).relative_to(self.root).as_posix() for item in Collection(top, head)]


def open_suite(root: Path) -> Suite:
    """Return the suite at ``root``; raise ``SuiteError`` when it is not there."""
    if not (root / TOP_MANIFEST).is_file():
        raise SuiteError(f"no W3C SPARQL 1.1 test suite at {root} (expected {TOP_MANIFEST})")
    return Suite(root)


def entries(graph: Graph, suite: Suite, relative: str) -> list[URIRef]:
    """The ``mf:entries`` of a manifest, in order."""
    subject = URIRef(suite.iri(suite.root / relative))
    head = graph.value(subject, MF.entries)
    items = [] if head is None else list(Collection(graph, head))
    tests = [item for item in items if isinstance(item, URIRef)]
    if len(tests) != len(items):
        raise SuiteError(f"{suite.root / relative}: an mf:entries item is not an IRI")
    return tests


def test_id(relative: str, test: URIRef) -> str:
    """A short id: the manifest's folder and the test's local name (``bind/bind01``)."""
    folder = relative.rsplit("/", 1)[0]
    local = str(test).rsplit("#", 1)[-1]
    return f"{folder}/{local}"


def query_evaluation_tests(suite: Suite) -> list[QueryEvaluationTest]:
    """Every query-evaluation test of every included manifest."""
    tests = []
    for relative in suite.included_manifests():
        graph = suite.manifest(relative)
        for test in entries(graph, suite, relative):
            if graph.value(test, RDF.type) in EVALUATION_TYPES:
                tests.append(_evaluation_test(graph, suite, relative, test))
    return tests


def _evaluation_test(graph: Graph, suite: Suite, relative: str, test: URIRef) -> QueryEvaluationTest:
    """Build one evaluation test record from its manifest entry."""
    action = graph.value(test, MF.action)
    query = str(graph.value(action, QT.query))
    result = str(graph.value(test, MF.result))
    graph_data = []
    for item in graph.objects(action, QT.graphData):
        graph_data.append(str(graph.value(item, UT.graph) if isinstance(item, BNode) else item))
    return QueryEvaluationTest(
        id=test_id(relative, test),
        directory=relative.rsplit("/", 1)[0],
        name=str(graph.value(test, MF.name) or ""),
        query=suite.path(query),
        query_iri=query,
        data=tuple(sorted(str(item) for item in graph.objects(action, QT.data))),
        graph_data=tuple(sorted(graph_data)),
        result=suite.path(result),
        result_iri=result,
        csv=graph.value(test, RDF.type) == MF.CSVResultFormatTest,
    )


def syntax_tests(suite: Suite) -> list[SyntaxTest]:
    """Every query and update syntax test of every included manifest.

    An update file (``.ru``) makes an update syntax test whatever its type says
    (the update manifests use ``mf:NegativeSyntaxTest11`` for some).
    """
    tests = []
    for relative in suite.included_manifests():
        graph = suite.manifest(relative)
        for test in entries(graph, suite, relative):
            test_type = graph.value(test, RDF.type)
            kind = SYNTAX_TYPES.get(test_type) if isinstance(test_type, URIRef) else None
            if kind is None:
                continue
            action = str(graph.value(test, MF.action))
            category = "syntax-update" if action.endswith(".ru") else kind[0]
            tests.append(SyntaxTest(test_id(relative, test), relative.rsplit("/", 1)[0],
                                    category, kind[1], suite.path(action), action))
    return tests


def protocol_tests(suite: Suite) -> list[ProtocolTest]:
    """Every Protocol and Graph Store Protocol test, with its request graph."""
    tests = []
    for relative in ("protocol/manifest.ttl", "graph-store-protocol/manifest-indirect.ttl",
                     "graph-store-protocol/manifest-direct.ttl"):
        graph = suite.manifest(relative)
        for test in entries(graph, suite, relative):
            test_type = graph.value(test, RDF.type)
            category = PROTOCOL_TYPES.get(test_type) if isinstance(test_type, URIRef) else None
            if category is not None:
                tests.append(_protocol_test(graph, suite, relative, test, category))
    return tests


def _protocol_test(graph: Graph, suite: Suite, relative: str, test: URIRef, category: str) -> ProtocolTest:
    """Build one protocol test record; its requests stay in the manifest graph."""
    graph_data = []
    for item in graph.objects(test, UT.graphData):
        graph_data.append((str(graph.value(item, RDFS.label)), suite.path(str(graph.value(item, UT.graph)))))
    requires = tuple(sorted(str(item).rsplit("#", 1)[-1] for item in graph.objects(test, MF.requires)))
    return ProtocolTest(
        id=test_id(relative, test),
        category=category,
        name=str(graph.value(test, MF.name) or ""),
        requires=requires,
        graph_data=tuple(sorted(graph_data)),
        connection=graph.value(test, MF.action),
        graph=graph,
    )
