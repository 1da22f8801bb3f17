"""``publish``: push the built dataset into another store over the Graph Store Protocol, and check it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import EXIT_VIOLATIONS, say


@click.command()
@click.option("--to", "gsp_url", required=True, metavar="GSP_URL",
              help="The store's SPARQL 1.1 Graph Store endpoint, e.g. http://HOST:7878/store (Oxigraph server) "
                   "or http://HOST:8890/sparql-graph-crud-auth (Virtuoso).")
@click.option("--query-endpoint", default=None, metavar="URL",
              help="The store's SPARQL endpoint, to read each graph back [default: /query beside /store, "
                   "/sparql beside /sparql-graph-crud-auth].")
@click.option("--graph", "graphs", multiple=True, metavar="IRI",
              help="Publish only this named graph of the store. Repeatable [default: every named graph].")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              help="A dataset folder (as build --out writes it) or its store/ [default: the state folder's].")
@click.option("--auth", "auth_scheme", type=click.Choice(["digest", "basic"]), default="digest", show_default=True,
              help="How SPINE_EVIDENCE_PUBLISH_USER and _PASSWORD are sent (SPINE_EVIDENCE_PUBLISH_TOKEN: "
                   "a bearer token instead).")
@click.option("--no-validate", is_flag=True,
              help="Publish without validating first (for corpora that are not FactFinder documents).")
def publish(gsp_url: str, query_endpoint: str | None, graphs: tuple[str, ...], store_dir: Path | None,
            auth_scheme: str, no_validate: bool) -> None:
    """Publish the built dataset into a triple store, one named graph per PUT, and check it.

    Validates the document first (SHACL and our checks; an invalid graph is
    refused with its violations, exit 1). For each named graph: skips it when
    the store already holds the same content, else PUTs it (N-Triples,
    streamed; blank nodes survive) and reads it back through the SPARQL
    endpoint, which must give an isomorphic graph (else exit 1 with the
    triples only in ours / only in theirs). Then records the live version,
    triple counts and checksums in graph:publication (VoID, PROV-O). A
    progress line per graph goes to standard error. Credentials come from
    the environment: SPINE_EVIDENCE_PUBLISH_USER and
    SPINE_EVIDENCE_PUBLISH_PASSWORD, or SPINE_EVIDENCE_PUBLISH_TOKEN.
    A failed PUT leaves the previous graph on Oxigraph server, but can leave
    part of the new one on Virtuoso 7 (not atomic): publish again.
    Exit 0 published (or nothing to change), 1 invalid or mismatched, 2 error.

    \b
    Example:
      spine-evidence publish --to http://127.0.0.1:7878/store
      SPINE_EVIDENCE_PUBLISH_USER=dba SPINE_EVIDENCE_PUBLISH_PASSWORD=dba \\
        spine-evidence publish --to http://127.0.0.1:8890/sparql-graph-crud-auth
    """
    from ..errors import one_line
    from ..publish import InvalidGraphError, PublishMismatchError
    from ..publish import publish as publish_dataset

    try:
        report = publish_dataset(gsp_url, query_endpoint, graphs, store_dir, auth_scheme=auth_scheme,
                                 validate=not no_validate, announce=say)
    except InvalidGraphError as error:
        click.echo(error.report, err=True)
        click.echo(f"error: {one_line(error)}", err=True)
        sys.exit(EXIT_VIOLATIONS)
    except PublishMismatchError as error:
        click.echo("\n".join(error.triples), err=True)
        click.echo(f"error: {one_line(error)}", err=True)
        sys.exit(EXIT_VIOLATIONS)
    for line in report.summary():
        click.echo(line)
