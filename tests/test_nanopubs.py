"""The nanopublication view: one signed nanopublication per claim and per result, the graph's numbers unchanged.

Builds ``nanopubs.trig`` from the session store with a throwaway RSA key, reads
it back with pyoxigraph and checks it with the ``nanopub`` library itself
(validity, trusty URI), a strict signature check (the library's own accepts any
signature: ``spine_evidence.nanopubs.checks``), the test suite's structural
rules, and the store (counts and numbers by SPARQL). Nothing here uses the network: the
stability test runs the build with sockets refused.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pyoxigraph as ox
import pytest
from Crypto.PublicKey import RSA
from nanopub.definitions import MAX_TRIPLES_PER_NANOPUB
from nanopub.nanopub import Nanopub
from nanopub.utils import MalformedNanopubError

from spine_evidence.nanopubs import NanopubError, check_nanopub, read_quads, split, write_nanopubs
from spine_evidence.nanopubs.checks import rdflib_dataset, signature_holds, structure_problems
from spine_evidence.sparql import evaluate
from spine_evidence.store import open_store

SE = "https://w3id.org/spine-evidence/ontology#"
NP = "http://www.nanopub.org/nschema#"
OA_EXACT = ox.NamedNode("http://www.w3.org/ns/oa#exact")
HAS_QUOTE = ox.NamedNode(SE + "hasQuote")
NUMERIC = {"http://www.w3.org/2001/XMLSchema#integer", "http://www.w3.org/2001/XMLSchema#decimal"}

Nanopubs = dict[str, list[ox.Quad]]


@pytest.fixture(scope="module")
def key(tmp_path_factory) -> Path:
    """A throwaway 2048-bit RSA private key (PEM), as a maintainer would provide one."""
    path = tmp_path_factory.mktemp("key") / "id_rsa.pem"
    path.write_bytes(RSA.generate(2048).export_key())
    return path


@pytest.fixture(scope="module")
def store(store_dir) -> ox.Store:
    """The session store, read-only."""
    return open_store(store_dir)


@pytest.fixture(scope="module")
def written(store_dir, key, tmp_path_factory) -> Path:
    """``nanopubs.trig`` written from the session store."""
    return write_nanopubs(store_dir, tmp_path_factory.mktemp("nanopubs"), key)


@pytest.fixture(scope="module")
def nanopubs(written) -> Nanopubs:
    """The nanopublications of the written file, by IRI."""
    return split(read_quads(written))


def graph_of(quads: list[ox.Quad], uri: str, link: str) -> list[ox.Quad]:
    """The quads of the graph the head of ``uri`` names with ``link`` (np:hasAssertion, ...)."""
    name = next(q.object for q in quads if q.subject == ox.NamedNode(uri) and q.predicate == ox.NamedNode(NP + link))
    return [q for q in quads if q.graph_name == name]


def subject_of(quads: list[ox.Quad], uri: str) -> ox.NamedNode:
    """The claim or result a nanopublication is about: the one its provenance gives a quote."""
    (subject,) = {q.subject for q in graph_of(quads, uri, "hasProvenance") if q.predicate == HAS_QUOTE}
    return subject


def select(store: ox.Store, text: str) -> list[ox.QuerySolution]:
    """The solutions of a SELECT query on the store."""
    return list(evaluate(store, text))


def test_one_nanopublication_per_claim_and_per_result(store, nanopubs):
    expected = {row["s"] for row in select(store, """
        SELECT DISTINCT ?s WHERE { { ?s a/rdfs:subClassOf* se:Claim } UNION { ?s a se:Result } }""")}
    assert expected, "the store has no claims or results"
    about = [subject_of(quads, uri) for uri, quads in nanopubs.items()]
    assert len(nanopubs) == len(expected)
    assert sorted(map(str, about)) == sorted(map(str, expected))


def test_every_nanopublication_passes_the_library_checks(nanopubs):
    for uri, quads in nanopubs.items():
        nanopub = Nanopub(rdf=rdflib_dataset(quads))
        assert nanopub.source_uri == uri
        assert nanopub.is_valid and nanopub.has_valid_trusty and nanopub.has_valid_signature
        assert signature_holds(rdflib_dataset(quads))  # nanopub 2.0.1's has_valid_signature accepts any signature
        assert structure_problems(uri, quads) == []
        assert len(quads) <= MAX_TRIPLES_PER_NANOPUB


def test_trusty_uris_are_stable_and_the_build_is_offline(store_dir, key, written, nanopubs, tmp_path, monkeypatch):
    def refuse(*args: object) -> None:
        raise OSError("network use during the nanopublication build")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    again = write_nanopubs(store_dir, tmp_path, key)
    assert sorted(split(read_quads(again))) == sorted(nanopubs)
    assert again.read_bytes() == written.read_bytes()


@pytest.mark.parametrize("kind", ["numerator", "statedPercentage", "meanValue"])
def test_a_planted_number_breaks_trusty_uri_and_signature(nanopubs, kind):
    predicate = ox.NamedNode(SE + kind)
    uri, quads = next((u, qs) for u, qs in nanopubs.items() if any(q.predicate == predicate for q in qs))
    planted = []
    for q in quads:
        if q.predicate == predicate:
            changed = str(int(q.object.value.split(".")[0]) + 1)
            q = ox.Quad(q.subject, q.predicate, ox.Literal(changed, datatype=q.object.datatype), q.graph_name)
        planted.append(q)
    nanopub = Nanopub(rdf=rdflib_dataset(planted))
    with pytest.raises(MalformedNanopubError, match="Trusty artefact"):
        assert nanopub.has_valid_trusty
    assert not signature_holds(rdflib_dataset(planted))
    with pytest.raises(NanopubError, match=uri):
        check_nanopub(uri, planted)
    check_nanopub(uri, quads)


def test_every_number_is_the_graphs_value_and_datatype(store, nanopubs):
    compared = 0
    for uri, quads in nanopubs.items():
        assertion = graph_of(quads, uri, "hasAssertion")
        subjects = " ".join(str(s) for s in {q.subject for q in assertion})
        in_graph = {(row["s"], row["p"], row["o"]) for row in select(store, f"""
            SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {subjects} }} GRAPH graph:factfinder {{ ?s ?p ?o }}
                                     FILTER(isLiteral(?o) && datatype(?o) IN (xsd:integer, xsd:decimal)) }}""")}
        in_nanopub = {(q.subject, q.predicate, q.object) for q in assertion
                      if isinstance(q.object, ox.Literal) and q.object.datatype.value in NUMERIC}
        assert in_nanopub == in_graph, uri  # ox.Literal equality: the same lexical form and the same datatype
        compared += len(in_graph)
    assert compared > 0


def test_every_assertion_triple_and_quote_is_the_graphs(store, nanopubs):
    for uri, quads in nanopubs.items():
        for q in graph_of(quads, uri, "hasAssertion"):
            assert ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(
                "https://w3id.org/spine-evidence/graph/factfinder")) in store, (uri, q)
        subject = subject_of(quads, uri)
        exact = {q.object for q in graph_of(quads, uri, "hasProvenance") if q.predicate == OA_EXACT}
        expected = {row["exact"] for row in select(store, f"""
            SELECT ?exact WHERE {{
              GRAPH graph:factfinder {{ {subject} se:hasQuote/oa:hasTarget/oa:hasSelector/oa:exact ?exact }}
            }}""")}
        assert exact == expected and exact, uri


def corrupt_graph_name(uri: str, quads: list[ox.Quad]) -> list[ox.Quad]:
    """The assertion graph named outside the nanopublication's IRI (test suite: assertion_graph_uri_not_matching)."""
    old = graph_of(quads, uri, "hasAssertion")[0].graph_name
    new = ox.NamedNode("http://example.org/elsewhere#assertion")

    def swap(term):
        return new if term == old else term

    return [ox.Quad(swap(q.subject), q.predicate, swap(q.object), swap(q.graph_name)) for q in quads]


