"""pySHACL validation of the graph against the shipped shapes, and its reports.

The data graph is the ontology plus the graph (so ``sh:class`` and
``sh:targetClass`` follow the ontology's ``rdfs:subClassOf``). Validation runs
in two passes whose reports are merged into one ``sh:ValidationReport``:

- the core constraints on an rdflib ``Graph``: exact literals, so
  ``sh:datatype xsd:integer`` is checked as written (a pyoxigraph ``Store``
  canonicalises ``"7"^^xsd:int`` to ``xsd:integer`` and ``77.0`` to ``77``,
  so it cannot check datatypes);
- the node shapes with SHACL-SPARQL constraints on a pyoxigraph ``Store``,
  handed to pySHACL as is: its SPARQL engine is what makes validation fast
  (rdflib's takes seconds per thousand triples for these queries).

With pySHACL inference (anything but ``none``) one pass on rdflib does it all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Union

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from . import sources
from .namespaces import BASE, GRAPH_ONTOLOGY, PREFIXES, SH

SHAPES_IRI = BASE + "shapes"
SHAPES_NS = SHAPES_IRI + "#"
INFERENCE_CHOICES = ("none", "rdfs", "owlrl", "both")
SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}
REPORT_FIELDS = (("focus node", SH.focusNode), ("path", SH.resultPath), ("value", SH.value),
                 ("constraint", SH.sourceConstraintComponent), ("message", SH.resultMessage))
TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
# What a SHACL-SPARQL node shape keeps in the SPARQL pass: its targets and its SPARQL constraints.
SPARQL_PASS_KEEP = {RDF.type, SH.sparql, SH.severity, SH.deactivated, SH.message, *TARGET_PREDICATES}

DataInput = Union[Graph, Sequence[Union[str, Path]]]


class ValidationInputError(ValueError):
    """A data or shapes file that cannot be read or parsed; the message is one line."""


class ValidationResult(NamedTuple):
    """One ``sh:ValidationResult``: which node broke which shape, how, and why."""

    focus_node: Node
    source_shape: Node
    constraint_component: Node
    message: str


@dataclass
class ValidationOutcome:
    """What ``validate`` found.

    ``report_graph`` is the ``sh:ValidationReport``; ``report_text`` the
    human-readable report (``format_report``). Warnings and infos are reported
    but do not make ``conforms`` false.
    """

    conforms: bool
    report_graph: Graph
    report_text: str

    def results(self, severity: URIRef | None = None) -> list[ValidationResult]:
        """The report's results as ``(focus_node, source_shape, constraint_component, message)``.

        Only those of ``severity`` (``sh:Violation``, ``sh:Warning``, ``sh:Info``) when given;
        sorted by severity, shape and focus node.
        """
        return [_result_tuple(self.report_graph, r) for r in _result_nodes(self.report_graph, severity)]

    def violations(self) -> list[ValidationResult]:
        """The results of severity ``sh:Violation``."""
        return self.results(SH.Violation)


def shipped_data_files() -> tuple[list[Path], list[Path]]:
    """The shipped ontology files and graph files: what ``validate`` checks by default."""
    try:
        found = sources.source_files()
    except sources.SourceError as error:
        raise ValidationInputError(str(error)) from None
    ontology = [f.path for f in found if f.graph == GRAPH_ONTOLOGY]
    return ontology, [f.path for f in found if f.graph != GRAPH_ONTOLOGY]


def load_shapes(file: str | Path | None = None) -> Graph:
    """Parse a SHACL shapes file into an rdflib graph (default: the shipped shapes).

    Raises ``ValidationInputError`` (one line, naming the file) on a bad file.
    """
    if file is None:
        try:
            return sources.shapes_graph()
        except sources.SourceError as error:
            raise ValidationInputError(str(error)) from None
    graph = Graph()
    _parse_into(graph, None, Path(file))
    return graph


def load_data(files: Iterable[str | Path], graph: Graph | None = None,
              store: ox.Store | None = None) -> tuple[Graph, ox.Store]:
    """Parse RDF files (syntax from the extension) into an rdflib graph and an in-memory store.

    Raises ``ValidationInputError`` (one line, naming the file) when a file is
    missing, unreadable, of an unknown kind or not valid RDF.
    """
    graph, store = Graph() if graph is None else graph, ox.Store() if store is None else store
    for file in files:
        _parse_into(graph, store, Path(file))
    return graph, store


def validate(
    data: DataInput | None = None,
    shapes: Graph | None = None,
    *,
    inference: str = "none",
    include_ontology: bool = True,
) -> ValidationOutcome:
    """Validate the data (default: the shipped ontology and graph) against the shapes.

    ``data`` is an rdflib ``Graph`` or a list of RDF files; it replaces the
    shipped graph, and the shipped ontology is added to it unless
    ``include_ontology`` is false. ``shapes`` defaults to the shipped shapes.
    ``inference`` is pySHACL's (``none``, ``rdfs``, ``owlrl``, ``both``).
    """
    if inference not in INFERENCE_CHOICES:
        raise ValueError(f"unknown inference {inference!r}; expected one of {INFERENCE_CHOICES}")
    graph, store = data_graphs(data, include_ontology=include_ontology)
    shapes_graph = shapes if shapes is not None else load_shapes()
    if inference != "none":
        passes = [(graph, shapes_graph)]
    else:
        core, sparql = split_shapes(shapes_graph)
        passes = [(graph, core), (store, sparql)]
    reports = [_run_pyshacl(data_graph, shapes_pass, inference) for data_graph, shapes_pass in passes]
    conforms = all(c for c, _ in reports)
    report_graph = merge_reports([r for _, r in reports], conforms)
    outcome = ValidationOutcome(conforms, report_graph, "")
    outcome.report_text = format_report(outcome)
    return outcome


def data_graphs(data: DataInput | None = None, *, include_ontology: bool = True) -> tuple[Graph, ox.Store]:
    """The data to validate (default: the shipped graph) plus the ontology, as a graph and a store."""
    ontology_files, graph_files = shipped_data_files() if data is None or include_ontology else ([], [])
    graph, store = load_data(ontology_files if include_ontology else [])
    if data is None:
        return load_data(graph_files, graph, store)
    if isinstance(data, Graph):
        graph += data
        store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        return graph, store
    return load_data(data, graph, store)


def split_shapes(shapes: Graph) -> tuple[Graph, Graph]:
    """Split a shapes graph into the core pass's shapes and the SPARQL pass's shapes.

    The node shapes with ``sh:sparql`` (and no ``sh:path``) go to the SPARQL
    pass, stripped of every other constraint; every other shape loses its
    targets there. The core pass gets everything but those SPARQL constraints.
    """
    sparql_shapes = {s for s in shapes.subjects(SH.sparql, None) if (s, SH.path, None) not in shapes}
    core, sparql = Graph(), Graph()
    core += shapes
    sparql += shapes
    for shape in sparql_shapes:
        core.remove((shape, SH.sparql, None))
        for p, o in shapes.predicate_objects(shape):
            if p not in SPARQL_PASS_KEEP and str(p).startswith(str(SH)):
                sparql.remove((shape, p, o))
    for shape in _shape_nodes(shapes) - sparql_shapes:
        sparql.remove((shape, RDF.type, SH.NodeShape))
        for predicate in TARGET_PREDICATES:
            sparql.remove((shape, predicate, None))
    return core, sparql


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
    _bind_prefixes(merged)
    return merged


def _run_pyshacl(data_graph: Graph | ox.Store, shapes: Graph, inference: str) -> tuple[bool, Graph]:
    """One pySHACL run; ``ValidationInputError`` when pySHACL rejects the shapes."""
    conforms, report_graph, _ = pyshacl.validate(
        data_graph, shacl_graph=shapes, inference=inference, advanced=True,
        allow_warnings=True, allow_infos=True, inplace=True,
    )
    if not isinstance(report_graph, Graph):  # pySHACL's ValidationFailure: the shapes are unusable
        raise ValidationInputError(f"cannot validate with these shapes: {_one_line(report_graph)}")
    return bool(conforms), report_graph


def _shape_nodes(shapes: Graph) -> set[Node]:
    """Every node that is a shape: typed as one, with a target, or with a path."""
    predicates = (SH.path, *TARGET_PREDICATES)
    return set(shapes.subjects(RDF.type, SH.NodeShape)) | {s for p in predicates for s in shapes.subjects(p, None)}


def format_report(outcome: ValidationOutcome) -> str:
    """A human-readable report: a verdict line, then one paragraph per result.

    Each paragraph names the severity and source shape, then the focus node,
    path, value, constraint component and message, with prefixed names.
    """
    graph, short = outcome.report_graph, _shortener(outcome.report_graph)
    nodes = _result_nodes(graph)
    counts = [sum(1 for r in nodes if graph.value(r, SH.resultSeverity) == sev) for sev in SEVERITY_ORDER]
    verdict = "Conforms" if outcome.conforms else "Does not conform"
    lines = [f"{verdict}: {counts[0]} violation(s), {counts[1]} warning(s), {counts[2]} info(s)."]
    for node in nodes:
        severity = short(graph.value(node, SH.resultSeverity)).removeprefix("sh:")
        lines += ["", f"{severity}: {short(graph.value(node, SH.sourceShape))}"]
        for label, predicate in REPORT_FIELDS:
            shown = str if predicate == SH.resultMessage else short
            lines += [f"  {label}: {shown(value)}" for value in sorted(graph.objects(node, predicate))]
    return "\n".join(lines) + "\n"


def _result_nodes(graph: Graph, severity: URIRef | None = None) -> list[Node]:
    """The ``sh:ValidationResult`` nodes, sorted by severity, shape, focus node and path."""
    nodes = [r for r in graph.subjects(RDF.type, SH.ValidationResult)
             if severity is None or graph.value(r, SH.resultSeverity) == severity]

    def key(r: Node) -> tuple:
        sev = SEVERITY_ORDER.get(graph.value(r, SH.resultSeverity), 9)
        return (sev, *(str(graph.value(r, p)) for p in (SH.sourceShape, SH.focusNode, SH.resultPath, SH.value)))

    return sorted(nodes, key=key)


def _result_tuple(graph: Graph, node: Node) -> ValidationResult:
    """One result node as a ``ValidationResult``."""
    focus, shape, component = (graph.value(node, p) for p in (SH.focusNode, SH.sourceShape,
                                                              SH.sourceConstraintComponent))
    return ValidationResult(focus, shape, component, "; ".join(sorted(map(str, graph.objects(node, SH.resultMessage)))))


def _shortener(graph: Graph):
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


def _path_text(graph: Graph, term: Node, short) -> str:
    """A blank node: written as a SHACL property path when it is one, else as ``[]``."""
    inverse = graph.value(term, SH.inversePath)
    if inverse is not None:
        return f"^{short(inverse)}"
    alternatives = graph.value(term, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(short(p) for p in Collection(graph, alternatives)) + ")"
    return "[]"


def _bind_prefixes(graph: Graph) -> None:
    """Bind the model's prefixes and ``shapes:`` on the report graph."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    graph.bind("shapes", SHAPES_NS, override=True, replace=True)


def _parse_into(graph: Graph, store: ox.Store | None, path: Path) -> None:
    """Parse one RDF file with Oxigraph's parser, into ``graph`` and ``store``.

    Oxigraph parses (its errors name the line and column) and writes N-Triples
    for rdflib, so both get exactly the same triples, literals as written.
    """
    suffix = path.suffix.lstrip(".").lower()
    rdf_format = ox.RdfFormat.from_extension(suffix) if suffix else None
    if rdf_format is None:
        raise ValidationInputError(f"cannot read {path}: unknown RDF file extension {path.suffix or '(none)'!r}")
    try:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=path, format=rdf_format)]
    except OSError as error:
        raise ValidationInputError(f"cannot read {path}: {error.strerror or error}") from None
    except (SyntaxError, ValueError) as error:
        raise ValidationInputError(f"cannot parse {path}: {_one_line(error)}") from None
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    if store is not None:
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)


def _one_line(error: BaseException) -> str:
    """An exception's message on one line."""
    return " ".join(str(error).split()) or type(error).__name__
