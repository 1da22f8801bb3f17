"""The W3C SPARQL 1.1 protocol and query-evaluation conformance runner (over HTTP).

``conformance()`` reads the test manifests of ``../shared/w3c-rdf-tests/sparql11``,
gives the test data to an endpoint (our ``spine-evidence serve`` started with
``--data IRI=FILE``, or a writable endpoint loaded with the Graph Store
Protocol), runs the tests and returns a ``Report``.

The names below are imported on first use, so that ``conformance.settings``
(read by the ``spine-evidence`` command for its options) comes without rdflib
and requests.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .endpoint import EndpointError, ServiceUnderTest
    from .manifest import SuiteError
    from .outcome import Outcome
    from .report import Report
    from .runner import conformance, default_suite_dir

# Each public name → the module that defines it.
_HOMES = {"EndpointError": "endpoint", "ServiceUnderTest": "endpoint", "SuiteError": "manifest",
          "Outcome": "outcome", "Report": "report", "conformance": "runner", "default_suite_dir": "runner"}

__all__ = ["EndpointError", "ServiceUnderTest", "Outcome", "Report", "SuiteError", "conformance", "default_suite_dir"]


def __getattr__(name: str) -> Any:
    """A public name of the runner, imported from its module when first asked for."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_HOMES[name]}", __name__), name)
