"""The vocabulary the query editor completes from: our classes, properties and prefixes, as JSON.

Served at ``/query/vocabulary.json`` for YASGUI's own completers
(``static/query_completion.js``), so that completion never asks an outside
service (YASQE's defaults ask Linked Open Vocabularies). Built with SPARQL,
once per graph version, from three places:

- the ontology graph (``graph:ontology``): every class and property it declares;
- the VoID class and property partitions (:mod:`.dataset_statistics`): every
  class and property the graph uses, with its instance or triple count;
- the SHACL shapes (``shapes/*.ttl``, read with pyoxigraph): every ``sh:path``
  that is a property IRI, and every ``sh:targetClass`` and ``sh:class``.

Each term carries its prefixed name (the predeclared prefixes), its
``rdfs:label`` (English or plain) when the store has one, its count in the
graph and where it was found (``sources``). Terms the graph uses come first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import paths
from ..iris import GRAPH_ONTOLOGY, shorten
from ..sparql import PREDECLARED_PREFIXES, select
from .dataset_statistics import Statistics

OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
ONTOLOGY_CLASSES = f"""SELECT DISTINCT ?term WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{
  ?term a ?kind FILTER(isIRI(?term)) VALUES ?kind {{ <{OWL}Class> <{RDFS}Class> }} }} }}"""
ONTOLOGY_PROPERTIES = f"""SELECT DISTINCT ?term WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{
  ?term a ?kind FILTER(isIRI(?term))
  VALUES ?kind {{ <{OWL}ObjectProperty> <{OWL}DatatypeProperty> <{OWL}AnnotationProperty> <{RDFS}Property> }} }} }}"""
LABELS = f"""SELECT ?term (MIN(STR(?label)) AS ?text) WHERE {{
  VALUES ?term {{ %s }} ?term <{RDFS}label> ?label FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en"))
}} GROUP BY ?term"""
SHAPE_CLASSES = f"""SELECT DISTINCT ?term WHERE {{
  {{ ?shape <{SH}targetClass> ?term }} UNION {{ ?shape <{SH}class> ?term }} FILTER(isIRI(?term)) }}"""
SHAPE_PATHS = f"SELECT DISTINCT ?term WHERE {{ ?shape <{SH}path> ?term FILTER(isIRI(?term)) }}"


@dataclass
class Term:
    """A class or property: its IRI, prefixed name, label, count in the graph and where it was found."""

    iri: str
    sources: list[str] = field(default_factory=list)
    count: int = 0
    label: str | None = None

    def as_json(self, count_name: str) -> dict[str, object]:
        """The JSON object of the term; ``count_name`` is ``instances`` (classes) or ``triples`` (properties)."""
        return {"iri": self.iri, "prefixed": shorten(self.iri, PREDECLARED_PREFIXES), "label": self.label,
                count_name: self.count, "sources": self.sources}


def iris(store: ox.Store, query: str) -> list[str]:
    """The IRIs bound to ``?term`` by ``query``."""
    return [row["term"].value for row in select(store, query) if isinstance(row["term"], ox.NamedNode)]


def shapes_store(folder: Path | None = None) -> ox.Store:
    """The SHACL shapes (every ``*.ttl`` of the shapes folder) in an in-memory store."""
    store = ox.Store()
    for path in sorted((folder or paths.shapes_dir()).glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def gather(terms: dict[str, Term], found: Iterable[str], source: str) -> None:
    """Add ``source`` to each term of ``found`` (creating the term on first sight)."""
    for iri in found:
        term = terms.setdefault(iri, Term(iri))
        if source not in term.sources:
            term.sources.append(source)


def add_labels(store: ox.Store, terms: dict[str, Term]) -> None:
    """Fill in each term's ``rdfs:label`` from the store (one query for all of them)."""
    if not terms:
        return
    values = " ".join(f"<{iri}>" for iri in terms)
    for row in select(store, LABELS % values):
        if row["text"] is not None:
            terms[row["term"].value].label = row["text"].value


def ordered(terms: dict[str, Term], count_name: str) -> list[dict[str, object]]:
    """The terms as JSON, those the graph uses first (most used first), then by prefixed name or IRI."""
    ranked = sorted(terms.values(), key=lambda t: (-t.count, shorten(t.iri, PREDECLARED_PREFIXES) or t.iri))
    return [term.as_json(count_name) for term in ranked]


def build_vocabulary(store: ox.Store, stats: Statistics, shapes: ox.Store) -> dict[str, object]:
    """The vocabulary document of ``store`` (see the module docstring)."""
    classes: dict[str, Term] = {}
    properties: dict[str, Term] = {}
    gather(classes, iris(store, ONTOLOGY_CLASSES), "ontology")
    gather(properties, iris(store, ONTOLOGY_PROPERTIES), "ontology")
    gather(classes, (c for c, _ in stats.class_partitions), "void")
    gather(properties, (p for p, _ in stats.property_partitions), "void")
    gather(classes, iris(shapes, SHAPE_CLASSES), "shapes")
    gather(properties, iris(shapes, SHAPE_PATHS), "shapes")
    for iri, n in stats.class_partitions:
        classes[iri].count = n
    for iri, n in stats.property_partitions:
        properties[iri].count = n
    add_labels(store, classes)
    add_labels(store, properties)
    return {"graph_version": stats.graph_version, "prefixes": PREDECLARED_PREFIXES,
            "classes": ordered(classes, "instances"), "properties": ordered(properties, "triples")}


# Graph version → vocabulary document (the store is read-only; a version names its content).
CACHE: dict[str, dict[str, object]] = {}
_LOCK = threading.Lock()


def vocabulary_for(store: ox.Store, stats: Statistics) -> dict[str, object]:
    """The vocabulary document of ``store`` at ``stats.graph_version``, built once and cached."""
    with _LOCK:
        if stats.graph_version not in CACHE:
            CACHE[stats.graph_version] = build_vocabulary(store, stats, shapes_store())
        return CACHE[stats.graph_version]
