"""The views of a build written beside its store: FHIR R5 bundle, results table, nanopublications.

``build`` writes them from the store it has just made, so each view says what
the store says (``tests/test_views_agree.py`` proves the numbers agree):

- ``fhir/bundle.json``: the FHIR R5 document Bundle (:mod:`spine_evidence.fhir`);
- ``results.csv`` and ``results.csv-metadata.json``: the results table on the
  CSV on the Web model (:mod:`spine_evidence.results_table`);
- ``ontology.html``: the ontology's documentation (pyLODE) with its class
  diagram (:mod:`spine_evidence.ontology_docs`), served for HTML requests to
  the ontology IRI;
- ``nanopubs.trig``: one signed nanopublication per claim and per result
  (:mod:`spine_evidence.nanopubs`), only when the maintainer gives a signing key
  (``--nanopub-key`` or ``$SPINE_EVIDENCE_NANOPUB_KEY``); without one the build
  says so and writes none.
"""

from __future__ import annotations

from pathlib import Path

from .errors import SpineEvidenceError
from .fhir.bundle import BUNDLE_FILE
from .nanopubs.model import OUTPUT_FILE as NANOPUBS_FILE
from .ontology_docs import OUTPUT_FILE as ONTOLOGY_DOCS_FILE
from .results_table import CSV_FILE, METADATA_FILE

KEY_VARIABLE = "SPINE_EVIDENCE_NANOPUB_KEY"
# The names the views take in a build folder (a build replaces all of them, written or not).
VIEW_NAMES: tuple[str, ...] = (BUNDLE_FILE.parts[0], CSV_FILE, METADATA_FILE, ONTOLOGY_DOCS_FILE, NANOPUBS_FILE)


class ViewError(SpineEvidenceError, RuntimeError):
    """A view could not be written; the message is one line."""


def write_views(folder: Path, store_path: Path, nanopub_key: Path | None) -> list[str]:
    """Write every view of the store at ``store_path`` into ``folder``; return notes for the build's summary."""
    from . import fhir
    from .nanopubs import write_nanopubs
    from .ontology_docs import OntologyDocsError, write_ontology_docs
    from .results_table import write_results_table
    from .store import open_store

    store = open_store(store_path)
    try:
        fhir.write_bundle(store, folder)
    except fhir.FhirBundleError as error:
        problems = str(error).splitlines()[1:]
        raise ViewError(f"the FHIR bundle fails {len(problems)} check(s), first: {problems[0]}") from None
    write_results_table(store, folder)
    try:
        write_ontology_docs(store, folder)
    except OntologyDocsError as error:
        raise ViewError(str(error)) from None
    if nanopub_key is None:
        return [f"nanopubs not written: no signing key (--nanopub-key FILE or ${KEY_VARIABLE})"]
    write_nanopubs(store, folder, nanopub_key)
    return []
