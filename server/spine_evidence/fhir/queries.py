"""What the FHIR view reads from the graph: SPARQL through ``spine_evidence.sparql.select``.

Each function runs one SELECT on the store's default graph (the merge of the
named graphs) and gives back plain rows: IRIs and strings as ``str``,
``xsd:integer`` literals as ``int`` and ``xsd:decimal`` literals as
``Decimal``, exactly as the store holds them (``docs/MODEL.md``, "Literals").
Rows are sorted so that the bundle is the same for the same graph.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pyoxigraph as ox

from .. import sparql

XSD = "http://www.w3.org/2001/XMLSchema#"
Value = str | int | Decimal
Row = dict[str, Value]

RESULTS = """
SELECT DISTINCT ?result ?label ?study ?outcome ?arm ?kind ?numerator ?denominator ?percentage ?mean ?count
       ?scale ?unit ?note ?compared ?comparedArm ?sample ?designCode ?designLabel ?designBasis WHERE {
  ?result a se:Result ; rdfs:label ?label ; se:ofStudy ?study ; se:measuresOutcome ?outcome ; se:hasValue ?value .
  ?value a ?class . VALUES (?class ?kind) { (se:Proportion "Proportion") (se:Percentage "Percentage")
                                             (se:Mean "Mean") (se:Count "Count") }
  OPTIONAL { ?result se:arm ?arm }
  OPTIONAL { ?value se:numerator ?numerator } OPTIONAL { ?value se:denominator ?denominator }
  OPTIONAL { ?value se:statedPercentage ?percentage } OPTIONAL { ?value se:meanValue ?mean }
  OPTIONAL { ?value se:count ?count } OPTIONAL { ?value se:scale ?scale } OPTIONAL { ?value se:unit ?unit }
  OPTIONAL { ?result se:hasInconsistency true ; skos:editorialNote ?note }
  OPTIONAL { ?result se:comparedWith|^se:comparedWith ?compared .  # symmetric: stated one way, inferred the other
             OPTIONAL { ?compared se:arm ?comparedArm } }
  OPTIONAL { ?study se:sampleDescription ?sample }
  OPTIONAL { ?result se:ofComponent ?component . ?component se:componentDesign ?design .
             ?design skos:notation ?designCode ; rdfs:label ?designLabel .
             OPTIONAL { ?component se:designBasis ?designBasis } }
} ORDER BY ?result ?compared"""

QUOTES = """
SELECT DISTINCT ?thing ?exact WHERE {
  ?thing se:hasQuote/oa:hasTarget/oa:hasSelector/oa:exact ?exact .
} ORDER BY ?thing ?exact"""

CONTEXT = """
SELECT DISTINCT ?result ?property ?label WHERE {
  ?result a se:Result ; ?p ?o .
  VALUES (?p ?property) { (se:procedure "procedure") (se:timePoint "time point") (se:radiographicView "view")
                          (se:atSite "site") (se:injectateVolumeMl "injectate volume (mL)") }
  OPTIONAL { ?o rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }
  BIND(COALESCE(?l, STR(?o)) AS ?label)
} ORDER BY ?result ?property ?label"""

VARIABLES = """
SELECT DISTINCT ?variable ?role ?label ?comment WHERE {
  { ?r a se:Result ; se:measuresOutcome ?variable . BIND("outcome" AS ?role) }
  UNION { ?r a se:Result ; se:arm ?variable . BIND("arm" AS ?role) }
  ?variable rdfs:label ?label . FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "")
  OPTIONAL { ?variable rdfs:comment ?comment FILTER(LANGMATCHES(LANG(?comment), "en")) }
} ORDER BY ?role ?variable"""

STUDIES = """
SELECT DISTINCT ?study ?number ?label ?strength ?strengthLabel ?identificationNote ?title ?citation ?doi ?pmid WHERE {
  ?study a se:Study ; se:citationNumber ?number ; rdfs:label ?label .
  OPTIONAL { ?study se:identificationStrength ?strength . OPTIONAL { ?strength rdfs:label ?strengthLabel } }
  OPTIONAL { ?study se:identificationNote ?identificationNote }
  OPTIONAL { ?study se:matchedPublication ?pub .
             OPTIONAL { ?pub dct:title ?title } OPTIONAL { ?pub dct:bibliographicCitation ?citation }
             OPTIONAL { ?pub bibo:doi ?doi } OPTIONAL { ?pub bibo:pmid ?pmid } }
} ORDER BY ?number"""

RECOMMENDATIONS = """
SELECT DISTINCT ?rec ?label ?text ?position ?direction ?parent WHERE {
  ?rec a se:Recommendation ; rdfs:label ?label ; se:position ?position .
  OPTIONAL { ?rec se:recommendationText ?text } OPTIONAL { ?rec se:directionCode ?direction }
  OPTIONAL { ?rec se:subRecommendationOf ?parent }
} ORDER BY ?position"""

BASED_ON = """
SELECT DISTINCT ?rec ?statement ?label ?gap ?result WHERE {
  ?rec a se:Recommendation ; se:basedOn ?statement . ?statement rdfs:label ?label .
  BIND(EXISTS { ?statement a se:EvidenceGap } AS ?gap)
  OPTIONAL { ?statement se:hasSupportingEvidenceLine|se:hasDisputingEvidenceLine|se:hasInconclusiveEvidenceLine
                        ?line . ?line se:citesResult ?result }
} ORDER BY ?rec ?statement ?result"""

STATEMENTS = """
SELECT DISTINCT ?statement ?label ?class ?classLabel WHERE {
  ?statement a ?class ; rdfs:label ?label . ?class rdfs:subClassOf* se:Statement .
  FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "")
  FILTER NOT EXISTS { ?statement a se:EvidenceGap }  # a gap has its own assessment (GAPS)
  FILTER NOT EXISTS { ?statement a ?narrower . ?narrower rdfs:subClassOf+ ?class . FILTER(?narrower != ?class) }
  OPTIONAL { ?class rdfs:label ?classLabel FILTER(LANGMATCHES(LANG(?classLabel), "en")) }
} ORDER BY ?statement ?class"""

EVIDENCE_LINES = """
SELECT DISTINCT ?statement ?line ?direction ?lineLabel ?study ?result WHERE {
  ?statement ?property ?line .
  VALUES (?property ?direction) { (se:hasSupportingEvidenceLine "supporting") (se:hasDisputingEvidenceLine "disputing")
                                  (se:hasInconclusiveEvidenceLine "inconclusive") }
  OPTIONAL { ?line rdfs:label ?lineLabel FILTER(LANGMATCHES(LANG(?lineLabel), "en") || LANG(?lineLabel) = "") }
  OPTIONAL { ?line se:fromStudy ?study } OPTIONAL { ?line se:citesResult ?result }
} ORDER BY ?statement ?line ?result"""

STATEMENT_LINKS = """
SELECT DISTINCT ?statement ?property ?phrase ?target ?label WHERE {
  ?statement ?p ?target .
  VALUES (?p ?property ?phrase) { (se:refutedBy "se:refutedBy" "Refuted by")
                                  (se:qualifiedBy "se:qualifiedBy" "Qualified by") }
  ?target rdfs:label ?label . FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "")
} ORDER BY ?statement ?property ?target"""

GAPS = """
SELECT DISTINCT ?gap ?label WHERE { ?gap a se:EvidenceGap ; rdfs:label ?label . } ORDER BY ?gap"""

DOCUMENT = """
SELECT DISTINCT ?doc ?title ?label ?modified WHERE {
  ?doc a se:GuidanceDocument ; dct:title ?title ; rdfs:label ?label .
  OPTIONAL { ?ontology a owl:Ontology ; dct:modified ?modified }
} ORDER BY ?doc DESC(?modified) LIMIT 1"""

AUTHORS = """
SELECT DISTINCT ?position ?name WHERE {
  ?doc a se:GuidanceDocument ; prov:qualifiedAttribution ?a . ?a se:authorPosition ?position ; prov:agent ?agent .
  ?agent rdfs:label ?name .
} ORDER BY ?position"""

RESULT_COUNT = "SELECT (COUNT(DISTINCT ?result) AS ?n) WHERE { ?result a se:Result }"


def term_value(term: object) -> Value:
    """A term as Python: an integer or decimal literal as ``int`` or ``Decimal``, anything else as its string."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype == XSD + "integer":
            return int(term.value)
        if datatype == XSD + "decimal":
            return Decimal(term.value)
        return term.value
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return term.value
    return str(term)


def select(store: ox.Store, query: str) -> list[Row]:
    """The rows of a SELECT: each variable bound in the solution, as :func:`term_value`."""
    solutions = sparql.select(store, query)
    names = [v.value for v in solutions.variables]
    found: list[Row] = []
    for solution in solutions:
        found.append({name: term_value(solution[name]) for name in names if solution[name] is not None})
    return found


def quotes(store: ox.Store) -> dict[str, list[str]]:
    """The ``oa:exact`` words quoted for each result, statement and recommendation."""
    found: dict[str, list[str]] = defaultdict(list)
    for row in select(store, QUOTES):
        found[str(row["thing"])].append(str(row["exact"]))
    return dict(found)


def contexts(store: ox.Store) -> dict[str, list[tuple[str, str]]]:
    """Each result's context (procedure, time point, view, site, volume) as (what, label) pairs."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in select(store, CONTEXT):
        found[str(row["result"])].append((str(row["property"]), str(row["label"])))
    return dict(found)


def result_count(store: ox.Store) -> int:
    """The number of distinct ``se:Result`` nodes."""
    return int(select(store, RESULT_COUNT)[0]["n"])
