"""Run SPARQL on the pyoxigraph store and write the results.

The store is the one given (an open store, a store folder, or a dataset
folder as ``build --out`` writes it), else the dataset in the state folder,
where ``build`` writes and ``serve`` reads (``store.location``: one rule for
every command), built first when missing or stale, as ``serve`` does. Never
an unreasoned copy of the source files: a query answered here is answered
the same by ``serve``. Which store is used (and any build) is announced in
one line. Queries get every prefix of ``namespaces.PREFIXES`` predeclared,
as on the endpoint (``spine_evidence.sparql``).

SELECT and ASK results are written by pyoxigraph's SPARQL results serialisers
(JSON, CSV, TSV, XML), CONSTRUCT and DESCRIBE results by its RDF serialisers
(Turtle, N-Triples, RDF/XML, JSON-LD); ``table`` is a plain text table for the
terminal with IRIs shortened to prefixed names, and ``markdown`` the same
table, cells in full, as the README shows the answers of its example queries.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from . import store
from .namespaces import PREFIXES
from .sparql import evaluate as evaluate_query
from .store import location

Announce = Callable[[str], None]
log = logging.getLogger(__name__)
TABLE = "table"
MARKDOWN = "markdown"
# Format name → pyoxigraph serialiser, for SELECT/ASK and for CONSTRUCT/DESCRIBE results.
RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "json": ox.RdfFormat.JSON_LD,
}
FORMATS = (TABLE, MARKDOWN, *RESULTS_FORMATS, *(f for f in GRAPH_FORMATS if f not in RESULTS_FORMATS))
MAX_CELL = 60
MAX_MESSAGE = 160
UPDATE_START = re.compile(
    r"^\s*((PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


class QueryError(ValueError):
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
    if fmt == TABLE:
        return render_table(results)
    if fmt == MARKDOWN:
        return render_markdown(*table_rows(results))
    return serialize(results, fmt)


def execute(sparql: str, target: ox.Store) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Parse and run ``sparql`` on ``target`` with the predeclared prefixes."""
    if UPDATE_START.match(sparql):
        raise QueryError("SPARQL Update is not accepted: the store is read-only; send a query")
    try:
        return evaluate_query(target, sparql)
    except SyntaxError as error:
        raise QueryError(f"bad SPARQL: {syntax_message(error)}") from None
    except OSError as error:
        raise QueryError(f"cannot read the store: {error}") from None


def syntax_message(error: SyntaxError) -> str:
    """pyoxigraph's parse error on one line, its long lists of expected characters cut short."""
    message = " ".join(str(error).split())
    if "Prefix not found" in message:
        return message.split(" expected", 1)[0] + " undeclared prefix"
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


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


def serialize(results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: str) -> bytes:
    """Write ``results`` with pyoxigraph's serialiser for ``fmt``."""
    if isinstance(results, ox.QueryTriples):
        if fmt not in GRAPH_FORMATS:
            raise QueryError(f"format {fmt!r} is for SELECT/ASK; CONSTRUCT/DESCRIBE take {', '.join(GRAPH_FORMATS)} or table")
        triples = list(results)
        return ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=used_prefixes(triples))
    if fmt not in RESULTS_FORMATS:
        raise QueryError(f"format {fmt!r} is for CONSTRUCT/DESCRIBE; SELECT/ASK take {', '.join(RESULTS_FORMATS)} or table")
    return results.serialize(format=RESULTS_FORMATS[fmt])


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The prefixes of ``namespaces.PREFIXES`` that some IRI in ``triples`` starts with."""
    terms = [term for triple in triples for term in triple]
    iris = {t.value for t in terms if isinstance(t, ox.NamedNode)}
    iris |= {t.datatype.value for t in terms if isinstance(t, ox.Literal)}
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def render_table(results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> str:
    """A plain text table of ``results``: one column per variable, or subject/predicate/object."""
    if isinstance(results, ox.QueryBoolean):
        return "true" if bool(results) else "false"
    return format_table(*table_rows(results, cell))


def table_rows(results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
               text=None) -> tuple[list[str], list[list[str]]]:
    """The header and rows of ``results``, each term written by ``text`` (full cells by default)."""
    text = text or full_cell
    if isinstance(results, ox.QueryBoolean):
        return ["boolean"], [["true" if bool(results) else "false"]]
    if isinstance(results, ox.QueryTriples):
        return ["subject", "predicate", "object"], [[text(t.subject), text(t.predicate), text(t.object)] for t in results]
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
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines)


def cell(term: object, limit: int | None = MAX_CELL) -> str:
    """One term as table text: prefixed name, ``_:id``, literal value, or empty when unbound."""
    if term is None:
        text = ""
    elif isinstance(term, ox.NamedNode):
        text = shorten(term.value)
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


def shorten(iri: str) -> str:
    """``iri`` as ``prefix:local`` with the longest matching namespace, else ``<iri>``."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns) and len(iri) > len(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"
