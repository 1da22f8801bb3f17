"""The pyoxigraph store: create it from RDF files, open it read-only, describe its dataset.

A built store is a RocksDB directory (``dist/store/`` in a checkout). Beside it
the build writes ``build.json``; its ``graph_version`` (a content hash of the
sources) tells whether the store is stale. The default graph of the built
dataset is the merge of the named graphs (``docs/MODEL.md``): each source file
is loaded into its named graph and its quads are then copied, blank nodes
included, into the default graph.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

BUILD_RECORD = "build.json"
STORE_DIR = "store"

# File extension → RDF syntax (docs/DEVELOPING.md: a table, never an if-chain).
FORMAT_BY_EXTENSION: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".n3": ox.RdfFormat.N3,
}

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


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF syntax of ``path``, from its extension.

    Raises ``ValueError`` naming the file when the extension is unknown.
    """
    try:
        return FORMAT_BY_EXTENSION[path.suffix.lower()]
    except KeyError:
        known = " ".join(sorted(FORMAT_BY_EXTENSION))
        raise ValueError(f"{path}: unknown RDF file extension (expected one of {known})") from None


def graph_version(sources: Iterable[Source]) -> str:
    """A content hash of the sources: their graph IRIs, file names and bytes.

    Two sets of sources with the same content get the same version, wherever
    they sit on disk. The order of the sources does not matter.
    """
    digest = hashlib.sha256()
    for graph, path in sorted(sources, key=lambda s: (s[0] or "", Path(s[1]).name)):
        data = Path(path).read_bytes()
        digest.update(f"{graph or ''}\n{Path(path).name}\n{len(data)}\n".encode())
        digest.update(data)
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
    ``default_graph_merge``, also into the default graph. Quad files (N-Quads,
    TriG) keep their own named graphs; only their default-graph triples go to
    the graph IRI. Raises ``ValueError`` (unknown format),
    ``SyntaxError`` (bad RDF) or ``OSError``; the message names the file.
    """
    if path is not None:
        Path(path).mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(path)) if path is not None else ox.Store()
    for graph, file in sources:
        load_source(store, graph, Path(file), default_graph_merge=default_graph_merge)
    store.flush()
    if path is not None:
        store.optimize()
    return store


def load_source(
    store: ox.Store, graph: str | None, file: Path, *, default_graph_merge: bool, base_iri: str | None = None
) -> None:
    """Bulk-load one file into ``graph`` (or the default graph) of ``store``.

    Relative IRIs in the file resolve against ``base_iri`` (default: the file's ``file:`` IRI).
    """
    fmt = rdf_format(file)
    target = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
    try:
        store.bulk_load(path=str(file), format=fmt, to_graph=target, base_iri=base_iri or file.resolve().as_uri())
    except SyntaxError as error:
        raise SyntaxError(f"{file}: {error}") from None
    if graph is not None and default_graph_merge:
        copy_to_default_graph(store, target)


def copy_to_default_graph(store: ox.Store, graph: ox.NamedNode) -> None:
    """Copy every triple of the named ``graph`` into the default graph, blank nodes kept."""
    default = ox.DefaultGraph()
    store.bulk_extend(
        ox.Quad(q.subject, q.predicate, q.object, default)
        for q in store.quads_for_pattern(None, None, None, graph)
    )


def open_store(path: Path) -> ox.Store:
    """Open the store at ``path`` read-only; several processes may do so at once.

    Raises ``FileNotFoundError`` when ``path`` holds no store.
    """
    path = Path(path)
    if not (path / "CURRENT").is_file():
        raise FileNotFoundError(f"no pyoxigraph store at {path}")
    return ox.Store.read_only(str(path))


def read_build_record(store_path: Path) -> dict:
    """The ``build.json`` written beside ``store_path`` (``{}`` when absent or unreadable)."""
    record = Path(store_path).parent / BUILD_RECORD
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_build_record(store_path: Path, version: str, **extra: object) -> Path:
    """Write ``build.json`` beside ``store_path`` with the graph version and ``extra`` fields."""
    record = Path(store_path).parent / BUILD_RECORD
    record.write_text(json.dumps({"graph_version": version, **extra}, indent=2) + "\n", encoding="utf-8")
    return record


def count_triples(store: ox.Store) -> tuple[int, dict[str, int]]:
    """The default graph's triple count and each named graph's, by one SPARQL query."""
    default = 0
    rows = store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } } GROUP BY ?g"
    )
    counts: dict[str, int] = {}
    for row in rows:
        g, n = row["g"], int(row["n"].value)
        if g is None:
            default = n
        else:
            counts[g.value] = n
    return default, counts


def describe_store(store: ox.Store, path: Path | None = None, version: str | None = None) -> Dataset:
    """The :class:`Dataset` record of ``store``.

    The version is ``version``, else the one in ``build.json`` beside ``path``,
    else a hash of the store's N-Quads (slow on big stores, exact).
    """
    if version is None and path is not None:
        version = read_build_record(path).get("graph_version")
    if version is None:
        version = hashlib.sha256(store.dump(format=ox.RdfFormat.N_QUADS)).hexdigest()[:16]
    default, counts = count_triples(store)
    return Dataset(
        path=Path(path) if path is not None else None,
        graph_version=str(version),
        quads=len(store),
        default_graph_triples=default,
        graph_triples=counts,
    )
