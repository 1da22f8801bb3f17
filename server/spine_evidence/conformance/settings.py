"""The conformance runner's choices and defaults, importable without the runner.

The ``spine-evidence conformance`` options read them (the runner itself
imports rdflib and requests, which the command must not pay for at start).
"""

from __future__ import annotations

# The parts of the suite that can be run alone (``--only``).
PARTS = ("protocol", "query", "syntax")
# The servers ``--start`` can run: ours, or Oxigraph server for comparison.
SERVERS = ("spine-evidence", "oxigraph")
DEFAULT_SERVER = SERVERS[0]
# How the bar compares typed literals (see ``report``).
LITERAL_EQUALITIES = ("value", "term")
DEFAULT_LITERAL_EQUALITY = "value"
# Share of the applicable query-evaluation tests that must pass.
DEFAULT_MIN_QUERY_PASS = 0.95
