"""The source files of the dataset and the named graph each one belongs to.

This is the one place that knows which file goes into which named graph
(``docs/MODEL.md``, "Named graphs in the built dataset"):

- ``graph:ontology``  ← ``ontology/*.ttl``
- ``graph:vocabulary`` ← ``graph/vocabulary.ttl`` (the shared vocabulary every document uses)
- ``graph:factfinder`` ← every other ``graph/*.ttl``

The shapes (``shapes/*.ttl``) are read here too, but they are not part of the
built dataset. Every reader takes an optional ``root``: a folder holding
``ontology/`` and ``graph/`` (and ``shapes/``), for tests and other datasets;
without it the shipped data folders are used (see ``spine_evidence.paths``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from . import paths
from .errors import SpineEvidenceError
from .namespaces import GRAPH, GRAPH_FACTFINDER, GRAPH_ONTOLOGY, GRAPH_VOCABULARY, PREFIXES
from .paths import CONTEXT_FILE

# Data folder → the named graph its Turtle files are loaded into.
GRAPH_OF_FOLDER: dict[str, URIRef] = {
    "ontology": GRAPH_ONTOLOGY,
    "graph": GRAPH_FACTFINDER,
}
# Files of a data folder that go into a named graph of their own instead of their folder's.
GRAPH_OF_FILE: dict[str, URIRef] = {
    "vocabulary.ttl": GRAPH_VOCABULARY,
}
SOURCE_PATTERN = "*.ttl"


class SourceError(SpineEvidenceError, ValueError):
    """A source file is missing or is not valid Turtle; the message names the file."""


@dataclass(frozen=True)
class SourceFile:
    """One source file and the named graph it is loaded into."""

    path: Path
    graph: URIRef


def folder(name: str, root: Path | None = None) -> Path:
    """The data folder ``name`` under ``root``, or the shipped one when ``root`` is ``None``."""
    if root is None:
        return paths.data_dir(name)
    return Path(root) / name


def source_files(root: Path | None = None) -> list[SourceFile]:
    """Every source file of the dataset with its named graph, in a stable order.

    Raises ``SourceError`` when a folder is missing or holds no Turtle file.
    """
    found: list[SourceFile] = []
    for name, graph in GRAPH_OF_FOLDER.items():
        try:
            where = folder(name, root)
        except FileNotFoundError as error:
            raise SourceError(str(error)) from None
        files = sorted(where.glob(SOURCE_PATTERN)) if where.is_dir() else []
        if not files:
            raise SourceError(f"no {SOURCE_PATTERN} source file in {where}")
        found.extend(SourceFile(path, GRAPH_OF_FILE.get(path.name, graph)) for path in files)
    return found


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
    return [(str(f.graph), f.path) for f in files]


def parse_file(graph: Graph, path: Path) -> Graph:
    """Parse the Turtle file ``path`` into ``graph``; errors become one-line ``SourceError``."""
    try:
        return graph.parse(path, format="turtle")
    except OSError as error:
        raise SourceError(f"{path}: {error.strerror or error}") from None
    except Exception as error:  # rdflib raises many parser exception types
        message = " ".join(str(error).split())
        raise SourceError(f"{path}: not valid Turtle: {message}") from None


def bind_prefixes(graph: Graph) -> Graph:
    """Bind every prefix of ``namespaces.PREFIXES`` on ``graph`` (for readable output)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def load_sources(files: Sequence[SourceFile] | None = None) -> Dataset:
    """The sources as an rdflib ``Dataset``: one named graph per source graph IRI."""
    dataset = Dataset()
    bind_prefixes(dataset)
    for source in source_files() if files is None else files:
        parse_file(dataset.graph(source.graph), source.path)
    return dataset


def merged_graph(files: Sequence[SourceFile] | None = None) -> Graph:
    """The union of all source files as one rdflib ``Graph``."""
    return merge(load_sources(files))


def merge(dataset: Dataset) -> Graph:
    """The union of the named graphs of ``dataset`` (blank nodes kept) as one ``Graph``."""
    merged = bind_prefixes(Graph())
    for graph in dataset.graphs():
        merged += graph
    return merged


def ontology_graph(root: Path | None = None) -> Graph:
    """The ontology alone (``ontology/*.ttl``) as one rdflib ``Graph``."""
    where = folder("ontology", root)
    files = sorted(where.glob(SOURCE_PATTERN)) if where.is_dir() else []
    if not files:
        raise SourceError(f"no {SOURCE_PATTERN} source file in {where}")
    graph = bind_prefixes(Graph())
    for path in files:
        parse_file(graph, path)
    return graph


def context_path(root: Path | None = None) -> Path | None:
    """The published JSON-LD context (``ontology/context.jsonld``), or ``None`` if absent."""
    try:
        path = folder("ontology", root) / CONTEXT_FILE
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


def shapes_files(root: Path | None = None) -> list[Path]:
    """The SHACL shapes files (``shapes/*.ttl``); raises ``SourceError`` when there are none."""
    try:
        where = folder("shapes", root)
    except FileNotFoundError as error:
        raise SourceError(str(error)) from None
    files = sorted(where.glob(SOURCE_PATTERN)) if where.is_dir() else []
    if not files:
        raise SourceError(f"no {SOURCE_PATTERN} shapes file in {where}")
    return files


def shapes_graph(root: Path | None = None) -> Graph:
    """All shapes files parsed into one rdflib ``Graph``."""
    graph = bind_prefixes(Graph())
    for path in shapes_files(root):
        parse_file(graph, path)
    return graph
