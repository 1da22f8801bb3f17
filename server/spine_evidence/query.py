"""Run SPARQL on the pyoxigraph store and write the results.

The store is the one given (an open store, a store folder, or a dataset
folder as ``build --out`` writes it), else the dataset in the state folder,
where ``build`` writes and ``serve`` reads (``store.location``: one rule for
every command), built first when missing or stale, as ``serve`` does. Never
an unreasoned copy of the source files: a query answered here is answered
the same by ``serve``. Which store is used (and any build) is announced in
one line. Queries are parsed, evaluated and written by the SPARQL core
(``spine_evidence.sparql``), as on the endpoint: same predeclared prefixes,
same treatment of unknown functions, same update detection.

SELECT and ASK results are written by pyoxigraph's SPARQL results serialisers
(JSON, CSV, TSV, XML), CONSTRUCT and DESCRIBE results by its RDF serialisers
(Turtle, N-Triples, RDF/XML, JSON-LD); ``table`` is a plain text table for the
terminal with IRIs shortened to prefixed names, and ``markdown`` the same
table, cells in full, as the README shows the answers of its example queries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from . import store
from .errors import SpineEvidenceError, one_line
from .iris import shorten
from .sparql import QuerySyntaxError, Results, SparqlError, evaluate, syntax_message, update_operation
from .sparql.serialization import serialize as write_results
from .store import location

Announce = Callable[[str], None]
CellText = Callable[[object], str]
log = logging.getLogger(__name__)
TABLE = "table"
MARKDOWN = "markdown"
# ``--format`` name → pyoxigraph serialiser, for SELECT/ASK and for CONSTRUCT/DESCRIBE results.
CLI_NAME_RESULTS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
CLI_NAME_RDF: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "json": ox.RdfFormat.JSON_LD,
}
FORMATS = (TABLE, MARKDOWN, *CLI_NAME_RESULTS, *(f for f in CLI_NAME_RDF if f not in CLI_NAME_RESULTS))
MAX_CELL = 60


class QueryError(SpineEvidenceError, ValueError):
    """The query cannot be run or its results cannot be written; the message is one line."""


def query(
    sparql: str,
    *,
    store: ox.Store | Path | str | None = None,
    fmt: str = TABLE,
    announce: Announce | None = None,
) -> bytes | str:
    """Run ``sparql`` and return its results in ``fmt`` (``table`` gives ``str``, the others ``bytes``).

    ``store`` is an open store, a store folder or a dataset folder, or
    ``None`` for the dataset in the state folder (built first when missing
    or stale). ``announce`` gets one line naming the store, and the lines
    of a build; by default they are logged (``spine_evidence.query``): the
    store at INFO, a build at WARNING, which Python prints on standard error
    even when logging is not configured. Raises ``QueryError`` for bad SPARQL, an unknown
    format, a format that does not fit the query form, or a store that is
    missing or cannot be built (the message names the command to run).
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    results = execute(sparql, open_target(store, announce))
    try:
        if fmt == TABLE:
            return render_table(results)
        if fmt == MARKDOWN:
            return render_markdown(*table_rows(results))
        return serialize(results, fmt)
    except QueryError:
        raise
    except SparqlError as error:  # evaluation is lazy: its errors surface while the results are written
        raise QueryError(str(error)) from None
    except (RuntimeError, ValueError, OSError) as error:  # the same, met while a table is filled
        raise QueryError(f"the query could not be evaluated: {one_line(error)}") from None


def execute(sparql: str, target: ox.Store) -> Results:
    """Parse and start evaluating ``sparql`` on ``target`` with the SPARQL core (no updates: the store is read-only)."""
    if update_operation(sparql):
        raise QueryError("SPARQL Update is not accepted: the store is read-only; send a query")
    try:
        return evaluate(target, sparql)
    except QuerySyntaxError as error:
        raise QueryError(f"bad SPARQL: {syntax_message(error.parser_message)}") from None
    except SparqlError as error:
        raise QueryError(str(error)) from None


