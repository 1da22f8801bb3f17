"""The ``spine-evidence`` command: a thin layer over the library functions of the same names.

Exit codes, as pySHACL's: 0 success (or: the graph conforms), 1 the graph
does not conform (``validate``), 2 an error (bad file, bad SPARQL, bad option).
Every error is one line on standard error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class UsageFailure(click.ClickException):
    """An error the user can fix; printed as one line, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="spine-evidence-graph")
def main() -> None:
    """Spine Evidence Graph: the SIS FactFinder on ultrasound for cervical
    injections as an OWL ontology, an RDF graph, SHACL shapes and a SPARQL endpoint.

    \b
    Example:
      spine-evidence build && spine-evidence serve
    """


def run_main() -> None:
    """Entry point that maps click's own usage errors to exit code 2."""
    sys.exit(main(standalone_mode=True))


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="Folder to write (replaced only when the build succeeds).")
@click.option("--no-reason", is_flag=True, help="Skip HermiT: no consistency check, no graph:inferred.")
def build(out_dir: Path, no_reason: bool) -> None:
    """Merge the ontology and graph, reason with HermiT, and write every serialisation.

    Writes spine-evidence.{ttl,nt,jsonld,rdf,trig,nq}, context.jsonld, the
    pyoxigraph store (store/) and build.json into the output folder.

    \b
    Example:
      spine-evidence build --out dist
    """
    from spine_evidence.build import BuildError
    from spine_evidence.build import build as build_dataset
    from spine_evidence.reasoning import ReasonerError

    try:
        report = build_dataset(out_dir, reason=not no_reason)
    except (BuildError, ReasonerError, OSError) as error:
        raise UsageFailure(" ".join(str(error).split())) from None
    for line in report.summary():
        click.echo(line)


@main.command()
@click.argument("sparql", metavar="QUERY", required=False)
@click.option("--file", "-f", "query_file", type=click.Path(path_type=Path), help="Read the query from FILE.")
@click.option("--format", "fmt", default="table", show_default=True, metavar="FORMAT",
              help="table, json, csv, tsv or xml for SELECT/ASK; table, turtle, ntriples, xml or json for CONSTRUCT/DESCRIBE.")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              help="The store folder (or a build folder holding store/); default dist/store, else the sources.")
def query(sparql: str | None, query_file: Path | None, fmt: str, store_dir: Path | None) -> None:
    """Run a SPARQL query (QUERY, --file FILE, or - for standard input) on the store.

    The prefixes of the model (se:, study:, claim:, sepio:, ...) are predeclared.

    \b
    Example:
      spine-evidence query 'SELECT ?study ?n WHERE { ?study se:citationNumber ?n } ORDER BY ?n'
      spine-evidence query --file q.rq --format csv
    """
    from spine_evidence.query import QueryError
    from spine_evidence.query import query as run_query

    text = read_query_text(sparql, query_file)
    try:
        output = run_query(text, store=store_dir, fmt=fmt)
    except QueryError as error:
        raise UsageFailure(str(error)) from None
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
        return sys.stdin.read() if sparql == "-" else sparql
    except (OSError, UnicodeDecodeError) as error:
        raise UsageFailure(f"cannot read the query: {' '.join(str(error).split())}") from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--server", "wsgi_server", type=click.Choice(["granian", "gunicorn"]), default="granian", show_default=True,
              help="WSGI server: granian (Rust, fastest) or gunicorn (sync workers).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes [default: 1 per core (granian), 2 per core + 1 (gunicorn)].")
