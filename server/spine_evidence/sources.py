"""The source files of the dataset read with rdflib: parsed, merged, the ontology and the shapes.

Which file goes into which named graph is decided in :mod:`.source_files`
(without rdflib, for ``serve``); here those files are parsed into an rdflib
``Dataset`` (one named graph per graph IRI) and merged. The shapes
(``shapes/*.ttl``) are read here too, but they are not part of the built
dataset. Every reader takes an optional ``root``: a folder holding
``ontology/`` and ``graph/`` (and ``shapes/``), for tests and other datasets;
without it the shipped data folders are used (see ``spine_evidence.paths``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from .namespaces import PREFIXES
from .paths import CONTEXT_FILE
from .source_files import SourceError, SourceFile, folder, source_files, turtle_files


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
        parse_file(dataset.graph(URIRef(source.graph)), source.path)
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
    graph = bind_prefixes(Graph())
    for path in turtle_files("ontology", root):
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
    return turtle_files("shapes", root, "shapes")


def shapes_graph(root: Path | None = None) -> Graph:
    """All shapes files parsed into one rdflib ``Graph``."""
    graph = bind_prefixes(Graph())
    for path in shapes_files(root):
        parse_file(graph, path)
    return graph
