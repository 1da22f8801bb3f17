"""Reasoning with owlready2 and HermiT: consistency and the inferred statements.

owlready2 does not read Turtle, so each call writes the graph as N-Triples
into its own temporary folder and loads it into a fresh in-memory owlready2
``World`` (no global quadstore, no file left behind). HermiT (Java 17; Pellet
does not run on it) checks consistency, classifies the classes and
properties, and realises the individuals.

HermiT reports only the most specific types of each individual and the
direct class and property hierarchy; :func:`infer` completes them, so SPARQL
clients need no reasoner: each individual gets every named superclass of its
types (e.g. a study with ``se:studyDesign se:randomised-trial`` becomes a
``se:RandomisedTrial`` and so a ``sepio:0000069``), and each object or data
property assertion gets its super-properties (``se:hasEvidenceLine`` from
``se:hasSupportingEvidenceLine``), its inverses and, for a symmetric
property, its converse. What was asserted, and ``owl:Thing`` /
``owl:NamedIndividual`` memberships, are left out.
"""

from __future__ import annotations

import glob
import io
import os
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import owlready2
from owlready2.base import OwlReadyInconsistentOntologyError, OwlReadyJavaError
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from .errors import SpineEvidenceError, one_line
from .sources import bind_prefixes

# owlready2's name for the ontology it writes HermiT's conclusions into; never published.
INFERENCES_IRI = "urn:spine-evidence:inferences#"
SCHEMA_NAMESPACES = (str(OWL), str(RDF), str(RDFS), str(XSD))
HIERARCHY = (RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty)

# owlready2 writes HermiT's input with tempfile and leaks it when HermiT fails;
# it is pointed at the call's own folder, one call at a time.
_TEMPDIR_LOCK = threading.Lock()


class ReasonerError(SpineEvidenceError, RuntimeError):
    """HermiT could not run: no Java, or Java failed. The message is one line."""


class InconsistentGraph(SpineEvidenceError, ValueError):
    """The ontology plus graph is inconsistent: nothing can be inferred from it."""


@dataclass(frozen=True)
class ConsistencyResult:
    """HermiT's verdict on a graph.

    ``unsatisfiable`` lists classes that can have no member (a modelling
    error, though the graph is still consistent); ``seconds`` is HermiT's
    run time, JVM start included.
    """

    consistent: bool
    message: str
    unsatisfiable: tuple[str, ...] = ()
    seconds: float = 0.0

    def __bool__(self) -> bool:
        return self.consistent


@dataclass(frozen=True)
class Reasoning:
    """One HermiT run: the verdict and the inferred triples (empty when inconsistent)."""

    consistency: ConsistencyResult
    inferred: Graph = field(default_factory=Graph)
    seconds: float = 0.0


def find_java() -> str:
    """The Java executable HermiT runs on: owlready2's setting, ``JAVA_HOME``, ``PATH``, ``/usr/lib/jvm``.

    Raises ``ReasonerError`` when there is none.
    """
    home = os.environ.get("JAVA_HOME")
    candidates: list[str] = [owlready2.JAVA_EXE, *([os.path.join(home, "bin", "java")] if home else []), "java"]
    candidates += sorted(glob.glob("/usr/lib/jvm/*/bin/java"), reverse=True)
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    raise ReasonerError("Java not found: HermiT needs a Java runtime (17 works); install one or set JAVA_HOME")


def check_consistency(graph: Graph) -> ConsistencyResult:
    """Whether ``graph`` (ontology plus data) is consistent, according to HermiT."""
    return reason(graph, property_values=False).consistency


def infer(graph: Graph) -> Graph:
    """The triples HermiT entails from ``graph`` that ``graph`` does not assert.

    Raises ``InconsistentGraph`` when ``graph`` is inconsistent.
    """
    result = reason(graph)
    if not result.consistency:
        raise InconsistentGraph(result.consistency.message)
    return result.inferred


def reason(graph: Graph, *, property_values: bool = True) -> Reasoning:
    """Run HermiT once on ``graph``: its consistency and, if consistent, the inferred triples."""
    started = time.perf_counter()
    conclusions, hermit_seconds = run_hermit(graph, property_values=property_values)
    if conclusions is None:
        message = "ontology plus graph is inconsistent (HermiT): some individual or axiom contradicts the ontology"
        return Reasoning(ConsistencyResult(False, message, (), hermit_seconds), Graph(), time.perf_counter() - started)
    unsatisfiable = tuple(sorted(str(c) for c in conclusions.subjects(OWL.equivalentClass, OWL.Nothing)))
    message = "consistent" if not unsatisfiable else f"consistent, but {len(unsatisfiable)} unsatisfiable class(es)"
    verdict = ConsistencyResult(True, message, unsatisfiable, hermit_seconds)
    inferred = complete(graph, conclusions)
    return Reasoning(verdict, inferred, time.perf_counter() - started)


def run_hermit(graph: Graph, *, property_values: bool) -> tuple[Graph | None, float]:
    """HermiT's conclusions about ``graph`` as the triples owlready2 adds, and HermiT's run time.

    The conclusions are ``None`` when the graph is inconsistent.
    """
    java = find_java()
    with tempfile.TemporaryDirectory(prefix="spine-evidence-hermit-") as folder:
        source = Path(folder) / "input.nt"
        write_owl_input(graph, source)
        world = owlready2.World()
        try:
            load_world(world, source)
            inferences = world.get_ontology(INFERENCES_IRI)
            started = time.perf_counter()
            try:
                with owlready_tempdir(folder):
                    owlready2.JAVA_EXE = java
                    owlready2.sync_reasoner_hermit(
                        inferences, infer_property_values=property_values, debug=0,
                        ignore_unsupported_datatypes=True,
                    )
            except OwlReadyInconsistentOntologyError:
                return None, time.perf_counter() - started
            except (OwlReadyJavaError, OSError) as error:
                raise ReasonerError(f"HermiT failed: {one_line(error)}") from None
            return ontology_triples(inferences), time.perf_counter() - started
        finally:
            world.close()


