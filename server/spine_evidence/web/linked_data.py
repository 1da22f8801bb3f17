"""Linked Data: every IRI under ``https://w3id.org/spine-evidence/`` dereferences on this server.

The request path ``/X`` names the IRI ``https://w3id.org/spine-evidence/X``
(a deployment redirects ``https://w3id.org/spine-evidence/(.*)`` to
``https://HOST/$1``, keeping the Accept header). The answer is the
resource's description (:func:`resource_description`) as Turtle, JSON-LD,
N-Triples or RDF/XML by content negotiation or by a ``.ttl``, ``.jsonld``,
``.nt``, ``.rdf`` suffix, and as a small HTML page for browsers (``.html``);
404 for an IRI the graph does not mention. The ontology IRI (and its version
IRI) returns the ``graph:ontology`` named graph, so its hash IRIs
(``/ontology#Claim``) are served by that document; a named graph's IRI that
the graph does not describe returns the named graph's triples. The source
text and the JSON-LD context are served as files (the source text's HTML twin
is the source reader, :mod:`.source_reader`; the ontology IRI's HTML is pyLODE's
documentation when the build wrote it, :mod:`.ontology_page`).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, send_file

from .. import paths
from ..iris import BASE, GRAPH_ONTOLOGY, ONTOLOGY_IRI, OWL, RDF, RDFS, SE, SOURCE_TEXT_IRI, SOURCE_TEXT_NAME
from .fhir_rest import FHIR_JSON, iri_response
from .http_errors import HttpError
from .nanopub_index import nanopub_of
from .negotiation import MEDIA_TYPE_RDF, best_media_type, canonical_types
from .ontology_page import ontology_html
from .rdf_documents import negotiate, rdf_body, serialize
from .recommendation_page import recommendation_html
from .resource_page import page_model
from .resource_tables import table_csv
from .source_reader import reader_page
from .state import current_state, current_store

blueprint = Blueprint("linked_data", __name__)

HTML = "text/html"
# Every media type a resource is offered in: the RDF formats, then HTML for browsers, then the FHIR resource made
# from it (results, studies, recommendations, claims and other statements, outcomes, arms: :mod:`.fhir_rest`).
MEDIA_TYPE_RESOURCE: dict[str, ox.RdfFormat | str] = {**MEDIA_TYPE_RDF, HTML: HTML, "application/xhtml+xml": HTML,
                                                      FHIR_JSON: FHIR_JSON}
# Path suffix → media type: ``/claim/x.ttl`` is the Turtle of ``claim:x``.
SUFFIX_MEDIA_TYPE: dict[str, str] = {
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".html": HTML,
}
MEDIA_TYPE_SUFFIX: dict[str, str] = {media_type: suffix for suffix, media_type in SUFFIX_MEDIA_TYPE.items()}
MAX_INCOMING = 2000
LABELS_PER_QUERY = 200  # IRIs whose labels one query asks for
DEFAULT = ox.DefaultGraph()
Node = ox.NamedNode | ox.BlankNode
HAS_QUOTE = ox.NamedNode(str(SE.hasQuote))
LABEL = ox.NamedNode(str(RDFS.label))
VERSION_IRI = ox.NamedNode(str(OWL.versionIRI))
TYPE = ox.NamedNode(str(RDF.type))
# The HTML page of a resource by its rdf:type: (IRI, alternates) → the page, or None to fall back to resource.html.
HTML_VIEWS: dict[str, Callable[[str, dict[str, str]], str | None]] = {str(SE.Recommendation): recommendation_html,
                                                                     str(OWL.Ontology): ontology_html}


def iri_of_path(path: str) -> str:
    """The IRI a request path names: ``/X`` → ``https://w3id.org/spine-evidence/X``."""
    return BASE + path.lstrip("/")


def path_of_iri(iri: str) -> str | None:
    """The request path of an IRI under the base (``None`` for any other IRI)."""
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else None


def closure(store: ox.Store, root: ox.NamedNode, seen: set[Node]) -> list[ox.Triple]:
    """The triples of ``root`` as subject, following blank nodes and ``root#…`` hash resources."""
    found: list[ox.Triple] = []
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for quad in store.quads_for_pattern(node, None, None, DEFAULT):
            found.append(ox.Triple(quad.subject, quad.predicate, quad.object))
            obj = quad.object
            if isinstance(obj, ox.BlankNode) or (isinstance(obj, ox.NamedNode)
                                                 and obj.value.startswith(root.value + "#")):
                stack.append(obj)
    return found


