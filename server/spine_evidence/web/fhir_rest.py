"""Read-only FHIR R5 REST at ``/fhir``: ``metadata``, read by type and id, search of ``Evidence``.

The resources are those of :func:`spine_evidence.fhir.build_bundle` over the
app's store, built once per worker on first use and kept (the store is
read-only, the bundle a pure function of it): :func:`fhir_index`. Answers are
``application/fhir+json`` (``application/json`` when that is what the client
asks for; ``_format=json`` too); anything else is 406. Errors are FHIR
``OperationOutcome`` resources with the HTTP status of the :class:`HttpError`.

Search of ``Evidence`` (a ``searchset`` Bundle, every match on one page unless ``_count`` asks for pages):
``_id``, ``identifier`` (``[system|]value``), ``url``, and two parameters of
ours, defined as ``SearchParameter`` resources readable here and listed in the
CapabilityStatement: ``outcome`` (the measured variable) and ``study`` (the
cited study). A reference value may be an id, ``Type/id``, an absolute URL
ending in ``Type/id``, or the referenced resource's IRI (its ``url``); a comma
separates alternatives; an unknown parameter is 400 (no silent fallback).
``_count`` pages the matches (``next`` link with ``_offset``); ``_count=0`` gives the total only.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from .http_errors import HttpError
from .negotiation import best_media_type
from .state import current_store

blueprint = Blueprint("fhir_rest", __name__, url_prefix="/fhir")

Resource = dict[str, Any]
FHIR_JSON = "application/fhir+json"
MEDIA_TYPE_FHIR: dict[str, str] = {FHIR_JSON: FHIR_JSON, "application/json": "application/json"}
FORMAT_NAMES: dict[str, str] = {"json": FHIR_JSON, FHIR_JSON: FHIR_JSON, "application/json": "application/json"}
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
EXTENSION_KEY = "spine_evidence.fhir"
OUR_PARAMETERS = {
    "outcome": ("the outcome a result measures (its measured variable)", "EvidenceVariable",
                "Evidence.variableDefinition.where(variableRole.coding.code = 'measuredVariable').observed"),
    "study": ("the study a result is from (its cited artifact)", "Citation",
              "Evidence.relatedArtifact.where(type = 'citation').resourceReference"),
}
COMMON_PARAMETERS = {"_id": "token", "identifier": "token", "url": "uri"}
PAGING = ("_format", "_count", "_offset")  # result controls, not tests
ISSUE_CODE = {400: "invalid", 404: "not-found", 406: "not-supported"}


@dataclass
class FhirIndex:
    """The FHIR view of one store: every resource by type and id, and by the IRI it is made from."""

    by_type: dict[str, dict[str, Resource]] = field(default_factory=dict)
    by_iri: dict[str, Resource] = field(default_factory=dict)
    date: str = ""

    @classmethod
    def of(cls, resources: Iterable[Resource], date: str) -> FhirIndex:
        """The index of ``resources``; ``by_iri`` keeps the resource whose ``official`` identifier is the IRI."""
        index = cls(date=date)
        for resource in resources:
            index.by_type.setdefault(resource["resourceType"], {})[resource["id"]] = resource
            for ident in resource.get("identifier", []):
                if ident.get("use") == "official":
                    index.by_iri.setdefault(ident["value"], resource)
        return index


_lock = threading.Lock()


def fhir_index() -> FhirIndex:
    """The :class:`FhirIndex` of the app's store: built on first use in this worker, then kept.

    404 when the graph has no FHIR view (no ``se:GuidanceDocument``: a ``--data`` store of other data).
    """
    found: FhirIndex | None = current_app.extensions.get(EXTENSION_KEY)
    if found is None:
        from ..fhir import FhirBundleError, build_bundle  # on first use: the app factory does not load them

        with _lock:
            found = current_app.extensions.get(EXTENSION_KEY)
            if found is None:
                try:
                    bundle = build_bundle(current_store())
                except FhirBundleError as error:
                    raise HttpError.not_found(f"this dataset has no FHIR view: {error}") from error
                date = bundle["timestamp"][:10]  # our SearchParameters are read like any other resource
                ours = [search_parameter(name, date) for name in OUR_PARAMETERS]
                found = FhirIndex.of([e["resource"] for e in bundle["entry"]] + ours, date)
                current_app.extensions[EXTENSION_KEY] = found
    return found


def search_parameter(name: str, date: str) -> Resource:
    """The ``SearchParameter`` resource defining our search parameter ``name`` on ``Evidence``."""
    what, target, expression = OUR_PARAMETERS[name]
    return {"resourceType": "SearchParameter", "id": f"Evidence-{name}", "url": parameter_url(name),
            "name": name, "status": "active", "date": date, "experimental": False,
            "description": f"Search Evidence by {what}: a reference to a {target}.", "code": name,
            "base": ["Evidence"], "type": "reference", "expression": expression, "target": [target],
            "processingMode": "normal"}


def parameter_url(name: str) -> str:
    """The canonical URL of our search parameter ``name`` (under ``FHIR_BASE``)."""
    from ..fhir import FHIR_BASE

    return f"{FHIR_BASE}/SearchParameter/Evidence-{name}"


def operation_outcome(status: int, message: str) -> Resource:
    """An ``OperationOutcome`` with one error issue saying ``message``."""
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": ISSUE_CODE.get(status, "processing"), "diagnostics": message}]}


def fhir_response(resource: Resource, status: int = 200, media_type: str = FHIR_JSON) -> Response:
    """``resource`` as JSON with the FHIR media type, ``Vary: Accept``."""
    body = json.dumps(resource, ensure_ascii=False)
    response = Response(body, status=status, content_type=f"{media_type}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


@blueprint.errorhandler(HttpError)
def outcome_error(error: HttpError) -> Response:
    """Every error under ``/fhir`` as an ``OperationOutcome`` with the error's status and headers."""
    response = fhir_response(operation_outcome(error.status, error.message), error.status)
    for name, value in error.headers:
        response.headers[name] = value
    return response


