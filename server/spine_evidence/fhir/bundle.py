"""The whole FHIR R5 view in one ``Bundle`` of type ``document``, and writing it to ``fhir/bundle.json``.

Why a document: the FactFinder is one published document, and a FHIR document
is exactly that, a ``Composition`` first (its sections list every other
entry) with all the resources it refers to inside the same bundle, every
reference resolvable there. A ``collection`` would say less.

The Composition's ``date`` and the Bundle's ``timestamp`` are the date the
dataset was last modified (the ontology's ``dct:modified``): the text states no
publication date, and a date taken from the graph makes the bundle the same,
byte for byte, for the same graph.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import SpineEvidenceError
from ..store import open_store
from . import queries
from .checks import check_bundle
from .documents import citations, gaps, recommendations
from .evidence import evidence_resources, variable_resources
from .ids import FHIR_BASE, IRI_SYSTEM, full_url, identifier, resource_id
from .statements import statement_assessments

BUNDLE_FILE = Path("fhir") / "bundle.json"
SECTIONS = [("Recommendations", "PlanDefinition"), ("Justifications and evidence gaps", "ArtifactAssessment"),
            ("Results", "Evidence"), ("Outcomes and arms", "EvidenceVariable"), ("Numbered references", "Citation")]
STATEMENTS_SECTION = "Claims and other statements"  # their ArtifactAssessments: a section of their own, the last


class FhirBundleError(SpineEvidenceError, ValueError):
    """The bundle fails its checks; the message lists every problem, one a line."""


def section(title: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A section of the Composition listing ``entries``."""
    refs = [{"reference": f"{e['resourceType']}/{e['id']}", "display": e.get("title", e["id"])} for e in entries]
    return {"title": title, "entry": refs}


def composition(store: ox.Store, entries: list[dict[str, Any]], statements: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``Composition`` of the document: metadata, authors in byline order, one section per kind.

    ``statements`` (the assessments of :mod:`.statements`) have a section of
    their own after the others; ``entries`` are sorted into ``SECTIONS`` by type.
    """
    document = queries.select(store, queries.DOCUMENT)
    if not document:
        raise FhirBundleError("the graph holds no se:GuidanceDocument with a dct:title")
    row = document[0]
    iri = str(row["doc"])
    sections = [section(title, [e for e in entries if e["resourceType"] == kind]) for title, kind in SECTIONS]
    sections.append(section(STATEMENTS_SECTION, statements))
    sections = [s for s in sections if s["entry"]]
    authors = [{"display": str(a["name"])} for a in queries.select(store, queries.AUTHORS)]
    return {"resourceType": "Composition", "id": resource_id(iri), "url": iri, "identifier": [identifier(iri)],
            "status": "final", "type": {"text": "FactFinder (clinical guidance document)"},
            "date": str(row.get("modified", "")), "author": authors or [{"display": "not recorded"}],
            "title": str(row["title"]), "section": sections,
            "note": [{"text": "date: the date the dataset was last modified (the ontology's dct:modified); the "
                              "source text states no publication date."}]}


def build_bundle(store: ox.Store) -> dict[str, Any]:
    """The FHIR R5 document Bundle of the graph in ``store`` (not checked: see :func:`checks.check_bundle`)."""
    document = queries.select(store, queries.DOCUMENT)
    doc_iri = str(document[0]["doc"]) if document else ""
    words = queries.quotes(store)
    entries = recommendations(store, words) + gaps(store, words, doc_iri) + evidence_resources(store, doc_iri)
    entries += variable_resources(store) + citations(store)
    statements = statement_assessments(store, words, doc_iri)
    head = composition(store, entries, statements)
    resources = [head, *entries, *statements]
    return {"resourceType": "Bundle", "id": head["id"], "type": "document",
            "identifier": {"system": IRI_SYSTEM, "value": f"{FHIR_BASE}/Bundle/{head['id']}"},
            "timestamp": f"{head['date']}T00:00:00Z",
            "entry": [{"fullUrl": full_url(r["resourceType"], r["id"]), "resource": r} for r in resources]}


def as_store(store_or_path: ox.Store | Path | str) -> ox.Store:
    """``store_or_path`` itself, or the store at that path opened read-only."""
    return store_or_path if isinstance(store_or_path, ox.Store) else open_store(Path(store_or_path))


def write_bundle(store_or_path: ox.Store | Path | str, out_dir: Path | str) -> Path:
    """Build, check and write the bundle to ``out_dir/fhir/bundle.json``; the path written.

    Raises :class:`FhirBundleError` when the bundle fails a check (nothing is
    written then), ``FileNotFoundError`` when the path holds no store.
    """
    bundle = build_bundle(as_store(store_or_path))
    problems = check_bundle(bundle)
    if problems:
        raise FhirBundleError("the FHIR bundle fails its checks:\n" + "\n".join(problems))
    path = Path(out_dir) / BUNDLE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(bundle, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