def labels(store: ox.Store, triples: list[ox.Triple], described: set[Node]) -> list[ox.Triple]:
    """The ``rdfs:label`` triples of every IRI the description links to but does not describe.

    One query per ``LABELS_PER_QUERY`` IRIs (``VALUES``), not one per IRI: over
    a backend (``serve --backend``) each query is a round trip.
    """
    linked = {t for tr in triples for t in (tr.subject, tr.predicate, tr.object) if isinstance(t, ox.NamedNode)}
    ordered = sorted(linked - described, key=lambda n: n.value)
    found: list[ox.Triple] = []
    for start in range(0, len(ordered), LABELS_PER_QUERY):
        values = " ".join(str(node) for node in ordered[start:start + LABELS_PER_QUERY])
        solutions = store.query(f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s {LABEL} ?label }} ORDER BY ?s")
        assert isinstance(solutions, ox.QuerySolutions)
        found.extend(ox.Triple(row["s"], LABEL, row["label"]) for row in solutions)
    return found


def resource_description(store: ox.Store, iri: str) -> list[ox.Triple]:
    """The description of ``iri`` in the default graph; empty when the graph does not mention it.

    Its triples as subject, with the blank nodes and ``#`` hash resources they
    lead to; the same for each of its quotes (``se:hasQuote``: the annotation,
    its ``#target`` and ``#selector``); the triples where it is the object (at
    most ``MAX_INCOMING``); and the labels of every IRI these link to.
    """
    node = ox.NamedNode(iri)
    seen: set[Node] = set()
    triples = closure(store, node, seen)
    for quote in [t.object for t in triples if t.subject == node and t.predicate == HAS_QUOTE]:
        if isinstance(quote, ox.NamedNode):
            triples += closure(store, quote, seen)
    incoming = store.quads_for_pattern(None, None, node, DEFAULT)
    triples += [ox.Triple(q.subject, q.predicate, q.object) for q in islice(incoming, MAX_INCOMING)]
    if not triples:
        return []
    return triples + labels(store, triples, seen)


def ontology_document(store: ox.Store, iri: str) -> list[ox.Triple] | None:
    """The ``graph:ontology`` named graph when ``iri`` is the ontology's IRI or version IRI, else ``None``."""
    graph = ox.NamedNode(str(GRAPH_ONTOLOGY))
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    if iri != ONTOLOGY_IRI and not any(store.quads_for_pattern(ontology, VERSION_IRI, ox.NamedNode(iri), graph)):
        return None
    if not store.contains_named_graph(graph):
        return None
    return [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)]


def named_graph(store: ox.Store, iri: str) -> list[ox.Triple]:
    """The triples of the named graph ``iri`` (``graph:factfinder`` …); empty when there is none."""
    graph = ox.NamedNode(iri)
    if not store.contains_named_graph(graph):
        return []
    return [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)]


def split_suffix(path: str) -> tuple[str, str | None]:
    """``path`` without a format suffix, and the media type the suffix names (``None`` if none)."""
    for suffix, media_type in SUFFIX_MEDIA_TYPE.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], media_type
    return path, None


def describe(store: ox.Store, path: str) -> tuple[str, list[ox.Triple], str | None]:
    """The IRI named by ``path``, its description and the media type its suffix forces.

    The path is first read as a whole IRI; only when that IRI is not in the
    graph is a format suffix stripped from it.
    """
    candidates: list[tuple[str, str | None]] = [(path, None)]
    bare, forced = split_suffix(path)
    if forced is not None:
        candidates.append((bare, forced))
    for candidate, media_type in candidates:
        iri = iri_of_path(candidate)
        try:
            triples = ontology_document(store, iri) or resource_description(store, iri) or named_graph(store, iri)
        except ValueError:  # not a valid IRI: nothing has it
            continue
        if triples:
            return iri, triples, media_type
    return iri_of_path(path), [], None


def alternates(iri: str) -> dict[str, str]:
    """The URL of each machine-readable (and the HTML) rendering of ``iri``, by media type."""
    local = request.script_root + (path_of_iri(iri) or "/")
    return {media_type: local + suffix for media_type, suffix in MEDIA_TYPE_SUFFIX.items()}


def link_header(links: dict[str, str]) -> str:
    """An RFC 8288 ``Link`` header listing the alternates."""
    return ", ".join(f'<{url}>; rel="alternate"; type="{media_type}"' for media_type, url in links.items())


def render(iri: str, triples: list[ox.Triple], media_type: str, fmt: ox.RdfFormat | str) -> Response:
    """The description as ``media_type``: the HTML page, an RDF serialisation or the FHIR resource."""
    links = alternates(iri)
    if fmt == FHIR_JSON:
        response = iri_response(iri, [t for t in canonical_types(MEDIA_TYPE_RESOURCE) if t != FHIR_JSON])
    elif isinstance(fmt, str):  # HTML
        twins = {m: u for m, u in links.items() if m != HTML}
        html = html_page(iri, triples, twins)
        response = Response(html, content_type="text/html; charset=utf-8")
    else:
        response = rdf_body(triples, media_type, fmt)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = link_header(links)
    return response


