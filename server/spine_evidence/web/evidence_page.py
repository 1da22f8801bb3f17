"""The summary-of-findings page ``/evidence`` and its twins ``/evidence.csv`` and ``/evidence.json``.

Per outcome (GRADE's summary of findings): every result of the graph with its study
(citation number, linked to the study's page), design, arm (guidance modality), n,
events, the percentage as the text states it, the computed 95% Wilson interval and the
inconsistency flags with their editorial notes; beside it, a forest plot of the
outcome's proportions grouped by arm, drawn on the server as inline SVG
(:mod:`.forest_plot`, written by ``templates/evidence.html``): no script, no request
to another host. The model is :mod:`.evidence_model`, read from the store by SPARQL
only, so it works over any store behind ``current_store()`` and for any document added
later. The twins hold the same rows as the page (the results table's columns,
:mod:`spine_evidence.results_table`, plus the page's own), linked with ``<link rel="alternate">``.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal

from flask import Blueprint, Response, render_template, url_for

from ..intervals import WILSON_LABEL
from ..results_table import Cell, ResultsTable, ResultsTableError, write_csv
from .evidence_model import OutcomeSection, findings, sections, twin_table
from .http_errors import HttpError
from .linked_data import path_of_iri
from .state import current_store

blueprint = Blueprint("evidence_page", __name__, template_folder="templates")  # evidence.css: query_page's /assets

CSV_TYPE = "text/csv"
JSON_TYPE = "application/json"
TITLE = "Summary of findings by outcome"


def page_model() -> tuple[list[OutcomeSection], ResultsTable]:
    """The outcome sections and the twin table of the store being served (one 500 line if the graph cannot be)."""
    try:
        columns, found = findings(current_store())
    except ResultsTableError as error:
        raise HttpError(500, f"the graph cannot be shown as a summary of findings: {error}") from None
    ordered = sections(found)
    return ordered, twin_table(columns, ordered)


def alternates() -> dict[str, str]:
    """The machine-readable twins of the page: media type → URL."""
    return {CSV_TYPE: url_for("evidence_page.evidence_csv"), JSON_TYPE: url_for("evidence_page.evidence_json")}


@blueprint.get("/evidence")
def evidence() -> str:
    """The summary-of-findings page (HTML)."""
    ordered, table = page_model()
    proportions = sum(1 for section in ordered for finding in section.findings if finding.counts)
    return render_template("evidence.html", title=TITLE, sections=ordered, rows=len(table.rows),
                           proportions=proportions, wilson_label=WILSON_LABEL, page_of=path_of_iri,
                           alternates=alternates())


@blueprint.get("/evidence.csv")
def evidence_csv() -> Response:
    """The page's rows as CSV (RFC 4180, a header row of column names)."""
    _, table = page_model()
    stream = io.StringIO()
    write_csv(table, stream)
    return Response(stream.getvalue(), content_type=f"{CSV_TYPE}; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="evidence.csv"'})


def json_cell(value: Cell, datatype: str) -> bool | int | float | str | None:
    """A cell as JSON: numbers that write back with the graph's lexical form (``77``, ``6.1``), booleans as such."""
    if datatype == "boolean" and value is not None:
        return value == "true"
    if isinstance(value, Decimal):
        return int(value) if "." not in str(value) else float(value)
    return value


@blueprint.get("/evidence.json")
def evidence_json() -> Response:
    """The page's rows as JSON: the columns (name, title, XSD datatype) and one object per row."""
    _, table = page_model()
    body = {"title": TITLE, "interval": f"{WILSON_LABEL} from the numerator and denominator (not stated in the source)",
            "columns": [{"name": c.name, "title": c.title, "datatype": c.datatype} for c in table.columns],
            "rows": [{c.name: json_cell(row[c.name], c.datatype) for c in table.columns} for row in table.rows]}
    return Response(json.dumps(body, ensure_ascii=False, indent=1) + "\n", content_type=JSON_TYPE)
