"""Resource ids, full URLs, references and identifiers, all derived from our IRIs.

The same IRI gives the same id in every build: the IRI's path under
``https://w3id.org/spine-evidence/`` with ``/`` and ``#`` turned into ``-``
(``result/ref-07-intravascular-fluoroscopy`` → ``result-ref-07-intravascular-fluoroscopy``),
so an id is readable and joins back to the graph; an id longer than FHIR's 64
characters keeps its first 55 and adds 8 hex digits of the IRI's SHA-256. Two
resources of different types may share an id (a recommendation's
``PlanDefinition`` and the ``ArtifactAssessment`` of its justification).

Entries of the bundle have the full URL ``FHIR_BASE/<type>/<id>`` and refer to
each other by relative references ``<type>/<id>``, which FHIR resolves against
that base (Bundle, "Resolving references in Bundles"). ``FHIR_BASE`` is a new
IRI family of ours (``https://w3id.org/spine-evidence/fhir``).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ..iris import BASE

FHIR_BASE = BASE + "fhir"
IRI_SYSTEM = "urn:ietf:rfc:3986"  # Identifier.system for a value that is a URI
MAX_ID = 64
NOT_ID = re.compile(r"[^A-Za-z0-9\-.]")


def resource_id(iri: str) -> str:
    """The FHIR id of the resource made from ``iri`` (``[A-Za-z0-9-.]{1,64}``)."""
    slug = iri[len(BASE):] if iri.startswith(BASE) else iri.split("://", 1)[-1]
    slug = NOT_ID.sub("-", slug).strip("-.") or "x"
    if len(slug) <= MAX_ID:
        return slug
    return f"{slug[:55]}-{hashlib.sha256(iri.encode()).hexdigest()[:8]}"


def full_url(resource_type: str, rid: str) -> str:
    """The ``Bundle.entry.fullUrl`` of a resource."""
    return f"{FHIR_BASE}/{resource_type}/{rid}"


def reference(resource_type: str, iri: str, display: str | None = None) -> dict[str, Any]:
    """A relative Reference to the resource of ``resource_type`` made from ``iri``."""
    found: dict[str, Any] = {"reference": f"{resource_type}/{resource_id(iri)}"}
    if display:
        found["display"] = display
    return found


def identifier(iri: str, use: str = "official") -> dict[str, Any]:
    """An Identifier holding our IRI, so the FHIR view joins back to the graph."""
    return {"use": use, "system": IRI_SYSTEM, "value": iri}
