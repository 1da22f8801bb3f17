"""The W3C SPARQL 1.1 protocol and query-evaluation conformance runner (over HTTP).

``conformance()`` reads the test manifests of ``../shared/w3c-rdf-tests/sparql11``,
gives the test data to an endpoint (our ``spine-evidence serve`` started with
``--data IRI=FILE``, or a writable endpoint loaded with the Graph Store
Protocol), runs the tests and returns a ``Report``.
"""

from .endpoint import Endpoint, EndpointError
from .manifest import SuiteError
from .outcome import Outcome
from .report import Report
from .runner import conformance, default_suite_dir

__all__ = ["Endpoint", "EndpointError", "Outcome", "Report", "SuiteError", "conformance", "default_suite_dir"]
