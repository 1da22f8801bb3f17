"""pySHACL validation of the data against the shapes: core constraints and SHACL-SPARQL.

The data graph is the ontology plus the data (so ``sh:class`` and
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

import pyoxigraph as ox
import pyshacl
from pyshacl.graph_abstraction import DataGraph  # how pyshacl.validate wraps a pyoxigraph Store
from rdflib import Graph
from rdflib.namespace import RDF
from rdflib.term import Node

from ..errors import one_line
from ..namespaces import SH
from .inputs import DataInput, Inputs, ValidationInputError, load_shapes, read_inputs
from .report import ValidationOutcome, format_report, merge_reports

INFERENCE_CHOICES = ("none", "rdfs", "owlrl", "both")
TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
# What a SHACL-SPARQL node shape keeps in the SPARQL pass: its targets and its SPARQL constraints.
SPARQL_PASS_KEEP = {RDF.type, SH.sparql, SH.severity, SH.deactivated, SH.message, *TARGET_PREDICATES}


def validate(data: DataInput | None = None, shapes: Graph | None = None, *, inference: str = "none",
             include_ontology: bool = True) -> ValidationOutcome:
    """SHACL only: validate the data (default: the shipped graph) against the shapes.

    ``data`` is an rdflib ``Graph`` or a list of RDF files; it replaces the
    shipped document, and the shipped ontology and shared vocabulary are added
    unless ``include_ontology`` is false. ``spine_evidence.validation.validate``
    runs this and every other check.
    """
    inputs = read_inputs(data, include_ontology=include_ontology)
    conforms, report_graph = shacl_report(inputs, shapes, inference)
    outcome = ValidationOutcome(conforms, report_graph, "")
    outcome.report_text = format_report(outcome)
    return outcome


def shacl_report(inputs: Inputs, shapes: Graph | None = None, inference: str = "none") -> tuple[bool, Graph]:
    """pySHACL's verdict and merged ``sh:ValidationReport`` on the parsed inputs."""
    if inference not in INFERENCE_CHOICES:
        raise ValueError(f"unknown inference {inference!r}; expected one of {INFERENCE_CHOICES}")
    shapes_graph = shapes if shapes is not None else load_shapes()
    passes: list[tuple[Graph | ox.Store, Graph]]
    if inference != "none":
        passes = [(inputs.graph, shapes_graph)]
    else:
        core, sparql = split_shapes(shapes_graph)
        passes = [(inputs.graph, core), (inputs.store, sparql)]
    reports = [run_pyshacl(data_graph, shapes_pass, inference) for data_graph, shapes_pass in passes]
    conforms = all(c for c, _ in reports)
    return conforms, merge_reports([r for _, r in reports], conforms)


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
    for shape in shape_nodes(shapes) - sparql_shapes:
        sparql.remove((shape, RDF.type, SH.NodeShape))
        for predicate in TARGET_PREDICATES:
            sparql.remove((shape, predicate, None))
    return core, sparql


def run_pyshacl(data_graph: Graph | ox.Store, shapes: Graph, inference: str) -> tuple[bool, Graph]:
    """One pySHACL run; ``ValidationInputError`` when pySHACL rejects the shapes."""
    data = DataGraph.from_oxigraph_store(data_graph) if isinstance(data_graph, ox.Store) else data_graph
    conforms, report_graph, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference=inference, advanced=True,
        allow_warnings=True, allow_infos=True, inplace=inference == "none",
    )
    if not isinstance(report_graph, Graph):  # pySHACL's ValidationFailure: the shapes are unusable
        raise ValidationInputError(f"cannot validate with these shapes: {one_line(report_graph)}")
    return bool(conforms), report_graph


def shape_nodes(shapes: Graph) -> set[Node]:
    """Every node that is a shape: typed as one, with a target, or with a path."""
    predicates = (SH.path, *TARGET_PREDICATES)
    return set(shapes.subjects(RDF.type, SH.NodeShape)) | {s for p in predicates for s in shapes.subjects(p, None)}
