"""The one validation report: SHACL's results and our own checks', in SHACL's report vocabulary.

Our checks (quotes, numbers, declared terms, literal fidelity, consistency)
report ``sh:ValidationResult`` nodes like pySHACL's, each with a
``sh:sourceShape`` and a ``sh:sourceConstraintComponent`` of our own, minted
under ``shapes:`` (see ``CHECKS``; documented in docs/MODEL.md, "Validation
report"). The Turtle report declares each component it uses
(``sh:ConstraintComponent`` with a label and a comment).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from ..namespaces import BASE, PREFIXES, SH
from .inputs import ox_triple

SHAPES_IRI = BASE + "shapes"
SHAPES_NS = SHAPES_IRI + "#"
SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}
REPORT_FIELDS = (("focus node", SH.focusNode), ("path", SH.resultPath), ("value", SH.value),
                 ("constraint", SH.sourceConstraintComponent), ("message", SH.resultMessage))


@dataclass(frozen=True)
class Check:
    """One of our non-SHACL checks: its source shape and constraint component, and what it checks."""

    name: str
    label: str
    comment: str

    @property
    def shape(self) -> URIRef:
        """``shapes:<Name>Check``: the ``sh:sourceShape`` of its results."""
        return URIRef(SHAPES_NS + self.name + "Check")

    @property
    def component(self) -> URIRef:
        """``shapes:<Name>ConstraintComponent``: the ``sh:sourceConstraintComponent`` of its results."""
        return URIRef(SHAPES_NS + self.name + "ConstraintComponent")


CHECKS: dict[str, Check] = {c.name: c for c in (
    Check("QuoteInSource", "quote found in its source text",
          "Every oa:exact occurs in the source text its target's oa:hasSource names (whitespace collapsed, "
          "line-end hyphens kept or joined)."),
    Check("NumberInQuote", "number stated in its quote",
          "Every number of a result and of its measured value occurs, as a number token, in the exact words "
          "quoted for the result; a percentage as a token followed by '%', a count as one that is not; "
          "the numbers of results that differ by one context (arm, view, site, ...) are in the quote's order."),
    Check("DeclaredTerm", "term declared",
          "Every IRI of the se: namespace is declared in the ontology, and every IRI of our instance "
          "namespaces used as an object is described (is a subject) in the dataset."),
    Check("LiteralFidelity", "literal kept as written",
          "Every typed literal is in the form a pyoxigraph store gives back unchanged (canonical lexical "
          "form and datatype)."),
    Check("Consistency", "consistent with the ontology",
          "HermiT finds the ontology plus the data consistent; when not, the assertions of a smallest "
          "inconsistent part found by narrowing the data down are reported on their nodes."),
)}


class ValidationResult(NamedTuple):
    """One ``sh:ValidationResult``: which node broke which shape, how, and why."""

    focus_node: Node | None  # SHACL requires each of the three; a report without one still reads
    source_shape: Node | None
    constraint_component: Node | None
    message: str


@dataclass(frozen=True)
class Finding:
    """One result of our own checks, before it becomes a ``sh:ValidationResult``."""

    check: str
    focus: Node
    message: str
    path: Node | None = None
    value: Node | None = None
    severity: URIRef = SH.Violation


@dataclass
class ValidationOutcome:
    """What ``validate`` found.

    ``report_graph`` is the ``sh:ValidationReport``; ``report_text`` the
    human-readable report (``format_report``). Warnings and infos are reported
    but do not make ``conforms`` false. ``seconds`` is the time of each step.
    """

    conforms: bool
    report_graph: Graph
    report_text: str
    seconds: dict[str, float] | None = None

    def results(self, severity: URIRef | None = None) -> list[ValidationResult]:
        """The report's results as ``(focus_node, source_shape, constraint_component, message)``.

        Only those of ``severity`` (``sh:Violation``, ``sh:Warning``, ``sh:Info``) when given;
        sorted by severity, shape and focus node.
        """
        return [_result_tuple(self.report_graph, r) for r in result_nodes(self.report_graph, severity)]

    def violations(self) -> list[ValidationResult]:
        """The results of severity ``sh:Violation``."""
        return self.results(SH.Violation)


def findings_report(findings: Sequence[Finding]) -> Graph:
    """Our checks' findings as a ``sh:ValidationReport`` (with each used component declared)."""
    report = Graph()
    node = BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    for finding in findings:
        check = CHECKS[finding.check]
        result = BNode()
        report.add((node, SH.result, result))
        for predicate, value in ((RDF.type, SH.ValidationResult), (SH.focusNode, finding.focus),
                                 (SH.resultPath, finding.path), (SH.value, finding.value),
                                 (SH.resultMessage, Literal(finding.message)),
                                 (SH.resultSeverity, finding.severity),
                                 (SH.sourceShape, check.shape), (SH.sourceConstraintComponent, check.component)):
            if value is not None:
                report.add((result, predicate, value))
    for check in {CHECKS[f.check] for f in findings}:
        report.add((check.component, RDF.type, SH.ConstraintComponent))
        report.add((check.component, RDFS.label, Literal(check.label, lang="en")))
        report.add((check.component, RDFS.comment, Literal(check.comment, lang="en")))
        report.add((check.shape, RDFS.label, Literal(f"check: {check.label}", lang="en")))
        report.add((check.shape, RDFS.seeAlso, check.component))
    report.add((node, SH.conforms, Literal(not any(f.severity == SH.Violation for f in findings))))
    return report


