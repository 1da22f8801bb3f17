"""The results table: one row per result with its numbers, as CSV described on the W3C "CSV on the Web" model.

:func:`results_table` reads every ``se:Result`` from the store by SPARQL
(:func:`spine_evidence.sparql.select`) and gives back a :class:`ResultsTable`:
its columns and one row per result, numbers as ``int`` (``xsd:integer``) or
``Decimal`` (``xsd:decimal``) exactly as the graph states them (``77`` stays
``77``, never ``77.0``). :func:`write_csv` writes it with the ``csv`` module;
:func:`csvw_metadata` is its CSVW table description (``tableSchema``), where each
column says its XSD datatype and, for the graph's own properties, the
``aboutUrl`` / ``propertyUrl`` that turn the cell back into the graph's triple
(the numbers hang on the result's value node, ``se:hasValue``).
:func:`write_results_table` writes both files.

A column's datatype is the range the ontology gives its property; a literal
of another datatype, or a result with two values for one column, is an error
(:class:`ResultsTableError`), never a silent choice. A stated percentage is in
the table only where the graph has one: nothing is computed.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from .errors import SpineEvidenceError
from .sparql import select
from .store import open_store

SE = "https://w3id.org/spine-evidence/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
CSV_FILE = "results.csv"
METADATA_FILE = "results.csv-metadata.json"
Cell = str | int | Decimal | None


class ResultsTableError(SpineEvidenceError):
    """The graph cannot be written as the results table (a value of the wrong datatype, two values in one cell)."""


@dataclass(frozen=True)
class Column:
    """One column: its CSV name, title, datatype (XSD local name) and the graph property it shows, if any.

    ``about`` names the column whose IRI is the subject of ``property``
    (``result`` or ``value``); ``None`` for a column that is not a triple of the graph.
    """

    name: str
    title: str
    datatype: str
    property: str | None = None
    about: str | None = None


# Numeric columns take their datatype from the ontology (``numeric_datatypes``); "" until then.
COLUMNS: tuple[Column, ...] = (
    Column("result", "Result", "anyURI"),
    Column("result_label", "Result (label)", "string", "http://www.w3.org/2000/01/rdf-schema#label", "result"),
    Column("study", "Study", "anyURI", SE + "ofStudy", "result"),
    Column("reference_number", "Reference number", "", SE + "citationNumber", "study"),
    Column("outcome", "Outcome", "anyURI", SE + "measuresOutcome", "result"),
    Column("outcome_label", "Outcome (label)", "string"),
    Column("arm", "Arm (guidance modality)", "anyURI", SE + "arm", "result"),
    Column("arm_label", "Arm (label)", "string"),
    Column("procedure_label", "Procedure", "string"),
    Column("time_point_label", "Time point", "string"),
    Column("view_label", "Radiographic view", "string"),
    Column("injectate_volume_ml", "Injectate volume (mL)", "", SE + "injectateVolumeMl", "result"),
    Column("value", "Measured value", "anyURI", SE + "hasValue", "result"),
    Column("statistic", "Statistic (value class)", "string"),
    Column("numerator", "Numerator", "", SE + "numerator", "value"),
    Column("denominator", "Denominator", "", SE + "denominator", "value"),
    Column("stated_percentage", "Stated percentage", "", SE + "statedPercentage", "value"),
    Column("mean_value", "Mean", "", SE + "meanValue", "value"),
    Column("count", "Count", "", SE + "count", "value"),
    Column("unit", "Unit", "string", SE + "unit", "value"),
    Column("scale", "Scale", "string", SE + "scale", "value"),
)

LABEL = 'FILTER(LANGMATCHES(LANG({0}), "en") || LANG({0}) = "")'
ROWS = f"""
SELECT ?result ?result_label ?study ?reference_number ?outcome ?outcome_label ?arm ?arm_label ?procedure_label
       ?time_point_label ?view_label ?injectate_volume_ml ?value ?statistic ?numerator ?denominator
       ?stated_percentage ?mean_value ?count ?unit ?scale WHERE {{
  ?result a se:Result ; se:hasValue ?value .
  ?value a ?class . VALUES (?class ?statistic) {{ (se:Proportion "Proportion") (se:Percentage "Percentage")
                                                  (se:Mean "Mean") (se:Count "Count") }}
  OPTIONAL {{ ?result rdfs:label ?result_label {LABEL.format("?result_label")} }}
  OPTIONAL {{ ?result se:ofStudy ?study OPTIONAL {{ ?study se:citationNumber ?reference_number }} }}
  OPTIONAL {{ ?result se:measuresOutcome ?outcome
             OPTIONAL {{ ?outcome rdfs:label ?outcome_label {LABEL.format("?outcome_label")} }} }}
  OPTIONAL {{ ?result se:arm ?arm OPTIONAL {{ ?arm rdfs:label ?arm_label {LABEL.format("?arm_label")} }} }}
  OPTIONAL {{ ?result se:procedure/rdfs:label ?procedure_label {LABEL.format("?procedure_label")} }}
  OPTIONAL {{ ?result se:timePoint/rdfs:label ?time_point_label {LABEL.format("?time_point_label")} }}
  OPTIONAL {{ ?result se:radiographicView/rdfs:label ?view_label {LABEL.format("?view_label")} }}
  OPTIONAL {{ ?result se:injectateVolumeMl ?injectate_volume_ml }}
  OPTIONAL {{ ?value se:numerator ?numerator }} OPTIONAL {{ ?value se:denominator ?denominator }}
  OPTIONAL {{ ?value se:statedPercentage ?stated_percentage }} OPTIONAL {{ ?value se:meanValue ?mean_value }}
  OPTIONAL {{ ?value se:count ?count }} OPTIONAL {{ ?value se:unit ?unit }} OPTIONAL {{ ?value se:scale ?scale }}
}} ORDER BY ?result"""

RANGES = """
SELECT ?property ?datatype WHERE {
  ?property a owl:DatatypeProperty ; rdfs:range ?range .
  OPTIONAL { ?range owl:onDatatype ?base }
  BIND(COALESCE(?base, ?range) AS ?datatype)
  FILTER(?datatype IN (xsd:integer, xsd:decimal))
}"""


@dataclass(frozen=True)
class ResultsTable:
    """The columns and one row per result (in result IRI order), each row a cell per column name."""

    columns: tuple[Column, ...]
    rows: list[dict[str, Cell]]


def numeric_datatypes(store: ox.Store) -> dict[str, str]:
    """The XSD datatype (``integer``/``decimal``) the ontology gives each numeric datatype property."""
    found: dict[str, set[str]] = {}
    for solution in solutions(store, RANGES):
        found.setdefault(str(solution["property"].value), set()).add(solution["datatype"].value)
    return {prop: types.pop().removeprefix(XSD) for prop, types in found.items() if len(types) == 1}


def table_columns(store: ox.Store) -> tuple[Column, ...]:
    """:data:`COLUMNS` with the numeric columns' datatypes read from the ontology in ``store``."""
    ranges = numeric_datatypes(store)
    columns = []
    for column in COLUMNS:
        if not column.datatype:
            if column.property not in ranges:
                raise ResultsTableError(f"the store's ontology gives {column.property} no single numeric range "
                                        f"(xsd:integer or xsd:decimal): is the ontology loaded?")
            column = Column(column.name, column.title, ranges[column.property], column.property, column.about)
        columns.append(column)
    return tuple(columns)