@click.option("--threads", type=click.IntRange(1, 64), default=None, help="Query threads per worker [default: 4].")
@click.option("--cache-bytes", type=click.IntRange(min=0), default=64 * 1024 * 1024, show_default=True,
              help="Result cache size per worker in bytes (0 disables it).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              help="Store folder, or build folder holding store/ [default: dist/store in a checkout, else the cache].")
@click.option("--data", multiple=True, metavar="[IRI=]FILE",
              help="Extra RDF file served as a named graph (IRI: the file's file: IRI unless given). Repeatable.")
@click.option("--timeout", type=click.FloatRange(min=0.001), default=30.0, show_default=True,
              help="Query deadline in seconds; clients may only lower it.")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Rows (or triples) per answer before it is truncated.")
@click.option("--max-body", type=click.IntRange(min=1), default=1024 * 1024, show_default=True,
              help="Largest request body in bytes (413 above).")
@click.option("--service-allow", multiple=True, metavar="IRI",
              help="An IRI that SERVICE may call (none by default). Repeatable.")
def serve(host: str, port: int, wsgi_server: str, workers: int | None, threads: int | None, cache_bytes: int,
          store_dir: Path | None, data: tuple[str, ...], timeout: float,
          max_rows: int, max_body: int, service_allow: tuple[str, ...]) -> None:
    """Serve the read-only SPARQL 1.1 endpoint (/sparql) under granian or gunicorn.

    The store is built once when missing or stale; later starts open it
    read-only without parsing or reasoning.

    \b
    Example:
      spine-evidence serve --port 8000 --timeout 10
      spine-evidence serve --server gunicorn --workers 5
      curl 'http://127.0.0.1:8000/sparql?query=ASK%7B%7D'
    """
    from spine_evidence.web.config import AppConfig
    from spine_evidence.web.server import serve as serve_endpoint
    from spine_evidence.web.store_setup import StoreSetupError

    try:
        config = AppConfig(timeout=timeout, max_rows=max_rows, max_body=max_body, service_allow=service_allow,
                           cache_bytes=cache_bytes)
        serve_endpoint(host, port, workers, store_dir, data, config, announce=lambda line: click.echo(line, err=True),
                       server=wsgi_server, threads=threads)
    except (StoreSetupError, ValueError, OSError) as error:
        raise UsageFailure(" ".join(str(error).split())) from None


@main.command()
@click.option("--suite", "suite_dir", type=click.Path(path_type=Path), default=None,
              help="The sparql11 folder of the W3C RDF tests [default: ../shared/w3c-rdf-tests/sparql11].")
@click.option("--endpoint", default=None, metavar="URL",
              help="Test a running endpoint instead of starting one (its data must be loaded, or give --graph-store).")
@click.option("--graph-store", default=None, metavar="URL",
              help="With --endpoint: a writable Graph Store to PUT the test data into "
                   "(a scratch store: the protocol tests run CLEAR ALL and DROP ALL on it).")
@click.option("--start", is_flag=True, help="Start the server on a free port and stop it after [default without --endpoint].")
@click.option("--server", type=click.Choice(["spine-evidence", "oxigraph"]), default="spine-evidence",
              show_default=True, help="Which server --start runs (oxigraph: `pip install oxigraph`, for comparison).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              help="Store folder the started spine-evidence server opens [default: serve's own].")
@click.option("--only", type=click.Choice(["protocol", "query", "syntax"]), default=None,
              help="Run one part only.")
@click.option("--test", "patterns", multiple=True, metavar="PATTERN",
              help="Run only tests whose id matches this glob (e.g. 'bind/*'). Repeatable.")
@click.option("--json", "json_file", type=click.Path(path_type=Path), default=None,
              help="Write machine-readable results to this file.")
@click.option("--min-query-pass", type=click.FloatRange(0, 1), default=0.95, show_default=True,
              help="Share of applicable query-evaluation tests that must pass.")
@click.option("--literal-equality", type=click.Choice(["term", "value"]), default="term", show_default=True,
              help="How the bar compares typed literals: as RDF terms, or by value as Oxigraph's own W3C "
                   "harness does (\"1.0\" and \"1\" as xsd:decimal are equal). Both figures are always printed.")
def conformance(suite_dir: Path | None, endpoint: str | None, graph_store: str | None, start: bool, server: str,
                store_dir: Path | None, only: str | None, patterns: tuple[str, ...], json_file: Path | None,
                min_query_pass: float, literal_equality: str) -> None:
    """Run the W3C SPARQL 1.1 protocol and query-evaluation tests over HTTP.

    Prints pass / fail / not-applicable counts per category, every failure
    (known ones with their explanation from known_failures.toml) and the
    share of applicable (non-entailment, non-SERVICE) query-evaluation tests
    that pass. Exit 0 when the bar is met (--min-query-pass and every
    applicable protocol test), 1 below it, 2 on error.

    \b
    Example:
      spine-evidence conformance --json dist/conformance.json
      spine-evidence conformance --only query --test 'aggregates/*'
    """
    import json

    from spine_evidence.conformance import EndpointError, SuiteError
    from spine_evidence.conformance import conformance as run_conformance

    if start and endpoint:
        raise UsageFailure("give --endpoint or --start, not both")
    try:
        report = run_conformance(suite_dir, endpoint, graph_store, server, only, patterns, min_query_pass, store_dir,
                                 literal_equality=literal_equality)
        if json_file is not None:
            json_file.parent.mkdir(parents=True, exist_ok=True)
            json_file.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    except (SuiteError, EndpointError, ValueError, OSError) as error:
        raise UsageFailure(" ".join(str(error).split())) from None
    click.echo("\n".join(report.lines()))
    sys.exit(EXIT_OK if report.bar_met() else EXIT_VIOLATIONS)


@main.command()
@click.option("--data", "data_files", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="RDF file to validate instead of the shipped graph (the ontology is still included). Repeatable.")
@click.option("--shapes", "shapes_file", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="SHACL shapes file [default: the shipped shapes].")
@click.option("--format", "fmt", type=click.Choice(["human", "turtle"]), default="human", show_default=True,
              help="human: a readable report; turtle: the sh:ValidationReport graph.")
@click.option("--output", "-o", "output_file", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Write the report to FILE instead of standard output.")
def validate(data_files: tuple[Path, ...], shapes_file: Path | None, fmt: str, output_file: Path | None) -> None:
    """Validate the ontology and graph against the SHACL shapes (pySHACL).

    Exit 0 when the graph conforms, 1 when it has violations (warnings do not
    count), 2 on an error such as an unreadable or unparsable file.

    \b
    Example:
      spine-evidence validate
      spine-evidence validate --data my-graph.ttl --format turtle --output report.ttl
    """
    from spine_evidence.shacl import ValidationInputError, load_shapes
    from spine_evidence.shacl import validate as validate_graph

    try:
        shapes = load_shapes(shapes_file) if shapes_file is not None else None
        outcome = validate_graph(list(data_files) or None, shapes)
    except ValidationInputError as error:
        raise UsageFailure(str(error)) from None
    report = outcome.report_graph.serialize(format="turtle") if fmt == "turtle" else outcome.report_text
    if output_file is None:
        click.echo(report, nl=not report.endswith("\n"))
    else:
        try:
            output_file.write_text(report, encoding="utf-8")
        except OSError as error:
            raise UsageFailure(f"cannot write {output_file}: {error.strerror or error}") from None
    sys.exit(EXIT_OK if outcome.conforms else EXIT_VIOLATIONS)


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="[IRI=]FILE...")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), required=True,
              help="The store folder to create (must not exist, or be empty); build.json is written beside it.")
def load(files: tuple[str, ...], store_dir: Path) -> None:
    """Make a pyoxigraph store from RDF files, as serve --store opens it, without reasoning.

    Each FILE goes into its named graph (IRI, else the file's file: IRI) and
    into the default graph, as build does with the ontology and the graph.
    Beside the store, build.json records the graph version and the triple
    counts, so that serve starts without scanning the store. For corpora too
    big for build (which also writes every serialisation and runs HermiT).

    \b
    Example:
      spine-evidence load --store dist/c1m/store https://w3id.org/spine-evidence/graph/bench=c1m.nt
      spine-evidence serve --store dist/c1m/store
    """
    from spine_evidence.store import load as load_store
    from spine_evidence.web.store_setup import StoreSetupError, parse_data_option

    try:
        sources = [parse_data_option(value, "file") for value in files]
        dataset = load_store(store_dir, sources)
    except (StoreSetupError, ValueError, SyntaxError, OSError) as error:
        raise UsageFailure(" ".join(str(error).split())) from None
    click.echo(f"loaded {store_dir} (graph version {dataset.graph_version}): {dataset.quads} quads, "
               f"default graph {dataset.default_graph_triples} triples")
    for graph, count in dataset.graph_triples.items():
        click.echo(f"  {graph}: {count} triples")
