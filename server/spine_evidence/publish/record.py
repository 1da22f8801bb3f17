"""The publication record: which version of each graph is live in the remote store, as VoID, PROV-O and DCTERMS.

It is a named graph of its own in the remote store, ``graph:publication``,
replaced whole by each publish that changes something::

    graph:publication a void:Dataset ; dcterms:hasVersion "BUILD" ;
        prov:generatedAtTime "…"^^xsd:dateTime ; void:subset graph:factfinder , … .
    graph:factfinder a void:Dataset ; void:triples 3111 ; dcterms:hasVersion "BUILD" ;
        dcterms:identifier "sha256:…" ; prov:generatedAtTime "…"^^xsd:dateTime .

``dcterms:identifier`` holds the canonical checksum of the graph's content
(:func:`.content.canonical_checksum`); ``prov:generatedAtTime`` of a graph is
when that content was first sent (kept from the previous record while the
checksum stays the same); ``dcterms:hasVersion`` is the build's graph version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from ..namespaces import GRAPH, VOID
from .content import GraphContent

PUBLICATION_GRAPH = str(GRAPH.publication)


def utc_time(moment: datetime) -> Literal:
    """An ``xsd:dateTime`` in UTC in the canonical form the stores keep ("Z"; rdflib would write "+00:00")."""
    return Literal(moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime,
                   normalize=False)


def recorded_times(previous: Graph | None) -> dict[tuple[str, str], Literal]:
    """``(graph IRI, checksum) → prov:generatedAtTime`` from a previous record (empty without one)."""
    times: dict[tuple[str, str], Literal] = {}
    for subject, checksum in (previous or Graph()).subject_objects(DCTERMS.identifier):
        when = (previous or Graph()).value(subject, PROV.generatedAtTime)
        if isinstance(when, Literal) and isinstance(when.toPython(), datetime):
            times[(str(subject), str(checksum))] = utc_time(when.toPython())
    return times


def publication_record(contents: Sequence[GraphContent], version: str, now: datetime,
                       previous: Graph | None = None) -> Graph:
    """The record of ``contents`` live at build ``version``; times of unchanged graphs kept from ``previous``.

    Graphs of ``previous`` not among ``contents`` keep their entries (a publish of some graphs only).
    """
    record = Graph()
    record.bind("void", VOID)
    times = recorded_times(previous)
    stamp = utc_time(now)
    root = URIRef(PUBLICATION_GRAPH)
    record.add((root, RDF.type, VOID.Dataset))
    record.add((root, DCTERMS.hasVersion, Literal(version)))
    for content in contents:
        graph = URIRef(content.iri)
        sent = times.get((content.iri, content.checksum), stamp)
        record.add((root, VOID.subset, graph))
        record.add((graph, RDF.type, VOID.Dataset))
        record.add((graph, VOID.triples, Literal(content.triples)))
        record.add((graph, DCTERMS.hasVersion, Literal(version)))
        record.add((graph, DCTERMS.identifier, Literal(content.checksum)))
        record.add((graph, PROV.generatedAtTime, sent))
    kept_from(previous or Graph(), record, root, {content.iri for content in contents})
    latest = max(record.objects(None, PROV.generatedAtTime), default=stamp, key=str)
    record.add((root, PROV.generatedAtTime, latest if isinstance(latest, Literal) else stamp))
    return record


def kept_from(previous: Graph, record: Graph, root: URIRef, published: set[str]) -> None:
    """Copy into ``record`` the previous entries of graphs not published this time (``--graph``): still live."""
    for graph in previous.objects(root, VOID.subset):
        if str(graph) not in published:
            record.add((root, VOID.subset, graph))
            for predicate, value in previous.predicate_objects(graph):
                moment = value.toPython() if isinstance(value, Literal) else None
                record.add((graph, predicate, utc_time(moment) if isinstance(moment, datetime) else value))
