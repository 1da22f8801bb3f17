"""``serve``: the SPARQL endpoint; every default is ``web.config``'s (``DEFAULT_*``, ``AppConfig``)."""

from __future__ import annotations

from pathlib import Path

import click

from ..web.config import (
    DEFAULT_CACHE_BYTES,
    DEFAULT_HOST,
    DEFAULT_MAX_ANSWER_BYTES,
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_MEMORY,
    DEFAULT_MAX_ROWS,
    DEFAULT_PER_CLIENT,
    DEFAULT_PORT,
    DEFAULT_QUERY_THREADS,
    DEFAULT_QUEUE,
    DEFAULT_SERVER,
    DEFAULT_TIMEOUT,
    SERVERS,
)
from .common import say

MIB_SHIFT = 20  # --max-memory is in MiB, AppConfig.max_memory in bytes


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--server", "wsgi_server", type=click.Choice(SERVERS), default=DEFAULT_SERVER, show_default=True,
              help="WSGI server: granian (Rust, fastest) or gunicorn (sync workers).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes [default: 1 per core (granian), 2 per core + 1 (gunicorn)].")
@click.option("--threads", type=click.IntRange(1, 64), default=DEFAULT_QUERY_THREADS, show_default=True,
              help="Query threads per worker.")
@click.option("--cache-bytes", type=click.IntRange(min=0), default=DEFAULT_CACHE_BYTES, show_default=True,
              help="Result cache size per worker in bytes (0 disables it).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              help="A dataset folder (as build --out writes it) or its store/ [default: the state folder's].")
@click.option("--backend", metavar="SPARQL_URL", default=None,
              help="Serve a remote store's SPARQL endpoint (published into with publish) instead of --store.")
@click.option("--backend-gsp", metavar="URL", default=None,
              help="The remote store's Graph Store endpoint, which GET /graph-store forwards to (with --backend).")
@click.option("--data", multiple=True, metavar="[IRI=]FILE",
              help="Extra RDF file served as a named graph (IRI: the file's file: IRI unless given). Repeatable.")
@click.option("--timeout", type=click.FloatRange(min=0.001), default=DEFAULT_TIMEOUT, show_default=True,
              help="Query deadline in seconds; clients may only lower it.")
@click.option("--max-rows", type=click.IntRange(min=1), default=DEFAULT_MAX_ROWS, show_default=True,
              help="Rows (or triples) per answer before it is truncated.")
@click.option("--max-body", type=click.IntRange(min=1), default=DEFAULT_MAX_BODY, show_default=True,
              help="Largest request body in bytes (413 above).")
@click.option("--service-allow", multiple=True, metavar="IRI",
              help="An IRI that SERVICE may call (none by default). Repeatable.")
@click.option("--max-answer-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_ANSWER_BYTES, show_default=True,
              help="Answer bytes (as TSV or N-Triples text) before it is truncated.")
@click.option("--max-memory", type=click.IntRange(min=0), default=DEFAULT_MAX_MEMORY >> MIB_SHIFT, show_default=True,
              help="Resident MiB of a worker before its queries get 503 and it is replaced (0: no cap).")
@click.option("--queue", "queue_size", type=click.IntRange(min=0), default=DEFAULT_QUEUE, show_default=True,
              help="Queries per worker that may wait for a query thread (503 + Retry-After beyond).")
@click.option("--per-client", type=click.IntRange(min=1), default=DEFAULT_PER_CLIENT, show_default=True,
              help="Queries of one client address per worker at once (429 + Retry-After beyond).")
def serve(host: str, port: int, wsgi_server: str, workers: int | None, threads: int, cache_bytes: int,
          store_dir: Path | None, backend: str | None, backend_gsp: str | None, data: tuple[str, ...],
          timeout: float, max_rows: int, max_body: int,
          service_allow: tuple[str, ...], max_answer_bytes: int, max_memory: int, queue_size: int,
          per_client: int) -> None:
    """Serve the read-only SPARQL 1.1 endpoint (/sparql) under granian or gunicorn.

    The store is the dataset in the state folder, the one build writes and
    query reads ($SPINE_EVIDENCE_STATE_DIR, else dist/ of a writable
    checkout, else ~/.cache/spine-evidence/VERSION), or --store; it is built
    once when missing or stale, and later starts open it read-only without
    parsing or reasoning. Standard error names it. With --backend, the
    endpoint serves a remote triple store instead (the graphs and version
    that publish recorded in it), credentials from the environment as for
    publish; its safety and limits run before anything reaches the store.

    \b
    Example:
      spine-evidence serve --port 8000 --timeout 10
      spine-evidence serve --server gunicorn --workers 5
      spine-evidence serve --backend http://127.0.0.1:8890/sparql --timeout 10
      curl 'http://127.0.0.1:8000/sparql?query=ASK%7B%7D'
    """
    from ..web.config import AppConfig
    from ..web.serve import serve as serve_endpoint

    config = AppConfig(timeout=timeout, max_rows=max_rows, max_body=max_body, service_allow=service_allow,
                       query_threads=threads, cache_bytes=cache_bytes, max_answer_bytes=max_answer_bytes,
                       max_memory=max_memory << MIB_SHIFT, queue=queue_size, per_client=per_client,
                       backend=backend, backend_gsp=backend_gsp)
    serve_endpoint(host, port, workers, store_dir, data, config, announce=say, server=wsgi_server)
