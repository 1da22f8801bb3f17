"""Read nanopublications back from TriG and check them: structure, trusty URI, signature.

The file is parsed with pyoxigraph (which keeps every literal as written; rdflib's
TriG writer would turn ``"77"^^xsd:decimal`` into ``77.0`` and so break the
signature) and split into nanopublications by their head graphs. Each one is
held to the structural rules of the nanopub test suite
(github.com/Nanopublication/nanopub-testsuite, ``invalid/plain``: one
``np:Nanopublication`` in a head of exactly four triples; four distinct graphs,
all named under the nanopublication's IRI; well-typed literals; a provenance
about the assertion and a publication info about the nanopublication; an
``RA`` trusty code) and then to the ``nanopub`` library's own validity and
trusty-URI checks, which run offline.

The signature is checked here, not with the library's ``has_valid_signature``:
in nanopub 2.0.1 that check ignores the result of pycryptodome's legacy
``PKCS1_v1_5`` verifier, which returns ``False`` rather than raising, so it
accepts any signature. :func:`signature_holds` verifies what the signer signed
(the normalised quads without the ``npx:hasSignature`` triple, the trusty code
blanked) with the strict ``pkcs1_15`` verifier; a nanopublication signed by
nanopub-java (the test suite's ``valid/signed/example5.trig``) passes it.
"""

from __future__ import annotations

import binascii
import logging
import re
import warnings
from base64 import b64decode
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from Crypto.Hash import SHA256
from Crypto.PublicKey import RSA
from Crypto.Signature import pkcs1_15
from nanopub.nanopub import Nanopub
from nanopub.trustyuri.rdf import RdfHasher, RdfUtils
from nanopub.utils import MalformedNanopubError, extract_np_metadata
from rdflib import ConjunctiveGraph, Graph, Literal, URIRef

from ..errors import one_line
from .content import term, value
from .model import NP, NPX, NanopubError, library_message

TRUSTY_CODE = re.compile(r"RA[A-Za-z0-9_-]{43}")  # "RA" (module: RDF, SHA-256) + 256 bits in base64url
HEAD_LINKS = (NP.hasAssertion, NP.hasProvenance, NP.hasPublicationInfo)
NP_TYPE = ox.NamedNode(str(NP.Nanopublication))
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def read_quads(path: Path) -> list[ox.Quad]:
    """Every quad of the TriG file ``path``, literals as written."""
    try:
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
    except (OSError, SyntaxError) as error:
        raise NanopubError(f"cannot read nanopublications from {path}: {one_line(error)}") from None


def split(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Quad]]:
    """The quads of each nanopublication, by its IRI: its head graph and the three graphs the head names.

    Raises :class:`NanopubError` for a quad that belongs to no nanopublication.
    """
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        by_graph[str(quad.graph_name)].append(quad)
    heads = {value(q.subject): str(q.graph_name) for qs in by_graph.values() for q in qs
             if q.predicate == RDF_TYPE and q.object == NP_TYPE}
    found: dict[str, list[ox.Quad]] = {}
    claimed: set[str] = set()
    for uri, head in sorted(heads.items()):
        graphs = [head] + sorted({str(q.object) for q in by_graph[head] if URIRef(value(q.predicate)) in HEAD_LINKS})
        found[uri] = [q for graph in graphs for q in by_graph.get(graph, [])]
        claimed.update(graphs)
    stray = sorted(set(by_graph) - claimed)
    if stray:
        raise NanopubError(f"graph {stray[0]} belongs to no nanopublication")
    return found


def rdflib_dataset(quads: Iterable[ox.Quad]) -> ConjunctiveGraph:
    """The quads as the rdflib ConjunctiveGraph the ``nanopub`` library works on."""
    with warnings.catch_warnings():  # nanopub 2.0.1 takes a ConjunctiveGraph, which rdflib 7 deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = ConjunctiveGraph()
    dataset.bind("np", NP)
    dataset.bind("npx", NPX)  # the library's metadata query uses the prefix npx: without declaring it
    graphs: dict[str, Graph] = {}
    for quad in quads:
        name = str(quad.graph_name)
        graph = graphs.setdefault(name, Graph(dataset.store, URIRef(value(quad.graph_name))))
        graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return dataset


