"""The layers behind a recommendation, read from the store by SPARQL: the model of the recommendation pages.

Recommendation → sub-recommendations → statements and evidence gaps it is
``se:basedOn`` → evidence lines with their direction → the study of each
line (design, citation number, publication, match strength) and the results
the line cites (counts as the graph states them) → the quotes (``oa:exact``)
of the recommendation, each statement and each result. One query per layer,
each scoped by ``VALUES`` to the nodes of the layer above, all through
:func:`spine_evidence.sparql.select` on the store the app serves (local or
``serve --backend``); nothing here names this document's particulars.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import sparql

Row = dict[str, str]

# Direction of a sub-recommendation link, in either form the graph may state it.
SUB = "(se:hasSubRecommendation|^se:subRecommendationOf)"
LINE = "(se:hasSupportingEvidenceLine|se:hasDisputingEvidenceLine|se:hasInconclusiveEvidenceLine|se:hasEvidenceLine)"

RECOMMENDATIONS = """SELECT DISTINCT ?rec ?label ?text ?position ?direction ?parent ?parentLabel ?document
  ?documentLabel WHERE {
  %s
  ?rec a se:Recommendation .
  OPTIONAL { ?rec rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }
  OPTIONAL { ?rec se:recommendationText ?text }
  OPTIONAL { ?rec se:position ?position }
  OPTIONAL { ?rec se:directionCode ?direction }
  OPTIONAL { ?parent %s ?rec OPTIONAL { ?parent rdfs:label ?parentLabel } }
  OPTIONAL { ?rec prov:wasDerivedFrom ?document OPTIONAL { ?document rdfs:label ?documentLabel } }
} ORDER BY ?document ?position ?rec"""

STATEMENTS = """SELECT DISTINCT ?rec ?st ?label ?kind ?kindLabel WHERE {
  VALUES ?rec { %s }
  ?rec se:basedOn ?st .
  OPTIONAL { ?st rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }
  OPTIONAL { ?st a ?kind . ?kind rdfs:subClassOf* se:Statement .
    FILTER NOT EXISTS { ?st a ?narrower . ?narrower rdfs:subClassOf+ ?kind FILTER(?narrower != ?kind) }
    OPTIONAL { ?kind rdfs:label ?kindLabel FILTER(LANGMATCHES(LANG(?kindLabel), "en")) } }
} ORDER BY ?st"""

LINES = """SELECT DISTINCT ?st ?line ?label ?direction ?directionLabel ?basisLabel ?typeLabel ?study WHERE {
  VALUES ?st { %s }
  ?st %s ?line .
  OPTIONAL { ?line rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }
  OPTIONAL { ?line se:evidenceDirection ?direction OPTIONAL { ?direction rdfs:label ?directionLabel } }
  OPTIONAL { ?line se:lineBasis/rdfs:label ?basisLabel }
  OPTIONAL { ?line se:evidenceType/rdfs:label ?typeLabel }
  OPTIONAL { ?line se:fromStudy ?study }
} ORDER BY ?st ?line"""

STUDIES = """SELECT DISTINCT ?study ?label ?number ?designLabel ?comment ?strength ?strengthLabel ?publication
  ?title ?citation ?doi ?pmid WHERE {
  VALUES ?study { %s }
  OPTIONAL { ?study rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }
  OPTIONAL { ?study se:citationNumber ?number }
  OPTIONAL { ?study se:studyDesign/rdfs:label ?designLabel }
  OPTIONAL { ?study rdfs:comment ?comment }
  OPTIONAL { ?study se:identificationStrength ?strength OPTIONAL { ?strength rdfs:label ?strengthLabel } }
  OPTIONAL { ?study se:matchedPublication ?publication
    OPTIONAL { ?publication dct:title ?title } OPTIONAL { ?publication dct:bibliographicCitation ?citation }
    OPTIONAL { ?publication bibo:doi ?doi } OPTIONAL { ?publication bibo:pmid ?pmid } }
}"""

RESULTS = """SELECT DISTINCT ?line ?result ?label ?outcomeLabel ?partLabel ?armLabel ?timeLabel ?viewLabel ?numerator
  ?denominator ?percentage ?mean ?scale ?unit ?count ?note WHERE {
  VALUES ?line { %s }
  ?line se:citesResult ?result .
  OPTIONAL { ?result rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }
  OPTIONAL { ?result se:measuresOutcome/rdfs:label ?outcomeLabel }
  OPTIONAL { ?result se:ofComponent/rdfs:label ?partLabel }
  OPTIONAL { ?result se:arm/rdfs:label ?armLabel }
  OPTIONAL { ?result se:timePoint/rdfs:label ?timeLabel }
  OPTIONAL { ?result se:radiographicView/rdfs:label ?viewLabel }
  OPTIONAL { ?result se:hasValue ?value
    OPTIONAL { ?value se:numerator ?numerator } OPTIONAL { ?value se:denominator ?denominator }
    OPTIONAL { ?value se:statedPercentage ?percentage } OPTIONAL { ?value se:meanValue ?mean }
    OPTIONAL { ?value se:scale ?scale } OPTIONAL { ?value se:unit ?unit } OPTIONAL { ?value se:count ?count } }
  OPTIONAL { ?result se:hasInconsistency true ; skos:editorialNote ?note }
} ORDER BY ?line ?result"""

QUOTES = """SELECT DISTINCT ?thing ?quote ?exact ?source WHERE {
  VALUES ?thing { %s }
  ?thing se:hasQuote ?quote .
  ?quote oa:hasTarget ?target . ?target oa:hasSelector/oa:exact ?exact .
  OPTIONAL { ?target oa:hasSource ?source }
} ORDER BY ?thing ?quote"""

FACTS = """SELECT DISTINCT ?p ?pLabel ?o ?oLabel ?isIri WHERE {
  <%s> ?p ?o . BIND(isIRI(?o) AS ?isIri)
  OPTIONAL { ?p rdfs:label ?pLabel FILTER(LANGMATCHES(LANG(?pLabel), "en") || LANG(?pLabel) = "") }
  OPTIONAL { ?o rdfs:label ?oLabel FILTER(LANGMATCHES(LANG(?oLabel), "en") || LANG(?oLabel) = "") }
} ORDER BY ?p ?o"""


@dataclass(eq=False)
class Quote:
    """An annotation quoting the source: its IRI, ``oa:exact`` and the source it selects from."""

    iri: str
    exact: str
    source: str | None = None


@dataclass(eq=False)
class Result:
    """A result a line cites: its labels, context and the numbers of its value as the graph states them."""

    iri: str
    row: Row
    quotes: list[Quote] = field(default_factory=list)


@dataclass(eq=False)
class Study:
    """A study a line comes from: citation number, design, match strength and publication identifiers."""

    iri: str
    row: Row


@dataclass(eq=False)
class Line:
    """An evidence line: its direction, what it rests on, its study and the results it cites."""

    iri: str
    row: Row
    study: Study | None = None
    results: list[Result] = field(default_factory=list)


@dataclass(eq=False)
class Statement:
    """A statement (claim, gap, author statement…) a recommendation is based on, with its lines and quotes."""

    iri: str
    row: Row
    lines: list[Line] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)


@dataclass(eq=False)
class Recommendation:
    """A recommendation with its sub-recommendations, the statements behind it and its quotes."""

    iri: str
    row: Row
    parent: str | None = None
    subs: list[Recommendation] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)


def rows(store: ox.Store, query: str) -> list[Row]:
    """The solutions of ``query`` as ``{variable: lexical value}``, unbound variables left out."""
    solutions = sparql.select(store, query)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None and not isinstance(s[n], ox.Triple)}
            for s in solutions]


def values(iris: Iterable[str]) -> str:
    """The IRIs as the body of a ``VALUES`` block (sorted, each once)."""
    return " ".join(f"<{iri}>" for iri in sorted(set(iris)))


def scope(top: str | None) -> str:
    """The pattern binding ``?rec``: every recommendation, or ``top`` and the recommendations under it."""
    return "" if top is None else f"<{top}> {SUB}* ?rec ."


def recommendations(store: ox.Store, top: str | None = None) -> list[Recommendation]:
    """The recommendation ``top`` (or every top-level one) as a tree, each layer filled; ``[]`` if none."""
    found: dict[str, Recommendation] = {}
    for row in rows(store, RECOMMENDATIONS % (scope(top), SUB)):
        rec = found.setdefault(row["rec"], Recommendation(row["rec"], row))
        rec.parent = rec.parent or row.get("parent")
    if not found:
        return []
    statements = fill_statements(store, found)
    add_quotes(store, {**{i: r.quotes for i, r in found.items()}, **statements})
    attached = {rec.iri for rec in found.values() if rec.iri != top and attach(found, rec, top)}
    if top is not None:
        return [found[top]] if top in found else []
    return [rec for rec in found.values() if rec.iri not in attached]


def attach(found: dict[str, Recommendation], rec: Recommendation, top: str | None) -> bool:
    """Put ``rec`` among its parent's sub-recommendations unless that closes a cycle; whether it was put there."""
    line, iri = set(), rec.parent
    while iri in found and iri not in line:  # the parent and its own parents, up to the top
        line.add(iri)
        iri = None if iri == top else found[iri].parent
    if rec.parent not in found or rec.iri in line:
        return False
    found[rec.parent].subs.append(rec)
    return True


