"""SHACL validation alone (pySHACL against ``shapes/``): the names of ``spine_evidence.validation`` it uses.

Kept so that ``spine_evidence.shacl.validate`` stays the SHACL-only check
(used by the shape tests and the benchmark); the whole check a maintainer
runs is ``spine_evidence.validation.validate``. Everything lives in the
``validation`` package; this module only re-exports it.
"""

from __future__ import annotations

from .validation.inputs import (
    DataInput,
    ValidationInputError,
    data_graphs,
    load_data,
    load_shapes,
    shipped_data_files,
)
from .validation.report import (
    REPORT_FIELDS,
    SEVERITY_ORDER,
    SHAPES_IRI,
    SHAPES_NS,
    ValidationOutcome,
    ValidationResult,
    format_report,
    merge_reports,
)
from .validation.shacl import INFERENCE_CHOICES, SPARQL_PASS_KEEP, TARGET_PREDICATES, split_shapes, validate

__all__ = [
    "INFERENCE_CHOICES", "REPORT_FIELDS", "SEVERITY_ORDER", "SHAPES_IRI", "SHAPES_NS", "SPARQL_PASS_KEEP",
    "TARGET_PREDICATES", "DataInput", "ValidationInputError", "ValidationOutcome", "ValidationResult", "data_graphs",
    "format_report", "load_data", "load_shapes", "merge_reports", "shipped_data_files", "split_shapes", "validate",
]
