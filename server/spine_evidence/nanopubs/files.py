"""Make every nanopublication of a store and write them to ``nanopubs.trig``.

The file is written with pyoxigraph, which keeps every literal exactly as
written (rdflib's TriG writer turns ``"77"^^xsd:decimal`` into ``77.0``: a
different number text, and a broken signature). The nanopublications follow one
another in the order of their subjects' IRIs; each lists its head, assertion,
provenance and publication info graphs in that order, their triples sorted,
so two builds of the same graph with the same key write the same bytes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, ConjunctiveGraph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ..errors import one_line
from ..namespaces import PREFIXES
from ..store import open_store
from .content import read_publication, read_subjects, value
from .model import NANOPUB_PREFIXES, NP, OUTPUT_FILE, NanopubError
from .signing import make_nanopub, read_private_key

GRAPH_ORDER = (NP.hasAssertion, NP.hasProvenance, NP.hasPublicationInfo)


@dataclass(frozen=True)
class SignedNanopub:
    """One signed nanopublication: the claim or result it is about, its kind, its trusty URI and its quads."""

    subject: str
    kind: str
    uri: str
    quads: list[ox.Quad]


def ox_term(node: Node) -> ox.NamedNode | ox.Literal:
    """The pyoxigraph term of an rdflib IRI or literal, the literal's lexical form unchanged."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))
    raise NanopubError(f"a nanopublication cannot hold the term {node!r}")


def ox_iri(node: Node) -> ox.NamedNode:
    """The pyoxigraph IRI of an rdflib IRI (subjects, predicates and graph names of a nanopublication are IRIs)."""
    if not isinstance(node, URIRef):
        raise NanopubError(f"a nanopublication's subjects, predicates and graphs are IRIs, not {node!r}")
    return ox.NamedNode(str(node))


def ordered_quads(uri: str, dataset: ConjunctiveGraph) -> list[ox.Quad]:
    """The quads of a signed nanopublication: head, assertion, provenance, publication info, each sorted."""
    quads = [ox.Quad(ox_iri(s), ox_iri(p), ox_term(o), ox_iri(c.identifier if c is not None else BNode()))
             for s, p, o, c in dataset.quads((None, None, None, None))]
    nanopublication = str(NP.Nanopublication)
    head = next(str(q.graph_name) for q in quads if value(q.subject) == uri and value(q.object) == nanopublication)
    links = {value(q.predicate): str(q.object) for q in quads if str(q.graph_name) == head and value(q.subject) == uri}
    rank = {head: 0} | {links.get(str(link), ""): i + 1 for i, link in enumerate(GRAPH_ORDER)}
    return sorted(quads, key=lambda q: (rank.get(str(q.graph_name), 9), str(q.subject), str(q.predicate),
                                        str(q.object)))


def open_source(store_or_path: ox.Store | Path | str) -> ox.Store:
    """The store itself, or the store at a path (opened read-only)."""
    if isinstance(store_or_path, ox.Store):
        return store_or_path
    try:
        return open_store(Path(store_or_path))
    except (FileNotFoundError, OSError) as error:
        raise NanopubError(f"cannot open the store: {one_line(error)}") from None


def build_nanopubs(store_or_path: ox.Store | Path | str, key_path: Path | str) -> list[SignedNanopub]:
    """One signed nanopublication per claim and per result of the store, in the order of their IRIs."""
    store = open_source(store_or_path)
    private_key = read_private_key(Path(key_path))
    publication = read_publication(store)
    built = []
    for subject in read_subjects(store):
        uri, dataset = make_nanopub(subject, publication, private_key)
        built.append(SignedNanopub(str(subject.iri), str(subject.kind), uri, ordered_quads(uri, dataset)))
    return built


def write_nanopubs(store_or_path: ox.Store | Path | str, out_dir: Path | str, key_path: Path | str) -> Path:
    """Sign the nanopublications of the store with the RSA key at ``key_path`` and write ``out_dir/nanopubs.trig``.

    Returns the path of the file. Raises :class:`NanopubError` (one line) when
    the store cannot be opened, the key cannot be read, or a nanopublication
    cannot be made; the file is then left as it was.
    """
    nanopubs = build_nanopubs(store_or_path, key_path)
    target = Path(out_dir) / OUTPUT_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    data = ox.serialize([q for np in nanopubs for q in np.quads], format=ox.RdfFormat.TRIG,
                        prefixes={**PREFIXES, **NANOPUB_PREFIXES})
    partial.write_bytes(data or b"")
    os.replace(partial, target)
    return target
