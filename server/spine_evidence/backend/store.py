"""A remote SPARQL store offering the part of ``pyoxigraph.Store`` that the endpoint uses.

:class:`RemoteSparqlStore` answers ``query`` (pyoxigraph result objects:
solutions and booleans parsed from the backend's streamed SPARQL JSON or XML,
CONSTRUCT/DESCRIBE triples from its N-Triples), ``quads_for_pattern`` and
``contains_named_graph``, so the query operation, the linked-data pages, the
self-description, ``/fhir`` and ``/health`` work over it unchanged.

Every query is first parsed by pyoxigraph on an empty store (a syntax error is
the same 400 as on the embedded store, and nothing but a valid query, never
an update, is sent; the outcome for the last ``PARSED_QUERIES`` valid texts is
remembered); the result kind tells how to read the answer. Each call
ends by the deadline of :mod:`.errors`. Solutions stream through: the
endpoint's row and byte limits stop reading, and the connection is closed.
The bytes the parser read are kept too, up to the byte limit (:class:`Relayed`,
the last answer of each thread): when the client asked for the backend's
format and the whole answer fits the limits, those bytes are the answer, so
it is parsed once (to check and count it) rather than written again.
Triples are read up to the row limit (plus one, so truncation shows) into an
in-memory pyoxigraph store, whose ``CONSTRUCT`` gives back a ``QueryTriples``.

A blank node cannot be named in a query sent to another store, so
``quads_for_pattern`` of an IRI's triples asks for its concise bounded
description (``DESCRIBE``; Virtuoso: ``sql:describe-mode "CBD"``) and keeps
the blank nodes' triples of that answer (per thread, bounded) for the calls
that follow them, as the linked-data pages do.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pyoxigraph as ox
import requests
from requests.auth import AuthBase

from ..sparql import Results
from ..web.query_bounds import query_form
from ..web.safety import significant_tokens
from .errors import BackendError, current_deadline, deadline_at, relayed
from .publication import Publication, read_publication
from .text import dataset_form, prologue
from .transport import DeadlineStream, content_kind, post_query
from .virtuoso import VIRTUOSO_CBD, VIRTUOSO_REWRITES, refuse_partial_answer

# JSON first: Virtuoso 7 writes it faster than XML (88 against 109 ms for 4,772 rows) and escapes control
# characters in it (its XML has ``&#1;``, which no XML 1.0 parser reads).
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
RESULTS_FORMATS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                   "application/json": ox.QueryResultsFormat.JSON,
                   "application/sparql-results+xml": ox.QueryResultsFormat.XML}
TRIPLES_ACCEPT = "application/n-triples, text/plain;q=0.5"
TRIPLES_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES}
REFRESH_SECONDS = 2.0  # at most this long is spent re-reading the record (the previous one is kept if it fails)
MAX_REMEMBERED = 100_000  # blank-node triples kept per thread for quads_for_pattern
PARSED_QUERIES = 1024  # query texts whose parse (valid, and its kind) is remembered
EMPTY = ox.Store()  # parses our queries (its answers are never read)
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class RemoteSparqlStore:
    """The store at the SPARQL endpoint ``url`` (see the module docstring)."""

    def __init__(self, url: str, *, timeout: float, max_rows: int, max_bytes: int, auth: AuthBase | None = None,
                 gsp_url: str | None = None) -> None:
        self.url = url
        self.gsp_url = gsp_url
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.auth = auth
        self.session = requests.Session()
        self.virtuoso = False  # set from the Server header of the first answer
        self._publication: Publication | None = None
        self._lock = threading.Lock()
        self._remembered = threading.local()
        self._relayed = threading.local()  # the last solutions of this thread, and the bytes they were read from

    def __repr__(self) -> str:
        return f"<RemoteSparqlStore {self.url}>"

    @property
    def publication(self) -> Publication:
        """The publication record (graphs, version, counts), re-read when older than its time to live."""
        with self._lock:
            previous = self._publication
            if previous is None or previous.stale():
                try:
                    with deadline_at(self.refresh_deadline(previous)):
                        self._publication = read_publication(self, previous)
                except BackendError:
                    if previous is None:
                        raise
                    self._publication = replace(previous, read_at=time.monotonic())  # queries report the failure
            assert self._publication is not None
            return self._publication

    def refresh_deadline(self, previous: Publication | None) -> float:
        """When reading the record must end: the call's deadline, and soon when there is one to keep meanwhile."""
        deadline = current_deadline(self.timeout)
        return deadline if previous is None else min(deadline, time.monotonic() + REFRESH_SECONDS)

    @property
    def graphs(self) -> list[str]:
        """Our named graphs in the backend, as the publication record lists them."""
        return list(self.publication.graph_triples)

    def send(self, text: str, form: Sequence[tuple[str, str]], accept: str) -> requests.Response:
        """POST one query (``text`` with ``form``) within the current deadline; the streamed response."""
        deadline = current_deadline(self.timeout)
        extra = [("timeout", str(max(int((deadline - time.monotonic()) * 1000), 1)))] if self.virtuoso else []
        response = post_query(self.session, self.url, [("query", text), *form, *extra], accept, deadline, self.auth)
        if "virtuoso" in response.headers.get("Server", "").lower():
            self.virtuoso = True
        refuse_partial_answer(self.url, response, self.max_rows)
        return response

    def query(self, query: str, *, prefixes: Mapping[str, str] | None = None, base_iri: str | None = None,
              default_graph: Sequence[Any] | None = None, named_graphs: Sequence[Any] | None = None,
              custom_functions: Mapping[ox.NamedNode, Callable[..., Term | None]] | None = None,
              **_options: object) -> Results:
        """Evaluate ``query`` on the backend, as ``pyoxigraph.Store.query`` would on the embedded store."""
        if custom_functions:
            graph_answer = is_graph_query(query, tuple((prefixes or {}).items()), base_iri, dict(custom_functions))
        else:
            graph_answer = parsed_graph_query(query, tuple((prefixes or {}).items()), base_iri)
        tokens = significant_tokens(query)  # one scan, for the dataset and the prologue
        form = dataset_form(self.graphs, query, prefixes, default_graph, named_graphs, tokens)  # reads the record first
        head = prologue(query, prefixes, base_iri, tokens)
        if graph_answer and self.virtuoso and _is_describe(query):
            head = VIRTUOSO_CBD + head
        response = self.send(head + query, form, TRIPLES_ACCEPT if graph_answer else RESULTS_ACCEPT)
        if graph_answer:
            return self.triples(response)
        return self.results(response)

    def results(self, response: requests.Response) -> ox.QuerySolutions | ox.QueryBoolean:
        """The solutions (streamed) or boolean of a results answer."""
        fmt = content_kind(response, RESULTS_FORMATS)
        rewrites = VIRTUOSO_REWRITES.get(fmt or "", ()) if self.virtuoso else ()
        stream = DeadlineStream(response, current_deadline(self.timeout), replace=rewrites, copy_up_to=self.max_bytes)
        self._relayed.last = None
        if fmt is None:
            stream.close()
            raise self.unreadable(f"a {response.headers.get('Content-Type')!r} answer, not SPARQL results")
        try:
            results = ox.parse_query_results(stream.as_file(), RESULTS_FORMATS[fmt])
        except SyntaxError as error:
            stream.close()
            raise self.unreadable(str(error)) from None
        if isinstance(results, ox.QuerySolutions):
            self._relayed.last = (results, Relayed(stream, RESULTS_FORMATS[fmt]))
        return results

    def relayed(self, results: object) -> Relayed | None:
        """The backend's own answer behind ``results``, the solutions this thread's last query returned."""
        last: tuple[ox.QuerySolutions, Relayed] | None = getattr(self._relayed, "last", None)
        self._relayed.last = None
        return last[1] if last is not None and last[0] is results else None

    def triples(self, response: requests.Response) -> ox.QueryTriples:
        """The triples of a graph answer, at most ``max_rows + 1`` of them, as a ``QueryTriples``."""
        fmt = content_kind(response, TRIPLES_FORMATS)
        stream = DeadlineStream(response, current_deadline(self.timeout), self.max_bytes + 64 * 1024)
        if fmt is None:
            stream.close()
            raise self.unreadable(f"a {response.headers.get('Content-Type')!r} answer, not N-Triples")
        held = ox.Store()
        try:
            for count, quad in enumerate(ox.parse(stream.as_file(), TRIPLES_FORMATS[fmt]), 1):
                held.add(quad)
                if count > self.max_rows:
                    break
        except SyntaxError as error:
            raise self.unreadable(str(error)) from None
        finally:
            stream.close()
        answer = held.query("CONSTRUCT WHERE { ?s ?p ?o }")
        assert isinstance(answer, ox.QueryTriples)
        return answer

    def unreadable(self, problem: str) -> BackendError:
        """The error for an answer that is not what was asked for."""
        return BackendError(self.url, f"answered something unreadable: {relayed(problem)}")

    def contains_named_graph(self, graph: ox.NamedNode | ox.BlankNode) -> bool:
        """Whether ``graph`` is one of our published graphs."""
        return isinstance(graph, ox.NamedNode) and graph.value in self.publication.graph_triples

    def quads_for_pattern(self, subject: Any, predicate: Any, obj: Any, graph_name: Any = None) -> list[ox.Quad]:
        """The quads matching the pattern (``None``: any), at most ``max_rows`` (module docstring for blank nodes)."""
        graph = graph_name if graph_name is not None else ox.DefaultGraph()
        if isinstance(graph, ox.NamedNode) and not self.contains_named_graph(graph):
            return []
        remembered: dict[tuple[str, ox.BlankNode], list[ox.Quad]] = self.remembered()
        if isinstance(subject, ox.BlankNode):
            return [q for q in remembered.get((str(graph), subject), []) if matches(q, predicate, obj)]
        if isinstance(obj, ox.BlankNode):
            return []  # no store can be asked for a blank node of ours
        if isinstance(subject, ox.NamedNode) and predicate is None and obj is None:
            return self.description(subject, graph, remembered)
        terms = [str(t) if t is not None else f"?{name}" for t, name in ((subject, "s"), (predicate, "p"), (obj, "o"))]
        pattern = " ".join(terms)
        where = f"GRAPH {graph} {{ {pattern} }}" if isinstance(graph, ox.NamedNode) else pattern
        solutions = self.query(f"SELECT * WHERE {{ {where} }} LIMIT {self.max_rows}")
        assert isinstance(solutions, ox.QuerySolutions)
        try:
            return [ox.Quad(pick(subject, row, "s"), pick(predicate, row, "p"), pick(obj, row, "o"), graph)
                    for row in solutions]
        except SyntaxError as error:  # the answer broke off into garbage
            raise self.unreadable(str(error)) from None

    def description(self, subject: ox.NamedNode, graph: ox.NamedNode | ox.DefaultGraph,
                    remembered: dict[tuple[str, ox.BlankNode], list[ox.Quad]]) -> list[ox.Quad]:
        """``subject``'s quads in ``graph``; the blank nodes' quads of its description are remembered."""
        chosen = [graph] if isinstance(graph, ox.NamedNode) else None
        found = self.query(f"DESCRIBE {subject}", default_graph=chosen, named_graphs=chosen)
        assert isinstance(found, ox.QueryTriples)
        own: list[ox.Quad] = []
        blank: dict[tuple[str, ox.BlankNode], list[ox.Quad]] = {}
        for triple in found:
            quad = ox.Quad(triple.subject, triple.predicate, triple.object, graph)
            if triple.subject == subject:
                own.append(quad)
            elif isinstance(triple.subject, ox.BlankNode):
                blank.setdefault((str(graph), triple.subject), []).append(quad)
        if sum(map(len, remembered.values())) > MAX_REMEMBERED:
            remembered.clear()
        remembered.update(blank)  # replaced, not added to: a page asked again gets each triple once
        return own

    def remembered(self) -> dict[tuple[str, ox.BlankNode], list[ox.Quad]]:
        """This thread's blank-node quads from earlier descriptions."""
        found: dict[tuple[str, ox.BlankNode], list[ox.Quad]] | None = getattr(self._remembered, "quads", None)
        if found is None:
            found = self._remembered.quads = {}
        return found