def load_world(world: owlready2.World, source: Path) -> None:
    """Load the N-Triples file ``source`` into ``world``; owlready2's errors become ``ReasonerError``."""
    try:
        world.get_ontology(source.as_uri()).load()
    except owlready2.OwlReadyError as error:
        raise ReasonerError(f"owlready2 cannot load the graph: {one_line(error)}") from None


@contextmanager
def owlready_tempdir(folder: str) -> Iterator[None]:
    """Make ``tempfile`` write into ``folder`` for the duration (owlready2 uses the default temp dir)."""
    with _TEMPDIR_LOCK:
        saved, tempfile.tempdir = tempfile.tempdir, folder
        try:
            yield
        finally:
            tempfile.tempdir = saved


def write_owl_input(graph: Graph, path: Path) -> None:
    """Write ``graph`` as N-Triples for owlready2, without ``owl:imports`` (nothing is fetched)."""
    local = Graph()
    for triple in graph:
        if triple[1] != OWL.imports:
            local.add(triple)
    local.serialize(destination=str(path), format="nt", encoding="utf-8")


def ontology_triples(ontology: owlready2.Ontology) -> Graph:
    """The triples of one owlready2 ontology, as an rdflib ``Graph``."""
    buffer = io.BytesIO()
    ontology.save(buffer, format="ntriples")
    return Graph().parse(data=buffer.getvalue().decode("utf-8"), format="nt")


def complete(asserted: Graph, conclusions: Graph) -> Graph:
    """HermiT's conclusions completed with every entailed type and property value, minus ``asserted``."""
    both = Graph()
    for triple in asserted:
        both.add(triple)
    for triple in conclusions:
        if useful(triple):
            both.add(triple)
    inferred = bind_prefixes(Graph())
    for triple in (*class_memberships(both), *property_values(both), *both):
        if triple not in asserted and useful(triple):
            inferred.add(triple)
    return inferred


def useful(triple: tuple[Node, Node, Node]) -> bool:
    """False for trivial or internal conclusions: ``owl:Thing``/``owl:Nothing``/owl:NamedIndividual, owlready2's own."""
    subject, predicate, obj = triple
    if str(subject).startswith(INFERENCES_IRI.rstrip("#")):
        return False
    if predicate == RDF.type or predicate in HIERARCHY:
        return isinstance(obj, URIRef) and not schema_term(obj) and not schema_term(subject)
    return True


def schema_term(term: object) -> bool:
    """True for the terms of OWL, RDF, RDFS and XSD themselves."""
    return isinstance(term, URIRef) and str(term).startswith(SCHEMA_NAMESPACES)


def ancestors(links: dict[URIRef, set[URIRef]]) -> dict[URIRef, set[URIRef]]:
    """The transitive closure of ``links`` (child → parents), each node excluded from its own set."""
    closure: dict[URIRef, set[URIRef]] = {}
    for start in links:
        seen: set[URIRef] = set()
        todo = list(links[start])
        while todo:
            node = todo.pop()
            if node not in seen and node != start:
                seen.add(node)
                todo.extend(links.get(node, ()))
        closure[start] = seen
    return closure


def hierarchy(graph: Graph, sub: URIRef, equivalent: URIRef) -> dict[URIRef, set[URIRef]]:
    """Named child → named parents, from ``sub`` links and ``equivalent`` links (both ways)."""
    links: dict[URIRef, set[URIRef]] = defaultdict(set)
    for child, parent in graph.subject_objects(sub):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            links[child].add(parent)
    for one, other in graph.subject_objects(equivalent):
        if isinstance(one, URIRef) and isinstance(other, URIRef):
            links[one].add(other)
            links[other].add(one)
    return links


def class_memberships(graph: Graph) -> Iterator[tuple[Node, URIRef, URIRef]]:
    """``x rdf:type C`` for every named superclass ``C`` of every named type of every ``x``."""
    superclasses = ancestors(hierarchy(graph, RDFS.subClassOf, OWL.equivalentClass))
    for individual, cls in list(graph.subject_objects(RDF.type)):
        if isinstance(cls, URIRef) and not schema_term(cls):
            for parent in superclasses.get(cls, ()):
                yield individual, RDF.type, parent


def property_values(graph: Graph) -> Graph:
    """Assertions entailed by super-properties, inverses and symmetric properties, to a fixpoint."""
    declared = set(graph.subjects(RDF.type, OWL.ObjectProperty)) | set(graph.subjects(RDF.type, OWL.DatatypeProperty))
    supers = ancestors(hierarchy(graph, RDFS.subPropertyOf, OWL.equivalentProperty))
    inverses = hierarchy(graph, OWL.inverseOf, OWL.inverseOf)
    symmetric = set(graph.subjects(RDF.type, OWL.SymmetricProperty))
    derived = Graph()
    todo = [t for t in graph.triples((None, None, None)) if t[1] in declared]
    while todo:
        subject, predicate, obj = todo.pop()
        if not isinstance(predicate, URIRef):  # never: rdflib parses predicates as IRIs only
            continue
        entailed = [(subject, parent, obj) for parent in supers.get(predicate, ())]
        if isinstance(obj, (URIRef, BNode)):
            entailed += [(obj, inverse, subject) for inverse in inverses.get(predicate, ())]
            entailed += [(obj, predicate, subject)] if predicate in symmetric else []
        for triple in entailed:
            if triple not in graph and triple not in derived:
                derived.add(triple)
                todo.append(triple)
    return derived
