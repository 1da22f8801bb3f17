"""Every number of every result, as each view states it, and the one comparison that says what disagrees.

A :class:`Number` is one number of one result in one view: the result's IRI,
the graph property it stands for (``se:numerator``...), its value, its lexical
form, its XSD datatype (``integer``/``decimal``; ``None`` where the view carries
it only as text or as a copy in another type) and where in the view it is.

- :func:`oracle_numbers`: the hand-checked table ``tests/data/source-numbers.csv``,
  each row checked here against the source text file (its words are in the text,
  with whitespace collapsed; the value is a number token of its kind in those words,
  read by this module's own small parser; its datatype follows from its kind).
- :func:`graph_numbers` (SPARQL; the stated numbers: a reasoned build restates them in
  ``graph:inferred`` under STATO super-properties, :data:`INFERRED_NUMBERS_NOT_STATED`),
  :func:`fhir_numbers` (the ``fhir.resources`` models, lexical forms from the JSON),
  :func:`nanopub_numbers` (the assertion graphs of a ``nanopubs.trig``), :func:`csv_numbers`
  (the CSV read through its CSVW metadata: datatypes and ``propertyUrl`` from the metadata).
- :func:`disagreements`: one line per number a view states differently from the
  oracle (value, lexical form, datatype), leaves out, or states without the source.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fhir.resources.evidence import Evidence
from pydantic import ValidationError

from spine_evidence.nanopubs import read_quads, split
from spine_evidence.sparql import evaluate

BASE = "https://w3id.org/spine-evidence/"
SE = BASE + "ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
NP = "http://www.nanopub.org/nschema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IRI_SYSTEM = "urn:ietf:rfc:3986"
RESULT_CLASS = ox.NamedNode(SE + "Result")
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger",
                             "positiveInteger", "unsignedInt")}
COUNTS = {"numerator", "denominator", "count"}  # counts of things: integers, never written with %
INTEGER = re.compile(r"^[+-]?\d+$")
DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass(frozen=True)
class Number:
    """One number of one result in one view."""

    result: str
    prop: str
    value: Decimal
    text: str
    datatype: str | None
    where: str


@dataclass
class ViewNumbers:
    """The numbers a view states, and what could not be read from it (each problem names result and number)."""

    numbers: list[Number] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def short(iri: str) -> str:
    """``result/ref-03-…`` and ``se:numerator`` for the project's IRIs."""
    return "se:" + iri[len(SE):] if iri.startswith(SE) else iri.removeprefix(BASE)


# --- the oracle: the source text's own numbers ---------------------------------------------------------------

NUMBER_TOKEN = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w]|\.\d)(%?)")
NUMBER_WORD = re.compile(r"\b(none|zero|one|two|three|four|five|six|seven|eight|nine|ten)\b", re.IGNORECASE)
WORD_VALUE = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
CITATION_MARKER = re.compile(r"\(\d+\)")


def tokens(words: str) -> list[tuple[Decimal, bool]]:
    """The numbers written in ``words`` as (value, followed by %), citation markers such as ``(7)`` left out."""
    text = CITATION_MARKER.sub(" ", words)
    found = [(Decimal(m.group(1)), m.group(2) == "%") for m in NUMBER_TOKEN.finditer(text)]
    found += [(Decimal(0 if w.lower() == "none" else WORD_VALUE[w.lower()]), False)
              for w in NUMBER_WORD.findall(text)]
    return found


def oracle_problems(row: dict[str, str], source: str) -> list[str]:
    """What is wrong with one row of the oracle table, checked against the whitespace-collapsed source text."""
    words, prop, datatype = " ".join(row["words"].split()), row["property"], row["datatype"]
    found = []
    if words not in source:
        found.append(f"its words are not in the source text: «{words}»")
    percent = prop == "statedPercentage"
    value = Decimal(row["value"])
    if not any(v == value and (p if percent else True) and (not p if prop in COUNTS else True)
               for v, p in tokens(words)):
        found.append(f"{row['value']} is not written in its words as a {'percentage' if percent else 'number'}: "
                     f"«{words}»")
    wanted = "integer" if prop in COUNTS else "decimal"
    if datatype != wanted or not (INTEGER if wanted == "integer" else DECIMAL).match(row["value"]):
        found.append(f"a {prop} is an xsd:{wanted} written as such, the row says {row['value']!r} ({datatype})")
    return found


