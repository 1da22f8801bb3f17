"""Time ``spine-evidence validate`` on the FactFinder, and HermiT's narrowing of planted contradictions.

Prints, for three runs each, the wall time of the console script without and
with the reasoner (run from /tmp, as a maintainer would), then, for each planted
contradiction, how many HermiT runs the narrowing made and how long it took.

Example::

    python -m bench.validate            # both parts
    python -m bench.validate --command  # the console script only
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from rdflib.namespace import RDF

from spine_evidence.namespaces import LINE, RESULT, SE, SEPIO, STUDY
from spine_evidence.validation import read_inputs
from spine_evidence.validation.narrowing import abox, narrow

RUNS = 3
LINE_03 = LINE["medial-branch-correct-placement-82-of-107--ref-03"]
# name → (triple removed or None, triple added); the last one is no "usual suspect": plain delta debugging.
PLANTED = {
    "a result typed as a study (disjoint kinds)": (None, (RESULT["ref-03-correct-placement"], RDF.type, SE.Study)),
    "a study with two designs (functional, different)": (None, (STUDY["ref-07"], SE.studyDesign, SE.cohort)),
    "a supporting line whose direction is disputing": ((LINE_03, SE.evidenceDirection, SEPIO["0000403"]),
                                                        (LINE_03, SE.evidenceDirection, SEPIO["0000404"])),
}


def time_command(*args: str) -> list[float]:
    """Wall seconds of ``spine-evidence validate ARGS`` from a scratch folder, ``RUNS`` times."""
    script = shutil.which("spine-evidence") or sys.exit("spine-evidence is not installed")
    seconds = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(RUNS):
            started = time.perf_counter()
            done = subprocess.run([script, "validate", *args], cwd=folder, capture_output=True, text=True)
            seconds.append(time.perf_counter() - started)
            if done.returncode != 0:
                sys.exit(f"validate {' '.join(args)} exited {done.returncode}: {done.stderr or done.stdout}")
    return seconds


def time_narrowing() -> None:
    """HermiT runs and seconds of the narrowing, per planted contradiction."""
    for name, (removed, added) in PLANTED.items():
        inputs = read_inputs()
        if removed:
            inputs.graph.remove(removed)
        inputs.graph.add(added)
        groups = abox(inputs)
        result = narrow(inputs.ontology, groups)
        kept = "; ".join(" ".join(inputs.graph.namespace_manager.normalizeUri(t) for t in x) for x in result.triples)
        print(f"  {name}: {result.runs} HermiT runs, {result.seconds:.1f} s, "
              f"{'smallest' if result.finished else 'stopped at the run limit'}: {kept}")


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    args = sys.argv[1:] if argv is None else argv
    for label, options in (("without the reasoner", ["--no-reason"]), ("with the reasoner", [])):
        seconds = time_command(*options)
        print(f"validate {label}: " + ", ".join(f"{s:.2f}" for s in seconds)
              + f" s (median {statistics.median(seconds):.2f} s)")
    if "--command" not in args:
        print("narrowing an inconsistency:")
        time_narrowing()
    return 0


if __name__ == "__main__":
    sys.exit(main())
