"""The FHIR R5 view of the graph: Evidence, EvidenceVariable, Citation, PlanDefinition, ArtifactAssessment.

Built from the pyoxigraph store with SPARQL (``spine_evidence.sparql.evaluate``),
validated with ``fhir.resources`` 8 (structure and primitive types) and by our
own checks (codes, numbers, references): :mod:`.checks`. The mapping, class by
class, is in ``docs/MODEL.md`` ("The FHIR R5 view").

Modules: :mod:`.queries` (what is read from the graph), :mod:`.evidence`
(results and their variables), :mod:`.documents` (references, recommendations,
their justifications, evidence gaps), :mod:`.statements` (an assessment per claim
and every other statement), :mod:`.bundle` (the document Bundle and
``fhir/bundle.json``), :mod:`.codes` (every code system and code, verified),
:mod:`.ids` (ids and references from our IRIs), :mod:`.checks`.
"""

from .bundle import BUNDLE_FILE, FhirBundleError, build_bundle, write_bundle
from .checks import check_bundle
from .ids import FHIR_BASE, resource_id

__all__ = ["BUNDLE_FILE", "FHIR_BASE", "FhirBundleError", "build_bundle", "check_bundle", "resource_id",
           "write_bundle"]
