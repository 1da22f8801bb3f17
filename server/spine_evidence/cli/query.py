"""``query``: one SPARQL query on the store, printed for the terminal or in a results format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import one_line
from .common import UsageFailure, given, say


@click.command()
@click.argument("sparql", metavar="QUERY", required=False)
@click.option("--file", "-f", "query_file", type=click.Path(path_type=Path), help="Read the query from FILE.")
@click.option("--format", "fmt", default=None, metavar="FORMAT",
              help="table, markdown, json, csv, tsv or xml for SELECT/ASK; table, markdown, turtle, ntriples, xml "
                   "or json for CONSTRUCT/DESCRIBE [default: table].")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              help="A dataset folder (as build --out writes it) or its store/ "
                   "[default: the state folder's, built first when missing or stale].")
def query(sparql: str | None, query_file: Path | None, fmt: str | None, store_dir: Path | None) -> None:
    """Run a SPARQL query (QUERY, --file FILE, or - for standard input) on the store.

    The store is the dataset in the state folder, the one build writes and
    serve reads ($SPINE_EVIDENCE_STATE_DIR, else dist/ of a writable
    checkout, else ~/.cache/spine-evidence/VERSION), built first (with
    HermiT) when missing or stale; or --store. Standard error names it.
    The prefixes of the model (se:, study:, claim:, sepio:, ...) are
    predeclared, as on the endpoint; a PREFIX in the query wins.

    \b
    Example:
      spine-evidence query 'SELECT ?study ?n WHERE { ?study se:citationNumber ?n } ORDER BY ?n'
      spine-evidence query --file q.rq --format csv
    """
    from ..query import query as run_query

    text = read_query_text(sparql, query_file)
    output = run_query(text, store=store_dir, announce=say, **given(fmt=fmt))
    if isinstance(output, bytes):
        sys.stdout.buffer.write(output if output.endswith(b"\n") else output + b"\n")
        sys.stdout.buffer.flush()
    else:
        click.echo(output)


def read_query_text(sparql: str | None, query_file: Path | None) -> str:
    """The query from the argument, the file, or standard input (``-``); exactly one."""
    if (sparql is None) == (query_file is None):
        raise UsageFailure("give exactly one query: QUERY, --file FILE, or - for standard input")
    try:
        if query_file is not None:
            return query_file.read_text(encoding="utf-8")
        return sys.stdin.read() if sparql == "-" else str(sparql)
    except (OSError, UnicodeDecodeError) as error:
        raise UsageFailure(f"cannot read the query: {one_line(error)}") from None
