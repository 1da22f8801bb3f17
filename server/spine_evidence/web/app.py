"""The Flask app factory: ``create_app(config)`` only wires modules together.

The open store, the config and the dataset record are kept in
``app.extensions["spine_evidence"]`` (an :class:`~.state.EndpointState`);
views reach them with :func:`current_state`, :func:`current_store` and
:func:`current_dataset`. Content negotiation tables are in
:mod:`.negotiation`. Every query operation on ``/sparql`` is answered before
Flask by :class:`~.fast_path.QueryFastPath`; the bare ``GET /sparql`` (the
service description) is a route of :mod:`.description`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from .conditional import register_conditional
from .config import AppConfig
from .cors import register_cors
from .fast_path import QueryFastPath
from .http_errors import register_errors
from .retirement import start_memory_guard
from .state import EXTENSION_KEY, EndpointState, current_dataset, current_state, current_store, open_state

__all__ = ["AppConfig", "EndpointState", "create_app", "current_dataset", "current_state", "current_store"]


def create_app(config: AppConfig | Mapping[str, Any] | None = None) -> Flask:
    """A Flask app serving the store named by ``config`` (an :class:`AppConfig` or its fields as a mapping)."""
    if config is None:
        config = AppConfig()
    elif not isinstance(config, AppConfig):
        config = AppConfig(**dict(config))
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body
    app.json.sort_keys = False  # type: ignore[attr-defined]  # DefaultJSONProvider's setting
    app.extensions[EXTENSION_KEY] = open_state(config)
    start_memory_guard(app.extensions[EXTENSION_KEY])
    register_errors(app)
    register_cors(app)
    register_blueprints(app)
    register_conditional(app)
    app.wsgi_app = QueryFastPath(app.wsgi_app, app.extensions[EXTENSION_KEY])  # type: ignore[method-assign]
    return app


def register_blueprints(app: Flask) -> None:
    """Register every Blueprint of the endpoint on ``app``.

    Each concern is one Blueprint in its own module; add new ones below,
    importing inside this function.
    """
    # Self-description (with the bare GET /sparql), Graph Store (read), health, query page, Linked Data (its
    # catch-all GET /<path> is the least specific rule, so every other route wins).
    from .description import blueprint as description
    from .evidence_page import blueprint as evidence_page
    from .fhir_rest import blueprint as fhir_rest
    from .graph_store import blueprint as graph_store
    from .health import blueprint as health
    from .linked_data import blueprint as linked_data
    from .query_page import blueprint as query_page
    from .recommendation_page import blueprint as recommendation_page
    from .source_reader import blueprint as source_reader

    for blueprint in (description, graph_store, health, query_page, evidence_page, fhir_rest, recommendation_page,
                      source_reader, linked_data):
        app.register_blueprint(blueprint)
