"""The pyoxigraph store: create it from RDF files, open it read-only, describe its dataset.

Submodules: :mod:`.loading` (bulk loading of RDF files) and :mod:`.location`
(where the dataset lives, for every command and the server: the one rule).

A built store is a RocksDB directory (``store/`` in a dataset folder). Beside it
the build writes ``build.json``; its ``graph_version`` (a content hash of the
sources) tells whether the store is stale. The default graph of the built
dataset is the merge of the named graphs (``docs/MODEL.md``): each source file
is bulk-loaded (in Rust) into its named graph and into the default graph,
with the same blank nodes in both, so a query joins across graphs on them
(how: :mod:`.loading`).

:func:`load` makes a store on disk and writes, beside it, ``build.json`` with
the graph version and the triple counts (its ``dataset``), so that serving
the store never has to scan it (:func:`read_dataset`).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..sparql import select
from .loading import load_merged, load_source, repair_blank_nodes

BUILD_RECORD = "build.json"
STORE_DIR = "store"
HASH_CHUNK = 1 << 20

Source = tuple["str | None", Path]


@dataclass(frozen=True)
class Dataset:
    """What a store holds: where it is, its graph version and its triple counts.

    ``graph_triples`` maps each named graph IRI to its triple count;
    ``default_graph_triples`` counts the default graph; ``quads`` everything.
    """

    path: Path | None
    graph_version: str
    quads: int
    default_graph_triples: int
    graph_triples: dict[str, int] = field(default_factory=dict)

    @property
    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(self.graph_triples)


def graph_version(sources: Iterable[Source]) -> str:
    """A content hash of the sources: their graph IRIs, file names and bytes.

    Two sets of sources with the same content get the same version, wherever
    they sit on disk. The order of the sources does not matter. Files are
    read in chunks, so a corpus of gigabytes is hashed in constant memory.
    """
    digest = hashlib.sha256()
    for graph, path in sorted(sources, key=lambda s: (s[0] or "", Path(s[1]).name)):
        path = Path(path)
        digest.update(f"{graph or ''}\n{path.name}\n{path.stat().st_size}\n".encode())
        with path.open("rb") as data:
            while chunk := data.read(HASH_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()[:16]


def create_store(
    path: Path | None,
    sources: Sequence[Source],
    *,
    default_graph_merge: bool = True,
) -> ox.Store:
    """Create a store at ``path`` (in memory when ``None``) and load ``sources`` into it.

    Each source is ``(graph IRI or None, file)``. ``None`` loads into the
    default graph. A graph IRI loads into that named graph and, with
    ``default_graph_merge``, also into the default graph, blank nodes shared
    (see :mod:`.loading`); sources without a graph are loaded last. Quad
    files (N-Quads, TriG) keep their own named graphs; only their
    default-graph triples go to the graph IRI.
    Raises ``ValueError`` (unknown format), ``SyntaxError`` (bad RDF) or
    ``OSError``; the message names the file.
    """
    if path is not None:
        Path(path).mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(path)) if path is not None else ox.Store()
    named = [(graph, Path(file)) for graph, file in sources if graph is not None]
    if default_graph_merge:
        needs_repair = [load_merged(store, graph, file) for graph, file in named]
        if any(needs_repair):
            repair_blank_nodes(store, [graph for graph, _ in named])
    else:
        for graph, file in named:
            load_source(store, graph, file)
    for graph_iri, file in sources:
        if graph_iri is None:
            load_source(store, None, Path(file))
    store.flush()
    if path is not None:
        store.optimize()
    return store


def load(path: Path, sources: Sequence[Source], *, version: str | None = None, **extra: object) -> Dataset:
    """Make a new store at ``path`` from ``sources`` and record it in ``build.json`` beside it.

    The record holds the graph version (``version``, default: the content
    hash of the sources), the triple counts (counted once, here) and
    ``extra`` fields. Raises ``FileExistsError`` when ``path`` is a non-empty
    folder, and what :func:`create_store` raises (the folder is then removed).
    """
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise FileExistsError(f"{path} exists and is not an empty folder")
    try:
        created = create_store(path, sources)
        dataset = count_dataset(created, path, version or graph_version(sources))
        del created  # closes RocksDB: the store may be opened read-only at once
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    write_build_record(path, dataset.graph_version, **extra, dataset=dataset_fields(dataset))
    return dataset


def open_store(path: Path) -> ox.Store:
    """Open the store at ``path`` read-only; several processes may do so at once.

    Raises ``FileNotFoundError`` when ``path`` holds no store.
    """
    path = Path(path)
    if not (path / "CURRENT").is_file():
        raise FileNotFoundError(f"no pyoxigraph store at {path}")
    return ox.Store.read_only(str(path))


def read_build_record(store_path: Path) -> dict[str, Any]:
    """The ``build.json`` written beside ``store_path`` (``{}`` when absent or unreadable)."""
    record = Path(store_path).parent / BUILD_RECORD
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def dataset_file(store_path: Path | None, name: str) -> Path | None:
    """The file ``name`` of the dataset folder holding the store at ``store_path`` (its ``store/``), if it exists.

    Where ``build`` writes its views beside the store (``ontology.html``, ``nanopubs.trig``, ...);
    ``None`` for an in-memory or remote store, or when the build did not write that view.
    """
    if store_path is None:
        return None
    folder = store_path.parent if store_path.name == STORE_DIR else store_path
    path = folder / name
    return path if path.is_file() else None


def write_build_record(store_path: Path, version: str, **extra: object) -> Path:
    """Write ``build.json`` beside ``store_path`` with the graph version and ``extra`` fields."""
    record = Path(store_path).parent / BUILD_RECORD
    record.write_text(json.dumps({"graph_version": version, **extra}, indent=2) + "\n", encoding="utf-8")
    return record


def count_triples(store: ox.Store) -> tuple[int, dict[str, int]]:
    """The default graph's triple count and each named graph's (a scan of the store: not at start)."""
    default = int(next(iter(select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
    rows = select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return default, dict(sorted((row["g"].value, int(row["n"].value)) for row in rows))


def count_dataset(store: ox.Store, path: Path | None, version: str) -> Dataset:
    """The :class:`Dataset` record of ``store`` at ``version``, counted by scanning it."""
    default, counts = count_triples(store)
    return Dataset(path=Path(path) if path is not None else None, graph_version=str(version),
                   quads=len(store), default_graph_triples=default, graph_triples=counts)


def dataset_fields(dataset: Dataset) -> dict[str, object]:
    """The counts of ``dataset`` as ``build.json`` records them (its ``dataset`` field)."""
    return {"quads": dataset.quads, "default_graph_triples": dataset.default_graph_triples,
            "graph_triples": dict(sorted(dataset.graph_triples.items()))}


def read_dataset(store_path: Path) -> Dataset | None:
    """The :class:`Dataset` recorded in ``build.json`` beside ``store_path`` (no scan); ``None`` without one."""
    record = read_build_record(store_path)
    fields, version = record.get("dataset") or {}, record.get("graph_version")
    try:
        return Dataset(path=Path(store_path), graph_version=str(version), quads=int(fields["quads"]),
                       default_graph_triples=int(fields["default_graph_triples"]),
                       graph_triples={str(g): int(n) for g, n in fields["graph_triples"].items()})
    except (TypeError, KeyError, ValueError, AttributeError):
        return None


def store_fingerprint(store_path: Path) -> str:
    """A version of an on-disk store without a record, from its RocksDB files (no scan).

    Hashes ``CURRENT``, the manifest it names and the names and sizes of the
    table files: any write to the store changes them.
    """
    path = Path(store_path)
    digest = hashlib.sha256()
    current = (path / "CURRENT").read_bytes()
    digest.update(current)
    manifest = path / current.decode("utf-8", "replace").strip()
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    for table in sorted(path.glob("*.sst")):
        digest.update(f"{table.name} {table.stat().st_size}\n".encode())
    return "store-" + digest.hexdigest()[:16]


def describe_store(store: ox.Store, path: Path | None = None, version: str | None = None) -> Dataset:
    """The :class:`Dataset` record of ``store``.

    Read from ``build.json`` beside ``path`` when it records the counts (and
    ``version``, if given, is its version); otherwise counted by scanning the
    store. The version is ``version``, else the recorded one, else a hash of
    the store's N-Quads (slow on big stores, exact).
    """
    recorded = read_dataset(path) if path is not None else None
    if recorded is not None and version in (None, recorded.graph_version):
        return recorded
    if version is None and path is not None:
        version = read_build_record(path).get("graph_version")
    if version is None:
        nquads = io.BytesIO()
        store.dump(nquads, format=ox.RdfFormat.N_QUADS)
        version = hashlib.sha256(nquads.getbuffer()).hexdigest()[:16]
    return count_dataset(store, path, str(version))
