"""HTTP caching of the documents of a read-only graph: ``ETag``, ``If-None-Match`` → 304, ``Cache-Control``.

Applies to successful GET and HEAD answers of the Linked Data, VoID, Graph
Store and Service Description views (query answers get theirs in
:mod:`.query_operation`, before they are computed). The ``ETag`` is the
graph version and a hash of the request (host, path, query string) and the
negotiated Content-Type, so it changes whenever the graph does. It is weak
(``W/``): the documents are the same graph each time, but blank nodes made
for them (VoID partitions, the service's dataset) get fresh labels, so the
bytes may differ.

The Service Description, VoID and the query page write absolute URLs made
from the request's ``Host``; they carry ``Vary: Host`` so that a shared
cache keeps one copy per host and never serves one made for another.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, request

from .state import current_state

# The views whose answers depend only on the graph (and the request): Blueprint endpoint names.
CACHED_ENDPOINTS = frozenset({
    "description.void",
    "graph_store.read_graph",
    "linked_data.dereference",
    "sparql.sparql",
})


# The views whose body holds URLs made from the Host header (the service description is sparql.sparql).
HOST_DEPENDENT = frozenset({"description.void", "query_page.query_page", "sparql.sparql"})


def vary_host(response: Response) -> Response:
    """Add ``Host`` to ``Vary`` of an answer whose body was made from it."""
    if request.endpoint in HOST_DEPENDENT:
        response.vary.add("Host")
    return response


def entity_tag(graph_version: str, content_type: str | None) -> str:
    """The entity tag (without quotes) of this request's document in ``content_type`` from ``graph_version``."""
    what = repr((request.host, request.script_root, request.path, request.query_string, content_type))
    return f"{graph_version}-{hashlib.blake2b(what.encode('utf-8'), digest_size=12).hexdigest()}"


def add_validators(response: Response) -> Response:
    """Add ``ETag`` and ``Cache-Control`` to a cacheable answer and turn it into a 304 when it is fresh."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.direct_passthrough:
        return response
    if request.endpoint not in CACHED_ENDPOINTS or "Cache-Control" in response.headers or "ETag" in response.headers:
        return response
    if request.endpoint == "sparql.sparql" and request.query_string:  # a query answer: see query_operation
        return response
    state = current_state()
    response.set_etag(entity_tag(state.graph_version, response.content_type), weak=True)
    if state.config.cache_max_age:
        response.headers["Cache-Control"] = f"public, max-age={state.config.cache_max_age}"
    return response.make_conditional(request)


def register_http_cache(app: Flask) -> None:
    """Install the validators and ``Vary: Host`` hooks on ``app``."""
    app.after_request(add_validators)
    app.after_request(vary_host)
