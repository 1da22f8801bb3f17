"""The nanopublication view of the graph: one signed nanopublication per claim and per result.

:func:`write_nanopubs` (``files``) reads the claims and results from the
pyoxigraph store through SPARQL (``content``), gives each a nanopublication
whose assertion holds its triples exactly as the graph states them, whose
provenance holds the document and the exact quote, and whose publication info
holds date, licence and creator (``model``); signs it and gives it a trusty URI
with the ``nanopub`` library (``signing``), and writes them all to
``nanopubs.trig``. :func:`check_file` (``checks``) reads such a file back and
checks every nanopublication: the test suite's structural rules, the library's
validity, trusty-URI and signature checks. ``docs/MODEL.md``, "Nanopublications",
has the mapping.
"""

from __future__ import annotations

from .checks import check_file, check_nanopub, read_quads, split
from .files import SignedNanopub, build_nanopubs, write_nanopubs
from .model import NANOPUB_BASE, OUTPUT_FILE, NanopubError

__all__ = ["NANOPUB_BASE", "OUTPUT_FILE", "NanopubError", "SignedNanopub", "build_nanopubs", "check_file",
           "check_nanopub", "read_quads", "split", "write_nanopubs"]
