"""HTTP validators of a read-only graph: ``ETag``, ``If-None-Match`` → 304, ``Cache-Control``, ``Vary``.

Two kinds of answer, one scheme each:

- query answers (:mod:`.query_operation`): a strong ``ETag``, the graph
  version and a hash of the answer's cache key (:class:`~.cache.AnswerKey`),
  known before the query runs, so ``If-None-Match`` gets its 304 without
  running anything;
- documents (Linked Data, VoID, Graph Store, Service Description): a weak
  ``ETag`` (``W/``), the graph version and a hash of the request (host, path,
  query string) and the negotiated Content-Type, added by a Flask hook. Weak
  because blank nodes made for them (VoID partitions, the service's dataset)
  get fresh labels, so the bytes may differ.

Both change whenever the graph does; both get the one ``Cache-Control`` of
:func:`cache_control`. The Service Description, VoID and the query page write
absolute URLs made from the request's ``Host``; they carry ``Vary: Host`` so
that a shared cache keeps one copy per host and never serves one made for another.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from flask import Flask, Response, request
from werkzeug.wrappers import Response as WerkzeugResponse

from .state import current_state

if TYPE_CHECKING:
    from .cache import AnswerKey

VARY_ANSWER = ("Vary", "Accept, Host")  # a query answer depends on Accept, and on Host through its base IRI
# The views whose answers depend only on the graph (and the request): Blueprint endpoint names.
DOCUMENT_ENDPOINTS = frozenset({
    "description.void",
    "description.service_description",
    "evidence_page.evidence",
    "evidence_page.evidence_csv",
    "evidence_page.evidence_json",
    "fhir_rest.metadata",
    "fhir_rest.read",
    "fhir_rest.search_evidence",
    "graph_store.read_graph",
    "linked_data.dereference",
    "recommendation_page.recommendation_list",
    "recommendation_page.recommendation_json",
    "recommendation_page.recommendation_csv",
})
# The views whose body holds URLs made from the Host header.
HOST_DEPENDENT = frozenset({"description.void", "description.service_description", "query_page.query_page",
                            "fhir_rest.metadata", "fhir_rest.read", "fhir_rest.search_evidence"})


def digest(what: object) -> str:
    """A short hash of ``repr(what)``."""
    return hashlib.blake2b(repr(what).encode("utf-8"), digest_size=12).hexdigest()


def cache_control(max_age: int) -> str | None:
    """The ``Cache-Control`` of a cacheable answer (``None`` when ``max_age`` is 0: none sent)."""
    return f"public, max-age={max_age}" if max_age else None


def answer_etag(key: AnswerKey) -> str:
    """The strong entity tag of a query answer: the graph version and a hash of its whole key."""
    return f'"{key.graph_version}-{digest(tuple(key))}"'


def answer_validators(max_age: int, etag: str | None, method: str) -> list[tuple[str, str]]:
    """``Vary``, and the ``ETag`` and (for GET) ``Cache-Control`` of a cacheable query answer."""
    headers = [VARY_ANSWER]
    if etag is not None:
        headers.append(("ETag", etag))
        control = cache_control(max_age) if method == "GET" else None
        if control is not None:
            headers.append(("Cache-Control", control))
    return headers


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (or is ``*``), compared weakly."""
    if not if_none_match:
        return False
    return if_none_match.strip() == "*" or etag in (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))


def document_etag(graph_version: str, content_type: str | None) -> str:
    """The entity tag (without quotes) of this request's document in ``content_type`` from ``graph_version``."""
    what = (request.host, request.script_root, request.path, request.query_string, content_type)
    return f"{graph_version}-{digest(what)}"


def add_document_validators(response: Response) -> Response | WerkzeugResponse:
    """Add ``ETag`` and ``Cache-Control`` to a document and turn it into a 304 when it is fresh."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.direct_passthrough:
        return response
    if request.endpoint not in DOCUMENT_ENDPOINTS or "Cache-Control" in response.headers or "ETag" in response.headers:
        return response
    state = current_state()
    response.set_etag(document_etag(state.graph_version, response.content_type), weak=True)
    control = cache_control(state.config.cache_max_age)
    if control is not None:
        response.headers["Cache-Control"] = control
    return response.make_conditional(request)


def vary_host(response: Response) -> Response:
    """Add ``Host`` to ``Vary`` of an answer whose body was made from it."""
    if request.endpoint in HOST_DEPENDENT:
        response.vary.add("Host")
    return response


def register_conditional(app: Flask) -> None:
    """Install the document validators and ``Vary: Host`` hooks on ``app``."""
    app.after_request(add_document_validators)
    app.after_request(vary_host)
