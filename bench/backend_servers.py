"""The three ways of querying the corpus in ``bench.backend``: Virtuoso directly, ours over it, ours embedded.

- ``virtuoso``: Virtuoso 7 holding the corpus that ``spine-evidence publish``
  sent into it (named graphs of at most ``GRAPH_TRIPLES``), queried on its own ``/sparql`` with exactly
  what our layer sends it: the query after the prologue of the predeclared
  prefixes it uses (``spine_evidence.backend.text.prologue``), the published
  graphs as ``default-graph-uri`` and ``named-graph-uri``, and Virtuoso's
  ``timeout`` parameter (ms) for the query deadline.
- ``ours-backend``: ``spine-evidence serve --backend VIRTUOSO/sparql``, uncached.
- ``ours-embedded``: ``spine-evidence serve --store`` on the store publish read
  (the corpus in its named graph and in the default graph), uncached.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.client import BenchEndpoint
from bench.servers import BENCH_GRAPH, OUR_COMMAND, Ours, Server, Virtuoso

# The query deadline of both of our servers (seconds), and Virtuoso's timeout parameter: below the bench client's
# 120 s, so that no server runs on with a query the client gave up on (it held a core through the 1M latency run).
SERVE_TIMEOUT_S = 100
MAX_ROWS = 10_000_000  # our servers' row limit: no query of the mix comes near it
VIRTUOSO_MAX_ROWS = 100_000_000  # above the 10M corpus: the read-back CONSTRUCT returns every triple
CREDENTIALS = {"SPINE_EVIDENCE_PUBLISH_USER": "dba", "SPINE_EVIDENCE_PUBLISH_PASSWORD": "dba"}
# The corpus is published in named graphs of at most this many triples (``python -m bench.backend --graph-triples``):
# Virtuoso 7.2 names every graph of a query's dataset in a response header, which Python's http.client (100 headers
# at most, raised by ``spine_evidence.backend.transport`` for ``serve --backend`` since, but not for the bench's own
# client) refused beyond ~47 graphs, so the 10M corpus must fit in fewer; and it answers no CONSTRUCT of more than
# 1,000,000 triples ("FRVEC: array in for vectored over max vector length", its ``MaxVectorSize``), so publish
# could not read a larger graph back (``PublishedVirtuoso`` has the figures).
GRAPH_TRIPLES = 500_000


def part_graphs(parts: int) -> list[str]:
    """The named graphs of a corpus published in ``parts`` parts."""
    return [f"{BENCH_GRAPH}/part-{n}" for n in range(1, parts + 1)]


def as_sent_by_ours(query: str) -> str:
    """The text our backend layer sends Virtuoso for ``query`` (its prologue, then the query)."""
    from spine_evidence.backend.text import prologue
    from spine_evidence.sparql import predeclared_in

    return prologue(query, predeclared_in(query), None) + query


class DirectEndpoint(BenchEndpoint):
    """Virtuoso's ``/sparql`` asked what our layer would ask it (module docstring): every graph, as it names them."""

    graphs: tuple[str, ...] = ()

    def path_for(self, query: str) -> str:
        form = [("query", as_sent_by_ours(query)), *self.extra.items()]
        form += [(kind, g) for kind in ("default-graph-uri", "named-graph-uri") for g in self.graphs]
        return f"{urlsplit(self.url).path}?{urlencode(form)}"


