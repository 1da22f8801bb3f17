"""Our checks of a FHIR bundle, on top of ``fhir.resources`` (which checks structure and primitive types only).

:func:`check_bundle` gives back the problems found, one sentence each, naming
the resource (``Evidence/result-ref-07-…: …``); an empty list means the bundle
passes:

- structure: every resource, and the bundle, parses with ``fhir.resources`` (R5);
- codes: every Coding's system is one of ``codes.CODINGS`` and its code (and
  display) one of that system's; every ``code``-typed element we use
  (``status``, ``RelatedArtifact.type``, ``content.informationType``) is in its
  value set; UCUM units are ``%``;
- numbers: ``numberOfEvents`` ≤ ``sampleSize.knownDataCount``; a percentage
  ``quantity`` beside both counts equals 100·n/d rounded half up to as many
  decimals as it is written with, the rule of the SHACL shape
  ``shapes:StatedPercentageAgreesWithCountsShape`` (unless the statistic's note
  records the text's own inconsistency quoting that percentage, as the shapes
  then warn); a percentage lies in 0–100; a computed interval says so and holds
  the point estimate;
- references: every ``reference`` resolves to an entry of the bundle (FHIR's
  rule for documents), every entry has a unique id and the full URL of its type
  and id, and carries our IRI as an identifier.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import codes
from .evidence import INCONSISTENCY
from .ids import FHIR_BASE, IRI_SYSTEM, full_url


def walk(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON object inside ``node`` with its path (``statistic[0].quantity``)."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")


def name(resource: dict[str, Any]) -> str:
    """``Type/id`` of a resource."""
    return f"{resource.get('resourceType')}/{resource.get('id')}"


def resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources of the bundle's entries."""
    return [e.get("resource", {}) for e in bundle.get("entry", [])]


def check_structure(bundle: dict[str, Any]) -> list[str]:
    """Each resource, and the bundle, as ``fhir.resources`` parses them.

    ``fhir.resources`` (pydantic) is imported here, not with the package: it takes
    most of a second, which only a check of a whole bundle needs to pay.
    """
    from fhir.resources import get_fhir_model_class
    from pydantic import ValidationError

    problems = []
    for resource in [bundle, *resources(bundle)]:
        try:
            get_fhir_model_class(str(resource.get("resourceType"))).model_validate(resource)
        except (ValidationError, KeyError, ValueError) as error:
            first = str(error).splitlines()
            problems.append(f"{name(resource)}: not valid FHIR R5: {' '.join(first[:3])}")
    return problems


def check_codes(bundle: dict[str, Any]) -> list[str]:
    """Codings from their code systems; ``code`` elements from their value sets."""
    problems = []
    for resource in resources(bundle):
        kind = resource.get("resourceType")
        allowed = codes.COMPOSITION_STATUS if kind == "Composition" else codes.PUBLICATION_STATUS
        if "status" in resource and resource["status"] not in allowed:
            problems.append(f"{name(resource)}: status {resource['status']!r} is not in its value set")
        for path, node in walk(resource):
            problems += [f"{name(resource)}: {path}: {p}" for p in node_code_problems(path, node)]
    return problems


def node_code_problems(path: str, node: dict[str, Any]) -> list[str]:
    """The code problems of one JSON object."""
    problems = []
    if "system" in node and "code" in node:
        system, code = node["system"], node["code"]
        if system == codes.UCUM:
            if code not in codes.UCUM_CODES:
                problems.append(f"UCUM code {code!r} is not one we use")
        elif system not in codes.CODINGS:
            problems.append(f"code system {system!r} is not one of ours (codes.CODINGS)")
        elif code not in codes.CODINGS[system]:
            problems.append(f"code {code!r} is not in {system}")
        elif node.get("display", codes.CODINGS[system][code]) != codes.CODINGS[system][code]:
            problems.append(f"display {node['display']!r} of {code!r} is not {codes.CODINGS[system][code]!r}")
    if path.rsplit(".", 1)[-1].startswith(("relatesTo[", "relatedArtifact[")) and \
            node.get("type") not in codes.RELATED_ARTIFACT_TYPE:
        problems.append(f"related artifact type {node.get('type')!r} is not in related-artifact-type")
    if "informationType" in node and node["informationType"] not in codes.INFORMATION_TYPE:
        problems.append(f"informationType {node['informationType']!r} is not in artifactassessment-information-type")
    return problems


