"""``GET /graph-store`` over a backend: a named graph forwarded from its Graph Store, or read by ``CONSTRUCT``.

With ``--backend-gsp``, a named graph of ours is fetched from the backend's
Graph Store endpoint (``?graph=IRI``; Virtuoso's ``graph-uri``, as
``publish`` names it) in the negotiated media type and streamed through as
it arrives, within the deadline. Without it, and for the default graph
(the union of our graphs, which no Graph Store ``?default`` of the backend
is: Virtuoso's holds all its graphs), the graph is read whole with
``CONSTRUCT`` over the SPARQL endpoint, as the embedded store's is read whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pyoxigraph as ox

from .errors import current_deadline
from .store import TRIPLES_ACCEPT, TRIPLES_FORMATS, RemoteSparqlStore
from .text import dataset_form
from .transport import CHUNK, DeadlineStream, content_kind, http_get


def graph_triples(store: RemoteSparqlStore, graph: ox.NamedNode | ox.DefaultGraph) -> list[ox.Triple]:
    """Every triple of ``graph`` (our default graph: the union of ours), by ``CONSTRUCT``."""
    where = f"GRAPH {graph} {{ ?s ?p ?o }}" if isinstance(graph, ox.NamedNode) else "?s ?p ?o"
    text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"
    response = store.send(text, dataset_form(store.graphs, text, None, None, None), TRIPLES_ACCEPT)
    fmt = content_kind(response, TRIPLES_FORMATS)
    stream = DeadlineStream(response, current_deadline(store.timeout))
    try:
        if fmt is None:
            raise store.unreadable(f"a {response.headers.get('Content-Type')!r} answer, not N-Triples")
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(stream.as_file(), TRIPLES_FORMATS[fmt])]
    except SyntaxError as error:
        raise store.unreadable(str(error)) from None
    finally:
        stream.close()


def forwarded(store: RemoteSparqlStore, graph: ox.NamedNode, media_type: str) -> tuple[str, Iterator[bytes]]:
    """The Content-Type and the streamed body of the backend Graph Store's answer for ``graph``."""
    from ..publish.remote import GRAPH_PARAMETER  # Virtuoso's graph-uri, as publish names the graph

    assert store.gsp_url is not None
    parameter = GRAPH_PARAMETER.get(urlsplit(store.gsp_url).path.rstrip("/"), "graph")
    deadline = current_deadline(store.timeout)
    response = http_get(store.session, store.gsp_url, {parameter: graph.value}, media_type, deadline, store.auth)
    stream = DeadlineStream(response, deadline)

    def body() -> Iterator[bytes]:
        try:
            while chunk := stream.read(CHUNK):
                yield chunk
        finally:
            stream.close()

    return response.headers.get("Content-Type", media_type), body()
