"""``Evidence`` (one per result) and ``EvidenceVariable`` (one per outcome and per arm).

A result's value becomes one ``statistic``:

- ``statisticType`` from the value's class (``codes.STATISTIC_OF_VALUE``);
- a ``Proportion``'s numerator is ``numberOfEvents``, its denominator
  ``sampleSize.knownDataCount`` (the graph does not say whether the counts are
  patients or injections; ``sampleSize.description`` is the study's
  ``se:sampleDescription``); a ``Count`` is ``numberOfEvents`` and the ``quantity``;
  a ``Mean`` is the ``quantity`` in its unit or scale;
- the stated percentage is the ``quantity`` (UCUM ``%``) only where the graph has
  ``se:statedPercentage`` (the text states it); it is never computed;
- for a proportion, a 95% Wilson score interval is an ``attributeEstimate`` whose
  description says that it is computed here, not stated in the source.

The exact words of the source are the ``description``; the SEVCO code of the
design of the result's study component (its ``skos:notation``), where it has
one, is the ``studyDesign``, with the basis the design rests on; the study is a
``relatedArtifact`` of type ``citation``; the outcome is the measured variable and the
arm the exposure; the arm of a compared result, where it differs, the reference
exposure.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from ..intervals import is_proportion, wilson
from ..iris import SE as SE_NAMESPACE
from . import codes, queries
from .ids import identifier, reference, resource_id
from .queries import Row

SE = str(SE_NAMESPACE)  # "https://w3id.org/spine-evidence/ontology#"
INCONSISTENCY = "Flagged se:hasInconsistency in the graph (the text's own inconsistency, or its disagreement with " \
    "the matched abstract):"  # checks.py: a stated percentage quoted after this is the shapes' warning, not an error
WILSON_NOTE = ("95% Wilson score interval, computed by spine_evidence from numberOfEvents and knownDataCount "
               "(not stated in the source text); percent, rounded half up to one decimal place.")


def number(value: int | Decimal) -> int | float:
    """A graph number as a JSON number that writes back as the same lexical form (``77``, ``6.1``)."""
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)


def number_of(row: Row, key: str) -> int | float:
    """The number bound to ``key`` in ``row`` (:func:`number`); ``TypeError`` when it is not a number."""
    value = row[key]
    if isinstance(value, str):
        raise TypeError(f"{row.get('result')}: {key} {value!r} is not a number")
    return number(value)


def statistic(row: Row, note: str | None) -> dict[str, Any]:
    """The one ``statistic`` of a result's value."""
    kind = str(row["kind"])
    found: dict[str, Any] = {"statisticType": codes.concept(codes.STATISTIC_TYPE, codes.STATISTIC_OF_VALUE[kind])}
    if "percentage" in row:
        found["quantity"] = codes.percent(number_of(row, "percentage"))
    if "mean" in row:
        unit = str(row.get("unit") or row.get("scale") or "")
        mean = number_of(row, "mean")
        found["quantity"] = codes.percent(mean) if unit == "percent" else {"value": mean, "unit": unit}
    if "count" in row:
        found["numberOfEvents"] = row["count"]
        found["quantity"] = {"value": row["count"], "unit": str(row.get("unit") or "count")}
    if "numerator" in row:
        found["numberOfEvents"] = row["numerator"]
    if "denominator" in row:
        size: dict[str, Any] = {"knownDataCount": row["denominator"]}
        if "sample" in row:
            size["description"] = f"The study's sample as the text describes it: {row['sample']}"
        found["sampleSize"] = size
    events, total = row.get("numerator"), row.get("denominator")
    if isinstance(events, int) and isinstance(total, int) and is_proportion(events, total):
        low, high = wilson(events, total)  # no interval for impossible counts: the checks report those
        found["attributeEstimate"] = [{"description": WILSON_NOTE, "type": codes.concept(
            codes.ATTRIBUTE_ESTIMATE_TYPE, "C53324"), "level": 0.95,
            "range": {"low": codes.percent(number(low)), "high": codes.percent(number(high))}}]
    if note:
        found["note"] = [{"text": f"{INCONSISTENCY} {note}"}]
    return found