def negotiated() -> str:
    """The media type of this answer: ``_format`` if given, else ``Accept``; 406 when neither is offered."""
    wanted = request.args.get("_format")
    if wanted is not None:
        media_type = FORMAT_NAMES.get(wanted.split(";", 1)[0].strip().lower())
        if media_type is None:
            raise HttpError.not_acceptable(f"_format {wanted!r} is not offered; use json ({FHIR_JSON})")
        return media_type
    accept = request.headers.get("Accept")
    media_type = best_media_type(accept, MEDIA_TYPE_FHIR)
    if media_type is None:
        raise HttpError.not_acceptable(f"cannot answer Accept: {accept}; FHIR resources are offered as "
                                       f"{', '.join(MEDIA_TYPE_FHIR)}")
    return media_type


def served_base() -> str:
    """The base URL of this FHIR server as the client reached it (``http://host/fhir``)."""
    return request.url_root.rstrip("/") + "/fhir"


@blueprint.get("/metadata")
def metadata() -> Response:
    """The ``CapabilityStatement``: FHIR 5.0.0, JSON, read of every type present, search of Evidence."""
    media_type = negotiated()
    index = fhir_index()
    resources = []
    for kind in sorted(index.by_type):
        entry: Resource = {"type": kind, "interaction": [{"code": "read"}]}
        if kind == "Evidence":
            entry["interaction"].append({"code": "search-type"})
            entry["searchParam"] = [{"name": name, "type": kind_of} for name, kind_of in COMMON_PARAMETERS.items()]
            entry["searchParam"] += [{"name": name, "definition": parameter_url(name), "type": "reference",
                                      "documentation": f"Evidence by {what}"}
                                     for name, (what, _, _) in OUR_PARAMETERS.items()]
        resources.append(entry)
    statement = {"resourceType": "CapabilityStatement", "status": "active", "date": index.date, "kind": "instance",
                 "software": {"name": "spine-evidence"},
                 "implementation": {"description": "Read-only FHIR R5 view of the Spine Evidence Graph",
                                    "url": served_base()},
                 "fhirVersion": "5.0.0", "format": ["json"],
                 "rest": [{"mode": "server", "resource": resources}]}
    return fhir_response(statement, media_type=media_type)


def checked_id(rid: str) -> str:
    """``rid`` when it is a valid FHIR id (``[A-Za-z0-9-.]{1,64}``); 400 otherwise."""
    if not FHIR_ID.match(rid):
        raise HttpError.bad_request(f"{rid[:80]!r} is not a FHIR id ([A-Za-z0-9-.]{{1,64}})")
    return rid


@blueprint.get("/<kind>/<rid>")
def read(kind: str, rid: str) -> Response:
    """The resource ``kind/rid``; 404 for a type or id this server does not hold, 400 for a malformed id."""
    media_type = negotiated()
    checked_id(rid)
    index = fhir_index()
    if kind not in index.by_type:
        raise HttpError.not_found(f"resource type {kind!r} is not served here; see /fhir/metadata")
    resource = index.by_type[kind].get(rid)
    if resource is None:
        raise HttpError.not_found(f"{kind}/{rid} is not known")
    return fhir_response(resource, media_type=media_type)


def reference_ids(value: str, target: str, index: FhirIndex) -> set[str]:
    """The ids of ``target`` resources a reference search value names (id, Type/id, URL, or IRI)."""
    found = set()
    for item in value.split(","):
        item = item.strip()
        if item in index.by_iri and index.by_iri[item]["resourceType"] == target:
            found.add(index.by_iri[item]["id"])
            continue
        parts = item.rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] != target:
            continue  # a reference to another type matches nothing
        found.add(checked_id(parts[-1]))
    return found


