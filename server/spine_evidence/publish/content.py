"""What publish sends and compares: a named graph's N-Triples, its canonical checksum, the difference of two.

A graph (dumped from our store into a file, or read back from the remote
store) is read once by pyoxigraph's N-Triples parser. Its triples without
blank nodes go, one line each in pyoxigraph's N-Triples form, into a file
that ``sort -u`` sorts and de-duplicates on disk (C locale: byte order,
which for UTF-8 is code point order, as Python's ``sorted``), so memory
stays bounded whatever the size of the graph; only the triples with blank
nodes are held in memory. Two graphs are isomorphic exactly when their
blank-node-free parts are equal and their blank-node parts are isomorphic
(an isomorphism maps only blank nodes), and that is how they are compared:
the SHA-256 of the sorted files, then the blank-node parts in pyoxigraph's
canonical form (``Dataset.canonicalize``, 0.07 s for the 698 triples with
blank nodes of the benchmark corpus; its labels may change between
pyoxigraph versions, which does not matter within one comparison); parts
that differ there are confirmed with ``rdflib.compare.isomorphic``.

The checksum recorded in the store is stable across versions: the SHA-256
of all lines sorted and joined by newlines, the blank-node part in rdflib's
canonical form (``rdflib.compare.to_canonical_graph``: 1.3 s for the
ontology's 1,521 triples with 804 blank nodes, but 7–30 s for the corpus's
698), the rest as it is; it is computed only when asked for (the record
of what was sent).

At 1M triples (the benchmark corpus, 698 triples with blank nodes) reading
a graph this way takes about 10 s and 0.2 GB; holding its lines and
canonicalising the whole graph in rdflib took 88 s and 3.2 GB (4.8 GB for
the two graphs of a read-back check).
"""

from __future__ import annotations

import hashlib
import heapq
import os
import subprocess
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_canonical_graph, to_isomorphic

from ..errors import SpineEvidenceError

DIFF_SHOWN = 5  # triples shown on each side of a difference
SORT_MEMORY = "256M"  # the buffer of ``sort``: beyond it, it merges runs from temporary files
SORT_TIMEOUT_S = 3600.0


class GraphContentError(SpineEvidenceError, RuntimeError):
    """A graph's lines could not be sorted on disk (no ``sort`` command, or it failed: a full disk)."""


