"""Check a synthetic corpus against our SHACL shapes.

Our shapes ask for provenance by kind (``sh:class se:GuidanceDocument`` /
``se:SourceText``), so a corpus of many documents, each quoting its own source text,
is validated with the shipped shapes unchanged.

Example::

    python -m bench.conformance /tmp/corpus-10k.nt
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rdflib import Graph

from spine_evidence import sources


def corpus_shapes() -> Graph:
    """The shipped shapes (every ``shapes/*.ttl``)."""
    return sources.shapes_graph()


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