def fill_statements(store: ox.Store, recs: dict[str, Recommendation]) -> dict[str, list[Quote]]:
    """Attach the statements behind each recommendation, with their lines; their quote lists by IRI."""
    statements: dict[str, Statement] = {}
    for row in rows(store, STATEMENTS % values(recs)):
        statement = statements.setdefault(row["st"], Statement(row["st"], row))
        if statement not in recs[row["rec"]].statements:
            recs[row["rec"]].statements.append(statement)
    results = fill_lines(store, statements) if statements else {}
    return {**{i: s.quotes for i, s in statements.items()}, **results}


def fill_lines(store: ox.Store, statements: dict[str, Statement]) -> dict[str, list[Quote]]:
    """Attach each statement's evidence lines with their studies and results; the results' quote lists."""
    lines: dict[str, Line] = {}
    for row in rows(store, LINES % (values(statements), LINE)):
        line = lines.setdefault(row["line"], Line(row["line"], row))
        if line not in statements[row["st"]].lines:
            statements[row["st"]].lines.append(line)
    studies = {row["study"]: Study(row["study"], row)
               for row in rows(store, STUDIES % values(line.row["study"] for line in lines.values()
                                                       if "study" in line.row))} if lines else {}
    for line in lines.values():
        line.study = studies.get(line.row.get("study", ""))
    results: dict[str, Result] = {}
    for row in rows(store, RESULTS % values(lines)) if lines else []:
        result = results.setdefault(row["result"], Result(row["result"], row))
        if result not in lines[row["line"]].results:
            lines[row["line"]].results.append(result)
    return {i: r.quotes for i, r in results.items()}