def variable_definitions(row: Row, compared_arms: list[str]) -> list[dict[str, Any]]:
    """The measured variable (the outcome), the exposure (the arm) and any reference exposure."""
    found: list[dict[str, Any]] = [{"variableRole": codes.concept(codes.VARIABLE_ROLE, "measuredVariable"),
              "observed": reference("EvidenceVariable", str(row["outcome"]))}]
    if "arm" in row:
        found.append({"variableRole": codes.concept(codes.VARIABLE_ROLE, "exposure"),
                      "observed": reference("EvidenceVariable", str(row["arm"]))})
    for arm in compared_arms:
        if arm != row.get("arm"):
            found.append({"description": "The arm of the result this one is compared with (se:comparedWith).",
                          "variableRole": codes.concept(codes.VARIABLE_ROLE, "referenceExposure"),
                          "observed": reference("EvidenceVariable", arm)})
    return found


def evidence(row: Row, words: list[str], context: list[tuple[str, str]], compared: list[str],
             compared_arms: list[str], composition: str) -> dict[str, Any]:
    """The ``Evidence`` of one result (``row`` from ``queries.RESULTS``)."""
    iri = str(row["result"])
    found: dict[str, Any] = {
        "resourceType": "Evidence", "id": resource_id(iri), "url": iri, "identifier": [identifier(iri)],
        "title": str(row["label"]), "status": "active", "description": "\n\n".join(words),
        "relatedArtifact": [{"type": "citation", "resourceReference": reference("Citation", str(row["study"]))},
                      {"type": "derived-from", "resourceReference": reference("Composition", composition)}],
        "variableDefinition": variable_definitions(row, compared_arms),
        "statistic": [statistic(row, str(row["note"]) if "note" in row else None)],
    }
    if "designCode" in row:
        basis = str(row.get("designBasis", "")).replace(SE, "se:")
        found["studyDesign"] = [{**codes.concept(codes.STUDY_DESIGN, str(row["designCode"])),
                                 "text": f"{row['designLabel']} (design basis: {basis or 'not recorded'})"}]
    notes = [f"{what}: {label}" for what, label in context]
    notes += [f"Compared with Evidence/{resource_id(other)} (se:comparedWith)." for other in compared]
    if notes:
        found["note"] = [{"text": text} for text in notes]
    return found


def evidence_resources(store: ox.Store, composition: str) -> list[dict[str, Any]]:
    """One ``Evidence`` per result, in IRI order."""
    words, context = queries.quotes(store), queries.contexts(store)
    rows: dict[str, Row] = {}
    compared: dict[str, list[str]] = defaultdict(list)
    compared_arms: dict[str, list[str]] = defaultdict(list)
    for row in queries.select(store, queries.RESULTS):
        iri = str(row["result"])
        rows.setdefault(iri, row)
        if "compared" in row and row["compared"] not in compared[iri]:
            compared[iri].append(str(row["compared"]))
            if "comparedArm" in row:
                compared_arms[iri].append(str(row["comparedArm"]))
    return [evidence(row, words.get(iri, []), context.get(iri, []), compared[iri], compared_arms[iri], composition)
            for iri, row in sorted(rows.items())]


def variable_resources(store: ox.Store) -> list[dict[str, Any]]:
    """One ``EvidenceVariable`` per outcome and per arm that a result uses."""
    found: dict[str, dict[str, Any]] = {}
    for row in queries.select(store, queries.VARIABLES):
        iri = str(row["variable"])
        if iri in found:
            continue
        what = "The outcome a result measures" if row["role"] == "outcome" else \
            "The arm (guidance modality) of a result"
        found[iri] = {"resourceType": "EvidenceVariable", "id": resource_id(iri), "url": iri,
                      "identifier": [identifier(iri)], "title": str(row["label"]), "status": "active",
                      "description": f"{what}: {row['comment']}" if "comment" in row else f"{what}."}
    return [found[iri] for iri in sorted(found)]