def report_turtle(outcome: ValidationOutcome) -> str:
    """The ``sh:ValidationReport`` as Turtle, every literal as the report holds it.

    Written by pyoxigraph: rdflib's Turtle writer would print the decimal
    ``77`` as ``77.0``, changing the very values the report is about.
    """
    graph = outcome.report_graph
    triples = [ox_triple(t) for t in graph]
    prefixes = {prefix: str(iri) for prefix, iri in graph.namespaces() if prefix}
    turtle = io.BytesIO()
    ox.serialize(triples, turtle, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    return turtle.getvalue().decode("utf-8")


def merge_reports(reports: Sequence[Graph], conforms: bool) -> Graph:
    """One ``sh:ValidationReport`` holding the results of all the passes' reports."""
    merged = Graph()
    for report in reports:
        merged += report
    report_node = BNode()
    for old in set(merged.subjects(RDF.type, SH.ValidationReport)):
        for result in merged.objects(old, SH.result):
            merged.add((report_node, SH.result, result))
        merged.remove((old, None, None))
    merged.add((report_node, RDF.type, SH.ValidationReport))
    merged.add((report_node, SH.conforms, Literal(conforms)))
    bind_prefixes(merged)
    return merged


def format_report(outcome: ValidationOutcome) -> str:
    """A human-readable report: a verdict line, then one paragraph per result.

    Each paragraph names the severity and source shape, then the focus node,
    path, value, constraint component and message, with prefixed names.
    """
    graph, short = outcome.report_graph, _shortener(outcome.report_graph)
    nodes = result_nodes(graph)
    counts = [sum(1 for r in nodes if graph.value(r, SH.resultSeverity) == sev) for sev in SEVERITY_ORDER]
    verdict = "Conforms" if outcome.conforms else "Does not conform"
    lines = [f"{verdict}: {counts[0]} violation(s), {counts[1]} warning(s), {counts[2]} info(s)."]
    for node in nodes:
        severity = short(graph.value(node, SH.resultSeverity)).removeprefix("sh:")
        lines += ["", f"{severity}: {short(graph.value(node, SH.sourceShape))}"]
        for label, predicate in REPORT_FIELDS:
            shown = str if predicate == SH.resultMessage else short
            lines += [f"  {label}: {shown(value)}" for value in sorted(graph.objects(node, predicate), key=str)]
    return "\n".join(lines) + "\n"


def result_nodes(graph: Graph, severity: URIRef | None = None) -> list[Node]:
    """The ``sh:ValidationResult`` nodes, sorted by severity, shape, focus node and path."""
    nodes = [r for r in graph.subjects(RDF.type, SH.ValidationResult)
             if severity is None or graph.value(r, SH.resultSeverity) == severity]

    def key(r: Node) -> tuple[int | str, ...]:
        level = graph.value(r, SH.resultSeverity)
        sev = SEVERITY_ORDER.get(level, 9) if isinstance(level, URIRef) else 9
        return (sev, *(str(graph.value(r, p)) for p in (SH.sourceShape, SH.focusNode, SH.resultPath, SH.value)))

    return sorted(nodes, key=key)


def _result_tuple(graph: Graph, node: Node) -> ValidationResult:
    """One result node as a ``ValidationResult``."""
    focus, shape, component = (graph.value(node, p) for p in (SH.focusNode, SH.sourceShape,
                                                              SH.sourceConstraintComponent))
    return ValidationResult(focus, shape, component, "; ".join(sorted(map(str, graph.objects(node, SH.resultMessage)))))


def _shortener(graph: Graph) -> Callable[[Node | None], str]:
    """A function writing a term as a prefixed name (or ``<iri>``, or a quoted literal)."""
    manager = graph.namespace_manager

    def short(term: Node | None) -> str:
        if term is None:
            return "-"
        if isinstance(term, Literal):
            return term.n3(manager)
        if isinstance(term, URIRef):
            try:
                return manager.normalizeUri(term)
            except Exception:
                return f"<{term}>"
        return _path_text(graph, term, short)

    return short


def _path_text(graph: Graph, term: Node, short: Callable[[Node | None], str]) -> str:
    """A blank node: written as a SHACL property path when it is one, else as ``[]``."""
    inverse = graph.value(term, SH.inversePath)
    if inverse is not None:
        return f"^{short(inverse)}"
    alternatives = graph.value(term, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(short(p) for p in Collection(graph, alternatives)) + ")"
    return "[]"


def bind_prefixes(graph: Graph) -> None:
    """Bind the model's prefixes and ``shapes:`` on the report graph."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    graph.bind("shapes", SHAPES_NS, override=True, replace=True)
