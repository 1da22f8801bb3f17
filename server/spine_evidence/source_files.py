"""The source files of the dataset and the named graph each one belongs to, without rdflib.

This is the one place that knows which file goes into which named graph
(``docs/MODEL.md``, "Named graphs in the built dataset"):

- ``graph:ontology``  ← ``ontology/*.ttl``
- ``graph:vocabulary`` ← ``graph/vocabulary.ttl`` (the shared vocabulary every document uses)
- ``graph:factfinder`` ← every other ``graph/*.ttl``

Graph IRIs are plain strings (:mod:`.iris`), so that ``serve`` can tell
whether a built store is stale without importing rdflib: its workers are
forked from it. :mod:`.sources` reads these files with rdflib. Every function
takes an optional ``root``: a folder holding ``ontology/`` and ``graph/`` (and
``shapes/``), for tests and other datasets; without it the shipped data
folders are used (see ``spine_evidence.paths``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import SpineEvidenceError
from .iris import GRAPH, GRAPH_FACTFINDER, GRAPH_ONTOLOGY, GRAPH_VOCABULARY

# Data folder → the named graph its Turtle files are loaded into.
GRAPH_OF_FOLDER: dict[str, str] = {
    "ontology": GRAPH_ONTOLOGY,
    "graph": GRAPH_FACTFINDER,
}
# Files of a data folder that go into a named graph of their own instead of their folder's.
GRAPH_OF_FILE: dict[str, str] = {
    "vocabulary.ttl": GRAPH_VOCABULARY,
}
SOURCE_PATTERN = "*.ttl"


class SourceError(SpineEvidenceError, ValueError):
    """A source file is missing or is not valid Turtle; the message names the file."""


@dataclass(frozen=True)
class SourceFile:
    """One source file and the IRI of the named graph it is loaded into."""

    path: Path
    graph: str


def folder(name: str, root: Path | None = None) -> Path:
    """The data folder ``name`` under ``root``, or the shipped one when ``root`` is ``None``."""
    if root is None:
        return paths.data_dir(name)
    return Path(root) / name


def turtle_files(name: str, root: Path | None = None, what: str = "source") -> list[Path]:
    """The Turtle files of the data folder ``name``, sorted; ``SourceError`` when there are none."""
    try:
        where = folder(name, root)
    except FileNotFoundError as error:
        raise SourceError(str(error)) from None
    files = sorted(where.glob(SOURCE_PATTERN)) if where.is_dir() else []
    if not files:
        raise SourceError(f"no {SOURCE_PATTERN} {what} file in {where}")
    return files


def source_files(root: Path | None = None) -> list[SourceFile]:
    """Every source file of the dataset with its named graph, in a stable order.

    Raises ``SourceError`` when a folder is missing or holds no Turtle file.
    """
    return [SourceFile(path, GRAPH_OF_FILE.get(path.name, graph))
            for name, graph in GRAPH_OF_FOLDER.items() for path in turtle_files(name, root)]


def document_files(data: Sequence[Path], root: Path | None = None) -> list[SourceFile]:
    """The ontology and shared vocabulary files, plus ``data`` in place of the shipped document.

    Each data file goes into ``graph:<file stem>`` (``graph/vocabulary.ttl``
    into ``graph:vocabulary``), so ``factfinder.ttl`` keeps ``graph:factfinder``.
    """
    shared = [f for f in source_files(root) if f.graph in (GRAPH_ONTOLOGY, GRAPH_VOCABULARY)]
    given = [SourceFile(Path(p), GRAPH_OF_FILE.get(Path(p).name, GRAPH[Path(p).stem])) for p in data]
    return shared + [f for f in given if f.path.resolve() not in {s.path.resolve() for s in shared}]


def store_sources(files: Sequence[SourceFile]) -> list[tuple[str, Path]]:
    """The ``(graph IRI, file)`` pairs that ``store.create_store`` loads."""
    return [(f.graph, f.path) for f in files]
