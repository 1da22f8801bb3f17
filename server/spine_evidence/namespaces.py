"""The IRIs of the model as rdflib terms: our base, our ontology, and the vocabularies we align to.

See ``docs/MODEL.md`` for the IRI policy. Every IRI is minted once, in
:mod:`.iris` (plain strings, no rdflib: what the endpoint's serving code
reads); here the same namespaces are rdflib ``Namespace`` objects
(``SE.Claim`` is a ``URIRef``) for the code that builds and validates graphs
with rdflib. ``PREFIXES``, ``shorten`` and the other plain names are those of
:mod:`.iris`.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from . import iris
from .iris import (
    BASE,
    ONTOLOGY_IRI,
    ONTOLOGY_VERSION_IRI,
    PREFIXES,
    SOURCE_TEXT_NAME,
    longest_namespace,
    shorten,
    sparql_prologue,
)

__all__ = [
    "AGENT", "BASE", "BIBO", "CITO", "CLAIM", "DCAT", "DCTERMS", "DOC", "DOCUMENT_IRI", "ECO", "FABIO", "GRAPH",
    "GRAPH_FACTFINDER", "GRAPH_INFERRED", "GRAPH_ONTOLOGY", "GRAPH_VOCABULARY", "LINE", "MESH", "MOD", "MP", "NCIT",
    "OA", "OBO", "ONTOLOGY_IRI", "ONTOLOGY_VERSION_IRI", "OUTCOME", "OWL", "PREFIXES", "PROC", "PROV", "PUB",
    "QUOTE", "RDF", "RDFS", "REC", "RESULT", "SD", "SE", "SEPIO", "SH", "SHAPES", "SITE", "SKOS", "SOURCE_TEXT_IRI",
    "SOURCE_TEXT_NAME", "SRC", "STATO", "STUDY", "TECH", "TP", "VALUE", "VIEW", "VOID", "XSD", "longest_namespace",
    "shorten", "sparql_prologue",
]

SE = Namespace(iris.SE.iri)
DOC = Namespace(iris.DOC.iri)
SRC = Namespace(iris.SRC.iri)
AGENT = Namespace(iris.AGENT.iri)
STUDY = Namespace(iris.STUDY.iri)
PUB = Namespace(iris.PUB.iri)
CLAIM = Namespace(iris.CLAIM.iri)
LINE = Namespace(iris.LINE.iri)
RESULT = Namespace(iris.RESULT.iri)
VALUE = Namespace(iris.VALUE.iri)
REC = Namespace(iris.REC.iri)
QUOTE = Namespace(iris.QUOTE.iri)
PROC = Namespace(iris.PROC.iri)
MOD = Namespace(iris.MOD.iri)
TECH = Namespace(iris.TECH.iri)
OUTCOME = Namespace(iris.OUTCOME.iri)
SITE = Namespace(iris.SITE.iri)
TP = Namespace(iris.TP.iri)
VIEW = Namespace(iris.VIEW.iri)
GRAPH = Namespace(iris.GRAPH.iri)
SHAPES = Namespace(iris.SHAPES.iri)

SEPIO = Namespace(iris.SEPIO.iri)
ECO = Namespace(iris.ECO.iri)
STATO = Namespace(iris.STATO.iri)
OBO = Namespace(iris.OBO.iri)
OA = Namespace(iris.OA.iri)
CITO = Namespace(iris.CITO.iri)
FABIO = Namespace(iris.FABIO.iri)
BIBO = Namespace(iris.BIBO.iri)
MESH = Namespace(iris.MESH.iri)
NCIT = Namespace(iris.NCIT.iri)
MP = Namespace(iris.MP.iri)
SH = Namespace(iris.SH.iri)
SD = Namespace(iris.SD.iri)
VOID = Namespace(iris.VOID.iri)
DCAT = Namespace(iris.DCAT.iri)

GRAPH_ONTOLOGY = URIRef(iris.GRAPH_ONTOLOGY)
GRAPH_FACTFINDER = URIRef(iris.GRAPH_FACTFINDER)
GRAPH_VOCABULARY = URIRef(iris.GRAPH_VOCABULARY)
GRAPH_INFERRED = URIRef(iris.GRAPH_INFERRED)

SOURCE_TEXT_IRI = URIRef(iris.SOURCE_TEXT_IRI)
DOCUMENT_IRI = URIRef(iris.DOCUMENT_IRI)
