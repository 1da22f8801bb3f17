"""Build the dataset: merge the sources, reason, and write every serialisation into one folder.

The folder is the state folder unless given (``store.location``: where
``serve`` and ``query`` read the dataset; ``dist/`` in a checkout). It receives:

- ``spine-evidence.ttl``, ``.nt``, ``.jsonld`` (compacted with the published
  context ``ontology/context.jsonld``, embedded), ``.rdf`` (RDF/XML): the merge
  of the sources plus the inferred triples;
- ``spine-evidence.trig`` and ``.nq``: one named graph per source
  (``graph:ontology``, ``graph:vocabulary``, ``graph:factfinder``) plus ``graph:inferred``;
- ``context.jsonld``: a copy of the published context;
- ``store/``: the pyoxigraph store (each named graph, and their merge as the
  default graph);
- ``build.json``: triple counts per graph (``dataset``: the store's, read by
  ``serve`` instead of scanning the store), the graph version (a content hash of
  the inputs and the inferences), the ontology version IRI, timestamps and the
  time of each step.

Everything is written into a hidden staging folder inside ``out_dir`` and moved
into place only when complete, so a failed build leaves the previous ``dist/``
as it was; other entries of ``out_dir`` are left alone.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, RDF

from . import __version__, paths, reasoning, sources, store, views
from .errors import SpineEvidenceError
from .namespaces import GRAPH, GRAPH_INFERRED
from .source_files import SourceError, SourceFile, document_files, source_files, store_sources
from .store import location

NAME = "spine-evidence"
# Output file suffix → rdflib serialiser of the merged graph (docs/DEVELOPING.md: a table).
SUFFIX_RDFLIB_GRAPH: dict[str, str] = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}
SUFFIX_RDFLIB_DATASET: dict[str, str] = {".trig": "trig", ".nq": "nquads"}

Parameters = ParamSpec("Parameters")
Result = TypeVar("Result")


class BuildError(SpineEvidenceError, RuntimeError):
    """The build cannot be completed; the message is one line and ``out_dir`` is unchanged."""


@dataclass
class BuildReport:
    """What a build wrote: where, which version, how many triples, how long each step took."""

    out_dir: Path
    graph_version: str
    ontology_version: str | None
    reasoned: bool
    triples: dict[str, int]
    store_triples: int
    files: list[str]
    seconds: dict[str, float] = field(default_factory=dict)
    unsatisfiable: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def summary(self) -> list[str]:
        """Human-readable lines for the terminal."""
        lines = [f"built {self.out_dir} (graph version {self.graph_version}, ontology {self.ontology_version})"]
        lines += [f"  {graph.replace(str(GRAPH), 'graph:')}: {count} triples" for graph, count in self.triples.items()]
        lines.append(f"  store default graph: {self.store_triples} triples")
        lines.append("  " + ", ".join(f"{step} {secs:.2f} s" for step, secs in self.seconds.items()))
        if not self.reasoned:
            lines.append("  not reasoned (--no-reason): no consistency check, no graph:inferred triples")
        lines += [f"  warning: unsatisfiable class {iri}" for iri in self.unsatisfiable]
        lines += [f"  {note}" for note in self.notes]
        return lines


class Steps:
    """Times named steps of the build, in order."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, name: str, action: Callable[Parameters, Result], *args: Parameters.args,
            **kwargs: Parameters.kwargs) -> Result:
        """Run ``action(*args, **kwargs)`` and record its duration under ``name``."""
        started = time.perf_counter()
        try:
            return action(*args, **kwargs)
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 3)


