"""``Citation`` per numbered reference, ``PlanDefinition`` and ``ArtifactAssessment`` per recommendation, gaps.

- A study (``study:ref-NN``) is a ``Citation``. The DOI and PMID of its matched
  publication are ``citedArtifact.identifier`` only when the graph's
  ``se:identificationStrength`` is a strong or probable match; the strength and
  the graph's ``se:identificationNote`` are said in ``citedArtifact.note``.
- A recommendation is a ``PlanDefinition`` modelled on CPG-on-FHIR's
  recommendation definition (type ``eca-rule``), its words the ``description``;
  sub-recommendations are ``relatedArtifact`` of type ``composed-of``.
- Its justification is an ``ArtifactAssessment`` (the R5 ``ebmrecommendation``
  profile: ``artifactReference`` to the PlanDefinition): the direction as a
  classifier, then one component per statement it is ``se:basedOn``, with the
  statement's own words, its IRI, and the ``Evidence`` of the results its
  evidence lines cite (or the gap's assessment).
- An evidence gap is an ``ArtifactAssessment`` of the document (``Composition``)
  whose summary is the gap's words.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from . import codes, queries
from .evidence import SE
from .ids import identifier, reference, resource_id

MATCHED = {SE + "strong-match", SE + "probable-match"}  # strengths whose publication identifiers are given
DOI_SYSTEM = "https://doi.org"  # as in the EBM-on-FHIR IG's Citation examples
PMID_SYSTEM = "https://pubmed.ncbi.nlm.nih.gov"
EBM_RECOMMENDATION = "http://hl7.org/fhir/StructureDefinition/ebmrecommendation"


def citation(row: queries.Row) -> dict[str, Any]:
    """The ``Citation`` of one numbered reference (``row`` from ``queries.STUDIES``)."""
    iri, strength = str(row["study"]), str(row.get("strength", ""))
    cited: dict[str, Any] = {}
    if strength in MATCHED:
        ids = [{"system": DOI_SYSTEM, "value": str(row["doi"])}] if "doi" in row else []
        ids += [{"system": PMID_SYSTEM, "value": str(row["pmid"])}] if "pmid" in row else []
        if ids:
            cited["identifier"] = ids
        if "title" in row:
            cited["title"] = [{"text": str(row["title"])}]
    said, short = row.get("strengthLabel", "not recorded"), strength.replace(SE, "se:") or "none"
    cited["note"] = [{"text": f"Identification strength: {said} ({short}). "
                              f"{row.get('identificationNote', '')}".strip()}]
    found: dict[str, Any] = {"resourceType": "Citation", "id": resource_id(iri), "url": iri,
                             "identifier": [identifier(iri)], "status": "active", "citedArtifact": cited,
                             "title": f"{row['label']} (citation number {row['number']})"}
    if strength in MATCHED and "citation" in row:
        found["summary"] = [{"text": str(row["citation"])}]
    return found


def citations(store: ox.Store) -> list[dict[str, Any]]:
    """One ``Citation`` per study, in citation-number order."""
    return [citation(row) for row in queries.select(store, queries.STUDIES)]


def plan_definition(row: queries.Row, words: list[str], parts: list[str]) -> dict[str, Any]:
    """The ``PlanDefinition`` of one recommendation."""
    iri = str(row["rec"])
    related = [{"type": "justification", "resourceReference": reference("ArtifactAssessment", iri)}]
    related += [{"type": "composed-of", "resourceReference": reference("PlanDefinition", part)} for part in parts]
    found: dict[str, Any] = {
        "resourceType": "PlanDefinition", "id": resource_id(iri), "url": iri, "identifier": [identifier(iri)],
        "title": str(row["label"]), "type": codes.concept(codes.PLAN_DEFINITION_TYPE, "eca-rule"),
        "status": "active", "description": "\n\n".join(words) or str(row.get("text", "")), "relatedArtifact": related,
    }
    if "text" in row:
        found["action"] = [{"title": str(row["label"]), "description": str(row["text"])}]
    return found


def statement_component(statement: str, label: str, words: list[str], targets: list[dict[str, Any]]) -> dict[str, Any]:
    """One ``se:basedOn`` statement as a component of a justification."""
    related = [{"type": "documentation", "label": label, "document": {"url": statement, "title": label}}]
    related += targets
    return {"informationType": "comment", "summary": "\n\n".join(words) or label, "relatedArtifact": related}


def justification(row: queries.Row, based_on: list[queries.Row], words: dict[str, list[str]]) -> dict[str, Any]:
    """The ``ArtifactAssessment`` justifying one recommendation."""
    iri = str(row["rec"])
    content: list[dict[str, Any]] = []
    if "direction" in row:
        content.append({"informationType": "classifier", "summary": f"Direction: {row['direction']}",
                        "classifier": [codes.concept(codes.RECOMMENDATION_DIRECTION, str(row["direction"]))]})
    targets: dict[str, list[dict[str, Any]]] = defaultdict(list)
    labels: dict[str, str] = {}
    for basis in based_on:
        statement = str(basis["statement"])
        labels[statement] = str(basis["label"])
        if basis.get("gap") == "true":
            if not targets[statement]:
                targets[statement].append({"type": "justification",
                                           "resourceReference": reference("ArtifactAssessment", statement)})
        elif "result" in basis:
            targets[statement].append({"type": "justification",
                                       "resourceReference": reference("Evidence", str(basis["result"]))})
    components = [statement_component(s, labels[s], words.get(s, []), targets[s]) for s in sorted(labels)]
    content.append({"informationType": "container", "summary": "The statements of the text the recommendation is "
                    "based on (se:basedOn), each with its words and the evidence it cites.", "component": components})
    return {"resourceType": "ArtifactAssessment", "id": resource_id(iri), "meta": {"profile": [EBM_RECOMMENDATION]},
            "identifier": [identifier(iri, "secondary")], "title": f"Justification of {row['label']}",
            "artifactReference": reference("PlanDefinition", iri), "content": content}


def recommendations(store: ox.Store, words: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The ``PlanDefinition`` and the justifying ``ArtifactAssessment`` of each recommendation, in position order."""
    rows = queries.select(store, queries.RECOMMENDATIONS)
    parts: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if "parent" in row:
            parts[str(row["parent"])].append(str(row["rec"]))
    based_on: dict[str, list[queries.Row]] = defaultdict(list)
    for basis in queries.select(store, queries.BASED_ON):
        based_on[str(basis["rec"])].append(basis)
    plans = [plan_definition(row, words.get(str(row["rec"]), []), parts[str(row["rec"])]) for row in rows]
    return plans + [justification(row, based_on[str(row["rec"])], words) for row in rows]


def gaps(store: ox.Store, words: dict[str, list[str]], composition: str) -> list[dict[str, Any]]:
    """One ``ArtifactAssessment`` per evidence gap: a comment on the document, in the gap's words."""
    found = []
    for row in queries.select(store, queries.GAPS):
        iri = str(row["gap"])
        found.append({"resourceType": "ArtifactAssessment", "id": resource_id(iri), "identifier": [identifier(iri)],
                      "title": str(row["label"]), "artifactReference": reference("Composition", composition),
                      "content": [{"informationType": "comment", "summary": "\n\n".join(words.get(iri, [])),
                                   "type": {"text": "evidence gap (se:EvidenceGap)"}}]})
    return found