@dataclass(eq=False)
class GraphContent:
    """One named graph as publish sees it: its IRI, its triples in two sorted parts, their checksum.

    ``plain``: a temporary file (removed with this object) of the sorted,
    unique N-Triples lines of the triples without blank nodes, in
    pyoxigraph's form (one form whatever the sender's escaping);
    ``blank_lines``: the sorted, unique lines of the triples with blank nodes.
    """

    iri: str
    plain: Path
    blank_lines: list[str]
    triples: int = field(init=False)

    def __post_init__(self) -> None:
        weakref.finalize(self, self.plain.unlink, True)
        self.triples = sum(1 for _ in self.plain_lines()) + len(self.blank_lines)

    @cached_property
    def checksum(self) -> str:
        """The canonical checksum (see the module docstring)."""
        return canonical_checksum(self)

    @cached_property
    def plain_digest(self) -> str:
        """The SHA-256 of the sorted file of the triples without blank nodes."""
        digest = hashlib.sha256()
        with self.plain.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    @cached_property
    def blank_canonical(self) -> list[str]:
        """The blank-node part in pyoxigraph's canonical form, sorted (for comparing within one process)."""
        dataset = ox.Dataset(ox.parse("\n".join(self.blank_lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return sorted(str(quad) for quad in dataset)

    @property
    def blank(self) -> bool:
        """Whether the graph has blank nodes."""
        return bool(self.blank_lines)

    def plain_lines(self) -> Iterator[str]:
        """The sorted lines of the triples without blank nodes, read from disk."""
        with self.plain.open(encoding="utf-8", newline="\n") as file:
            for line in file:
                yield line.rstrip("\n")

    @cached_property
    def blank_graph(self) -> Graph:
        """The triples with blank nodes as an rdflib graph."""
        return rdflib_graph(self.blank_lines)

    @cached_property
    def graph(self) -> Graph:
        """All the triples as an rdflib graph (in memory: for small graphs)."""
        return rdflib_graph(heapq.merge(self.plain_lines(), self.blank_lines))


def rdflib_graph(lines: Iterable[str]) -> Graph:
    """N-Triples lines parsed into an rdflib graph."""
    graph = Graph()
    graph.parse(data="\n".join(lines), format="nt")
    return graph


def canonical_lines(content: GraphContent) -> list[str]:
    """The sorted lines of the blank-node part in rdflib's canonical form (blank nodes relabelled by hash)."""
    if not content.blank:
        return []
    return sorted(line for line in to_canonical_graph(content.blank_graph).serialize(format="nt").split("\n")
                  if line.strip())


def canonical_checksum(content: GraphContent) -> str:
    """``sha256:HEX`` of the sorted N-Triples lines, blank nodes in rdflib's canonical form (see the module)."""
    digest, first = hashlib.sha256(), True
    for line in heapq.merge(content.plain_lines(), canonical_lines(content)):
        digest.update((b"" if first else b"\n") + line.encode("utf-8"))
        first = False
    return "sha256:" + digest.hexdigest()


def sort_on_disk(source: Path, target: Path) -> None:
    """Sort the lines of ``source`` into ``target`` byte-wise, without duplicates, in bounded memory."""
    command = ["sort", "-u", "-S", SORT_MEMORY, "-T", str(source.parent), "-o", str(target), str(source)]
    try:
        subprocess.run(command, env={**os.environ, "LC_ALL": "C"}, check=True, capture_output=True,
                       timeout=SORT_TIMEOUT_S)
    except FileNotFoundError:
        raise GraphContentError("publish needs the sort command (GNU coreutils or BSD) on PATH") from None
    except subprocess.CalledProcessError as error:
        why = " ".join(error.stderr.decode("utf-8", "replace").split())[:200]
        raise GraphContentError(f"sort failed on {source} (exit {error.returncode}): {why}") from None
    except subprocess.TimeoutExpired:
        raise GraphContentError(f"sort took longer than {SORT_TIMEOUT_S:.0f} s on {source}") from None


def read_content(source: IO[bytes] | bytes, iri: str) -> GraphContent:
    """The content of N-Triples (a file or bytes), parsed by pyoxigraph; ``SyntaxError`` when unreadable."""
    handle, name = tempfile.mkstemp(prefix="publish-", suffix=".nt")
    unsorted, plain = Path(name), Path(name).with_suffix(".sorted.nt")
    blank: set[str] = set()
    try:
        with open(handle, "w", encoding="utf-8", newline="\n") as sink:
            for triple in ox.parse(source, format=ox.RdfFormat.N_TRIPLES):
                if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
                    blank.add(f"{triple} .")
                else:
                    sink.write(f"{triple} .\n")
        sort_on_disk(unsorted, plain)
        return GraphContent(iri, plain, sorted(blank))
    except BaseException:
        plain.unlink(missing_ok=True)
        raise
    finally:
        unsorted.unlink(missing_ok=True)


def content_of(graph: Graph, iri: str) -> GraphContent:
    """The :class:`GraphContent` of an rdflib graph."""
    return read_content(graph.serialize(format="nt", encoding="utf-8"), iri)


def dump_graph(store: ox.Store, iri: str, target: Path) -> GraphContent:
    """Write the named graph ``iri`` of ``store`` as N-Triples into ``target``; its content."""
    with target.open("wb") as sink:
        store.dump(sink, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri))
    with target.open("rb") as source:
        return read_content(source, iri)


def parse_ntriples(data: IO[bytes] | bytes, iri: str) -> GraphContent:
    """The content of N-Triples (a store's answer, bytes or a file; UTF-8 whatever the charset says)."""
    return read_content(data, iri)


def same_graph(ours: GraphContent, theirs: GraphContent) -> bool:
    """Whether the two graphs are isomorphic (blank nodes mapped), not just of the same size.

    The same blank-node-free part (its digest), and blank-node parts equal
    in pyoxigraph's canonical form, or else ``rdflib.compare.isomorphic``
    (slow, but only reached on a mismatch of the blank-node parts).
    """
    if ours.triples != theirs.triples or ours.blank != theirs.blank or ours.plain_digest != theirs.plain_digest:
        return False
    return not ours.blank or ours.blank_canonical == theirs.blank_canonical \
        or isomorphic(ours.blank_graph, theirs.blank_graph)


def zip_sorted(left: Iterator[str], right: Iterator[str]) -> Iterator[tuple[str | None, str | None]]:
    """Pairs of two sorted line sequences walked in step: ``(line, None)`` only left, ``(None, line)`` only right."""
    a, b = next(left, None), next(right, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a < b):
            yield a, None
            a = next(left, None)
        elif a is None or b < a:
            yield None, b
            b = next(right, None)
        else:
            yield a, b
            a, b = next(left, None), next(right, None)


def difference(ours: GraphContent, theirs: GraphContent, shown: int = DIFF_SHOWN) -> tuple[str, list[str]]:
    """How two graphs differ: a one-line count, and a few triples only in each (``-`` ours, ``+`` theirs)."""
    counts = [0, 0]
    first: tuple[list[str], list[str]] = ([], [])
    for pair in zip_sorted(ours.plain_lines(), theirs.plain_lines()):
        for side in (0, 1):
            if pair[side] is not None and pair[1 - side] is None:
                counts[side] += 1
                first[side].extend([str(pair[side])] if len(first[side]) < shown else [])
    if ours.blank or theirs.blank:
        _, mine, yours = graph_diff(to_isomorphic(ours.blank_graph), to_isomorphic(theirs.blank_graph))
        for side, part in ((0, mine), (1, yours)):
            extra = sorted(line for line in part.serialize(format="nt").split("\n") if line.strip())
            counts[side] += len(extra)
            first[side].extend(extra[:max(0, shown - len(first[side]))])
    lines: list[str] = []
    for side, sign in ((0, "-"), (1, "+")):
        lines += [f"{sign} {line}" for line in first[side]]
        lines += [f"{sign} … and {counts[side] - shown} more"] if counts[side] > shown else []
    return f"{counts[0]} triple(s) only in ours (-), {counts[1]} only in theirs (+)", lines