def solutions(store: ox.Store, query: str) -> ox.QuerySolutions:
    """The solutions of a SELECT query."""
    return select(store, query)


def cell(column: Column, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, result: str) -> Cell:
    """A term as the column's cell: an IRI or string as ``str``, a number as ``int``/``Decimal``."""
    if column.datatype in ("integer", "decimal"):
        if not isinstance(term, ox.Literal) or term.datatype.value != XSD + column.datatype:
            raise ResultsTableError(f"{result}: {column.name} is {term}, expected an xsd:{column.datatype} literal "
                                    f"(the range of {column.property})")
        return int(term.value) if column.datatype == "integer" else Decimal(term.value)
    if isinstance(term, ox.Triple):
        raise ResultsTableError(f"{result}: {column.name} is an RDF-star triple")
    return term.value


def results_table(store: ox.Store) -> ResultsTable:
    """The results table of the graph in ``store``: one row per result, numbers with their datatypes."""
    columns = table_columns(store)
    rows: dict[str, dict[str, Cell]] = {}
    for solution in solutions(store, ROWS):
        result = str(solution["result"].value)
        row = rows.setdefault(result, {c.name: None for c in columns})
        for column in columns:
            term = solution[column.name]
            if term is None:
                continue
            value = cell(column, term, result)
            if row[column.name] is not None and row[column.name] != value:
                raise ResultsTableError(f"{result} has two values for {column.name}: {row[column.name]} and "
                                        f"{value}; the results table has one cell for it")
            row[column.name] = value
    return ResultsTable(columns, [rows[iri] for iri in sorted(rows)])


def write_csv(table: ResultsTable, stream: IO[str]) -> None:
    """Write ``table`` as CSV (RFC 4180, header row of column names; an absent value is an empty cell)."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([c.name for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if row[c.name] is None else str(row[c.name]) for c in table.columns])


def csvw_metadata(table: ResultsTable, url: str = CSV_FILE) -> dict[str, Any]:
    """The CSVW table description of ``table`` written at ``url`` (``primaryKey`` the result IRI)."""
    columns: list[dict[str, Any]] = []
    for column in table.columns:
        described: dict[str, Any] = {"name": column.name, "titles": column.title, "datatype": column.datatype}
        if column.property is not None and column.about is not None:
            described["aboutUrl"] = "{+" + column.about + "}"
            described["propertyUrl"] = column.property
            if column.datatype == "anyURI":
                described["valueUrl"] = "{+" + column.name + "}"
        columns.append(described)
    return {"@context": "http://www.w3.org/ns/csvw", "url": url,
            "dc:title": "Spine Evidence Graph: the results table (one row per se:Result)",
            "tableSchema": {"columns": columns, "primaryKey": "result", "aboutUrl": "{+result}"}}


def write_results_table(store_or_path: ox.Store | Path | str, out_dir: Path | str) -> Path:
    """Write ``out_dir/results.csv`` and its ``results.csv-metadata.json``; return the CSV's path."""
    store = store_or_path if isinstance(store_or_path, ox.Store) else open_store(Path(store_or_path))
    table = results_table(store)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / CSV_FILE
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_csv(table, stream)
    metadata = json.dumps(csvw_metadata(table), indent=2, ensure_ascii=False) + "\n"
    (out / METADATA_FILE).write_text(metadata, encoding="utf-8")
    return path
