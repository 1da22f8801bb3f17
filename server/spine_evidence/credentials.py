"""Credentials for another triple store, from the environment: shared by ``publish`` and ``serve --backend``.

Never from the command line (it shows in process lists):
``SPINE_EVIDENCE_PUBLISH_TOKEN`` (a bearer token), else
``SPINE_EVIDENCE_PUBLISH_USER`` and ``SPINE_EVIDENCE_PUBLISH_PASSWORD``
(HTTP digest auth, or basic with ``scheme="basic"``; Virtuoso's
``/sparql-graph-crud-auth`` takes digest only). This module imports no
rdflib, so a serving worker may use it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from .errors import SpineEvidenceError

USER_VARIABLE = "SPINE_EVIDENCE_PUBLISH_USER"
PASSWORD_VARIABLE = "SPINE_EVIDENCE_PUBLISH_PASSWORD"
TOKEN_VARIABLE = "SPINE_EVIDENCE_PUBLISH_TOKEN"
AUTH_SCHEMES = ("digest", "basic")


class CredentialsError(SpineEvidenceError, ValueError):
    """The credentials in the environment are incomplete, or their scheme is unknown."""


class BearerAuth(AuthBase):
    """``Authorization: Bearer TOKEN``."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def auth_from_environment(scheme: str = "digest", env: Mapping[str, str] | None = None) -> AuthBase | None:
    """The credentials in the environment as a requests auth (``None``: none given)."""
    env = os.environ if env is None else env
    if env.get(TOKEN_VARIABLE):
        return BearerAuth(env[TOKEN_VARIABLE])
    user, password = env.get(USER_VARIABLE), env.get(PASSWORD_VARIABLE)
    if not user:
        return None
    if password is None:
        raise CredentialsError(f"{USER_VARIABLE} is set but {PASSWORD_VARIABLE} is not")
    if scheme not in AUTH_SCHEMES:
        raise CredentialsError(f"unknown auth scheme {scheme!r} (one of {', '.join(AUTH_SCHEMES)})")
    return HTTPDigestAuth(user, password) if scheme == "digest" else HTTPBasicAuth(user, password)
