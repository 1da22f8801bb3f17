"""The health endpoint: ``GET /health`` → ``{"status", "triples", "graph_version"}``.

200 with ``"status": "ok"`` when the store answers a query; 503 with
``"status": "unavailable"`` and the reason when it does not. ``triples`` is
the default graph's triple count as ``build.json`` records it (``null`` for a
store made without one, until a description has counted it: health never
scans the store); ``graph_version`` the content hash of the sources the store
was built from.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .state import current_state

blueprint = Blueprint("health", __name__)

PROBE = "ASK { ?s ?p ?o }"


def health_record() -> tuple[dict[str, object], int]:
    """The health record of the app handling this request, and its HTTP status."""
    state = current_state()
    try:
        state.store.query(PROBE)
        version = state.graph_version
    except (OSError, RuntimeError, ValueError) as error:
        return {"status": "unavailable", "reason": f"{type(error).__name__}: {error}"}, 503
    dataset = state.known_dataset
    triples = dataset.default_graph_triples if dataset is not None else None
    return {"status": "ok", "triples": triples, "graph_version": version}, 200


@blueprint.get("/health")
def health() -> Response:
    """Health of the endpoint as JSON (not cached by clients)."""
    record, status = health_record()
    response = jsonify(record)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