def corrupt_literal(uri: str, quads: list[ox.Quad]) -> list[ox.Quad]:
    """An ill-typed integer in the assertion (test suite: illtyped_datatypes_in_assertion)."""
    assertion = graph_of(quads, uri, "hasAssertion")[0]
    wrong = ox.Literal("four", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    return [*quads, ox.Quad(assertion.subject, ox.NamedNode(SE + "numerator"), wrong, assertion.graph_name)]


def corrupt_head(uri: str, quads: list[ox.Quad]) -> list[ox.Quad]:
    """A fifth triple in the head graph."""
    head = next(q for q in quads if q.subject == ox.NamedNode(uri))
    extra = ox.Quad(ox.NamedNode(uri), ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("x"), head.graph_name)
    return [*quads, extra]


@pytest.mark.parametrize("corrupt", [corrupt_graph_name, corrupt_literal, corrupt_head])
def test_the_test_suites_structural_rules_catch_a_broken_nanopublication(nanopubs, corrupt):
    uri, quads = next(iter(nanopubs.items()))
    assert structure_problems(uri, corrupt(uri, quads))
    with pytest.raises(NanopubError):
        check_nanopub(uri, corrupt(uri, quads))


def test_a_missing_store_is_a_one_line_error(key, tmp_path):
    with pytest.raises(NanopubError, match="cannot open the store") as raised:
        write_nanopubs(tmp_path / "no-store", tmp_path / "out", key)
    assert "\n" not in str(raised.value)
    assert not (tmp_path / "out").exists()


def test_a_bad_key_is_a_one_line_error(store_dir, tmp_path):
    public = tmp_path / "id_rsa.pub"
    public.write_bytes(RSA.generate(1024).publickey().export_key())
    garbage = tmp_path / "garbage"
    garbage.write_text("not a key\n")
    for path, words in ((tmp_path / "absent", "cannot read"), (public, "public key"), (garbage, "not an")):
        with pytest.raises(NanopubError, match=words) as raised:
            write_nanopubs(store_dir, tmp_path / "out", path)
        assert "\n" not in str(raised.value)
    assert not (tmp_path / "out").exists()
