"""The result cache and the HTTP validators of query answers, for a read-only graph.

The graph of a running server never changes, so an answer depends only on
the graph version, the query text, the protocol dataset, the negotiated
format, the base IRI and the row limit: that tuple is the cache key, and a
hash of it is the answer's strong ``ETag`` (:func:`.conditional.answer_etag`).
Repeated GETs are recognised from their raw environ (:func:`raw_request`)
without parsing them again.

The query text is normalised conservatively: leading and trailing
SPARQL white space (space, tab, CR, LF; an IRI may hold other white space) is dropped,
and its runs are collapsed only in a query
without quotes or ``#`` (no string literal and no comment, so whitespace can
only separate tokens). A wrong hit would be a wrong answer; a missed one
costs one evaluation. Queries whose answer may differ between two runs
(``RAND``, ``NOW``, ``UUID``, ``STRUUID``, ``BNODE``, ``SERVICE``) are
never cached and get no ``ETag``.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import NamedTuple

from .execution import Answer
from .protocol import QueryRequest

VOLATILE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(|\bSERVICE\b", re.IGNORECASE)
# Words one of which a volatile query must contain (lower case): a cheap test before the pattern.
VOLATILE_WORDS = ("rand", "now", "uuid", "bnode", "service")
UNSAFE_TO_COLLAPSE = ('"', "'", "#")
SPARQL_WHITESPACE = " \t\r\n"  # the only white space of SPARQL (others may be part of an IRI)
WHITESPACE_RUN = re.compile(r"[ \t\r\n]+")
ENTRY_OVERHEAD = 256  # bytes counted per entry beyond its body and key text
MAX_REQUESTS = 4096  # raw requests remembered with their key (each at most MAX_RAW_QUERY_STRING long)
MAX_RAW_QUERY_STRING = 4096
# The environ entries a GET's answer depends on (query string, negotiation, deadline, endpoint URL).
RAW_REQUEST_FIELDS = ("QUERY_STRING", "HTTP_ACCEPT", "HTTP_X_SPARQL_TIMEOUT", "wsgi.url_scheme", "HTTP_HOST",
                      "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME", "PATH_INFO")


class AnswerKey(NamedTuple):
    """What an answer depends on; ``None`` formats mean "not acceptable" for that kind of answer."""

    graph_version: str
    query: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    results_type: str | None
    rdf_type: str | None
    base_iri: str | None
    max_rows: int

    @property
    def size(self) -> int:
        """The bytes this key is counted for in the cache."""
        return len(self.query) + ENTRY_OVERHEAD


class Entry(NamedTuple):
    """A cached answer with its entity tag."""

    answer: Answer
    etag: str


def normalise_query(text: str) -> str:
    """``text`` with whitespace normalised where that cannot change its meaning (see the module)."""
    text = text.strip(SPARQL_WHITESPACE)
    for character in UNSAFE_TO_COLLAPSE:
        if character in text:
            return text
    return WHITESPACE_RUN.sub(" ", text)


def volatile(text: str) -> bool:
    """Whether the answer to ``text`` may change between two runs on the same graph."""
    lowered = text.lower()
    for word in VOLATILE_WORDS:
        if word in lowered:
            return VOLATILE.search(text) is not None
    return False


def raw_request(environ: Mapping[str, object]) -> tuple[object, ...] | None:
    """What a GET's answer depends on, straight from the environ (``None`` for other requests)."""
    query_string = environ.get("QUERY_STRING", "")
    if environ.get("REQUEST_METHOD") != "GET" or not isinstance(query_string, str) \
            or len(query_string) > MAX_RAW_QUERY_STRING:
        return None
    return tuple(environ.get(name) for name in RAW_REQUEST_FIELDS)


def answer_key(
    request: QueryRequest, graph_version: str, formats: tuple[str | None, str | None], max_rows: int
) -> AnswerKey | None:
    """The cache key of ``request`` (``None`` when its answer must not be cached)."""
    if volatile(request.query):
        return None
    return AnswerKey(
        graph_version, normalise_query(request.query), request.default_graphs, request.named_graphs,
        formats[0], formats[1], request.base_iri, max_rows,
    )


class ResultCache:
    """A least-recently-used map from :class:`AnswerKey` to :class:`Entry`, bounded in bytes.

    ``max_bytes`` counts bodies, key texts and a fixed overhead per entry;
    0 disables the cache. An answer bigger than the whole bound is not kept.
    Beside it, up to ``MAX_REQUESTS`` raw GET requests (their query string and
    the headers that matter) are remembered with the key they were parsed
    into, so that a repeated request is answered without parsing it again.
    Thread-safe; one per worker process.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[AnswerKey, Entry] = OrderedDict()
        self._requests: OrderedDict[Hashable, AnswerKey] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: AnswerKey) -> Entry | None:
        """The cached entry for ``key`` (now the most recently used), or ``None``."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: AnswerKey, entry: Entry) -> None:
        """Keep ``entry`` under ``key``, evicting the least recently used entries to stay in bound."""
        size = len(entry.answer.body) + key.size
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= len(old.answer.body) + key.size
            self._entries[key] = entry
            self.bytes += size
            while self.bytes > self.max_bytes:
                evicted_key, evicted = self._entries.popitem(last=False)
                self.bytes -= len(evicted.answer.body) + evicted_key.size

    def key_for(self, request: Hashable) -> AnswerKey | None:
        """The key a raw request was parsed into before (``None`` when not remembered)."""
        return self._requests.get(request)

    def remember(self, request: Hashable, key: AnswerKey) -> None:
        """Remember that the raw ``request`` (a GET that passed every check) means ``key``."""
        with self._lock:
            self._requests[request] = key
            if len(self._requests) > MAX_REQUESTS:
                self._requests.popitem(last=False)
