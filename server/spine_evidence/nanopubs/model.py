"""What a nanopublication of the graph is made of: its namespace, its kinds, which triples go where.

One nanopublication per claim (``se:Claim`` and its subclasses) and one per
result (``se:Result``) of ``graph:factfinder`` (``docs/MODEL.md``,
"Nanopublications"):

- assertion: the subject's own triples except the provenance predicates below,
  with the triples of the nodes that belong to it (a result's measured value,
  a claim's evidence lines), exactly as the graph states them;
- provenance: the assertion graph ``prov:wasDerivedFrom`` the document and
  ``prov:wasAttributedTo`` the document's creators, and the subject's
  provenance triples with its quotes (``oa:Annotation``, target,
  ``oa:TextQuoteSelector`` with ``oa:exact``);
- publication info: ``dct:created`` (the ontology's ``dct:modified``, so the
  trusty URI does not change from one build to the next), ``dct:license`` and
  ``dct:creator`` (the ontology's), and the signature the library adds.
"""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import PROV

from ..errors import SpineEvidenceError, one_line
from ..namespaces import BASE, SE

# Before signing a nanopublication's IRI is NANOPUB_BASE itself; signing puts the trusty code
# after it (https://w3id.org/spine-evidence/np/RA…) and its graphs become …/RA…#assertion etc.
NANOPUB_BASE = BASE + "np/"
NP = Namespace("http://www.nanopub.org/nschema#")
NPX = Namespace("http://purl.org/nanopub/x/")
OUTPUT_FILE = "nanopubs.trig"

KINDS: tuple[URIRef, ...] = (SE.Claim, SE.Result)  # one nanopublication per instance of each (and its subclasses)
# The subject's triples with these predicates go into the provenance graph, every other one into the assertion.
PROVENANCE_PREDICATES: frozenset[URIRef] = frozenset({SE.hasQuote, PROV.wasDerivedFrom, PROV.wasQuotedFrom})
# Nodes whose triples belong in the subject's assertion: (predicate from the subject, class of the node).
PART_LINKS: tuple[tuple[URIRef, URIRef], ...] = ((SE.hasValue, SE.MeasuredValue), (SE.hasEvidenceLine, SE.EvidenceLine))

# Prefixes written at the top of nanopubs.trig besides namespaces.PREFIXES.
NANOPUB_PREFIXES: dict[str, str] = {"np": str(NP), "npx": str(NPX)}


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")  # the nanopub library puts terminal bold into its messages


class NanopubError(SpineEvidenceError, ValueError):
    """A nanopublication cannot be made, signed, read or checked; the message says why, in one line."""


def library_message(error: Exception) -> str:
    """The message of an error of the ``nanopub`` library on one line, without its terminal escapes."""
    return one_line(ANSI_ESCAPE.sub("", str(error)))