def oracle_numbers(table: Path, source_text: Path) -> ViewNumbers:
    """The oracle table's numbers; a row its words or the source text do not bear out is a problem."""
    source = " ".join(source_text.read_text(encoding="utf-8").split())
    found = ViewNumbers()
    with table.open(encoding="utf-8", newline="") as stream:
        for line, row in enumerate(csv.DictReader(stream), start=2):
            for problem in oracle_problems(row, source):
                found.problems.append(f"oracle: {table.name} line {line} ({row['result']} se:{row['property']}): "
                                      f"{problem}")
            found.numbers.append(Number(BASE + row["result"], SE + row["property"], Decimal(row["value"]),
                                        row["value"], row["datatype"], f"«{' '.join(row['words'].split())}»"))
    return found


# --- the views ---------------------------------------------------------------------------------------------

GRAPH_NUMBERS = """
SELECT DISTINCT ?result ?property ?number WHERE {
  ?result a se:Result .
  GRAPH ?g { { ?result ?property ?number } UNION { ?result se:hasValue ?value . ?value ?property ?number } }
  FILTER(isNumeric(?number) && ?g != graph:inferred)
}"""
# Every number HermiT infers on a result or value restates a stated one under a super-property (se:numerator ⊑
# STATO "has numerator"): the graph's numbers are the stated ones, and these must be empty.
INFERRED_NUMBERS_NOT_STATED = """
SELECT ?subject ?property ?number WHERE {
  GRAPH graph:inferred { ?subject ?property ?number FILTER(isNumeric(?number)) }
  FILTER NOT EXISTS { GRAPH ?g { ?subject ?stated ?number } FILTER(?g != graph:inferred)
                      ?stated rdfs:subPropertyOf+ ?property }
}"""


def literal_number(literal: ox.Literal, result: str, prop: str, where: str) -> Number:
    """A numeric literal as a :class:`Number` with its lexical form and datatype."""
    datatype = literal.datatype.value
    return Number(result, prop, Decimal(literal.value), literal.value, datatype.removeprefix(XSD), where)


def graph_numbers(store: ox.Store) -> ViewNumbers:
    """The numeric literals stated (not inferred) on each ``se:Result`` and on its values, by SPARQL."""
    found = ViewNumbers()
    solutions = evaluate(store, GRAPH_NUMBERS)
    assert isinstance(solutions, ox.QuerySolutions)
    for s in solutions:
        literal = s["number"]
        assert isinstance(literal, ox.Literal)
        result, prop = s["result"], s["property"]
        assert isinstance(result, ox.NamedNode) and isinstance(prop, ox.NamedNode)
        found.numbers.append(literal_number(literal, result.value, prop.value, "the graph"))
    return found


# statisticType code → FHIR element → our property (docs/MODEL.md, "The FHIR R5 view")
FHIR_ELEMENTS = {
    "C44256": {"numberOfEvents": "numerator", "knownDataCount": "denominator", "quantity": "statedPercentage"},
    "C53319": {"quantity": "meanValue"},
    "C25463": {"numberOfEvents": "count", "quantity": "count"},
}
VOLUME_NOTE = re.compile(r"^injectate volume \(mL\): (\S+)$")