def html_page(iri: str, triples: list[ox.Triple], twins: dict[str, str]) -> str:
    """The HTML page of ``iri``: the view of :data:`HTML_VIEWS` its ``rdf:type`` names, else ``resource.html``."""
    node = ox.NamedNode(iri)
    types = {t.object.value for t in triples
             if t.subject == node and t.predicate == TYPE and isinstance(t.object, ox.NamedNode)}
    for type_iri, view in HTML_VIEWS.items():
        html = view(iri, twins) if type_iri in types else None
        if html is not None:
            return html
    return resource_html(iri, triples, twins)


def embedded_json_ld(triples: list[ox.Triple]) -> str:
    """The description as JSON-LD (pyoxigraph's writer) for a ``<script>``: each ``<`` escaped as ``\\u003c``."""
    return serialize(triples, ox.RdfFormat.JSON_LD).decode("utf-8").replace("<", "\\u003c")


def resource_html(iri: str, triples: list[ox.Triple], twins: dict[str, str]) -> str:
    """``resource.html``: each fact once, the numbers, inverse relations, "cite this", embedded JSON-LD, twins."""
    state = current_state()
    page = page_model(current_store(), iri, triples, request.script_root, state.graph_version)
    cite = {"iri": iri, "graph_version": state.graph_version, "nanopub": nanopub_of(state.config.store_path, iri)}
    return render_template("resource.html", page=page, cite=cite, alternates=twins, json_ld=embedded_json_ld(triples),
                           page_url=request.script_root + request.path)


def table_download(iri: str, triples: list[ox.Triple], name: str) -> Response:
    """One table of the resource's page as CSV (``?table=NAME&format=csv``); 404 for a table the page lacks."""
    if request.args.get("format", "csv") != "csv":
        raise HttpError.bad_request(f"a table is served as CSV only (format=csv), not {request.args['format']!r}")
    tables = page_model(current_store(), iri, triples, request.script_root, current_state().graph_version).tables
    if name not in tables:
        raise HttpError.not_found(f"the page of <{iri}> has no table {name!r} (it has: {', '.join(tables)})")
    response = Response(table_csv(tables[name]), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@blueprint.get("/<path:path>")
def dereference(path: str) -> Response:
    """The description of the IRI ``https://w3id.org/spine-evidence/<path>``, negotiated."""
    iri, triples, forced = describe(current_store(), path)
    if not triples:
        raise HttpError.not_found(f"<{iri}> is not described by this graph")
    if "table" in request.args:
        return table_download(iri, triples, request.args["table"])
    media_type, fmt = (forced, MEDIA_TYPE_RESOURCE[forced]) if forced else negotiate(MEDIA_TYPE_RESOURCE)
    return render(iri, triples, media_type, fmt)


def data_file(path: Path | None, content_type: str, what: str) -> Response:
    """A data file sent as it is; 404 naming ``what`` when it is absent."""
    if path is None or not path.is_file():
        raise HttpError.not_found(f"{what} is not installed with this server")
    response = send_file(path, mimetype=content_type, conditional=True, max_age=3600)
    response.headers["Content-Type"] = content_type
    return response


@blueprint.get(f"/source/{SOURCE_TEXT_NAME}")
def source_text() -> Response:
    """The source text the quotes select from (``src:…txt``), as ``text/plain; charset=utf-8``.

    Its HTML twin, for a client that prefers ``text/html``, is the source reader (:mod:`.source_reader`).
    """
    if best_media_type(request.headers.get("Accept"), {"text/plain": "text/plain", HTML: HTML}) == HTML:
        return reader_page()
    try:
        path = paths.graph_dir() / SOURCE_TEXT_NAME
    except FileNotFoundError:
        path = None
    response = data_file(path, "text/plain; charset=utf-8", "the source text")
    twins = {m: u for m, u in alternates(str(SOURCE_TEXT_IRI)).items() if m != HTML}
    twins[HTML] = request.script_root + "/reader"  # the HTML twin: the source reader
    response.headers["Link"] = link_header(twins)
    response.headers["Vary"] = "Accept"
    return response


@blueprint.get("/context.jsonld")
def context() -> Response:
    """The published JSON-LD context (``ontology/context.jsonld``)."""
    try:
        path = paths.ontology_dir() / paths.CONTEXT_FILE
    except FileNotFoundError:
        path = None
    return data_file(path, "application/ld+json", "the JSON-LD context")

