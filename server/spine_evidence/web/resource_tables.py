"""The tables of a resource page, the numbers behind a claim, and every table as CSV.

A page is made of :class:`Table` s (its properties, the results behind it,
each inverse relation), each with a ``name`` unique on the page; the page's
``?table=NAME&format=csv`` answers that table as CSV (:func:`table_csv`).

:func:`results_behind` finds the results a resource rests on: the results
its evidence lines cite (any sub-property of ``se:hasEvidenceLine`` →
``se:citesResult``), those it cites itself, or the resource itself when it is
a result; :func:`numbers_table` shows them with their study, outcome, arm,
time point and measured value (events, n, stated percentage, mean, count) as
the graph states them: nothing is computed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..iris import SE
from ..sparql import select
from .page_terms import ENGLISH, values


@dataclass
class Link:
    """A value or a predicate as the page shows it: text, and a target when it is a resource."""

    text: str
    href: str | None = None
    title: str | None = None
    note: str | None = None
    inferred: bool = False


Cell = list[Link]


@dataclass
class Table:
    """One table of a page: its name (``?table=``), caption, column headers and rows of cells.

    A cell holds the values shown in it (none, one, or several for a property
    with several values); the CSV writes one row per value of such a cell.
    """

    name: str
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    key_header: bool = False  # the first column heads each row (a property table)
    about: str | None = None  # the property an inverse table lists the subjects of


ToLink = Callable[[str, str | None], Link]
HAS_EVIDENCE_LINE = str(SE.hasEvidenceLine)
# (column header, variable holding the IRI or literal, variable holding the IRI's label)
# The numbers come right after the result, so that a narrow screen shows them before it scrolls.
NUMBER_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("Result", "result", "result_label"),
    ("Events", "numerator", None),
    ("n", "denominator", None),
    ("Stated %", "stated_percentage", None),
    ("Mean", "mean_value", None),
    ("Count", "count", None),
    ("Scale", "scale", None),
    ("Unit", "unit", None),
    ("Arm", "arm", "arm_label"),
    ("Time point", "time_point", "time_point_label"),
    ("Study", "study", "study_label"),
    ("Outcome", "outcome", "outcome_label"),
    ("Inconsistency flagged", "inconsistent", None),
)


def optional_label(node: str, label: str) -> str:
    """An OPTIONAL English label of ``?node`` as ``?label``."""
    return f"OPTIONAL {{ ?{node} rdfs:label ?{label} {ENGLISH.format('?' + label)} }}"


def results_behind(store: ox.Store, iri: str, up: dict[str, set[str]]) -> list[str]:
    """The results ``iri`` rests on: cited by its evidence lines, cited by it, or itself (a result).

    Its evidence lines are the objects of ``se:hasEvidenceLine`` and of each property below it
    (``up``: every term's super-terms, :func:`.page_terms.supers`).
    """
    has = [HAS_EVIDENCE_LINE] + [term for term, above in up.items() if HAS_EVIDENCE_LINE in above]
    query = f"""SELECT DISTINCT ?result WHERE {{
      {{ VALUES ?has {{ {values(has)} }} <{iri}> ?has ?line . ?line se:citesResult ?result }}
      UNION {{ <{iri}> se:citesResult ?result }}
      UNION {{ BIND(<{iri}> AS ?result) ?result a se:Result }} }}"""
    return [solution["result"].value for solution in select(store, query)]


def numbers_query(results: Iterable[str]) -> str:
    """The SELECT of each result's study, outcome, arm, time point and measured value."""
    return f"""SELECT * WHERE {{
      VALUES ?result {{ {values(results)} }}
      {optional_label("result", "result_label")}
      OPTIONAL {{ ?result se:ofStudy ?study {optional_label("study", "study_label")}
                 OPTIONAL {{ ?study se:citationNumber ?citation }} }}
      OPTIONAL {{ ?result se:measuresOutcome ?outcome {optional_label("outcome", "outcome_label")} }}
      OPTIONAL {{ ?result se:arm ?arm {optional_label("arm", "arm_label")} }}
      OPTIONAL {{ ?result se:timePoint ?time_point {optional_label("time_point", "time_point_label")} }}
      OPTIONAL {{ ?result se:hasValue ?value
        OPTIONAL {{ ?value se:numerator ?numerator }} OPTIONAL {{ ?value se:denominator ?denominator }}
        OPTIONAL {{ ?value se:statedPercentage ?stated_percentage }} OPTIONAL {{ ?value se:meanValue ?mean_value }}
        OPTIONAL {{ ?value se:count ?count }} OPTIONAL {{ ?value se:scale ?scale }}
        OPTIONAL {{ ?value se:unit ?unit }} }}
      OPTIONAL {{ ?result se:hasInconsistency ?inconsistent }} }}"""


def numbers_table(store: ox.Store, results: list[str], name: str, caption: str, to_link: ToLink) -> Table:
    """The results with their numbers as the graph states them, by citation number then result label."""
    table = Table(name, caption, [header for header, _, _ in NUMBER_COLUMNS])
    if not results:
        return table
    rows: dict[str, dict[str, str]] = {}
    solutions = select(store, numbers_query(results))
    names = [variable.value for variable in solutions.variables]
    for solution in solutions:
        row = rows.setdefault(solution["result"].value, {})
        for variable in names:
            term = solution[variable]
            if term is not None and not isinstance(term, ox.Triple):
                row.setdefault(variable, term.value)

    def order(row: dict[str, str]) -> tuple[int, str]:
        return int(row.get("citation", "0")), row.get("result_label", row["result"])

    for row in sorted(rows.values(), key=order):
        cells: list[Cell] = []
        for _, variable, label in NUMBER_COLUMNS:
            if variable not in row:
                cells.append([])
            elif label is not None:
                cells.append([to_link(row[variable], row.get(label))])
            elif variable == "inconsistent":
                cells.append([Link("yes")] if row[variable] == "true" else [])
            else:
                cells.append([Link(row[variable])])
        table.rows.append(cells)
    return without_empty_columns(table)


def without_empty_columns(table: Table) -> Table:
    """The table without the columns (after the first) that are empty in every row."""
    keep = [i for i in range(len(table.headers)) if i == 0 or any(row[i] for row in table.rows)]
    return Table(table.name, table.caption, [table.headers[i] for i in keep],
                 [[row[i] for i in keep] for row in table.rows], table.key_header, table.about)


def csv_rows(table: Table) -> list[list[str]]:
    """The table's header and rows as CSV cells: each linked column followed by its IRIs' column.

    A row with a cell of several values becomes one row per value (the other
    cells repeated); an empty cell is an empty string.
    """
    linked = [any(link.title for row in table.rows for link in row[i]) for i in range(len(table.headers))]
    header: list[str] = []
    for title, has_iri in zip(table.headers, linked, strict=True):
        header += [title, f"{title} (IRI)"] if has_iri else [title]
    out = [header]
    for row in table.rows:
        width = max([len(cell) for cell in row] + [1])
        for k in range(width):
            line: list[str] = []
            for cell, has_iri in zip(row, linked, strict=True):
                link = cell[k] if len(cell) > 1 else (cell[0] if cell else None)
                line.append(link.text if link else "")
                if has_iri:
                    line.append(link.title or "" if link else "")
            out.append(line)
    return out


def table_csv(table: Table) -> str:
    """The table as CSV text (RFC 4180, CRLF line ends), written by the ``csv`` module."""
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\r\n").writerows(csv_rows(table))
    return stream.getvalue()
