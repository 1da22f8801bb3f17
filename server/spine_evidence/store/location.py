"""Where the dataset lives: the one rule every command and the server follow.

The **state folder** is ``$SPINE_EVIDENCE_STATE_DIR`` when set, else ``dist/``
of the checkout this package runs from when that checkout is writable, else
``$XDG_CACHE_HOME/spine-evidence/<version>`` (a wheel's own folder may not be
writable). ``build`` writes the dataset there unless given ``--out``;
``serve`` and ``query`` read it unless given ``--store`` (a dataset folder as
``build --out`` writes it, or its ``store/``); ``serve`` and ``query`` build it
first when it is missing or stale, and say so; ``--data`` stores of ``serve``
are cached there too. A dataset folder holds ``store/`` (the pyoxigraph store)
and ``build.json`` beside it.

A store is stale when its ``build.json`` records an ``input_hash`` that
differs from the current sources'; stores without one (made by ``load`` or
other tools, e.g. the benchmark) are used as they are. The state folder is
also rebuilt when its record lacks the triple counts (``dataset``, written
since builds stopped scanning at start). Extra ``--data`` files go into a
separate store that copies the main data and adds each file as a named graph
(never into the default graph; relative IRIs in a file resolve against its
graph IRI, as if fetched from it), cached under a hash of both, so the main
store is never written.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox

from .. import __version__, paths
from .. import store as store_module
from ..errors import SpineEvidenceError
from ..source_files import SourceError, source_files, store_sources
from ..sparql import select
from .loading import QUAD_FORMATS, load_source, rdf_format

Announce = Callable[[str], None]
STATE_DIR_VARIABLE = "SPINE_EVIDENCE_STATE_DIR"
DATA_STORE_LAYOUT = "2"  # part of the cache key: bump when the way --data files are loaded changes


class StoreSetupError(SpineEvidenceError, RuntimeError):
    """The store cannot be found or built; the message is one line."""


def state_dir() -> Path:
    """The state folder, where the dataset lives by default (see the module docstring)."""
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


def store_in(folder: Path) -> Path:
    """The store folder of ``folder``: itself when it holds a store or is named ``store``, else ``folder/store``."""
    folder = Path(folder)
    return folder if is_store(folder) or folder.name == store_module.STORE_DIR else folder / store_module.STORE_DIR


def current_input_hash() -> str:
    """The content hash of the shipped sources, as ``build`` records it (``input_hash``).

    Without rdflib (:mod:`..source_files`): ``serve``'s supervisor runs this
    check on a built store, and its workers are forked from it.
    """
    return store_module.graph_version(store_sources(source_files()))


def is_stale(store_path: Path) -> bool:
    """Whether the store's ``build.json`` names other sources than the current ones."""
    recorded = store_module.read_build_record(store_path).get("input_hash")
    return recorded is not None and recorded != current_input_hash()


def build_into(out_dir: Path, announce: Announce) -> None:
    """Run the build into ``out_dir`` (with HermiT; without it, saying so, when Java is missing)."""
    from ..build import BuildError, build
    from ..reasoning import ReasonerError

    announce(f"building the store in {out_dir} (once; later commands reuse it)")
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)  # fails at once, not after reasoning, where it cannot be
        try:
            build(out_dir)
        except ReasonerError as error:
            announce(f"warning: building without reasoning: {' '.join(str(error).split())}")
            build(out_dir, reason=False)
    except (BuildError, SourceError, OSError) as error:
        reason = " ".join(str(error).split())
        raise StoreSetupError(f"cannot build the dataset in {out_dir} ({reason}); set {STATE_DIR_VARIABLE} to a "
                              "writable folder, or run `spine-evidence build --out DIR` and give `--store DIR`"
                              ) from None


def resolve_store(store: Path | None = None, announce: Announce = print, *, build: bool = True) -> Path:
    """The store folder to open: ``store`` (a store or dataset folder), else the state folder's.

    With ``build`` it is built when missing or stale (``announce`` says so);
    without, a missing or stale store is a :class:`StoreSetupError` naming the
    command to run. A store folder given itself is never rebuilt.
    """
    folder = state_dir() if store is None else Path(store)
    if store is not None and is_store(folder):
        if is_stale(folder):
            raise StoreSetupError(f"{folder} was built from other sources; rebuild it with `spine-evidence build`")
        return folder
    store_path = folder / store_module.STORE_DIR
    missing, stale = not is_store(store_path), is_store(store_path) and is_stale(store_path)
    uncounted = store is None and not missing and store_module.read_dataset(store_path) is None
    if (missing or stale) and not build:
        state = "no store" if missing else "a store built from other sources"
        raise StoreSetupError(f"{state} at {folder}; run `spine-evidence build --out {folder}` first")
    if missing or stale or uncounted:
        build_into(folder, announce)  # also for a build of an older version, whose record lacks the counts
    if not is_store(store_path):
        raise StoreSetupError(f"no store at {store_path} after the build")
    return store_path


def store_summary(store_path: Path) -> str:
    """One line naming the store and what its ``build.json`` records: version, triples, reasoning."""
    record = store_module.read_build_record(store_path)
    facts = [f"graph version {record.get('graph_version', 'unrecorded')}"]
    dataset = store_module.read_dataset(store_path)
    if dataset is not None:
        facts.append(f"{dataset.default_graph_triples} triples in the default graph")
    if "reasoned" in record:
        facts.append("reasoned with HermiT" if record["reasoned"] else "not reasoned: no graph:inferred")
    return f"the store {store_path} ({', '.join(facts)})"


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
        load_source(combined, iri, Path(file), base_iri=iri)
    combined.flush()
    recorded = store_module.read_dataset(main)
    if recorded is None or any(rdf_format(Path(f)) in QUAD_FORMATS for _, f in data):
        return store_module.count_dataset(combined, target, version)  # quad files bring their own graphs
    graphs = {**recorded.graph_triples, **{iri: count_graph(combined, iri) for iri, _ in data}}
    graphs = {iri: n for iri, n in sorted(graphs.items()) if n}
    default = recorded.default_graph_triples
    return store_module.Dataset(path=target, graph_version=version, quads=default + sum(graphs.values()),
                                default_graph_triples=default, graph_triples=graphs)


def count_graph(store: ox.Store, iri: str) -> int:
    """The triple count of one named graph (a range scan of its index)."""
    rows = select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(iri)} {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)