class Relayed:
    """The bytes of the backend's answer as its parser read them (Virtuoso's rewritten), in ``fmt``.

    :func:`spine_evidence.sparql.serialization.serialize` writes them as
    they are when the client asked for ``fmt`` and its counting pass read
    the whole answer: the parser has then checked every byte.
    """

    def __init__(self, stream: DeadlineStream, fmt: ox.QueryResultsFormat) -> None:
        self.stream = stream
        self.format = fmt

    def verbatim(self, fmt: ox.QueryResultsFormat) -> bytes | None:
        """The answer's bytes, when it was read whole, in ``fmt`` and within the copy bound."""
        return self.stream.whole() if fmt == self.format else None


def is_graph_query(query: str, prefixes: tuple[tuple[str, str], ...], base_iri: str | None,
                   custom_functions: dict[ox.NamedNode, Callable[..., Term | None]] | None = None) -> bool:
    """Whether ``query`` answers triples, parsed by pyoxigraph (``SyntaxError``: the caller's 400)."""
    kind = EMPTY.query(query, prefixes=dict(prefixes), base_iri=base_iri, custom_functions=custom_functions)
    return isinstance(kind, ox.QueryTriples)


@functools.lru_cache(maxsize=PARSED_QUERIES)
def parsed_graph_query(query: str, prefixes: tuple[tuple[str, str], ...], base_iri: str | None) -> bool:
    """:func:`is_graph_query`, remembered for the last texts parsed (a syntax error is not remembered)."""
    return is_graph_query(query, prefixes, base_iri)


def matches(quad: ox.Quad, predicate: Any, obj: Any) -> bool:
    """Whether ``quad`` has ``predicate`` and ``obj`` (``None``: any)."""
    return (predicate is None or quad.predicate == predicate) and (obj is None or quad.object == obj)


def pick(given: Any, row: ox.QuerySolution, name: str) -> Any:
    """The pattern's term when it gave one, else the row's binding of ``name``."""
    return given if given is not None else row[name]


def _is_describe(text: str) -> bool:
    return query_form(text) == "DESCRIBE"

