"""What validation reads: the shapes, and the data (ontology, shared vocabulary, a document).

The data are parsed once, with Oxigraph's parser, into three views that the
checks share (``Inputs``): an rdflib ``Graph`` (literals exactly as written),
an in-memory pyoxigraph ``Store`` (for the fast SPARQL pass), and the
ontology alone (the reasoner's fixed part and the declared terms).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from .. import paths, sources
from ..errors import SpineEvidenceError, one_line
from ..iris import GRAPH_ONTOLOGY, GRAPH_VOCABULARY
from ..source_files import SourceError, source_files

DataInput = Graph | Sequence[str | Path]


class ValidationInputError(SpineEvidenceError, ValueError):
    """A data, shapes or source file that cannot be read or parsed; the message is one line."""


@dataclass
class Inputs:
    """The data to validate, parsed once and shared by every check.

    ``graph`` and ``store`` hold the same triples (ontology, vocabulary and
    data); ``ontology`` the ontology files alone; ``data`` the document's
    triples (for the shipped graph, the vocabulary's too); ``source_dirs`` the
    folders where a quote's source text (``src:NAME``) is looked up as ``NAME``,
    and ``source_files`` the files given explicitly (``--source``). ``written``
    holds the triples with a typed literal exactly as the files write it
    (rdflib rewrites some on parsing: ``"05"^^xsd:integer`` becomes ``"5"``).
    """

    graph: Graph
    store: ox.Store
    ontology: Graph
    data: Graph
    source_dirs: list[Path] = field(default_factory=list)
    source_files: list[Path] = field(default_factory=list)
    written: list[ox.Triple] = field(default_factory=list)


def shipped_data_files() -> tuple[list[Path], list[Path]]:
    """The shipped ontology files and graph files (vocabulary included): what ``validate`` checks by default."""
    try:
        found = source_files()
    except SourceError as error:
        raise ValidationInputError(str(error)) from None
    ontology = [f.path for f in found if f.graph == GRAPH_ONTOLOGY]
    return ontology, [f.path for f in found if f.graph != GRAPH_ONTOLOGY]


def vocabulary_files() -> list[Path]:
    """The shipped shared-vocabulary files (``graph:vocabulary``): every document uses them."""
    try:
        return [f.path for f in source_files() if f.graph == GRAPH_VOCABULARY]
    except SourceError as error:
        raise ValidationInputError(str(error)) from None


def load_shapes(file: str | Path | None = None) -> Graph:
    """Parse a SHACL shapes file into an rdflib graph (default: the shipped shapes).

    Raises ``ValidationInputError`` (one line, naming the file) on a bad file.
    """
    if file is None:
        try:
            return sources.shapes_graph()
        except SourceError as error:
            raise ValidationInputError(str(error)) from None
    graph = Graph()
    parse_into(graph, None, Path(file))
    return graph


def load_data(files: Iterable[str | Path], graph: Graph | None = None,
              store: ox.Store | None = None) -> tuple[Graph, ox.Store]:
    """Parse RDF files (syntax from the extension) into an rdflib graph and an in-memory store.

    Raises ``ValidationInputError`` (one line, naming the file) when a file is
    missing, unreadable, of an unknown kind or not valid RDF.
    """
    graph, store = Graph() if graph is None else graph, ox.Store() if store is None else store
    for file in files:
        parse_into(graph, store, Path(file))
    return graph, store


def data_graphs(data: DataInput | None = None, *, include_ontology: bool = True) -> tuple[Graph, ox.Store]:
    """The data to validate (default: the shipped graph) plus ontology and vocabulary, as a graph and a store."""
    inputs = read_inputs(data, include_ontology=include_ontology)
    return inputs.graph, inputs.store


def read_inputs(data: DataInput | None = None, *, include_ontology: bool = True,
                source_files: Sequence[str | Path] = ()) -> Inputs:
    """Parse the data once for every check.

    ``data`` (an rdflib ``Graph`` or RDF files) replaces the shipped document;
    the shipped ontology and shared vocabulary are added unless
    ``include_ontology`` is false. Source texts are looked up in
    ``source_files``, then beside the data files, then in the shipped graph folder.
    """
    ontology_files, graph_files = shipped_data_files() if data is None or include_ontology else ([], [])
    written: list[ox.Triple] = []
    store = ox.Store()
    ontology, vocabulary, document = Graph(), Graph(), Graph()
    for file in ontology_files if include_ontology else []:
        parse_into(ontology, store, Path(file), written)
    for file in vocabulary_files() if include_ontology and data is not None else []:
        parse_into(vocabulary, store, file, written)
    if isinstance(data, Graph):
        document, folders = data, []
        triples = [ox_triple(t) for t in data]
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        written += [t for t in triples if isinstance(t.object, ox.Literal) and t.object.language is None]
    else:
        files = graph_files if data is None else [Path(f) for f in data]
        for file in files:
            parse_into(document, store, Path(file), written)
        folders = [Path(f).resolve().parent for f in files]
    graph = sources.bind_prefixes(Graph())
    for part in (ontology, vocabulary, document):
        graph += part
    for file in map(Path, source_files):
        if not file.is_file():
            raise ValidationInputError(f"cannot read source text {file}: no such file")
    folders = list(dict.fromkeys([*folders, shipped_graph_dir()]))
    return Inputs(graph, store, ontology, document, folders, [Path(f) for f in source_files], written)


def shipped_graph_dir() -> Path:
    """The shipped graph folder (where the shipped source text lives)."""
    return paths.graph_dir()


def ox_triple(triple: tuple[Node, Node, Node]) -> ox.Triple:
    """An rdflib triple as a pyoxigraph triple (through N-Triples syntax, literals as written)."""
    subject, predicate, obj = (_ox_term(term) for term in triple)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise ValueError(f"not an RDF triple: {' '.join(map(str, triple))}")
    return ox.Triple(subject, predicate, obj)


def _ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """One rdflib term as a pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def parse_into(graph: Graph, store: ox.Store | None, path: Path, written: list[ox.Triple] | None = None) -> None:
    """Parse one RDF file with Oxigraph's parser, into ``graph`` and ``store``.

    Oxigraph parses (its errors name the line and column) and writes N-Triples
    for rdflib, so both get the same triples; ``written`` (when given) receives
    the triples whose object is a typed literal, exactly as the file writes it.
    """
    suffix = path.suffix.lstrip(".").lower()
    rdf_format = ox.RdfFormat.from_extension(suffix) if suffix else None
    if rdf_format is None:
        raise ValidationInputError(f"cannot read {path}: unknown RDF file extension {path.suffix or '(none)'!r}")
    try:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=path, format=rdf_format)]
    except OSError as error:
        raise ValidationInputError(f"cannot read {path}: {error.strerror or error}") from None
    except (SyntaxError, ValueError) as error:
        raise ValidationInputError(f"cannot parse {path}: {one_line(error)}") from None
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    if store is not None:
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    if written is not None:
        written += [t for t in triples if isinstance(t.object, ox.Literal) and t.object.language is None]