class PublishedVirtuoso(Virtuoso):
    """Virtuoso 7 on a fresh database, written into by ``publish`` through ``/sparql-graph-crud-auth``.

    The ini is the bench's (``bench.servers.Virtuoso``: loopback ports, more
    buffers) with ``ResultSetMaxRows`` above the largest corpus: Debian's
    packaged ini caps every answer at 10,000 rows, silently, which would cut
    publish's read-back.

    While ``publishing`` it runs with ``PUBLISHING``: Virtuoso 7.2.5's
    graph-crud PUT reads the whole body, commits ``CLEAR GRAPH``, then loads
    the body with ``DB.DBA.TTLP``, whose vectored loader (``TTLP_V``) hands
    batches of ~30 MB from the parsing thread to async-queue threads, each
    in its own transaction (the HTTP connection's transactional log mode;
    the bulk loader runs row-autocommit instead). Those transactions lock
    the same IRI and quad rows, in both directions across the queue, where
    the deadlock detector does not see: with the packaged threads a PUT of
    1M answered 201 with 81 % stored (the lead's runs); with one query
    thread and ``AsyncQueueMaxThreads = 1`` a PUT of 400k–500k into a store
    that already held a graph hung (``status()``: 2 threads waiting, 0
    deadlocks; stopped after 90 s) or ended in HTTP 500, 40001 SR172
    (through publish, at 250k already: the second graph, twice). Graphs of
    at most ~160k (one batch) never failed. ``AsyncQueueMaxThreads = 0``
    runs the queue's work on the request's own thread, so the load is one
    transaction: a 500k PUT then stopped at ``TransactionAfterImageLimit``
    (default 50 MB; HTTP 500, 40005 SR325, nothing stored), and with that
    raised to 1.5 GB PUTs of 500k after 500k, which had hung, stored every
    triple; through publish, the 1M corpus in 3 graphs (65 s with the
    read-back checks, 29.5 s in PUT) and the 10M one in 21 (901 s, 322 s in
    PUT) were sent whole at the first attempt. ``CLEAR GRAPH`` is still
    committed before the load, so a PUT is no more atomic than before
    (``bench.backend_atomicity`` with these settings: a body whose last line
    does not parse answers 500 with every other triple stored).
    ``restart_for_queries`` checkpoints and starts it again with the
    packaged threads for the queries. ``bulk_load`` is the fallback
    ``bench.backend`` uses when every publish fails.

    Graphs of ``GRAPH_TRIPLES`` (500,000), so 21 at 10M: Virtuoso answers a
    query with one header per graph of its dataset (``X-SPARQL-default-graph``,
    ``X-SPARQL-named-graph``), and Python's ``http.client`` (under requests,
    so under ``serve --backend``, and under the bench client) refused a
    response of more than 100 headers: with every published graph named
    twice, 51 graphs failed and 41 worked. ``serve --backend`` now raises
    that limit (``spine_evidence.backend.transport.allow_response_headers``);
    the bench client, querying Virtuoso directly, still has it.
    """

    name = "virtuoso"
    publishing = True
    PUBLISHING = {"ThreadsPerQuery": "1", "AsyncQueueMaxThreads": "0", "TransactionAfterImageLimit": "1500000000"}
    ISQL_PARTS = 20  # graphs registered for the bulk loader per isql-vt call (2 statements each; it runs ≤ 50)

    def fresh(self) -> None:
        """Remove the database, so the next start begins empty."""
        shutil.rmtree(self.workdir / "db", ignore_errors=True)

    def write_ini(self) -> None:
        super().write_ini()
        ini = self.workdir / "virtuoso.ini"
        settings = {"ResultSetMaxRows": str(VIRTUOSO_MAX_ROWS), **(self.PUBLISHING if self.publishing else {})}
        text = ini.read_text()
        for key, value in settings.items():
            text, found = re.subn(rf"(?m)^{key}\s*=.*$", f"{key} = {value}", text)
            if not found:
                text = text.replace("[Parameters]\n", f"[Parameters]\n{key} = {value}\n", 1)
        ini.write_text(text)

    def bulk_load(self, parts: list[tuple[str, Path]]) -> float:
        """Empty each graph and load its file with Virtuoso's bulk loader; the seconds taken.

        ``isql-vt`` runs at most 50 statements per ``exec=``: the graphs are
        registered ``ISQL_PARTS`` at a time.
        """
        statements = []
        for n, (graph, file) in enumerate(parts, 1):
            link = self.workdir / f"part-{n}.nt"
            link.unlink(missing_ok=True)
            link.symlink_to(file.resolve())
            statements.append(f"SPARQL CLEAR GRAPH <{graph}>; ld_dir('{self.workdir}', '{link.name}', '{graph}');")
        chunks = [statements[n:n + self.ISQL_PARTS] for n in range(0, len(statements), self.ISQL_PARTS)]
        return sum(self.isql(" ".join(chunk), 600) for chunk in chunks) + self.isql("rdf_loader_run(); checkpoint;",
                                                                                    3600)

    def restart_for_queries(self) -> float:
        """Checkpoint, stop, and start again with the packaged query threads; the seconds until it answers."""
        self.isql("checkpoint;", 600)
        self.stop()
        self.publishing = False
        return self.start()

    @property
    def gsp_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql-graph-crud-auth"

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    graphs: tuple[str, ...] = ()  # the published graphs, named in every query (set by bench.backend)

    @property
    def endpoint(self) -> BenchEndpoint:
        endpoint = DirectEndpoint(self.name, self.sparql_url, {"timeout": str(SERVE_TIMEOUT_S * 1000)})
        endpoint.graphs = self.graphs
        return endpoint


class OursOverBackend(Server):
    """``spine-evidence serve --backend URL`` (uncached) in front of the published Virtuoso."""

    name = "ours-backend"

    def __init__(self, workdir: Path, backend_url: str) -> None:
        super().__init__(workdir)
        self.backend_url = backend_url

    @classmethod
    def available(cls) -> str | None:
        import subprocess

        shown = subprocess.run([*OUR_COMMAND, "serve", "--help"], capture_output=True, text=True, timeout=60)
        return None if "--backend" in shown.stdout else "spine-evidence serve has no --backend option"

    def command(self) -> list[str]:
        return [*OUR_COMMAND, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--backend", self.backend_url,
                "--max-rows", str(MAX_ROWS), "--timeout", str(SERVE_TIMEOUT_S), "--cache-bytes", "0"]

    def environment(self) -> dict[str, str]:
        return dict(CREDENTIALS)


class OursEmbedded(Ours):
    """``spine-evidence serve --store`` (uncached) on the store that was published."""

    name = "ours-embedded"

    def use_store(self, store: Path) -> None:
        """Serve ``store`` (made by ``bench.servers.Ours.load``)."""
        self.store = store

    def command(self) -> list[str]:
        command = super().command()
        command[command.index("--timeout") + 1] = str(SERVE_TIMEOUT_S)
        command[command.index("--max-rows") + 1] = str(MAX_ROWS)
        return command
