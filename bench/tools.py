"""Time our own ``build`` and ``validate`` on a corpus, each in a bounded subprocess.

``build`` reads a root folder holding ``ontology/`` and ``graph/``: ours is made of links
to the shipped ontology and to the corpus (N-Triples is Turtle). ``validate`` is
``bench.conformance`` (our shapes through ``spine_evidence.shacl.validate``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench.processes import run_bounded
from spine_evidence import paths

BUILD = ("import sys; from pathlib import Path; from spine_evidence.build import build; "
         "build(Path(sys.argv[1]), reason=sys.argv[3] == 'reason', root=Path(sys.argv[2]))")
REASON_UP_TO = 100_000
REASON_TIMEOUT = 300  # HermiT took 255 s on 100k triples of individuals here
VALIDATE_UP_TO = 100_000


def build_root(corpus: Path, folder: Path) -> Path:
    """A root folder: ``ontology/`` linked to ours, ``graph/corpus.ttl`` linked to the corpus."""
    root = folder / "build-root"
    shutil.rmtree(root, ignore_errors=True)
    (root / "graph").mkdir(parents=True)
    (root / "ontology").mkdir()
    for file in paths.ontology_dir().iterdir():
        if file.is_file():
            (root / "ontology" / file.name).symlink_to(file)
    (root / "graph" / "corpus.ttl").symlink_to(corpus.resolve())
    return root


def timed(command: list[str], timeout: float, log: Path) -> str:
    """Seconds as text, or why there is no figure."""
    try:
        return f"{run_bounded(command, timeout, log):.1f}"
    except RuntimeError as error:
        return f"not measured: {' '.join(str(error).split())[:160]}"


def tool_times(corpus: Path, folder: Path, triples: int, quick: bool) -> dict[str, str]:
    """Seconds of ``build`` (with and without HermiT) and ``validate`` at this size."""
    timeout = 120 if quick else 300
    root, out = build_root(corpus, folder), folder / "build-out"
    times = {}
    for mode in ("no-reason", "reason"):
        if mode == "reason" and triples > REASON_UP_TO:
            times["build (HermiT)"] = f"skipped above {REASON_UP_TO:,} triples"
            continue
        shutil.rmtree(out, ignore_errors=True)
        label = "build --no-reason" if mode == "no-reason" else "build (HermiT)"
        times[label] = timed([sys.executable, "-c", BUILD, str(out), str(root), mode],
                             timeout if mode == "no-reason" else REASON_TIMEOUT,
                             folder / f"build-{mode}.log")
        print(f"  {label}: {times[label]}", flush=True)
    shutil.rmtree(out, ignore_errors=True)
    if triples > VALIDATE_UP_TO:
        times["validate"] = f"skipped above {VALIDATE_UP_TO:,} triples"
    else:
        times["validate"] = timed([sys.executable, "-m", "bench.conformance", str(corpus)], timeout,
                                  folder / "validate.log")
        print(f"  validate: {times['validate']}", flush=True)
    return times
