"""The query page at ``/``: the dataset in a sentence, the query editor, the example queries.

The editor is YASGUI (``@zazuko/yasgui`` from npm), served from this server
so the page works offline: its ``build/`` folder is found at
``AppConfig.yasgui_dir``, else ``$SPINE_EVIDENCE_YASGUI_DIR``,
else in the Node package cache (:func:`spine_evidence.node_packages.yasgui_dir`,
installed by ``python -m spine_evidence.node_packages yasgui``). Without it the
page has a plain HTML form that posts to ``/sparql`` and says how to get the
editor. The page lists the predeclared prefixes (``spine_evidence.sparql``).
Each README example query is one click away:
``/?example=<slug>`` opens the page with it in the editor. The examples
come from ``AppConfig.readme`` when set (tests), else the README
(see :mod:`.example_queries`).

A shared link pins a query and the graph version it was made on:
``/?query=<text>&graph-version=<version>`` opens the page with the query in
the editor (YASGUI runs it at once); when the version differs from the one
served, the page says so. The plain form makes the same link without
JavaScript (its "Link to this query" button GETs this page). The editor
completes classes, properties and prefixes from ``/query/vocabulary.json``
(:mod:`.query_vocabulary`) and draws bar charts of numeric columns itself
(``static/query_chart.js``): nothing is fetched from elsewhere.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_from_directory, url_for
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as WerkzeugResponse

from .. import node_packages
from ..iris import BASE
from ..sparql import PREDECLARED_PREFIXES
from .conditional import cache_control
from .dataset_statistics import Statistics
from .description import DATASET_TITLE, current_statistics
from .example_queries import Example, example_queries
from .http_errors import HttpError
from .query_vocabulary import vocabulary_for
from .state import current_state, current_store

blueprint = Blueprint(
    "query_page", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)

YASGUI_ENV = "SPINE_EVIDENCE_YASGUI_DIR"
YASGUI_FILES = node_packages.YASGUI_FILES
YASGUI_INSTALL = "python -m spine_evidence.node_packages yasgui"
CODE_SPAN = re.compile(r"`([^`]+)`")
DEFAULT_QUERY = ("SELECT ?class (COUNT(?s) AS ?instances)\nWHERE { ?s a ?class }\nGROUP BY ?class\n"
                 "ORDER BY DESC(?instances)\nLIMIT 25\n")
# Result formats the plain form offers: ``format`` parameter value → label.
FORM_FORMATS = {"json": "Table (SPARQL JSON)", "xml": "SPARQL XML", "csv": "CSV", "tsv": "TSV",
                "turtle": "Turtle (CONSTRUCT)"}
# The parameters of a shared link: the query, and the graph version it was made on.
QUERY_PARAMETER = "query"
VERSION_PARAMETER = "graph-version"
MAX_LINK_QUERY = 20_000  # characters of a query a link may carry (a longer one gets a 400)


def yasgui_dir() -> Path | None:
    """The folder holding YASGUI's built files, or ``None`` when it is not installed."""
    configured = current_state().config.yasgui_dir or os.environ.get(YASGUI_ENV)
    folder = Path(configured) if configured else node_packages.yasgui_dir()
    return folder if node_packages.yasgui_installed(folder) else None


def sentence(stats: Statistics) -> str:
    """The dataset in one sentence: title, triple count and how many claims, studies and results."""
    title = f"{DATASET_TITLE}: {stats.document_title}" if stats.document_title else DATASET_TITLE
    c = stats.counts
    return (
        f"{title} — {stats.triples:,} triples, with {c['claims']:,} claims, "
        f"{c['studies']:,} studies, {c['results']:,} results and {c['recommendations']:,} recommendations."
    )


def chosen_example(examples: tuple[Example, ...]) -> Example | None:
    """The example named by ``?example=<slug>`` (404 for an unknown slug)."""
    slug = request.args.get("example")
    if slug is None:
        return None
    for example in examples:
        if example.slug == slug:
            return example
    abort(404, f"no example query named {slug!r}")


def linked_query() -> str | None:
    """The query a shared link carries (``?query=``), or ``None``; 400 for an empty or overlong one.

    Line ends are made ``\\n``: a form sends its text area's lines with ``\\r\\n``.
    """
    text = request.args.get(QUERY_PARAMETER)
    if text is None:
        return None
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise HttpError.bad_request(f"the {QUERY_PARAMETER} parameter is empty")
    if len(text) > MAX_LINK_QUERY:
        raise HttpError.bad_request(f"the {QUERY_PARAMETER} parameter is longer than {MAX_LINK_QUERY:,} characters")
    return text


def chosen_format() -> str:
    """The plain form's result format a link names (``?format=``), else the first; 400 for an unknown one."""
    name = request.args.get("format", next(iter(FORM_FORMATS)))
    if name not in FORM_FORMATS:
        raise HttpError.bad_request(f"unknown format {name!r}; expected one of {', '.join(FORM_FORMATS)}")
    return name


@blueprint.app_template_filter("inline_code")
def inline_code(text: str) -> Markup:
    """``text`` escaped, its Markdown code spans (`` `se:Claim` ``) shown as ``<code>``."""
    return Markup(CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))


@blueprint.get("/")
def query_page() -> str:
    """The query page (HTML)."""
    examples = example_queries(current_state().config.readme)
    chosen = chosen_example(examples)
    linked = linked_query()
    endpoint = request.url_root + "sparql"
    default = chosen.query if chosen else (examples[0].query if examples else DEFAULT_QUERY)
    return render_template(
        "query_page.html",
        sentence=sentence(current_statistics()),
        examples=examples,
        query=linked if linked is not None else default,
        linked=linked is not None,
        graph_version=current_state().graph_version,
        pinned_version=request.args.get(VERSION_PARAMETER),
        version_parameter=VERSION_PARAMETER,
        form_format=chosen_format(),
        chosen=chosen,
        endpoint=endpoint,
        yasgui=yasgui_dir() is not None,
        yasgui_install=YASGUI_INSTALL,
        form_formats=FORM_FORMATS,
        base=BASE,
        prefixes=PREDECLARED_PREFIXES,
        alternates={"text/turtle": url_for("description.void")},
    )


@blueprint.get("/yasgui/<name>")
def yasgui_file(name: str) -> Response:
    """YASGUI's script or style sheet, from the installed ``@zazuko/yasgui`` build."""
    folder = yasgui_dir()
    if folder is None or name not in YASGUI_FILES:
        raise HttpError.not_found(f"{name} is not served here (YASGUI is not installed, or no such file)")
    return send_from_directory(folder, name, max_age=86400)


@blueprint.get("/query/vocabulary.json")
def vocabulary() -> Response | WerkzeugResponse:
    """The classes, properties and prefixes the editor completes from (JSON, cached per graph version)."""
    state = current_state()
    response = jsonify(vocabulary_for(current_store(), current_statistics()))
    response.set_etag(f"vocabulary-{state.graph_version}")
    control = cache_control(state.config.cache_max_age)
    if control is not None:
        response.headers["Cache-Control"] = control
    return response.make_conditional(request)
