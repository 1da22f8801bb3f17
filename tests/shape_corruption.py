"""What the SHACL corruption tests share: the parsed inputs, single-edit helpers and the check.

A corruption copies a real graph (the shipped one, or the small second document of
``tests/data``), changes one thing and expects ``validate`` to report a violation
from a named shape (``sh:sourceShape``) on a named focus node, with the expected
constraint component where the shape is a core one. The inputs are parsed once per
module (the fixtures of ``shape_fixtures.py``); validation gets the ontology as part
of the data graph, so it is not re-read for every corruption.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from spine_evidence import shacl, validation
from spine_evidence.namespaces import OA, SE, SRC

SHAPE = shacl.SHAPES_NS
DATA = Path(__file__).resolve().parent / "data"
SECOND_DOCUMENT = DATA / "second-document.ttl"


@dataclass(frozen=True)
class Expected:
    """A violation the corruption must cause: the shape, the focus node and (core shapes) the component."""

    shape: str
    focus: URIRef
    component: URIRef | None = None


@dataclass(frozen=True)
class Corruption:
    """One change to a real graph, and the violation(s) it must cause."""

    name: str
    change: Callable[[Graph], None]
    shape: str
    focus: URIRef
    component: URIRef | None = None
    also: Sequence[Expected] = field(default_factory=tuple)

    def expected(self) -> list[Expected]:
        """Every violation this corruption must cause."""
        return [Expected(self.shape, self.focus, self.component), *self.also]


def parse(paths: Sequence[Path]) -> Graph:
    """The triples of ``paths`` in one graph (read as ``validate`` reads them)."""
    graph, _ = shacl.load_data(paths)
    return graph


def shipped_graph() -> Graph:
    """The shipped graph files (the document and the shared vocabulary), without the ontology."""
    return parse(shacl.shipped_data_files()[1])


def second_document_graph() -> Graph:
    """The small second document of ``tests/data`` with the shared vocabulary, without the ontology."""
    vocabulary = [p for p in shacl.shipped_data_files()[1] if p.name == "vocabulary.ttl"]
    assert vocabulary, "graph/vocabulary.ttl is missing"
    return parse([*vocabulary, SECOND_DOCUMENT])


def ontology_graph() -> Graph:
    """The shipped ontology."""
    return parse(shacl.shipped_data_files()[0])


def copy(graph: Graph) -> Graph:
    """A copy of ``graph`` to corrupt."""
    corrupted = Graph()
    corrupted += graph
    return corrupted


def one(graph: Graph, subject=None, predicate=None, obj=None):
    """The one node filling the ``None`` position of the pattern; fails when there is none."""
    found = sorted(graph.triples((subject, predicate, obj)))
    assert found, f"the graph has no triple ({subject}, {predicate}, {obj})"
    s, p, o = found[0]
    return s if subject is None else o if obj is None else p


def replace(graph: Graph, subject, predicate, value) -> None:
    """Set ``subject predicate value``, removing the old values."""
    graph.remove((subject, predicate, None))
    graph.add((subject, predicate, value))


def rename(graph: Graph, old: URIRef, new: URIRef) -> None:
    """Give a node a new IRI everywhere it occurs."""
    for s, p, o in list(graph):
        if old in (s, o):
            graph.remove((s, p, o))
            graph.add((new if s == old else s, p, new if o == old else o))


def selector_of(graph: Graph, thing: URIRef) -> URIRef:
    """The TextQuoteSelector of ``thing``'s quote."""
    return one(graph, target_of(graph, thing), OA.hasSelector)


def target_of(graph: Graph, thing: URIRef) -> URIRef:
    """The SpecificResource that ``thing``'s quote targets."""
    return one(graph, one(graph, thing, SE.hasQuote), OA.hasTarget)


def line_of(graph: Graph, claim: URIRef) -> URIRef:
    """The (first) supporting evidence line of ``claim``."""
    return one(graph, claim, SE.hasSupportingEvidenceLine)


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None) -> shacl.ValidationOutcome:
    """``spine-evidence validate --no-reason`` of ``data`` with the ontology: SHACL and every other check.

    ``ontology`` is added to the data graph; ``None`` when ``data`` already holds it.
    The second document's source text is found beside it in ``tests/data``.
    """
    if ontology is not None:
        data = with_ontology(data, ontology)
    second_text = SECOND_DOCUMENT.with_suffix(".txt")
    quotes_second = (None, OA.hasSource, URIRef(str(SRC) + second_text.name)) in data
    return validation.validate(data, shapes, reason=False, include_ontology=False,
                               sources=[second_text] if quotes_second else [])


def with_ontology(data: Graph, ontology: Graph) -> Graph:
    """A new graph holding ``data`` and ``ontology``."""
    merged = copy(data)
    merged += ontology
    return merged


def assert_reported(corruption: Corruption, original: Graph, shapes: Graph, ontology: Graph) -> None:
    """Corrupt a copy of ``original`` (plus the ontology) and assert every expected violation.

    Each expected violation names its shape and focus node, has the expected constraint
    component, and a message whose ``{$this}``/``{?var}`` placeholders are all filled in
    (a SPARQL constraint's message names the focus node).
    """
    corrupted = with_ontology(original, ontology)
    before = set(corrupted)
    corruption.change(corrupted)
    assert set(corrupted) != before, "the corruption changed nothing"
    outcome = validate(corrupted, shapes)
    assert not outcome.conforms, outcome.report_text
    for expected in corruption.expected():
        hits = [r for r in outcome.violations()
                if r.source_shape == URIRef(SHAPE + expected.shape) and r.focus_node == expected.focus]
        assert hits, f"no violation of {expected.shape} on {expected.focus}:\n{outcome.report_text}"
        if expected.component is not None:
            assert expected.component in {r.constraint_component for r in hits}, outcome.report_text
        for hit in hits:
            assert hit.message, outcome.report_text
            assert "{?" not in hit.message and "{$" not in hit.message, hit.message
            if expected.component in (None, SH.SPARQLConstraintComponent):
                assert str(expected.focus) in hit.message, hit.message
        assert expected.shape in outcome.report_text

