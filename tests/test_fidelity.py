"""Every triple of the sources comes back from the store exactly as written.

pyoxigraph stores typed literals as values and gives them back in canonical
form ("5"^^xsd:nonNegativeInteger as "5"^^xsd:integer, "77.0" as "77"). A
clinical graph must not change a number or its datatype on the way to a
client, so the sources use only literal forms the store keeps (docs/MODEL.md),
and this test proves it triple by triple, through the store and through HTTP.
"""

from __future__ import annotations

import pyoxigraph as ox
import requests
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from spine_evidence import source_files, store


def as_rdflib(quads) -> Graph:
    """The default-graph quads of a pyoxigraph store, parsed into an rdflib graph via N-Triples."""
    data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt")


def changed(expected: Graph, actual: Graph) -> list[str]:
    """The triples only in ``expected``, as lines (empty when the graphs are isomorphic)."""
    _, only_expected, _ = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    return sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in only_expected)


def test_the_store_gives_back_every_triple_unchanged(asserted: Graph):
    memory = store.create_store(None, source_files.store_sources(source_files.source_files()))
    kept = as_rdflib(memory.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert changed(asserted, kept) == []
    assert isomorphic(asserted, kept)


def test_the_canonicalisation_this_guards_against_is_real():
    """The check above can fail: a non-canonical literal does change in the store."""
    graph = Graph()
    graph.add((URIRef("http://example.org/value"), URIRef("http://example.org/percentage"),
               Literal("77.0", datatype=XSD.decimal)))
    memory = ox.Store()
    memory.load(graph.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES)
    assert changed(graph, as_rdflib(memory.quads_for_pattern(None, None, None))) != []


def test_numbers_reach_a_client_with_their_datatype(endpoint, asserted: Graph):
    """Every literal of the sources, asked for over HTTP as N-Triples, comes back as written."""
    typed = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o) && "
             "datatype(?o) NOT IN (<http://www.w3.org/2001/XMLSchema#string>, "
             "<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>)) }")
    answer = requests.get(endpoint.url, params={"query": typed},
                          headers={"Accept": "application/n-triples"}, timeout=30)
    assert answer.status_code == 200
    assert answer.headers.get("X-SPARQL-Truncated", "false") == "false"
    served = Graph().parse(data=answer.text, format="nt")
    literals = {(s, p, o) for s, p, o in asserted
                if isinstance(s, URIRef) and isinstance(o, Literal) and o.datatype}
    assert literals and literals <= set(served)
