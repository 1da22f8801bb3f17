"""What the backend serves for us: the publication record that ``spine-evidence publish`` wrote into it.

``graph:publication`` (see :mod:`spine_evidence.publish.record`) lists our
named graphs (``void:subset``) with their triple counts, and the build's
graph version (``dcterms:hasVersion``). The served dataset is those graphs:
they are the default graph (their union, as in the embedded store) and the
named graphs of every query. The version names the answers (``ETag``, the
result cache) and ``/health``; the record is read again when it is older than
``RECORD_SECONDS``, so a new publish is seen within that time. The default
graph's triple count is counted once per version (a ``COUNT`` on the backend).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..iris import DCTERMS, GRAPH, VOID
from ..store import Dataset
from .errors import BackendError
from .text import EMPTY_GRAPH

if TYPE_CHECKING:
    from .store import RemoteSparqlStore

PUBLICATION_GRAPH = GRAPH.publication
RECORD_SECONDS = 10.0
RECORD = f"""SELECT ?version ?graph ?triples ?checksum WHERE {{ GRAPH <{PUBLICATION_GRAPH}> {{
  <{PUBLICATION_GRAPH}> <{DCTERMS.hasVersion}> ?version .
  OPTIONAL {{ <{PUBLICATION_GRAPH}> <{VOID.subset}> ?graph
    OPTIONAL {{ ?graph <{VOID.triples}> ?triples }} OPTIONAL {{ ?graph <{DCTERMS.identifier}> ?checksum }} }} }} }}"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass(frozen=True)
class Publication:
    """The live version and graphs of the backend, and when that was read (``time.monotonic()``)."""

    version: str
    graph_triples: dict[str, int]
    default_graph_triples: int
    checksum: str | None = None
    read_at: float = field(default_factory=time.monotonic)

    def stale(self) -> bool:
        """Whether the record should be read again."""
        return time.monotonic() - self.read_at > RECORD_SECONDS

    @property
    def dataset(self) -> Dataset:
        """The record as the endpoint's :class:`~spine_evidence.store.Dataset` (no path: nothing on disk)."""
        quads = self.default_graph_triples + sum(self.graph_triples.values())
        return Dataset(path=None, graph_version=self.version, quads=quads,
                       default_graph_triples=self.default_graph_triples, graph_triples=dict(self.graph_triples))


def solutions(store: RemoteSparqlStore, text: str, form: list[tuple[str, str]]) -> list[ox.QuerySolution]:
    """The rows of a SELECT sent as it is (no prologue) with the dataset ``form``."""
    from .store import RESULTS_ACCEPT

    found = store.results(store.send(text, form, RESULTS_ACCEPT))
    if not isinstance(found, ox.QuerySolutions):
        raise store.unreadable("a boolean where solutions were asked for")
    return list(found)


def read_publication(store: RemoteSparqlStore, previous: Publication | None) -> Publication:
    """The backend's publication record; :class:`BackendError` when it holds none."""
    rows = solutions(store, RECORD, [("default-graph-uri", EMPTY_GRAPH), ("named-graph-uri", PUBLICATION_GRAPH)])
    if not rows:
        raise BackendError(store.url, f"holds no publication record (graph <{PUBLICATION_GRAPH}>): "
                                      "publish the dataset into it first (spine-evidence publish --to GSP_URL)")
    version = str(rows[0]["version"].value)
    graphs = dict(sorted((str(row["graph"].value), int(row["triples"].value) if row["triples"] is not None else 0)
                         for row in rows if row["graph"] is not None))  # in IRI order: one request per query
    checksum = combined_checksum(rows)
    if previous is not None and previous.version == version and previous.graph_triples == graphs:
        return Publication(version, graphs, previous.default_graph_triples, checksum)
    form = [("default-graph-uri", g) for g in graphs or [EMPTY_GRAPH]]
    counted = solutions(store, COUNT, [*form, ("named-graph-uri", EMPTY_GRAPH)])
    return Publication(version, graphs, int(counted[0]["n"].value) if counted else 0, checksum)


def combined_checksum(rows: list[ox.QuerySolution]) -> str | None:
    """``sha256:…`` of the sorted ``graph checksum`` lines of the record: the identity of the live data.

    Equal on every replica serving the same publication, as ``build_checksum``
    is for replicas of one built store; ``None`` when a graph has no checksum.
    """
    lines = sorted(f"{row['graph'].value} {row['checksum'].value}\n" for row in rows
                   if row["graph"] is not None and row["checksum"] is not None)
    if not lines or len(lines) != sum(1 for row in rows if row["graph"] is not None):
        return None
    return "sha256:" + hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