def expected_percentage(events: int, total: int, stated: Decimal) -> Decimal:
    """100·events/total rounded half up to as many decimals as ``stated`` is written with."""
    exponent = stated.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    step = Decimal(1).scaleb(-places)
    return (Decimal(100 * events) / Decimal(total)).quantize(step, ROUND_HALF_UP)


def check_statistic(where: str, stat: dict[str, Any]) -> list[str]:
    """The number problems of one ``Evidence.statistic``."""
    problems = []
    events, total = stat.get("numberOfEvents"), stat.get("sampleSize", {}).get("knownDataCount")
    quantity = stat.get("quantity", {})
    is_percent = quantity.get("code") == "%"
    if isinstance(events, int) and isinstance(total, int):
        if events > total:
            problems.append(f"{where}: numberOfEvents {events} > sampleSize.knownDataCount {total}")
        elif is_percent and total > 0 and "value" in quantity:
            stated = Decimal(str(quantity["value"]))
            expected = expected_percentage(events, total, stated)
            notes = " ".join(n.get("text", "") for n in stat.get("note", []))
            if expected != stated and not (INCONSISTENCY in notes and str(quantity["value"]) in notes):
                problems.append(f"{where}: stated percentage {quantity['value']}% disagrees with {events}/{total} "
                                f"= {expected}% (rounded half up, as the shapes check)")
    if is_percent and "value" in quantity and not 0 <= Decimal(str(quantity["value"])) <= 100:
        problems.append(f"{where}: percentage {quantity['value']} is outside 0–100")
    for estimate in stat.get("attributeEstimate", []):
        if "computed" not in estimate.get("description", ""):
            problems.append(f"{where}: attributeEstimate is not marked as computed in its description")
        low, high = (Decimal(str(estimate.get("range", {}).get(e, {}).get("value", "NaN"))) for e in ("low", "high"))
        if isinstance(events, int) and isinstance(total, int) and total > 0:
            point = Decimal(100 * events) / Decimal(total)
            if not low - Decimal("0.05") <= point <= high + Decimal("0.05"):
                problems.append(f"{where}: interval {low}–{high}% does not hold {events}/{total}")
    return problems


def check_numbers(bundle: dict[str, Any]) -> list[str]:
    """The number problems of every Evidence."""
    problems = []
    for resource in resources(bundle):
        if resource.get("resourceType") == "Evidence":
            for index, stat in enumerate(resource.get("statistic", [])):
                problems += check_statistic(f"{name(resource)}: statistic[{index}]", stat)
    return problems


def check_references(bundle: dict[str, Any]) -> list[str]:
    """References resolve inside the bundle; ids, full URLs and IRI identifiers are in order."""
    problems, urls = [], set()
    for entry in bundle.get("entry", []):
        resource = entry.get("resource", {})
        url = full_url(str(resource.get("resourceType")), str(resource.get("id")))
        if entry.get("fullUrl") != url:
            problems.append(f"{name(resource)}: fullUrl {entry.get('fullUrl')!r} is not {url!r}")
        if url in urls:
            problems.append(f"{name(resource)}: two entries have this type and id")
        urls.add(url)
        if not any(i.get("system") == IRI_SYSTEM for i in resource.get("identifier", [])):
            problems.append(f"{name(resource)}: no identifier holds its IRI")
    for resource in resources(bundle):
        for path, node in walk(resource):
            target = node.get("reference")
            if isinstance(target, str) and f"{FHIR_BASE}/{target}" not in urls and target not in urls:
                problems.append(f"{name(resource)}: {path}.reference {target!r} does not resolve inside the bundle")
    return problems


def check_bundle(bundle: dict[str, Any]) -> list[str]:
    """Every problem of ``bundle`` (empty: it passes), structure first."""
    return check_structure(bundle) + check_codes(bundle) + check_numbers(bundle) + check_references(bundle)