def ill_typed(node: object) -> bool:
    """Whether ``node`` is a literal whose lexical form is not valid for its datatype."""
    if not isinstance(node, Literal) or node.datatype is None:
        return False
    logging.getLogger("rdflib.term").disabled = True  # rdflib logs a traceback for every ill-typed literal
    try:
        return bool(Literal(str(node), datatype=node.datatype, normalize=False).ill_typed)
    finally:
        logging.getLogger("rdflib.term").disabled = False


def structure_problems(uri: str, quads: list[ox.Quad]) -> list[str]:
    """What breaks the test suite's structural rules in nanopublication ``uri`` (empty when nothing does)."""
    problems = []
    if not TRUSTY_CODE.fullmatch(uri.rsplit("/", 1)[-1]):
        problems.append("its IRI does not end in a trusty code (RA + 43 characters)")
    head = next((value(q.graph_name) for q in quads if value(q.subject) == uri and q.object == NP_TYPE), "")
    in_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        in_graph[value(quad.graph_name)].append(quad)
    links = {URIRef(value(q.predicate)): value(q.object) for q in in_graph[head] if value(q.subject) == uri}
    if len(in_graph[head]) != 4 or sorted(links) != sorted((*HEAD_LINKS, URIRef(RDF_TYPE.value))):
        problems.append("its head graph is not exactly the type and the three graph links")
    assertion, provenance, pubinfo = (links.get(link, "") for link in HEAD_LINKS)
    named = {head, assertion, provenance, pubinfo}
    if len(named) != 4 or set(in_graph) != named:
        problems.append("it does not have four distinct graphs named by its head")
    if any(not name.startswith(uri) for name in named):
        problems.append("a graph IRI is not under the nanopublication's IRI")
    if not any(value(q.subject) == assertion for q in in_graph[provenance]):
        problems.append("its provenance says nothing about its assertion")
    if not any(value(q.subject) == uri for q in in_graph[pubinfo]):
        problems.append("its publication info says nothing about it")
    if any(ill_typed(term(q.object)) for q in quads if isinstance(q.object, ox.Literal)):
        problems.append("it has an ill-typed literal")
    return problems


def signature_holds(dataset: ConjunctiveGraph) -> bool:
    """Whether the RSA signature in the nanopublication's publication info signs exactly its other quads."""
    metadata = extract_np_metadata(dataset)
    if metadata.signature is None or metadata.public_key is None or str(metadata.algorithm) != "RSA":
        return False
    quads = [q for q in RdfUtils.get_quads(dataset) if q[2] != NPX.hasSignature]  # type: ignore[no-untyped-call]
    signed = RdfHasher.normalize_quads(quads, baseuri=str(metadata.namespace), hashstr=" ")  # type: ignore[no-untyped-call]
    try:
        key = RSA.import_key(b64decode(str(metadata.public_key)))
        pkcs1_15.new(key).verify(SHA256.new(signed.encode("utf-8")), b64decode(str(metadata.signature)))
    except (ValueError, TypeError, IndexError, binascii.Error):
        return False
    return True


def check_nanopub(uri: str, quads: list[ox.Quad]) -> None:
    """Raise :class:`NanopubError` unless nanopublication ``uri`` is well formed, its trusty URI and signature valid."""
    problems = structure_problems(uri, quads)
    if problems:
        raise NanopubError(f"{uri}: {problems[0]}")
    try:
        dataset = rdflib_dataset(quads)
        nanopub = Nanopub(rdf=dataset)
        checks = (nanopub.is_valid, nanopub.source_uri == uri, nanopub.has_valid_trusty)
    except MalformedNanopubError as error:
        raise NanopubError(f"{uri}: {library_message(error)}") from None
    if not all(checks):
        raise NanopubError(f"{uri}: the nanopub library does not accept it")
    if not signature_holds(dataset):
        raise NanopubError(f"{uri}: its signature does not sign its content")


def check_file(path: Path) -> dict[str, list[ox.Quad]]:
    """Read ``path``, check every nanopublication in it and return their quads by IRI."""
    found = split(read_quads(path))
    for uri, quads in found.items():
        check_nanopub(uri, quads)
    return found
