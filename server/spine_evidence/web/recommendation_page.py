"""Recommendation pages, multilayered: each layer behind a recommendation folds open with ``<details>``.

The HTML of every ``se:Recommendation`` IRI (``/recommendation/1b``, chosen
by :data:`.linked_data.HTML_VIEWS`) and the list page ``/recommendations``
with its twins ``/recommendations.json`` (the same trees) and
``/recommendations.csv`` (one row per path recommendation → statement →
evidence line → result). The layers are read by :mod:`.recommendation_model`;
each quote is shown with the source passage around it
(:func:`.quote_excerpts.excerpt`) and links to its own page and to its place
in the source reader (``/reader#quote-<slug>``, :func:`.source_reader.anchor_of`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import quote as url_quote

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from .. import quotes
from ..iris import BASE, SOURCE_TEXT_IRI
from . import quote_excerpts
from . import recommendation_model as model
from .source_reader import anchor_of
from .state import current_store

blueprint = Blueprint("recommendation_page", __name__)

JSON, CSV = "application/json", "text/csv"
CSV_TYPE = CSV + "; charset=utf-8"
PASSAGES_KEPT = 4096  # source passages kept (one per quoted text; the source text is a file of the installation)
DOI_RESOLVER = "https://doi.org/"
PUBMED = "https://pubmed.ncbi.nlm.nih.gov/"
SEPIO = "http://purl.obolibrary.org/obo/SEPIO_"
# Evidence direction (the SEPIO individuals of ``se:EvidenceDirection``) → CSS class of its badge.
DIRECTION_CLASS = {SEPIO + "0000403": "supporting", SEPIO + "0000404": "disputing", SEPIO + "0000405": "inconclusive"}
CSV_COLUMNS: tuple[tuple[str, str], ...] = (  # (CSV column, model field as "layer.key")
    ("recommendation", "rec.rec"), ("recommendation_label", "rec.label"), ("position", "rec.position"),
    ("direction_code", "rec.direction"), ("recommendation_text", "rec.text"), ("sub_recommendation_of", "rec.parent"),
    ("statement", "st.st"), ("statement_label", "st.label"), ("statement_kind", "st.kindLabel"),
    ("evidence_line", "line.line"), ("evidence_direction", "line.directionLabel"), ("line_basis", "line.basisLabel"),
    ("study", "study.study"), ("citation_number", "study.number"), ("study_design", "study.designLabel"),
    ("match_strength", "study.strengthLabel"), ("doi", "study.doi"), ("pmid", "study.pmid"),
    ("result", "result.result"), ("result_label", "result.label"), ("numerator", "result.numerator"),
    ("denominator", "result.denominator"), ("stated_percentage", "result.percentage"), ("mean", "result.mean"),
    ("count", "result.count"),
)


def href(iri: str) -> str:
    """Where a node links to: its path on this server (its resource page), or the IRI itself."""
    return request.script_root + "/" + iri[len(BASE):] if iri.startswith(BASE) else iri


def doi_url(doi: str) -> str:
    """The doi.org URL of a DOI (a plain link the reader may follow; the page loads nothing from it)."""
    return DOI_RESOLVER + url_quote(doi, safe="/")


def pubmed_url(pmid: str) -> str:
    """The PubMed URL of a PMID."""
    return PUBMED + url_quote(pmid, safe="") + "/"


def served_source(quote: model.Quote) -> bool:
    """Whether ``quote`` selects from the source text this server has (and its reader shows)."""
    return quote.source in (None, str(SOURCE_TEXT_IRI))


def context(quote: model.Quote) -> quote_excerpts.Quote | None:
    """The source passage around a quote of the served source text (``None`` when it is not found there)."""
    return passage(quote.exact) if served_source(quote) else None


@lru_cache(maxsize=PASSAGES_KEPT)
def passage(exact: str) -> quote_excerpts.Quote | None:
    """The source passage around ``exact`` (:func:`.quote_excerpts.excerpt`), found once per quote and kept."""
    found = quote_excerpts.excerpt(quote_excerpts.Quote(exact, None, None))
    return found if found.match else None


def reader_href(quote: model.Quote) -> str | None:
    """The quote in the source reader (``/reader#quote-<slug>``, its anchor scheme), for the served source text."""
    return url_for("source_reader.reader") + "#" + anchor_of(quote.iri) if served_source(quote) else None


def in_text_order(recs: list[model.Recommendation]) -> list[model.Recommendation]:
    """``recs`` with the statements behind each in the order the served source text quotes them, then by label.

    A statement without a quote of the served source text (another document's) comes after, by label.
    """
    try:
        source = quotes.load_source_text()
    except OSError:
        source = ""

    def place(statement: model.Statement) -> tuple[int, str]:
        found = [quotes.find_quote(source, q.exact) for q in statement.quotes if source and served_source(q)]
        offsets = [offset for offset in found if offset is not None]
        return (min(offsets) if offsets else len(source) + 1, statement.row.get("label", statement.iri))

    for rec in model.walk(recs):
        rec.statements.sort(key=place)
    return recs


def template_helpers() -> dict[str, Any]:
    """The functions the template calls on the model."""
    return {"href": href, "doi_url": doi_url, "pubmed_url": pubmed_url, "context": context, "reader_href": reader_href,
            "direction_class": lambda iri: DIRECTION_CLASS.get(iri, "other")}


def recommendation_html(iri: str, alternates: dict[str, str]) -> str | None:
    """The multilayered page of the recommendation ``iri``; ``None`` when the store has no such recommendation."""
    trees = in_text_order(model.recommendations(current_store(), iri))
    if not trees:
        return None
    rec = trees[0]
    return render_template("recommendation.html", rec=rec, title=rec.row.get("label", iri),
                           facts=model.facts(current_store(), iri),
                           alternates=alternates, **template_helpers())


@blueprint.get("/recommendations")
def recommendation_list() -> Response:
    """Every top-level recommendation of the store, each folded, its sub-recommendations inside."""
    recs = in_text_order(model.recommendations(current_store()))
    twins = {JSON: url_for(".recommendation_json"), CSV: url_for(".recommendation_csv")}
    html = render_template("recommendation.html", rec=None, documents=model.by_document(recs), title="Recommendations",
                           count=len(model.walk(recs)), alternates=twins, **template_helpers())
    return Response(html, content_type="text/html; charset=utf-8")


def as_json(rec: model.Recommendation) -> dict[str, Any]:
    """A recommendation tree as JSON: each node's IRI, its fields (lexical values) and the layer below."""
    def node(iri: str, row: model.Row, drop: str, **below: Any) -> dict[str, Any]:
        return {"iri": iri, **{k: v for k, v in row.items() if k not in (drop, "rec", "st", "line")}, **below}

    def quotes(found: list[model.Quote]) -> list[dict[str, str | None]]:
        return [{"iri": q.iri, "exact": q.exact, "source": q.source} for q in found]

    statements = [node(s.iri, s.row, "st", quotes=quotes(s.quotes), evidence_lines=[
        node(line.iri, line.row, "line",
             study=node(line.study.iri, line.study.row, "study") if line.study else None,
             results=[node(r.iri, r.row, "result", quotes=quotes(r.quotes)) for r in line.results])
        for line in s.lines]) for s in rec.statements]
    return node(rec.iri, rec.row, "rec", quotes=quotes(rec.quotes), statements=statements,
                sub_recommendations=[as_json(sub) for sub in rec.subs])


@blueprint.get("/recommendations.json")
def recommendation_json() -> Response:
    """The list page's data as JSON: every top-level recommendation with every layer below it."""
    recs = in_text_order(model.recommendations(current_store()))
    response = jsonify({"recommendations": [as_json(rec) for rec in recs]})
    response.headers["Link"] = f'<{url_for(".recommendation_list")}>; rel="alternate"; type="text/html"'
    return response


def paths(recs: list[model.Recommendation]) -> Iterator[dict[str, model.Row]]:
    """One ``{layer: row}`` per path recommendation → statement → line → result (missing layers left out)."""
    for rec in model.walk(recs):
        if not rec.statements:
            yield {"rec": rec.row}
        for st in rec.statements:
            if not st.lines:
                yield {"rec": rec.row, "st": st.row}
            for line in st.lines:
                layers = {"rec": rec.row, "st": st.row, "line": line.row, "study": line.study.row if line.study else {}}
                if not line.results:
                    yield layers
                for result in line.results:
                    yield {**layers, "result": result.row}


def csv_text(recs: list[model.Recommendation]) -> str:
    """The layers of ``recs`` as CSV (:data:`CSV_COLUMNS`), one row per path, values as the graph states them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(name for name, _ in CSV_COLUMNS)
    for layers in paths(recs):
        writer.writerow(layers.get(f.split(".")[0], {}).get(f.split(".")[1], "") for _, f in CSV_COLUMNS)
    return out.getvalue()


@blueprint.get("/recommendations.csv")
def recommendation_csv() -> Response:
    """The list page's data as CSV, one row per path from a recommendation down to a result."""
    response = Response(csv_text(in_text_order(model.recommendations(current_store()))), content_type=CSV_TYPE)
    response.headers["Content-Disposition"] = 'inline; filename="recommendations.csv"'
    response.headers["Link"] = f'<{url_for(".recommendation_list")}>; rel="alternate"; type="text/html"'
    return response
