"""Read what each nanopublication says from the pyoxigraph store, through SPARQL.

Every triple comes from ``graph:factfinder`` (and the ontology's metadata from
``graph:ontology``) as the store gives it back, so numbers keep the lexical
form and datatype the graph states (``docs/MODEL.md``, "Literals"); inferred
triples are left out, so a nanopublication is the same with or without
reasoning. Terms become rdflib terms without normalisation (``normalize=False``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, XSD
from rdflib.term import Node

from ..sparql import select
from .model import KINDS, PART_LINKS, PROVENANCE_PREDICATES, NanopubError

Triple = tuple[URIRef, URIRef, Node]

SUBJECTS = """
SELECT DISTINCT ?subject ?kind WHERE {
  VALUES ?kind { %s }
  GRAPH graph:factfinder { ?subject a ?class }
  GRAPH graph:ontology { ?class rdfs:subClassOf* ?kind }
} ORDER BY ?subject"""

TRIPLES = "SELECT ?p ?o WHERE { GRAPH graph:factfinder { %s ?p ?o } } ORDER BY ?p ?o"

PARTS = """
SELECT DISTINCT ?part WHERE {
  GRAPH graph:factfinder { %s ?link ?part . ?part a ?class }
  GRAPH graph:ontology { ?link rdfs:subPropertyOf* %s . ?class rdfs:subClassOf* %s }
} ORDER BY ?part"""

QUOTE_NODES = """
SELECT DISTINCT ?node WHERE {
  GRAPH graph:factfinder { %s se:hasQuote ?quote . ?quote (oa:hasTarget/oa:hasSelector?)? ?node }
} ORDER BY ?node"""

CREATORS = "SELECT ?creator WHERE { GRAPH graph:factfinder { %s dct:creator ?creator } } ORDER BY ?creator"

ONTOLOGY_METADATA = """
SELECT ?created ?license ?creator WHERE {
  GRAPH graph:ontology {
    ?ontology a owl:Ontology ; dct:modified ?created ; dct:license ?license ; dct:creator ?creator
  }
}"""


@dataclass(frozen=True)
class Publication:
    """What the publication info of every nanopublication states: date, licence, creator (the ontology's)."""

    created: Literal
    license: URIRef
    creator: Node


@dataclass(frozen=True)
class Subject:
    """One claim or result and the triples of its assertion and provenance graphs (the nanopub's own IRIs aside)."""

    iri: URIRef
    kind: URIRef
    assertion: list[Triple]
    provenance: list[Triple]
    document: URIRef
    document_creators: list[Node]


def term(value: object) -> Node:
    """The rdflib term of a pyoxigraph term, literals with their lexical form and datatype unchanged."""
    if isinstance(value, ox.NamedNode):
        return URIRef(value.value)
    if isinstance(value, ox.Literal):
        if value.language:
            return Literal(value.value, lang=value.language)
        if value.datatype.value == str(XSD.string):
            return Literal(value.value)
        return Literal(value.value, datatype=URIRef(value.datatype.value), normalize=False)
    raise NanopubError(f"a nanopublication cannot hold the term {value} (blank nodes and quoted triples are not used)")


def value(node: object) -> str:
    """The IRI or lexical form of a pyoxigraph term; ``""`` for the default graph and a quoted triple."""
    return str(getattr(node, "value", ""))


def iri(value: object) -> URIRef:
    """The IRI of a pyoxigraph term that must be one."""
    node = term(value)
    if not isinstance(node, URIRef):
        raise NanopubError(f"expected an IRI, found the literal {value}")
    return node


def rows(store: ox.Store, text: str) -> list[ox.QuerySolution]:
    """The solutions of a SELECT query."""
    return list(select(store, text))


def triples_of(store: ox.Store, node: URIRef) -> list[Triple]:
    """Every triple of ``graph:factfinder`` whose subject is ``node``."""
    return [(node, iri(row["p"]), term(row["o"])) for row in rows(store, TRIPLES % node.n3())]


def parts_of(store: ox.Store, subject: URIRef) -> list[URIRef]:
    """The nodes that belong in ``subject``'s assertion (its measured values, its evidence lines)."""
    found: list[URIRef] = []
    for link, part_class in PART_LINKS:
        found += [iri(row["part"]) for row in rows(store, PARTS % (subject.n3(), link.n3(), part_class.n3()))]
    return found


def quote_nodes(store: ox.Store, subject: URIRef) -> list[URIRef]:
    """``subject``'s quote annotations with their targets and selectors."""
    return [iri(row["node"]) for row in rows(store, QUOTE_NODES % subject.n3())]


def read_subject(store: ox.Store, subject: URIRef, kind: URIRef) -> Subject:
    """The assertion and provenance triples of one claim or result."""
    own = triples_of(store, subject)
    assertion = [t for t in own if t[1] not in PROVENANCE_PREDICATES]
    provenance = [t for t in own if t[1] in PROVENANCE_PREDICATES]
    for part in parts_of(store, subject):
        assertion += triples_of(store, part)
    for node in quote_nodes(store, subject):
        provenance += triples_of(store, node)
    documents = sorted({o for _, p, o in provenance if p == PROV.wasDerivedFrom and isinstance(o, URIRef)})
    if len(documents) != 1:
        raise NanopubError(f"{subject} is derived from {len(documents)} documents; a nanopublication needs exactly one")
    document = documents[0]
    creators = [term(row["creator"]) for row in rows(store, CREATORS % document.n3())]
    return Subject(subject, kind, assertion, provenance, document, creators)


def read_subjects(store: ox.Store) -> list[Subject]:
    """Every claim and result of the graph, in IRI order."""
    kinds = " ".join(kind.n3() for kind in KINDS)
    return [read_subject(store, iri(row["subject"]), iri(row["kind"])) for row in rows(store, SUBJECTS % kinds)]


def read_publication(store: ox.Store) -> Publication:
    """The ontology's ``dct:modified``, ``dct:license`` and ``dct:creator``: the nanopublications' publication info."""
    found = rows(store, ONTOLOGY_METADATA)
    if len(found) != 1:
        raise NanopubError(f"the store has {len(found)} ontologies with one dct:modified, dct:license and dct:creator;"
                           " nanopublications need exactly one (their date, licence and creator)")
    created = term(found[0]["created"])
    if not isinstance(created, Literal):
        raise NanopubError(f"the ontology's dct:modified is not a date: {created}")
    return Publication(created, iri(found[0]["license"]), term(found[0]["creator"]))
