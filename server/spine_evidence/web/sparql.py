"""The ``/sparql`` Blueprint: the SPARQL 1.1 Protocol query operation (read-only).

A GET without any parameter is handed to the service description when one
is installed (``EndpointState.service_description``); everything else is a
query operation, see :mod:`.query_operation`. Most query operations never
reach this view: :mod:`.fast_path` answers them first, with the same code.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from .query_operation import query_reply
from .state import current_state

blueprint = Blueprint("sparql", __name__)


@blueprint.route("/sparql", methods=["GET", "POST"])
@blueprint.route("/sparql/", methods=["GET", "POST"])
def sparql():
    """SPARQL 1.1 Protocol query endpoint (GET ?query=, POST form, POST application/sparql-query)."""
    state = current_state()
    if request.method in ("GET", "HEAD") and not request.query_string and state.service_description is not None:
        return state.service_description()
    reply = query_reply(state, request.environ)
    return Response(reply.body, status=reply.status, headers=reply.headers)
