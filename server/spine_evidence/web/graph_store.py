"""SPARQL 1.1 Graph Store HTTP Protocol, read access, at ``/graph-store``.

https://www.w3.org/TR/sparql11-http-rdf-update/ with indirect graph
identification only: ``GET /graph-store?default`` is the default graph,
``GET /graph-store?graph=IRI`` a named graph, in the RDF format the client
negotiates (``Accept`` or a ``format`` parameter). HEAD answers the same
headers without a body. 400 when both or neither of ``default`` and
``graph`` are given (or the IRI is malformed), then 404 for a graph the
store does not hold, then 406 when no offered format is acceptable. The store
is read-only: PUT, POST and DELETE are refused with 403, PATCH (not part of
the protocol) with 405. Over a backend (``serve --backend``), a named graph
is forwarded from its Graph Store (``--backend-gsp``) or read by CONSTRUCT
(:mod:`spine_evidence.backend.graph_store`).
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, request

from .http_errors import HttpError, error_response
from .negotiation import MEDIA_TYPE_RDF
from .protocol import Params, url_params, values
from .rdf_documents import negotiate, rdf_body
from .state import current_state, current_store

blueprint = Blueprint("graph_store", __name__)

READ_METHODS = "GET, HEAD, OPTIONS"
READ_ONLY = "this Graph Store is read-only: {method} is refused; use GET or HEAD"


def target_graph(params: Params) -> ox.NamedNode | ox.DefaultGraph:
    """The graph a request identifies: ``?default`` or ``?graph=IRI``, exactly one of them.

    Raises :class:`~.http_errors.HttpError` (400) otherwise.
    """
    default, graphs = values(params, "default"), values(params, "graph")
    if bool(default) == bool(graphs) or len(default) + len(graphs) > 1:
        raise HttpError.bad_request("name exactly one graph: ?default or ?graph=IRI (given once)")
    if default:
        return ox.DefaultGraph()
    try:
        return ox.NamedNode(graphs[0])
    except ValueError as error:
        raise HttpError.bad_request(f"graph={graphs[0]!r} is not a valid IRI: {error}") from None


def check_exists(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> None:
    """:class:`~.http_errors.HttpError` (404) when ``graph`` is a named graph the store does not hold."""
    if isinstance(graph, ox.NamedNode) and not store.contains_named_graph(graph):
        raise HttpError.not_found(f"no graph named <{graph.value}> in this store")


def graph_triples(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> list[ox.Triple]:
    """Every triple of ``graph`` in ``store``."""
    return [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)]


@blueprint.route("/graph-store", methods=["GET"])
def read_graph() -> Response:
    """GET (and HEAD) of one graph, by indirect identification (errors answered by the app's handler)."""
    graph = target_graph(url_params(request.environ))
    check_exists(current_store(), graph)
    media_type, fmt = negotiate(MEDIA_TYPE_RDF)
    backend = current_state().backend
    if backend is None:
        return rdf_body(graph_triples(current_store(), graph), media_type, fmt)
    from ..backend import graph_store as remote

    if backend.gsp_url is not None and isinstance(graph, ox.NamedNode):
        kind, body = remote.forwarded(backend, graph, media_type)
        return Response(body, content_type=kind, headers={"Vary": "Accept"})
    return rdf_body(remote.graph_triples(backend, graph), media_type, fmt)


@blueprint.route("/graph-store", methods=["PUT", "POST", "DELETE"])
def refuse_update() -> Response:
    """403: the Graph Store is read-only."""
    return error_response(HttpError.forbidden(READ_ONLY.format(method=request.method)))


@blueprint.route("/graph-store", methods=["PATCH"])
def refuse_patch() -> Response:
    """405 with ``Allow``: PATCH is no Graph Store operation."""
    return error_response(HttpError(405, f"PATCH is not a Graph Store operation; allowed: {READ_METHODS}",
                                    [("Allow", READ_METHODS)]))