def fhir_number(raw: Any, element: str, code: str, result: str, where: str) -> Number | str:
    """One statistic number from the bundle's JSON: unsignedInt is xsd:integer, decimal xsd:decimal."""
    prop = SE + FHIR_ELEMENTS[code][element]
    text = str(raw)
    if element == "quantity":  # FHIR decimal; a Count's quantity is a decimal copy of the count
        typed = DECIMAL.match(text) and not isinstance(raw, bool)
        datatype = None if code == "C25463" else "decimal"
    else:  # unsignedInt: a JSON integer
        typed = isinstance(raw, int) and not isinstance(raw, bool)
        datatype = "integer"
    if not typed:
        return f"fhir: {short(result)} {short(prop)} at {where} is {text!r}, not a FHIR {element} number"
    return Number(result, prop, Decimal(text), text, datatype, where)


def statistic_numbers(raw: dict[str, Any], code: str, result: str, where: str) -> ViewNumbers:
    """The numbers of one statistic's JSON (``numberOfEvents``, ``quantity.value``, ``sampleSize.knownDataCount``)."""
    found = ViewNumbers()
    values = {"numberOfEvents": raw.get("numberOfEvents"), "quantity": raw.get("quantity", {}).get("value"),
              "knownDataCount": raw.get("sampleSize", {}).get("knownDataCount")}
    for element, value in values.items():
        if value is None:
            continue
        if element not in FHIR_ELEMENTS.get(code, {}):
            found.problems.append(f"fhir: {short(result)} has a {element} in a statistic of type {code!r}")
            continue
        number = fhir_number(value, element, code, result, f"{where}.{element}")
        if isinstance(number, str):
            found.problems.append(number)
        else:
            found.numbers.append(number)
    return found


def evidence_numbers(resource: dict[str, Any]) -> ViewNumbers:
    """The numbers of one ``Evidence`` (parsed with ``fhir.resources``; lexical forms from the JSON)."""
    found = ViewNumbers()
    try:
        model = Evidence.model_validate(resource)
    except ValidationError as error:
        first = error.errors()[0]
        found.problems.append(f"fhir: Evidence/{resource.get('id')} does not parse as FHIR R5 Evidence: "
                              f"{first['loc']} {first['msg']}")
        return found
    result = str(next(i.value for i in model.identifier or [] if i.system == IRI_SYSTEM))
    for index, statistic in enumerate(model.statistic or []):
        codes = statistic.statisticType.coding or [] if statistic.statisticType is not None else []
        code = str(codes[0].code) if codes else ""
        one = statistic_numbers(resource["statistic"][index], code, result, f"Evidence/{model.id} statistic[{index}]")
        found.numbers += one.numbers
        found.problems += one.problems
    for note in model.note or []:
        match = VOLUME_NOTE.match(note.text or "")
        if match:  # text only: the value is compared, the datatype cannot be
            found.numbers.append(Number(result, SE + "injectateVolumeMl", Decimal(match.group(1)), match.group(1),
                                        None, f"Evidence/{model.id} note"))
    return found


def fhir_numbers(bundle_file: Path) -> ViewNumbers:
    """The numbers of every ``Evidence`` of a written bundle (decimals read as written: ``77`` is not ``77.0``)."""
    bundle = json.loads(bundle_file.read_text(encoding="utf-8"), parse_float=Decimal)
    found = ViewNumbers()
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "Evidence":
            one = evidence_numbers(entry["resource"])
            found.numbers += one.numbers
            found.problems += one.problems
    return found


def nanopub_numbers(trig: Path) -> ViewNumbers:
    """The numeric literals on each result of each nanopublication's assertion, and on its values there."""
    found = ViewNumbers()
    for uri, quads in split(read_quads(trig)).items():
        head = {q.predicate.value: q.object for q in quads if q.subject == ox.NamedNode(uri)}
        assertion = [q for q in quads if q.graph_name == head.get(NP + "hasAssertion")]
        results = {q.subject for q in assertion if q.predicate.value == RDF_TYPE and q.object == RESULT_CLASS}
        for result in results:
            assert isinstance(result, ox.NamedNode), f"{uri}: a result that is not an IRI"
            values = {q.object for q in assertion if q.subject == result and q.predicate.value == SE + "hasValue"}
            for q in assertion:
                if (q.subject == result or q.subject in values) and isinstance(q.object, ox.Literal) \
                        and q.object.datatype.value in NUMERIC:
                    found.numbers.append(literal_number(q.object, result.value, q.predicate.value,
                                                        f"nanopub {uri.rsplit('/', 1)[-1][:12]}… assertion"))
    return found


