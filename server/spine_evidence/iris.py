"""The IRIs of the model as plain strings: the one place each namespace is minted, without rdflib.

See ``docs/MODEL.md`` for the IRI policy. Every name here is minted once and
never changes meaning. The endpoint's serving code reads its IRIs from here,
so that a serving worker never imports rdflib (about 30 MB and 30 ms per
process); :mod:`.namespaces` wraps the same IRIs as rdflib ``Namespace``
objects (``SE.Claim`` a ``URIRef``) for the code that builds and validates
graphs with rdflib. Here ``SE.Claim`` and ``SE["Claim"]`` are plain ``str``.
"""

from __future__ import annotations

from collections.abc import Mapping


class Namespace:
    """A namespace IRI; ``NS.term`` and ``NS["term"]`` are the IRIs of its terms, as plain strings."""

    __slots__ = ("iri",)

    def __init__(self, iri: str) -> None:
        self.iri = iri

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.iri + name

    def __getitem__(self, name: str) -> str:
        return self.iri + name

    def __str__(self) -> str:
        return self.iri

    def __repr__(self) -> str:
        return f"Namespace({self.iri!r})"


BASE = "https://w3id.org/spine-evidence/"
ONTOLOGY_IRI = BASE + "ontology"
ONTOLOGY_VERSION_IRI = BASE + "ontology/0.1.0"

SE = Namespace(ONTOLOGY_IRI + "#")
DOC = Namespace(BASE + "document/")
SRC = Namespace(BASE + "source/")
AGENT = Namespace(BASE + "agent/")
STUDY = Namespace(BASE + "study/")
PUB = Namespace(BASE + "publication/")
CLAIM = Namespace(BASE + "claim/")
LINE = Namespace(BASE + "evidence-line/")
RESULT = Namespace(BASE + "result/")
VALUE = Namespace(BASE + "value/")
REC = Namespace(BASE + "recommendation/")
QUOTE = Namespace(BASE + "quote/")
PROC = Namespace(BASE + "procedure/")
MOD = Namespace(BASE + "modality/")
TECH = Namespace(BASE + "technique/")
OUTCOME = Namespace(BASE + "outcome/")
SITE = Namespace(BASE + "site/")
TP = Namespace(BASE + "time-point/")
VIEW = Namespace(BASE + "view/")
GRAPH = Namespace(BASE + "graph/")
SHAPES = Namespace(BASE + "shapes#")

SEPIO = Namespace("http://purl.obolibrary.org/obo/SEPIO_")
ECO = Namespace("http://purl.obolibrary.org/obo/ECO_")
STATO = Namespace("http://purl.obolibrary.org/obo/STATO_")
OBO = Namespace("http://purl.obolibrary.org/obo/")
OA = Namespace("http://www.w3.org/ns/oa#")
CITO = Namespace("http://purl.org/spar/cito/")
FABIO = Namespace("http://purl.org/spar/fabio/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
MESH = Namespace("http://id.nlm.nih.gov/mesh/")
NCIT = Namespace("http://purl.obolibrary.org/obo/NCIT_")
MP = Namespace("http://purl.org/mp/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
# The W3C and DCMI namespaces rdflib predefines (rdflib.namespace), as plain IRIs.
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")

GRAPH_ONTOLOGY = GRAPH.ontology
GRAPH_FACTFINDER = GRAPH.factfinder
GRAPH_VOCABULARY = GRAPH.vocabulary
GRAPH_INFERRED = GRAPH.inferred

SOURCE_TEXT_NAME = "ultrasound-imaging-for-cervical-injections.txt"
SOURCE_TEXT_IRI = SRC[SOURCE_TEXT_NAME]
DOCUMENT_IRI = DOC["factfinder-ultrasound-cervical-injections"]

PREFIXES: dict[str, str] = {
    prefix: str(namespace) for prefix, namespace in (
        ("se", SE), ("doc", DOC), ("src", SRC), ("agent", AGENT), ("study", STUDY), ("pub", PUB),
        ("claim", CLAIM), ("line", LINE), ("result", RESULT), ("value", VALUE), ("rec", REC), ("quote", QUOTE),
        ("proc", PROC), ("mod", MOD), ("tech", TECH), ("outcome", OUTCOME), ("site", SITE), ("tp", TP),
        ("view", VIEW), ("graph", GRAPH), ("shapes", SHAPES), ("sepio", SEPIO), ("eco", ECO), ("stato", STATO),
        ("obo", OBO), ("oa", OA), ("prov", PROV), ("dct", DCTERMS), ("cito", CITO), ("fabio", FABIO),
        ("bibo", BIBO), ("skos", SKOS), ("mesh", MESH), ("ncit", NCIT), ("mp", MP), ("owl", OWL), ("rdf", RDF),
        ("rdfs", RDFS), ("xsd", XSD), ("sh", SH),
    )
}


def sparql_prologue() -> str:
    """``PREFIX`` lines for every prefix above, for queries written by hand."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def longest_namespace(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> tuple[str, str] | None:
    """The prefix and namespace of ``prefixes`` that ``iri`` starts with, or ``None``.

    The longest such namespace wins; the IRI must be longer (a namespace IRI itself is not shortened).
    """
    return max(((p, ns) for p, ns in prefixes.items() if iri.startswith(ns) and len(iri) > len(ns)),
               key=lambda pair: len(pair[1]), default=None)


def shorten(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str | None:
    """``iri`` as the prefixed name ``prefix:local`` with its longest namespace in ``prefixes``, or ``None``."""
    found = longest_namespace(iri, prefixes)
    return None if found is None else f"{found[0]}:{iri[len(found[1]):]}"
