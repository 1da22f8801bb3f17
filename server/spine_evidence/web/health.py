"""The health endpoint: ``GET /health`` → status, triples, graph version and what identifies the served store.

200 with ``"status": "ok"`` when the store answers a query; 503 with
``"status": "unavailable"`` and the reason when it does not. ``triples`` is
the default graph's triple count as ``build.json`` records it (``null`` for a
store made without one, until a description has counted it: health never
scans the store); ``graph_version`` the content hash of the sources the store
was built from.

Read replicas (N ``serve --store`` processes on copies of one built store)
are checked to serve the same data by two more fields, read once when the
app opens its store: ``build_checksum``, the SHA-256 of ``build.json``
(canonical JSON: the graph version, triple counts, sources and build times of
that one build), and ``store_fingerprint``, the store files' own
(:func:`~spine_evidence.store.store_fingerprint`: RocksDB manifest and table
files). Both are ``null`` for an in-memory store, and ``build_checksum`` is
``null`` when ``build.json`` no longer records the version being served.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify
from flask.blueprints import BlueprintSetupState

from .. import store as store_module
from ..backend.errors import BackendError
from .state import EXTENSION_KEY, EndpointState, current_state

blueprint = Blueprint("health", __name__)

PROBE = "ASK { ?s ?p ?o }"
IDENTITY_KEY = "spine_evidence.store_identity"


def build_checksum(store_path: Path, version: str) -> str | None:
    """``sha256:…`` of ``build.json`` beside ``store_path`` (canonical JSON); ``None`` unless it records ``version``."""
    record = store_module.read_build_record(store_path)
    if not record or record.get("graph_version") != version:
        return None
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def store_identity(state: EndpointState) -> dict[str, str | None]:
    """The ``build_checksum`` and ``store_fingerprint`` of the store ``state`` serves (``None`` in memory)."""
    path = state.config.store_path
    if state.backend is not None:  # serve --backend: the checksums of the live graphs, from the publication record
        return {"build_checksum": state.backend.publication.checksum, "store_fingerprint": None}
    if path is None:
        return {"build_checksum": None, "store_fingerprint": None}
    try:
        fingerprint: str | None = store_module.store_fingerprint(path)
    except OSError:
        fingerprint = None
    return {"build_checksum": build_checksum(path, state.graph_version), "store_fingerprint": fingerprint}


@blueprint.record
def identify_store(setup: BlueprintSetupState) -> None:
    """Read the served store's identity once, when the app is made (its store is open by then)."""
    extensions = setup.app.extensions
    if EXTENSION_KEY in extensions:
        extensions[IDENTITY_KEY] = store_identity(extensions[EXTENSION_KEY])


def health_record() -> tuple[dict[str, object], int]:
    """The health record of the app handling this request, and its HTTP status."""
    state = current_state()
    try:
        state.store.query(PROBE)
        version = state.graph_version
    except (OSError, RuntimeError, ValueError, BackendError) as error:
        return {"status": "unavailable", "reason": f"{type(error).__name__}: {error}"}, 503
    dataset = state.known_dataset
    triples = dataset.default_graph_triples if dataset is not None else None
    identity = (store_identity(state) if state.backend is not None  # the live publication's
                else current_app.extensions.get(IDENTITY_KEY) or store_identity(state))
    return {"status": "ok", "triples": triples, "graph_version": version, **identity}, 200


@blueprint.get("/health")
def health() -> Response:
    """Health of the endpoint as JSON (not cached by clients)."""
    record, status = health_record()
    response = jsonify(record)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
