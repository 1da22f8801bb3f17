"""The FHIR code systems and codes the bundle uses: the one table, with where each was verified.

``fhir.resources`` checks structure and primitive types, not bindings, so
:mod:`.checks` holds every coding and every ``code``-typed element of the
bundle to this table. A code is added here only after it was read in the code
system's own published text (the sources are named beside each system).

- ``STATISTIC_TYPE``: ``http://terminology.hl7.org/CodeSystem/statistic-type``
  (THO, 22 concepts; the R5 value set ``http://hl7.org/fhir/ValueSet/statistic-type|5.0.0``
  binds ``Evidence.statistic.statisticType``, extensible): C44256 Proportion,
  C53319 Mean, C25463 Count (also ``../shared/VOCABULARIES.md``).
- ``VARIABLE_ROLE``: ``http://terminology.hl7.org/CodeSystem/variable-role``
  (value set EvidenceVariableRole, R5): population, subpopulation, exposure,
  referenceExposure, measuredVariable, confounder.
- ``ATTRIBUTE_ESTIMATE_TYPE``: ``http://terminology.hl7.org/CodeSystem/attribute-estimate-type``
  (THO StatisticAttributeEstimateType): C53324 Confidence interval.
- ``PLAN_DEFINITION_TYPE``: ``http://terminology.hl7.org/CodeSystem/plan-definition-type``:
  eca-rule, the type CPG-on-FHIR fixes for its recommendation definition
  (``http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-recommendationdefinition``, CPG 2.0.0).
- ``RECOMMENDATION_DIRECTION``: ``http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-recommendation-direction-cs``:
  for, against (``../shared/VOCABULARIES.md``).
- ``INFORMATION_TYPE`` (``ArtifactAssessment.content.informationType``, R5 code system
  ``http://hl7.org/fhir/artifactassessment-information-type``): comment, classifier, rating,
  container, response, change-request (read in the R5 code system page
  ``https://www.hl7.org/fhir/R5/codesystem-artifactassessment-information-type.xml.html``:
  it has no code for a claim, so a statement is a ``comment``).
- ``RELATED_ARTIFACT_TYPE`` (``RelatedArtifact.type``, ``http://hl7.org/fhir/related-artifact-type``):
  only the codes present since R4 and kept in R5 (documentation, justification, citation,
  predecessor, successor, derived-from, depends-on, composed-of).
- ``PUBLICATION_STATUS`` (R5 ``http://hl7.org/fhir/publication-status``) and
  ``COMPOSITION_STATUS`` (R5 ``http://hl7.org/fhir/composition-status``), the ``status`` codes.
- ``STUDY_DESIGN``: ``http://hl7.org/fhir/study-design`` (SEVCO codes, ``../shared/VOCABULARIES.md``;
  the ontology gives them as the ``skos:notation`` of its study designs): 01003 randomized assignment,
  01016 case series, 01017 case report, 01011 parallel cohort design.
- ``UCUM``: ``http://unitsofmeasure.org``, only ``%``.
"""

from __future__ import annotations

from typing import Any

STATISTIC_TYPE = "http://terminology.hl7.org/CodeSystem/statistic-type"
VARIABLE_ROLE = "http://terminology.hl7.org/CodeSystem/variable-role"
ATTRIBUTE_ESTIMATE_TYPE = "http://terminology.hl7.org/CodeSystem/attribute-estimate-type"
PLAN_DEFINITION_TYPE = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
RECOMMENDATION_DIRECTION = "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-recommendation-direction-cs"
STUDY_DESIGN = "http://hl7.org/fhir/study-design"
UCUM = "http://unitsofmeasure.org"

# system → code → display: every coding of the bundle must be one of these.
CODINGS: dict[str, dict[str, str]] = {
    STATISTIC_TYPE: {"C44256": "Proportion", "C53319": "Mean", "C25463": "Count"},
    VARIABLE_ROLE: {"population": "population", "subpopulation": "subpopulation", "exposure": "exposure",
                    "referenceExposure": "reference exposure", "measuredVariable": "measured variable",
                    "confounder": "confounder"},
    ATTRIBUTE_ESTIMATE_TYPE: {"C53324": "Confidence interval"},
    PLAN_DEFINITION_TYPE: {"eca-rule": "ECA Rule"},
    RECOMMENDATION_DIRECTION: {"for": "For", "against": "Against"},
    STUDY_DESIGN: {"01003": "randomized assignment", "01016": "case series", "01017": "case report",
                   "01011": "parallel cohort design"},
}
UCUM_CODES = {"%"}

INFORMATION_TYPE = {"comment", "classifier", "rating", "container", "response", "change-request"}
RELATED_ARTIFACT_TYPE = {"documentation", "justification", "citation", "predecessor", "successor", "derived-from",
                         "depends-on", "composed-of"}
PUBLICATION_STATUS = {"draft", "active", "retired", "unknown"}
COMPOSITION_STATUS = {"registered", "partial", "preliminary", "final", "amended", "corrected", "appended",
                      "cancelled", "entered-in-error", "deprecated", "unknown"}

# our value class (se:Proportion …) → the statistic type code
STATISTIC_OF_VALUE = {"Proportion": "C44256", "Percentage": "C44256", "Mean": "C53319", "Count": "C25463"}


def coding(system: str, code: str) -> dict[str, Any]:
    """A FHIR Coding of ``code`` in ``system`` with its display; ``KeyError`` for a code not in the table."""
    return {"system": system, "code": code, "display": CODINGS[system][code]}


def concept(system: str, code: str) -> dict[str, Any]:
    """A CodeableConcept holding the one :func:`coding`."""
    return {"coding": [coding(system, code)]}


def percent(value: int | float) -> dict[str, Any]:
    """A UCUM percentage Quantity."""
    return {"value": value, "unit": "%", "system": UCUM, "code": "%"}