def build(out_dir: Path | None = None, *, reason: bool = True, root: Path | None = None,
          data: Sequence[Path] | None = None, nanopub_key: Path | None = None) -> BuildReport:
    """Merge the sources, check and reason with HermiT, and write every output into ``out_dir``.

    ``out_dir`` defaults to the state folder (``store.location.state_dir``),
    where ``serve`` and ``query`` look. ``root`` is a folder holding ``ontology/`` and ``graph/`` (default: the
    shipped data). ``data`` (Turtle files) replaces the shipped document: the
    ontology and the shared vocabulary are kept (``source_files.document_files``).
    ``nanopub_key``: the RSA key that signs the nanopublications (without it none
    are written, and the report says so; see :mod:`.views`).
    Raises ``BuildError`` (inconsistent graph, unreadable source,
    unwritable output) and ``reasoning.ReasonerError`` (no Java).
    """
    out_dir = location.state_dir() if out_dir is None else Path(out_dir)
    check_replaceable(out_dir)
    started, steps = time.perf_counter(), Steps()
    record: dict[str, Any] = {"started": now()}  # build.json, a JSON object
    try:
        files = document_files(data, root) if data else source_files(root)
        dataset = steps.run("load", sources.load_sources, files)
    except SourceError as error:
        raise BuildError(str(error)) from None
    merged = sources.merge(dataset)
    inferred, unsatisfiable = steps.run("reason", infer, merged) if reason else (Graph(), ())
    inferred_graph = dataset.graph(GRAPH_INFERRED)
    inferred_graph += inferred
    notes: list[str] = []

    def write(staging: Path) -> None:
        record.update(write_all(staging, dataset, merged + inferred, files, root, steps))
        notes.extend(steps.run("views", views.write_views, staging, staging / store.STORE_DIR, nanopub_key))
        record["files"] = sorted(p.name for p in staging.iterdir())
        steps.seconds["total"] = round(time.perf_counter() - started, 3)
        record.update(reasoned=reason, unsatisfiable=list(unsatisfiable), finished=now(), seconds=steps.seconds,
                      ontology=ontology_header(merged), package_version=__version__)
        store.write_build_record(staging / store.STORE_DIR, record.pop("graph_version"), **record)

    write_into(out_dir, write)
    return BuildReport(
        out_dir=out_dir, graph_version=store.read_build_record(out_dir / store.STORE_DIR)["graph_version"],
        ontology_version=record["ontology"].get("version_iri"), reasoned=reason, triples=record["triples"],
        store_triples=record["store_default_graph_triples"], files=record["files"], seconds=steps.seconds,
        unsatisfiable=tuple(unsatisfiable), notes=tuple(notes),
    )