def csv_numbers(table: Path, metadata: Path) -> ViewNumbers:
    """The numbers of the results CSV, typed and named by its CSVW metadata (columns about the result or value)."""
    columns = json.loads(metadata.read_text(encoding="utf-8"))["tableSchema"]["columns"]
    numeric = [c for c in columns if c["datatype"] in ("integer", "decimal")
               and c.get("aboutUrl") in ("{+result}", "{+value}")]
    found = ViewNumbers()
    with table.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        if reader.fieldnames != [c["name"] for c in columns]:
            found.problems.append(f"csv: the header {reader.fieldnames} is not the metadata's columns")
            return found
        for line, row in enumerate(reader, start=2):
            for column in numeric:
                text = row[column["name"]]
                if text == "":
                    continue
                where = f"{table.name} line {line}, column {column['name']}"
                if not (INTEGER if column["datatype"] == "integer" else DECIMAL).match(text):
                    found.problems.append(f"csv: {short(row['result'])} {short(column['propertyUrl'])} at {where} "
                                          f"is {text!r}, not an xsd:{column['datatype']}")
                    continue
                found.numbers.append(Number(row["result"], column["propertyUrl"], Decimal(text), text,
                                            column["datatype"], where))
    return found


# --- the comparison ----------------------------------------------------------------------------------------

def number_problem(view: str, number: Number, truth: Number) -> str | None:
    """How ``number`` differs from the oracle's ``truth`` (value, lexical form, datatype), or ``None``."""
    said = f"{view}: {short(number.result)} {short(number.prop)} is {number.text}"
    if number.value != truth.value:
        return f"{said} at {number.where}; the source text states {truth.text}: {truth.where}"
    if number.text != truth.text:
        return f"{said} at {number.where}, written otherwise than the source's {truth.text}: {truth.where}"
    if number.datatype is not None and number.datatype != truth.datatype:
        return f"{said} as an xsd:{number.datatype} at {number.where}; the source's {truth.text} is an " \
               f"xsd:{truth.datatype}: {truth.where}"
    return None


def disagreements(oracle: ViewNumbers, views: dict[str, ViewNumbers]) -> list[str]:
    """Every way a view's numbers differ from the oracle's, one line each (empty when all agree)."""
    truth = {(n.result, n.prop): n for n in oracle.numbers}
    found = list(oracle.problems)
    for view, numbers in views.items():
        found += numbers.problems
        stated: dict[tuple[str, str], list[Number]] = defaultdict(list)
        for number in numbers.numbers:
            stated[(number.result, number.prop)].append(number)
        for key, expected in truth.items():
            if key not in stated:
                found.append(f"{view}: {short(key[0])} {short(key[1])} is missing; the source text states "
                             f"{expected.text}: {expected.where}")
        for key, said in stated.items():
            if key not in truth:
                found += [f"{view}: {short(key[0])} {short(key[1])} is {n.text} at {n.where}, a number the source "
                          f"text does not state for this result" for n in said]
                continue
            found += [p for p in (number_problem(view, n, truth[key]) for n in said) if p]
    return found


def text_only(numbers: ViewNumbers) -> set[tuple[str, str]]:
    """The (result, property) a view states only without a datatype (compared by value and lexical form)."""
    typed = {(n.result, n.prop) for n in numbers.numbers if n.datatype is not None}
    return {(n.result, n.prop) for n in numbers.numbers if n.datatype is None} - typed
