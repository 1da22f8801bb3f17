"""Which store ``serve`` opens: find it, build it when missing or stale, add ``--data`` files.

The default location is ``dist/store`` in a checkout and
``$XDG_CACHE_HOME/spine-evidence/<version>/store`` otherwise (a wheel's own
folder may not be writable). A store is stale when its ``build.json``
records an ``input_hash`` that differs from the current sources'; stores
without one (built by other tools, e.g. the benchmark) are used as they are.
The default location is also rebuilt when its record lacks the triple
counts (``dataset``, written since builds stopped scanning at start).
Extra ``--data`` files go into a separate store that copies the main data
and adds each file as a named graph (never into the default graph; relative
IRIs in a file resolve against its graph IRI, as if fetched from it), cached
under a hash of both, so the main store is never written.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox

from .. import __version__, paths, sources
from .. import store as store_module
from ..store_load import QUAD_FORMATS

Announce = Callable[[str], None]
STATE_DIR_VARIABLE = "SPINE_EVIDENCE_STATE_DIR"
DATA_STORE_LAYOUT = "2"  # part of the cache key: bump when the way --data files are loaded changes


class StoreSetupError(RuntimeError):
    """The store cannot be found or built; the message is one line."""


def state_dir() -> Path:
    """Where built data lives: ``dist/`` in a writable checkout, else the user's cache folder.

    ``$SPINE_EVIDENCE_STATE_DIR`` overrides both (tests use it).
    """
    if os.environ.get(STATE_DIR_VARIABLE):
        return Path(os.environ[STATE_DIR_VARIABLE])
    checkout = paths.PACKAGE_DIR.parents[1]
    if (checkout / "pyproject.toml").is_file() and os.access(checkout, os.W_OK):
        return checkout / "dist"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "spine-evidence" / __version__


def is_store(path: Path) -> bool:
    """Whether ``path`` holds a pyoxigraph (RocksDB) store."""
    return (Path(path) / "CURRENT").is_file()


def current_input_hash() -> str:
    """The content hash of the shipped sources, as ``build`` records it (``input_hash``)."""
    return store_module.graph_version(sources.store_sources(sources.source_files()))


def is_stale(store_path: Path) -> bool:
    """Whether the store's ``build.json`` names other sources than the current ones."""
    recorded = store_module.read_build_record(store_path).get("input_hash")
    return recorded is not None and recorded != current_input_hash()


def build_into(out_dir: Path, announce: Announce) -> None:
    """Run the build into ``out_dir`` (with HermiT; without it when Java is missing)."""
    from ..build import BuildError, build
    from ..reasoning import ReasonerError

    announce(f"building the store in {out_dir} (once; later starts reuse it)")
    try:
        build(out_dir)
    except ReasonerError as error:
        announce(f"warning: building without reasoning: {' '.join(str(error).split())}")
        build(out_dir, reason=False)
    except (BuildError, sources.SourceError) as error:
        raise StoreSetupError(" ".join(str(error).split())) from None


def resolve_store(store: Path | None = None, announce: Announce = print) -> Path:
    """The store folder to serve, built when missing or stale.

    ``store`` is a store folder or a build folder holding ``store/``; ``None``
    means the default location (see :func:`state_dir`).
    """
    out_dir = state_dir() if store is None else Path(store)
    if store is not None and is_store(out_dir):
        if is_stale(out_dir):
            raise StoreSetupError(f"{out_dir} was built from other sources; rebuild it with `spine-evidence build`")
        return out_dir
    store_path = out_dir / store_module.STORE_DIR
    if not is_store(store_path) or is_stale(store_path) or store_module.read_dataset(store_path) is None:
        build_into(out_dir, announce)  # also for a build of an older version, whose record lacks the counts
    if not is_store(store_path):
        raise StoreSetupError(f"no store at {store_path} after the build")
    return store_path


def parse_data_option(value: str, option: str = "--data") -> tuple[str, Path]:
    """``[IRI=]FILE`` → ``(graph IRI, file)``; the IRI defaults to the file's ``file:`` IRI.

    ``option`` names the option (or argument) in error messages.
    """
    if Path(value).is_file():
        return Path(value).resolve().as_uri(), Path(value)
    for cut in (i for i, char in enumerate(value) if char == "="):
        if cut > 0 and Path(value[cut + 1 :]).is_file():
            iri, file = value[:cut], Path(value[cut + 1 :])
            try:
                ox.NamedNode(iri)
            except ValueError as error:
                raise StoreSetupError(f"{option} {value}: {iri!r} is not a valid IRI: {error}") from None
            return iri, file
    raise StoreSetupError(f"{option} {value}: no such file (give FILE or IRI=FILE)")


def data_store(main: Path, data: Sequence[tuple[str, Path]], announce: Announce = print) -> Path:
    """A store holding the main store's quads plus each ``data`` file in its named graph.

    Cached in ``state_dir()/data-<hash>/store`` (the hash covers the main
    store's version and the files' contents), so a restart reuses it. The
    main store is copied by a RocksDB backup (hard links to its immutable
    files, no quad passes through Python); its ``build.json`` gets the counts
    of the main store plus the added graphs.
    """
    record = store_module.read_build_record(main)
    main_version = str(record.get("graph_version") or store_module.store_fingerprint(main))
    digest = store_module.graph_version([(f"{DATA_STORE_LAYOUT} {main_version} {iri}", Path(p)) for iri, p in data])
    target = state_dir() / f"data-{digest}" / store_module.STORE_DIR
    if is_store(target):
        return target
    shutil.rmtree(target.parent, ignore_errors=True)
    target.parent.mkdir(parents=True)
    announce(f"adding {len(data)} data file(s) as named graphs in {target}")
    try:
        dataset = add_data_files(main, target, data, f"{main_version}+data-{digest}")
    except (ValueError, SyntaxError, OSError) as error:
        shutil.rmtree(target.parent, ignore_errors=True)
        raise StoreSetupError(" ".join(str(error).split())) from None
    store_module.write_build_record(target, dataset.graph_version, data=[str(p) for _, p in data],
                                    dataset=store_module.dataset_fields(dataset))
    return target


def add_data_files(main: Path, target: Path, data: Sequence[tuple[str, Path]], version: str) -> store_module.Dataset:
    """Copy the store at ``main`` to ``target``, load each ``data`` file into its named graph; count.

    With the main store's counts recorded, only the added graphs are counted
    (range scans of their index); otherwise (or when a quad file may bring
    graphs of its own) the new store is counted whole.
    """
    store_module.open_store(main).backup(str(target))
    combined = ox.Store(str(target))
    for iri, file in data:
        store_module.load_source(combined, iri, Path(file), base_iri=iri)
    combined.flush()
    recorded = store_module.read_dataset(main)
    if recorded is None or any(store_module.rdf_format(Path(f)) in QUAD_FORMATS for _, f in data):
        return store_module.count_dataset(combined, target, version)  # quad files bring their own graphs
    graphs = {**recorded.graph_triples, **{iri: count_graph(combined, iri) for iri, _ in data}}
    graphs = {iri: n for iri, n in sorted(graphs.items()) if n}
    default = recorded.default_graph_triples
    return store_module.Dataset(path=target, graph_version=version, quads=default + sum(graphs.values()),
                                default_graph_triples=default, graph_triples=graphs)


def count_graph(store: ox.Store, iri: str) -> int:
    """The triple count of one named graph (a range scan of its index)."""
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(iri)} {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)
