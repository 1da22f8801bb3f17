"""The IRIs of the model: our base, our ontology, and the vocabularies we align to.

See ``docs/MODEL.md`` for the IRI policy. Every name here is minted once and
never changes meaning.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

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

GRAPH_ONTOLOGY = GRAPH.ontology
GRAPH_FACTFINDER = GRAPH.factfinder
GRAPH_VOCABULARY = GRAPH.vocabulary
GRAPH_INFERRED = GRAPH.inferred

SOURCE_TEXT_NAME = "ultrasound-imaging-for-cervical-injections.txt"
SOURCE_TEXT_IRI = SRC[SOURCE_TEXT_NAME]
DOCUMENT_IRI = DOC["factfinder-ultrasound-cervical-injections"]

PREFIXES: dict[str, str] = {
    "se": str(SE),
    "doc": str(DOC),
    "src": str(SRC),
    "agent": str(AGENT),
    "study": str(STUDY),
    "pub": str(PUB),
    "claim": str(CLAIM),
    "line": str(LINE),
    "result": str(RESULT),
    "value": str(VALUE),
    "rec": str(REC),
    "quote": str(QUOTE),
    "proc": str(PROC),
    "mod": str(MOD),
    "tech": str(TECH),
    "outcome": str(OUTCOME),
    "site": str(SITE),
    "tp": str(TP),
    "view": str(VIEW),
    "graph": str(GRAPH),
    "shapes": str(SHAPES),
    "sepio": str(SEPIO),
    "eco": str(ECO),
    "stato": str(STATO),
    "obo": str(OBO),
    "oa": str(OA),
    "prov": str(PROV),
    "dct": str(DCTERMS),
    "cito": str(CITO),
    "fabio": str(FABIO),
    "bibo": str(BIBO),
    "skos": str(SKOS),
    "mesh": str(MESH),
    "ncit": str(NCIT),
    "mp": str(MP),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
}


def sparql_prologue() -> str:
    """``PREFIX`` lines for every prefix above, for queries written by hand."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