def add_quotes(store: ox.Store, targets: dict[str, list[Quote]]) -> None:
    """Append the quotes of every node in ``targets`` (IRI → its quote list)."""
    for row in rows(store, QUOTES % values(targets)):
        targets[row["thing"]].append(Quote(row["quote"], row["exact"], row.get("source")))


def by_document(recs: Sequence[Recommendation]) -> list[tuple[str | None, str | None, list[Recommendation]]]:
    """``recs`` grouped by the document they are derived from: ``(document IRI, its label, recommendations)``."""
    groups: dict[str | None, list[Recommendation]] = {}
    for rec in recs:
        groups.setdefault(rec.row.get("document"), []).append(rec)
    return [(doc, found[0].row.get("documentLabel"), found) for doc, found in groups.items()]


def facts(store: ox.Store, iri: str) -> list[Row]:
    """Every triple with ``iri`` as subject: ``p``, ``o`` and their labels, ``isIri`` ``"true"`` for an IRI value."""
    found: dict[tuple[str, str], Row] = {}
    for row in rows(store, FACTS % iri):
        found.setdefault((row["p"], row["o"]), row)
    return list(found.values())


def walk(recs: Sequence[Recommendation]) -> list[Recommendation]:
    """Every recommendation of the trees ``recs``, depth first."""
    return [r for rec in recs for r in (rec, *walk(rec.subs))]