def referenced(resource: Resource, expression: str) -> set[str]:
    """The ids an ``Evidence`` refers to by one of our parameters' expressions (outcome or study)."""
    if expression.startswith("Evidence.variableDefinition"):
        refs = [v["observed"] for v in resource.get("variableDefinition", [])
                if any(c.get("code") == "measuredVariable" for c in v["variableRole"].get("coding", []))]
    else:
        refs = [r["resourceReference"] for r in resource.get("relatedArtifact", []) if r.get("type") == "citation"]
    return {ref["reference"].rsplit("/", 1)[-1] for ref in refs if "reference" in ref}


def token_matches(resource: Resource, value: str) -> bool:
    """Whether an ``identifier`` token (``[system|]value``, comma for alternatives) matches ``resource``."""
    for item in value.split(","):
        system, _, code = item.rpartition("|") if "|" in item else (None, "", item)
        for ident in resource.get("identifier", []):
            if ident.get("value") == code and (system is None or ident.get("system") == system):
                return True
    return False


def matcher(name: str, value: str, index: FhirIndex) -> Callable[[Resource], bool]:
    """The test an ``Evidence`` must pass for the search parameter ``name=value``; 400 for an unknown name."""
    if name == "_id":
        ids = {checked_id(v.strip()) for v in value.split(",")}
        return lambda r: r["id"] in ids
    if name == "identifier":
        return lambda r: token_matches(r, value)
    if name == "url":
        urls = {v.strip() for v in value.split(",")}
        return lambda r: r.get("url") in urls
    if name in OUR_PARAMETERS:
        _, target, expression = OUR_PARAMETERS[name]
        ids = reference_ids(value, target, index)
        return lambda r: bool(referenced(r, expression) & ids)
    known = ", ".join([*COMMON_PARAMETERS, *OUR_PARAMETERS, *PAGING])
    raise HttpError.bad_request(f"unknown search parameter {name!r} for Evidence; this server supports {known}")


@blueprint.get("/Evidence")
def search_evidence() -> Response:
    """The ``searchset`` Bundle of every ``Evidence`` matching all the parameters given (all on one page)."""
    media_type = negotiated()
    index = fhir_index()
    tests = [matcher(name, value, index) for name, value in request.args.items(multi=True) if name not in PAGING]
    matches = [r for r in index.by_type.get("Evidence", {}).values() if all(test(r) for test in tests)]
    count, offset = paging_number("_count", len(matches)), paging_number("_offset", 0)
    base = served_base()
    bundle = {"resourceType": "Bundle", "type": "searchset", "total": len(matches),
              "link": page_links(offset, count, len(matches)),
              "entry": [{"fullUrl": f"{base}/Evidence/{r['id']}", "resource": r, "search": {"mode": "match"}}
                        for r in matches[offset:offset + count]]}
    return fhir_response(bundle, media_type=media_type)


def paging_number(name: str, default: int) -> int:
    """The value of ``_count`` or ``_offset`` (a whole number ≥ 0), else ``default``; 400 when malformed."""
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isdigit():
        raise HttpError.bad_request(f"{name} must be a whole number ≥ 0, not {value[:40]!r}")
    return int(value)


def page_links(offset: int, count: int, total: int) -> list[Resource]:
    """The ``self`` link of this page and, when more matches follow, the ``next`` one (``_offset``)."""
    links: list[Resource] = [{"relation": "self", "url": request.url}]
    if count and offset + count < total:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "_offset"]
        args.append(("_offset", str(offset + count)))
        links.append({"relation": "next", "url": f"{request.base_url}?{urlencode(args)}"})
    return links


@blueprint.get("/", strict_slashes=False)
@blueprint.get("/<path:rest>")
def unknown(rest: str = "") -> Response:
    """Any other path under ``/fhir``: 404 as an ``OperationOutcome``."""
    raise HttpError.not_found(f"/fhir/{rest} is not a FHIR interaction of this server (read-only: metadata, "
                              "read, search of Evidence)")


def iri_response(iri: str, offered: Iterable[str]) -> Response:
    """The FHIR resource made from our IRI, for Linked Data's ``application/fhir+json``; 406 naming ``offered``.

    The resource is the one whose ``official`` identifier is the IRI (a
    recommendation's PlanDefinition, not its justification's ArtifactAssessment).
    """
    resource = fhir_index().by_iri.get(iri)
    if resource is None:
        return outcome_error(HttpError.not_acceptable(
            f"<{iri}> has no FHIR resource; it is offered as {', '.join(offered)}"))
    return fhir_response(resource)
