"""``publish``: push the built dataset into another triple store, one named graph at a time, and check it.

Steps, for the dataset that ``query`` and ``serve`` read (the state folder,
or ``store``):

1. **Validated first.** The document graphs of the store (every named graph
   but the ontology, the shared vocabulary, ``graph:inferred`` and the
   publication record) are validated with :func:`spine_evidence.validation.validate`
   without HermiT (SHACL core and SPARQL, quotes, numbers, declared terms,
   literal forms; the shipped ontology and vocabulary added). HermiT's
   consistency is the build's: a reasoned build stops on an inconsistent
   graph, so it is not run again; a store built without reasoning is
   published saying so. Violations: :class:`InvalidGraphError` (exit 1), nothing sent.
2. For each named graph (or the ``graphs`` asked for): read what the store
   already holds (``CONSTRUCT`` over its SPARQL endpoint); if it is
   isomorphic to ours, send nothing ("unchanged"); else ``PUT`` the graph's
   N-Triples, streamed from a file (Graph Store Protocol; blank nodes
   survive), read it back and require it isomorphic to what was sent:
   :class:`PublishMismatchError` (exit 1) with a few triples only in ours /
   only in theirs.
3. Record what is live in ``graph:publication`` (:mod:`.record`), replaced
   only when something changed. Publishing the same build twice sends nothing.

A failure stops at the graph it happens on: the graphs before it are the new
version, the ones after the old one, and the record still names the old
version. Oxigraph server replaces a graph in one transaction, so the graph
that failed keeps its previous version. Virtuoso 7's graph-crud PUT is not
one transaction (``bench/backend_atomicity.py``: a body that fails to parse
at its end leaves part of it in the graph, neither version; a client gone
mid-body leaves the previous one): after a failed PUT there, treat that
graph as unknown and publish again (the read-back check tells).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from rdflib import Graph
from rdflib.exceptions import ParserError

from ..errors import SpineEvidenceError
from ..namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_VOCABULARY
from .content import GraphContent, content_of, difference, dump_graph, parse_ntriples, same_graph
from .record import PUBLICATION_GRAPH, publication_record
from .remote import AUTH_SCHEMES, RemoteStore, RemoteStoreError, auth_from_environment

__all__ = ["AUTH_SCHEMES", "PUBLICATION_GRAPH", "InvalidGraphError", "PublishMismatchError", "PublishReport",
           "RemoteStoreError", "publish"]

Announce = Callable[[str], None]
NOT_VALIDATED = {str(GRAPH_ONTOLOGY), str(GRAPH_VOCABULARY), str(GRAPH_INFERRED), PUBLICATION_GRAPH}


class InvalidGraphError(SpineEvidenceError, ValueError):
    """The dataset does not validate; nothing was published. ``report`` is the validation report."""

    def __init__(self, message: str, report: str) -> None:
        super().__init__(message)
        self.report = report


class PublishMismatchError(SpineEvidenceError, RuntimeError):
    """A graph read back from the store is not isomorphic to what was sent; ``triples``: a few that differ."""

    def __init__(self, message: str, triples: Sequence[str]) -> None:
        super().__init__(message)
        self.triples = list(triples)


@dataclass
class PublishReport:
    """What a publish did: each graph's outcome (``sent`` or ``unchanged``), counts, and the seconds taken."""

    version: str
    outcomes: dict[str, str] = field(default_factory=dict)
    triples: dict[str, int] = field(default_factory=dict)
    record: str = "unchanged"
    seconds: float = 0.0
    put_seconds: float = 0.0
    requests_made: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether anything was written to the store."""
        return any(outcome == "sent" for outcome in self.outcomes.values()) or self.record == "sent"

    def summary(self) -> list[str]:
        """Lines for standard output: the outcome, then one line per graph."""
        sent = sum(self.triples[g] for g, outcome in self.outcomes.items() if outcome == "sent")
        rate = (f", {sent / self.seconds:,.0f} triples/s with the checks ({self.put_seconds:.2f} s in PUT: "
                f"{sent / self.put_seconds:,.0f} triples/s)" if sent and self.seconds and self.put_seconds else "")
        head = (f"published build {self.version}: {sent} triples sent in {self.seconds:.2f} s{rate}" if self.changed
                else f"nothing changed: the store already holds build {self.version}")
        return [head] + [f"  {g}: {self.outcomes[g]} ({self.triples[g]} triples)" for g in self.outcomes]


def validated(store_path: Path, graphs: Sequence[str], announce: Announce) -> None:
    """Validate the document graphs among ``graphs`` (see step 1); :class:`InvalidGraphError` when they fail."""
    from ..store import open_store, read_build_record
    from ..validation import validate

    document = [g for g in graphs if g not in NOT_VALIDATED]
    if not document:
        return
    data = Graph()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(store_path)
        for graph in document:
            data += dump_graph(store, graph, Path(folder) / "graph.nt").graph
    announce(f"validating {', '.join(document)} ({len(data)} triples; SHACL and our checks, not HermiT)")
    if not read_build_record(store_path).get("reasoned", False):
        announce("warning: this store was built without reasoning: HermiT's consistency check has not run")
    outcome = validate(data, reason=False)
    if not outcome.conforms:
        raise InvalidGraphError(f"{store_path} does not validate: nothing published", outcome.report_text)


def publish(gsp_url: str, query_url: str | None = None, graphs: Sequence[str] = (), store: Path | None = None,
            *, auth_scheme: str = "digest", validate: bool = True, announce: Announce = print) -> PublishReport:
    """Publish the built dataset into the store at ``gsp_url`` (see the module docstring); what was done.

    ``graphs`` limits the named graphs sent (default: all of the store's).
    Raises :class:`InvalidGraphError`, :class:`PublishMismatchError`,
    :class:`RemoteStoreError`, or the store's setup errors.
    """
    from ..store import describe_store, open_store
    from ..store.location import StoreSetupError, resolve_store

    store_path = resolve_store(store, announce, build=False)
    opened = open_store(store_path)
    dataset = describe_store(opened, store_path)
    unknown = [g for g in graphs if g not in dataset.graph_triples]
    if unknown:
        raise StoreSetupError(f"no graph {', '.join(unknown)} in {store_path} (it has "
                               f"{', '.join(dataset.named_graphs)})")
    chosen = list(graphs) or [g for g in dataset.named_graphs if g != PUBLICATION_GRAPH]
    if validate:
        validated(store_path, chosen, announce)
    remote = RemoteStore(gsp_url, query_url, auth_from_environment(auth_scheme))
    remote.handshake_graph, remote.announce = PUBLICATION_GRAPH, announce
    report = PublishReport(dataset.graph_version)
    started = time.perf_counter()
    contents: list[GraphContent] = []
    with tempfile.TemporaryDirectory() as folder:
        for index, graph in enumerate(chosen, 1):
            ours = dump_graph(opened, graph, Path(folder) / "graph.nt")
            report.outcomes[graph] = publish_graph(remote, ours, Path(folder) / "graph.nt")
            report.triples[graph] = ours.triples
            contents.append(ours)
            announce(f"[{index}/{len(chosen)}] {graph}: {report.outcomes[graph]} ({ours.triples} triples)")
    report.record = publish_record(remote, contents, dataset.graph_version, Path(tempfile.gettempdir()))
    announce(f"{PUBLICATION_GRAPH}: {report.record}")
    report.seconds = time.perf_counter() - started
    report.requests_made = {**remote.requests_made, "PUT resent after a challenge": remote.resent}
    report.put_seconds = remote.put_seconds
    return report


def read_back(remote: RemoteStore, graph: str) -> GraphContent:
    """The graph ``graph`` as the remote store holds it."""
    try:
        with remote.construct_graph(graph) as answer:
            return parse_ntriples(answer, graph)
    except (ParserError, SyntaxError, ValueError) as error:  # pyoxigraph's and rdflib's parse errors
        raise RemoteStoreError(f"{remote.query_url} answered unreadable N-Triples for {graph}: "
                               f"{' '.join(str(error).split())[:200]}") from None


def publish_graph(remote: RemoteStore, ours: GraphContent, ntriples: Path) -> str:
    """Send one graph unless the store holds it already, then check it; ``sent`` or ``unchanged``."""
    if same_graph(ours, read_back(remote, ours.iri)):
        return "unchanged"
    remote.put(ours.iri, ntriples)
    verify(remote, ours)
    return "sent"


def verify(remote: RemoteStore, ours: GraphContent) -> None:
    """Read ``ours.iri`` back and require it isomorphic to ``ours``: else :class:`PublishMismatchError`."""
    theirs = read_back(remote, ours.iri)
    if not same_graph(ours, theirs):
        counts, triples = difference(ours, theirs)
        raise PublishMismatchError(f"{ours.iri} read back from {remote.query_url} differs from what was sent "
                                   f"({ours.triples} triples sent, {theirs.triples} read): {counts}"
                                   f"{cut_answer_hint(remote, ours, theirs)}", triples)


def cut_answer_hint(remote: RemoteStore, ours: GraphContent, theirs: GraphContent) -> str:
    """Why Virtuoso may have read back fewer triples than were sent: its answer caps (README, "Deployment")."""
    if "virtuoso" not in remote.server.lower() or theirs.triples >= ours.triples:
        return ""
    return ("; Virtuoso cuts a CONSTRUCT answer at its ResultSetMaxRows ([SPARQL] in virtuoso.ini) without a "
            "sign, and at 1,000,000 triples in any case: raise the setting above the graph's triples, or "
            "publish smaller graphs")


def publish_record(remote: RemoteStore, contents: Sequence[GraphContent], version: str, folder: Path) -> str:
    """Replace ``graph:publication`` when its content would change; ``sent`` or ``unchanged``."""
    previous = read_back(remote, PUBLICATION_GRAPH)
    now = datetime.now(timezone.utc)
    record = content_of(publication_record(contents, version, now, previous.graph), PUBLICATION_GRAPH)
    if same_graph(record, previous):
        return "unchanged"
    with tempfile.NamedTemporaryFile(suffix=".nt", dir=folder) as file:
        record.graph.serialize(file.name, format="nt", encoding="utf-8")
        remote.put(PUBLICATION_GRAPH, Path(file.name))
    verify(remote, record)
    return "sent"