def open_target(target: ox.Store | Path | str | None, announce: Announce | None = None) -> ox.Store:
    """The store to query: ``target`` itself, the store at ``target``, or the state folder's.

    Only the state folder's store is built when missing or stale; a store
    given by path must exist (``QueryError`` names the ``build`` to run).
    """
    if isinstance(target, ox.Store):
        return target
    try:
        path = location.resolve_store(None if target is None else Path(target), announce or log.warning,
                                      build=target is None)
    except location.StoreSetupError as error:
        raise QueryError(" ".join(str(error).split())) from None
    (announce or log.info)(f"using {location.store_summary(path)}")
    return open_path(path)


def open_path(path: Path) -> ox.Store:
    """Open the store at ``path`` read-only."""
    try:
        return store.open_store(path)
    except FileNotFoundError:
        raise QueryError(f"no store at {path}; run `spine-evidence build --out {path.parent}` first") from None
    except OSError as error:
        raise QueryError(f"cannot open the store at {path}: {' '.join(str(error).split())}") from None


def serialize(results: Results, fmt: str) -> bytes:
    """Write ``results`` with the SPARQL core's serialiser for the ``--format`` name ``fmt``."""
    if isinstance(results, ox.QueryTriples):
        if fmt not in CLI_NAME_RDF:
            raise QueryError(f"format {fmt!r} is for SELECT/ASK; CONSTRUCT/DESCRIBE take "
                             f"{', '.join(CLI_NAME_RDF)} or table")
        return write_results(results, CLI_NAME_RDF[fmt]).body
    if fmt not in CLI_NAME_RESULTS:
        raise QueryError(f"format {fmt!r} is for CONSTRUCT/DESCRIBE; SELECT/ASK take "
                         f"{', '.join(CLI_NAME_RESULTS)} or table")
    return write_results(results, CLI_NAME_RESULTS[fmt]).body


def render_table(results: Results) -> str:
    """A plain text table of ``results``: one column per variable, or subject/predicate/object."""
    if isinstance(results, ox.QueryBoolean):
        return "true" if bool(results) else "false"
    return format_table(*table_rows(results, cell))


def table_rows(results: Results, text: CellText | None = None) -> tuple[list[str], list[list[str]]]:
    """The header and rows of ``results``, each term written by ``text`` (full cells by default)."""
    text = text or full_cell
    if isinstance(results, ox.QueryBoolean):
        return ["boolean"], [["true" if bool(results) else "false"]]
    if isinstance(results, ox.QueryTriples):
        rows = [[text(t.subject), text(t.predicate), text(t.object)] for t in results]
        return ["subject", "predicate", "object"], rows
    header = [variable.value for variable in results.variables]
    return header, [[text(solution[name]) for name in header] for solution in results]


def render_markdown(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table (``|`` in a cell escaped), literals without language tags."""
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
    return "\n".join([line(header), "|" + "---|" * len(header), *map(line, rows)]) + "\n"


def full_cell(term: object) -> str:
    """One term as Markdown table text: prefixed name, ``_:id``, literal lexical form, or empty."""
    if isinstance(term, ox.Literal):
        return " ".join(term.value.split())
    return cell(term, limit=None)


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell, a rule under the header, and the row count."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines)


def cell(term: object, limit: int | None = MAX_CELL) -> str:
    """One term as table text: prefixed name, ``_:id``, literal value, or empty when unbound."""
    if term is None:
        text = ""
    elif isinstance(term, ox.NamedNode):
        text = shorten(term.value) or f"<{term.value}>"
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.Literal):
        text = term.value + (f"@{term.language}" if term.language else "")
    elif isinstance(term, ox.Triple):
        text = f"<< {cell(term.subject)} {cell(term.predicate)} {cell(term.object)} >>"
    else:
        text = str(term)
    text = " ".join(text.split())
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"
