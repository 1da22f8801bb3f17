"""``validate``: the maintainer's whole check of a document, in one report.

Runs, on the shipped graph or on the given data (with the shipped ontology
and shared vocabulary):

- SHACL, core and SHACL-SPARQL, against ``shapes/`` (``validation.shacl``);
- the quote check: every ``oa:exact`` is in its source text (``validation.quotes``);
- the number-in-quote check: every number of a result is in its quote (``validation.numbers``);
- the declared-terms check: every term of our namespaces exists (``validation.terms``);
- the literal-fidelity check: every literal is kept as written by the store (``validation.literals``);
- HermiT's consistency, with the inconsistent part narrowed down (``validation.consistency``),
  unless ``reason`` is false.

All results go into one ``sh:ValidationReport`` (``validation.report``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import Graph

from ..namespaces import SH
from ..reasoning import ReasonerError, find_java
from .consistency import check_consistency
from .inputs import (
    DataInput,
    Inputs,
    ValidationInputError,
    data_graphs,
    load_data,
    load_shapes,
    read_inputs,
    shipped_data_files,
)
from .literals import check_literals
from .numbers import check_numbers
from .quotes import check_quotes
from .report import (
    CHECKS,
    SHAPES_IRI,
    SHAPES_NS,
    Finding,
    ValidationOutcome,
    ValidationResult,
    findings_report,
    format_report,
    merge_reports,
    report_turtle,
)
from .shacl import INFERENCE_CHOICES, shacl_report, split_shapes
from .terms import check_terms

__all__ = [
    "CHECKS", "INFERENCE_CHOICES", "SHAPES_IRI", "SHAPES_NS", "DataInput", "Finding", "Inputs", "ReasonerError",
    "ValidationInputError", "ValidationOutcome", "ValidationResult", "data_graphs", "format_report", "load_data",
    "load_shapes", "read_inputs", "report_turtle", "shipped_data_files", "split_shapes", "validate", "CHECK_FUNCTIONS",
]

# Our checks, in the order they run: name (as in report.CHECKS) → function of the parsed inputs.
CHECK_FUNCTIONS: dict[str, Callable[[Inputs], list[Finding]]] = {
    "QuoteInSource": check_quotes,
    "NumberInQuote": check_numbers,
    "DeclaredTerm": check_terms,
    "LiteralFidelity": check_literals,
    "Consistency": check_consistency,
}


def validate(data: DataInput | Inputs | None = None, shapes: Graph | None = None, *, reason: bool = True,
             sources: Sequence[str | Path] = (), inference: str = "none", include_ontology: bool = True,
             shacl: bool = True, checks: Sequence[str] | None = None) -> ValidationOutcome:
    """Run every check on the data (default: the shipped graph) and return one report.

    ``data`` is an rdflib ``Graph``, a list of RDF files, or ``Inputs`` already
    parsed (``read_inputs``); it replaces the shipped document, and the shipped
    ontology and shared vocabulary are added unless ``include_ontology`` is
    false. ``sources`` are source-text files for the quote check (else found
    beside the data files or in the shipped graph folder). ``reason=False``
    skips HermiT; ``shacl=False`` skips pySHACL; ``checks`` limits our own checks
    to those names (``CHECK_FUNCTIONS``). Raises ``ValidationInputError`` for
    unreadable input and ``ReasonerError`` when HermiT cannot run (no Java).
    """
    seconds: dict[str, float] = {}
    if reason and (checks is None or "Consistency" in checks):
        find_java()  # no Java: say so before anything else runs (ReasonerError)
    started = time.perf_counter()
    inputs = data if isinstance(data, Inputs) else read_inputs(data, include_ontology=include_ontology,
                                                               source_files=sources)
    seconds["read"] = time.perf_counter() - started
    reports, conforms = [], True
    if shacl:
        started = time.perf_counter()
        conforms, shacl_graph = shacl_report(inputs, shapes, inference)
        reports.append(shacl_graph)
        seconds["SHACL"] = time.perf_counter() - started
    findings: list[Finding] = []
    for name, check in CHECK_FUNCTIONS.items():
        if (checks is not None and name not in checks) or (name == "Consistency" and not reason):
            continue
        started = time.perf_counter()
        findings += check(inputs)
        seconds[name] = time.perf_counter() - started
    conforms = conforms and not any(f.severity == SH.Violation for f in findings)
    reports.append(findings_report(findings))
    outcome = ValidationOutcome(conforms, merge_reports(reports, conforms), "", seconds)
    outcome.report_text = format_report(outcome)
    return outcome
