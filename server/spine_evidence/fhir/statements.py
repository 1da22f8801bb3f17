"""One ``ArtifactAssessment`` per statement of the text: claims, the Myth and the Fact, author statements, benefits.

Every ``se:Statement`` except an evidence gap (which has its own assessment,
:func:`.documents.gaps`) becomes an R5 ``ArtifactAssessment``, the EBM-on-FHIR
resource for a judgement about evidence, so that ``Accept: application/fhir+json``
on its IRI answers it:

- ``identifier`` (use ``official``) = the statement's IRI, ``title`` = its label;
- ``artifactReference``: what the statement judges, as one reference (the
  element is single): the ``Evidence`` of the one result its evidence lines
  cite; else the ``Citation`` of the one study they come from; else the
  document's ``Composition`` (no line, or lines over several results and studies);
- ``content[0]``: a ``comment`` whose ``summary`` is the exact words of the
  source (every ``oa:exact`` of its quotes, in order, blank-line separated) and
  whose ``type`` names the statement's most specific class;
- a ``container`` with one ``comment`` component per evidence line: its
  direction as ``type`` text (supporting, disputing, inconclusive: SEPIO's
  values; no FHIR code system holds them, so no coding), the line's ``Citation``
  as ``citation`` and the ``Evidence`` of each result it cites as ``justification``;
- a ``comment`` per ``se:refutedBy`` / ``se:qualifiedBy`` link, whose
  ``relatedArtifact`` (``documentation``) is the other statement's assessment.

``informationType`` is from the R5 code system
``http://hl7.org/fhir/artifactassessment-information-type``; it has no code for
a claim, so the statement itself is a ``comment`` (``codes.INFORMATION_TYPE``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from . import queries
from .evidence import SE
from .ids import identifier, reference, resource_id

LINE_SUMMARY = "The evidence lines of the statement (se:hasEvidenceLine): each with its direction, the study it " \
    "comes from and the results it cites."


def line_component(lines: list[queries.Row]) -> dict[str, Any]:
    """One evidence line (its rows from ``queries.EVIDENCE_LINES``, one per cited result) as a component."""
    first = lines[0]
    related = [{"type": "citation", "resourceReference": reference("Citation", str(first["study"]))}] \
        if "study" in first else []
    related += [{"type": "justification", "resourceReference": reference("Evidence", str(row["result"]))}
                for row in lines if "result" in row]
    found: dict[str, Any] = {"informationType": "comment", "type": {"text": f"{first['direction']} evidence line"},
                             "summary": str(first.get("lineLabel", first["line"]))}
    if related:
        found["relatedArtifact"] = related
    return found


def judged(lines: list[queries.Row], composition: str) -> dict[str, Any]:
    """The one ``artifactReference``: the one result's Evidence, else the one study's Citation, else the document."""
    results = {str(row["result"]) for row in lines if "result" in row}
    studies = {str(row["study"]) for row in lines if "study" in row}
    if len(results) == 1:
        return reference("Evidence", results.pop())
    if len(studies) == 1:
        return reference("Citation", studies.pop())
    return reference("Composition", composition)


def statement_assessment(row: queries.Row, words: list[str], lines: list[queries.Row],
                         links: list[queries.Row], composition: str) -> dict[str, Any]:
    """The ``ArtifactAssessment`` of one statement (``row`` from ``queries.STATEMENTS``)."""
    iri, kind = str(row["statement"]), str(row["class"]).replace(SE, "se:")
    said = "\n\n".join(words) or f"(no quote in the graph) {row['label']}"
    content: list[dict[str, Any]] = [{"informationType": "comment", "summary": said,
                                      "type": {"text": f"{row.get('classLabel', kind)} ({kind})"}}]
    by_line: dict[str, list[queries.Row]] = defaultdict(list)
    for line in lines:
        by_line[str(line["line"])].append(line)
    if by_line:
        content.append({"informationType": "container", "summary": LINE_SUMMARY,
                        "component": [line_component(by_line[line]) for line in sorted(by_line)]})
    for link in links:
        target = str(link["target"])
        summary = f"{link['phrase']} ({link['property']}): {link['label']}"
        content.append({"informationType": "comment", "summary": summary,
                        "relatedArtifact": [{"type": "documentation", "resourceReference":
                                             reference("ArtifactAssessment", target)}]})
    return {"resourceType": "ArtifactAssessment", "id": resource_id(iri), "identifier": [identifier(iri)],
            "title": str(row["label"]), "artifactReference": judged(lines, composition), "content": content}


def statement_assessments(store: ox.Store, words: dict[str, list[str]], composition: str) -> list[dict[str, Any]]:
    """One ``ArtifactAssessment`` per statement that is not an evidence gap, in IRI order."""
    lines: dict[str, list[queries.Row]] = defaultdict(list)
    for line in queries.select(store, queries.EVIDENCE_LINES):
        lines[str(line["statement"])].append(line)
    links: dict[str, list[queries.Row]] = defaultdict(list)
    for link in queries.select(store, queries.STATEMENT_LINKS):
        links[str(link["statement"])].append(link)
    rows: dict[str, queries.Row] = {}
    for row in queries.select(store, queries.STATEMENTS):
        rows.setdefault(str(row["statement"]), row)
    return [statement_assessment(row, words.get(iri, []), lines[iri], links[iri], composition)
            for iri, row in sorted(rows.items())]