def write_into(out_dir: Path, write: Callable[[Path], None]) -> None:
    """Run ``write`` on a staging folder inside ``out_dir``, then move its outputs into place.

    On any failure the staging folder (and ``out_dir`` if this call created
    it) is removed and the previous outputs stay as they were.
    """
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=out_dir))
    try:
        write(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise
    replace(out_dir, staging)


def infer(merged: Graph) -> tuple[Graph, tuple[str, ...]]:
    """HermiT's inferred triples and unsatisfiable classes; ``BuildError`` when inconsistent."""
    result = reasoning.reason(merged)
    if not result.consistency:
        raise BuildError(f"{result.consistency.message}; `spine-evidence validate` (with the same --data files) "
                         "names the nodes and axioms behind it")
    return result.inferred, result.consistency.unsatisfiable


def write_all(staging: Path, dataset: Dataset, complete: Graph, files: list[SourceFile], root: Path | None,
              steps: Steps) -> dict[str, Any]:
    """Write every serialisation, the context and the store into ``staging``; return the record."""
    sources.bind_prefixes(complete)
    context = sources.context_path(root)
    context_data = read_context(context) if context else None
    for suffix, fmt in SUFFIX_RDFLIB_GRAPH.items():
        options: dict[str, Any] = {"context": context_data} if fmt == "json-ld" and context_data else {}
        steps.run(f"write {suffix}", serialize, complete, staging / f"{NAME}{suffix}", fmt, **options)
    for suffix, fmt in SUFFIX_RDFLIB_DATASET.items():
        steps.run(f"write {suffix}", serialize, dataset, staging / f"{NAME}{suffix}", fmt)
    if context:
        shutil.copyfile(context, staging / paths.CONTEXT_FILE)
    with tempfile.TemporaryDirectory(prefix="spine-evidence-graphs-") as scratch:
        graph_files = write_graph_files(Path(scratch), dataset)
        counts = steps.run("store", write_store, staging / store.STORE_DIR, graph_files)
        version = graph_version(files, dataset.graph(GRAPH_INFERRED), Path(scratch))
    return {
        "graph_version": version,
        "input_hash": store.graph_version(store_sources(files)),
        "sources": [source_entry(f, root) for f in files],
        "triples": triple_counts(dataset, complete),
        "store_default_graph_triples": counts.default_graph_triples,
        "dataset": store.dataset_fields(counts),
        "files": sorted(p.name for p in staging.iterdir()),
    }


def graph_version(files: list[SourceFile], inferred: Graph, scratch: Path) -> str:
    """The content hash of the source files and the inferred triples (canonical, sorted N-Triples)."""
    canonical = to_canonical_graph(inferred).serialize(format="nt", encoding="utf-8").decode("utf-8")
    path = scratch / "inferred-canonical.nt"
    path.write_text("".join(sorted(canonical.splitlines(keepends=True))), encoding="utf-8")
    return store.graph_version([*store_sources(files), (str(GRAPH_INFERRED), path)])


def serialize(graph: Graph | Dataset, path: Path, fmt: str, **options: Any) -> None:
    """Write ``graph`` to ``path`` with rdflib's ``fmt`` serialiser; failures become ``BuildError``."""
    try:
        graph.serialize(destination=str(path), format=fmt, encoding="utf-8", **options)
    except Exception as error:  # rdflib raises plain Exceptions for unserialisable IRIs
        message = " ".join(str(error).split())
        raise BuildError(f"cannot write {path.name} ({fmt}): {message}") from None


def read_context(path: Path) -> dict[str, Any] | list[Any]:
    """The ``@context`` value of a JSON-LD context document."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BuildError(f"{path}: not a JSON-LD context: {error}") from None
    if not isinstance(document, dict) or "@context" not in document:
        raise BuildError(f"{path}: not a JSON-LD context (no @context)")
    context: dict[str, Any] | list[Any] = document["@context"]
    return context


def write_graph_files(folder: Path, dataset: Dataset) -> list[tuple[str, Path]]:
    """Each non-empty named graph of ``dataset`` as N-Triples in ``folder``, for the store."""
    written = []
    for index, graph in enumerate(sorted(named_graphs(dataset), key=lambda g: str(g.identifier))):
        path = folder / f"graph-{index}.nt"
        graph.serialize(destination=str(path), format="nt", encoding="utf-8")
        written.append((str(graph.identifier), path))
    return written


def named_graphs(dataset: Dataset) -> list[Graph]:
    """The named graphs of ``dataset`` that hold triples."""
    return [g for g in dataset.graphs() if isinstance(g.identifier, URIRef) and len(g) and not is_default(g)]


def is_default(graph: Graph) -> bool:
    """True for rdflib's default graph of a ``Dataset``."""
    return str(graph.identifier) == "urn:x-rdflib:default"


def write_store(path: Path, graph_files: list[tuple[str, Path]]) -> store.Dataset:
    """Create the pyoxigraph store at ``path``; return its triple counts (recorded in ``build.json``).

    Counted here, once, so that serving the store never scans it.
    """
    created = store.create_store(path, graph_files)
    try:
        return store.count_dataset(created, path, "")
    finally:
        del created  # closes RocksDB before the folder is renamed


def triple_counts(dataset: Dataset, complete: Graph) -> dict[str, int]:
    """Triples of the merged graph (``default``) and of each named graph."""
    counts = {str(g.identifier): len(g) for g in named_graphs(dataset)}
    counts.setdefault(str(GRAPH_INFERRED), 0)
    return {"default": len(complete), **dict(sorted(counts.items()))}


def source_entry(source: SourceFile, root: Path | None) -> dict[str, str | int]:
    """A source file's name, graph, size and checksum for ``build.json``."""
    data = source.path.read_bytes()
    return {
        "file": f"{source.path.parent.name}/{source.path.name}",
        "graph": str(source.graph),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def ontology_header(graph: Graph) -> dict[str, str | None]:
    """The ontology IRI and version IRI declared in ``graph`` (``None`` when absent)."""
    ontology = next(iter(graph.subjects(RDF.type, OWL.Ontology)), None)
    version = graph.value(ontology, OWL.versionIRI) if ontology is not None else None
    return {"iri": str(ontology) if ontology else None, "version_iri": str(version) if version else None}


def output_names(context: Path | None) -> list[str]:
    """The names a build writes into ``out_dir`` (``build.json`` last: it marks a complete build)."""
    names = [f"{NAME}{suffix}" for suffix in (*SUFFIX_RDFLIB_GRAPH, *SUFFIX_RDFLIB_DATASET)]
    names += [paths.CONTEXT_FILE] if context else []
    return [*names, *views.VIEW_NAMES, store.STORE_DIR, store.BUILD_RECORD]


def check_replaceable(out_dir: Path) -> None:
    """Refuse to overwrite files of a build's names in a folder that holds no previous build."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"{out_dir} exists and is not a folder")
    if not out_dir.is_dir() or (out_dir / store.BUILD_RECORD).is_file():
        return
    clashes = [name for name in output_names(Path(paths.CONTEXT_FILE)) if (out_dir / name).exists()]
    if clashes:
        raise BuildError(f"refusing to overwrite {clashes[0]} in {out_dir}: "
                         f"it holds no previous build ({store.BUILD_RECORD})")


def replace(out_dir: Path, staging: Path) -> None:
    """Move each output from ``staging`` into ``out_dir``, replacing the previous build's.

    Other entries of ``out_dir`` (e.g. the endpoint's ``data-*`` stores) are kept.
    """
    trash = staging / ".previous"
    trash.mkdir()
    for name in output_names(staging / paths.CONTEXT_FILE if (staging / paths.CONTEXT_FILE).exists() else None):
        target = out_dir / name
        if target.exists():  # a view the new build did not write (nanopubs without a key) goes too
            target.rename(trash / name)
        if (staging / name).exists():
            (staging / name).rename(target)
    shutil.rmtree(staging, ignore_errors=True)


def now() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
