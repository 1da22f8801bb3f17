"""Check a synthetic corpus against our SHACL shapes.

Our shapes pin every statement's provenance and every quote's source to the one
FactFinder (``sh:hasValue doc:factfinder-…`` and ``src:…txt``). A corpus of many documents
quotes many source texts, so for the corpus those three kinds of constraint are read as
"a guidance document" / "a source text" (``sh:hasValue X`` → ``sh:class`` of X's kind);
every other shape applies unchanged.

Example::

    python -m bench.conformance /tmp/corpus-10k.nt
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from spine_evidence import namespaces as ns
from spine_evidence import paths

PINNED = {
    URIRef(str(ns.DOCUMENT_IRI)): URIRef(str(ns.SE) + "GuidanceDocument"),
    URIRef(str(ns.SOURCE_TEXT_IRI)): URIRef(str(ns.SE) + "SourceText"),
}


def corpus_shapes() -> Graph:
    """Our shapes, with the constraints pinned to the one FactFinder generalised to its kind."""
    shapes = Graph()
    shapes.parse(paths.shapes_dir() / "spine-evidence-shapes.ttl", format="turtle")
    for shape, value in list(shapes.subject_objects(SH.hasValue)):
        if value in PINNED:
            shapes.remove((shape, SH.hasValue, value))
            shapes.add((shape, SH["class"], PINNED[value]))
    return shapes


def conformance(corpus: Path) -> tuple[bool, str, float]:
    """Validate ``corpus`` with ``spine_evidence.shacl.validate``; return conforms, report, seconds."""
    from spine_evidence import shacl

    started = time.perf_counter()
    outcome = shacl.validate([corpus], corpus_shapes(), include_ontology=False)
    return bool(outcome.conforms), outcome.report_text, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.conformance FILE.nt``: exit 0 when the corpus conforms, 1 when not."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_file():
        print("error: usage: python -m bench.conformance CORPUS.nt (an existing file)", file=sys.stderr)
        return 2
    conforms, text, seconds = conformance(Path(args[0]))
    print(text if not conforms else f"conforms ({seconds:.1f} s)")
    return 0 if conforms else 1


if __name__ == "__main__":
    sys.exit(main())
