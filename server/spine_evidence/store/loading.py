"""Bulk loading of RDF files into a pyoxigraph store, in Rust wherever the data allows.

A source with a graph IRI goes into that named graph and, merged, into the
default graph too, with the *same* blank nodes in both (a query joins across
graphs on them). pyoxigraph's loaders mint fresh blank nodes on every load,
so one file cannot simply be loaded twice:

- N-Triples (what ``build`` writes, what the benchmark corpora are): the file
  is split into its lines without ``_:`` (no blank node can be in them: every
  N-Triples blank node label starts with ``_:``) and the few lines with one.
  The first part is bulk-loaded into both graphs at once, on two threads
  (the loader releases the GIL); the second is parsed once and its triples
  added to both graphs.
- Other triple syntaxes: loaded twice, then the default graph's triples with
  blank nodes are swapped for the named graph's (:func:`repair_blank_nodes`,
  a scan of the store: fine for the small Turtle files it is used for).
- Quad syntaxes (N-Quads, TriG): loaded once; the graph's triples are copied.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from ..sparql import select

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
QUAD_FORMATS = frozenset({ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG})
BLANK_LABEL = b"_:"
SPLIT_CHUNK = 1 << 22
# The triples whose blank nodes a second load renames (RDF 1.2 triple terms may hold blank nodes).
BLANK = "FILTER(isBlank(?s) || isBlank(?o) || isTRIPLE(?o))"
Target = ox.NamedNode | ox.DefaultGraph


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF syntax of ``path``, from its extension.

    Raises ``ValueError`` naming the file when the extension is unknown.
    """
    try:
        return FORMAT_BY_EXTENSION[path.suffix.lower()]
    except KeyError:
        known = " ".join(sorted(FORMAT_BY_EXTENSION))
        raise ValueError(f"{path}: unknown RDF file extension (expected one of {known})") from None


def load_source(store: ox.Store, graph: str | None, file: Path, *, base_iri: str | None = None,
                to_graph: Target | None = None, lenient: bool = False) -> None:
    """Bulk-load one file into ``graph`` (or the default graph) of ``store``.

    Relative IRIs in the file resolve against ``base_iri`` (default: the
    file's ``file:`` IRI). ``to_graph`` overrides the graph the triples go to;
    ``lenient`` skips validation (for a file already loaded once).
    """
    fmt = rdf_format(file)
    if to_graph is None:
        to_graph = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
    try:
        store.bulk_load(path=str(file), format=fmt, to_graph=to_graph,
                        base_iri=base_iri or Path(file).resolve().as_uri(), lenient=lenient)
    except SyntaxError as error:
        raise SyntaxError(f"{file}: {error}") from None


def load_merged(store: ox.Store, graph: str, file: Path) -> bool:
    """Load ``file`` into the named ``graph`` and into the default graph, blank nodes shared.

    Returns whether the default graph still needs :func:`repair_blank_nodes`.
    """
    fmt = rdf_format(file)
    if fmt == ox.RdfFormat.N_TRIPLES:
        load_n_triples_twice(store, ox.NamedNode(graph), file)
        return False
    load_source(store, graph, file)
    if fmt in QUAD_FORMATS:
        copy_to_default_graph(store, ox.NamedNode(graph))
        return False
    load_source(store, graph, file, to_graph=ox.DefaultGraph(), lenient=True)
    return True


def load_n_triples_twice(store: ox.Store, graph: ox.NamedNode, file: Path) -> None:
    """Load an N-Triples file into ``graph`` and the default graph (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="spine-evidence-load-") as scratch:
        plain, blank = split_blank_lines(file, Path(scratch) / "plain.nt")
        loads = [(plain, graph, False), (plain, ox.DefaultGraph(), True)]
        try:
            run_in_threads(lambda part, target, lenient: store.bulk_load(
                path=str(part), format=ox.RdfFormat.N_TRIPLES, to_graph=target, lenient=lenient), loads)
        except SyntaxError as error:
            raise locate_syntax_error(file, error) from None
    if blank:
        try:
            triples = list(ox.parse(blank, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=True))
        except SyntaxError as error:
            raise SyntaxError(f"{file}: {error}") from None
        store.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples for g in (graph, ox.DefaultGraph()))


def split_blank_lines(file: Path, plain: Path) -> tuple[Path, bytes]:
    """Write the lines of ``file`` without ``_:`` to ``plain``; return it and the other lines.

    Chunks without ``_:`` are copied whole; only the others are split into lines.
    """
    blank = bytearray()
    rest = b""
    with open(file, "rb") as source, open(plain, "wb") as out:
        while chunk := source.read(SPLIT_CHUNK):
            data = rest + chunk
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            write_plain(data[:cut], out, blank)
        if rest:
            write_plain(rest + b"\n", out, blank)
    return plain, bytes(blank)


def locate_syntax_error(file: Path, error: SyntaxError) -> SyntaxError:
    """The syntax error of ``file`` with its own position (parsed again; only after a failed load)."""
    try:
        for _ in ox.parse(path=str(file), format=rdf_format(file)):
            pass
    except SyntaxError as located:
        return SyntaxError(f"{file}: {located}")
    return SyntaxError(f"{file}: {error}")


def write_plain(lines: bytes, out: BinaryIO, blank: bytearray) -> None:
    """Write ``lines`` to ``out``, except those with ``_:``, which go to ``blank``."""
    if BLANK_LABEL not in lines:
        out.write(lines)
        return
    for line in lines.splitlines(keepends=True):
        (blank.extend if BLANK_LABEL in line else out.write)(line)


def run_in_threads(action: Callable[..., object], calls: Sequence[tuple[object, ...]]) -> None:
    """Run ``action(*args)`` for each ``args`` of ``calls`` on its own thread; re-raise the first error."""
    errors: list[BaseException] = []

    def run(args: tuple[object, ...]) -> None:
        try:
            action(*args)
        except BaseException as error:  # noqa: BLE001 (re-raised in the caller's thread)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(args,)) for args in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]



def repair_blank_nodes(store: ox.Store, graphs: Sequence[str]) -> None:
    """Replace the default graph's triples with blank nodes by those of the named ``graphs``.

    For a default graph made by loading the named graphs' files again (which
    mints other blank nodes): ``graphs`` are all the graphs merged into it,
    and nothing else may be in it yet.
    """
    copies = [ox.Quad(r["s"], r["p"], r["o"]) for r in select(store, f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o {BLANK} }}")]
    if not copies:
        return
    for quad in copies:
        store.remove(quad)
    values = " ".join(str(ox.NamedNode(graph)) for graph in sorted(set(graphs)))
    originals = select(store, "SELECT DISTINCT ?s ?p ?o WHERE "
                              f"{{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o {BLANK} }} }}")
    store.extend([ox.Quad(r["s"], r["p"], r["o"]) for r in originals])


def copy_to_default_graph(store: ox.Store, graph: ox.NamedNode) -> None:
    """Copy every triple of the named ``graph`` into the default graph, blank nodes kept."""
    default = ox.DefaultGraph()
    store.bulk_extend(
        ox.Quad(q.subject, q.predicate, q.object, default)
        for q in store.quads_for_pattern(None, None, None, graph)
    )
