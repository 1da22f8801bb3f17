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

    The dataset lives in one place that build writes and serve and query
    read: $SPINE_EVIDENCE_STATE_DIR, else dist/ of a writable checkout, else
    ~/.cache/spine-evidence/VERSION. --out (build) and --store (serve, query)
    name another one; each command says on standard error what it uses.

    \b
    Example:
      spine-evidence build && spine-evidence serve
    """


def run_main() -> None:
    """Entry point that maps click's own usage errors to exit code 2."""
    sys.exit(main(standalone_mode=True))


def say(line: str) -> None:
    """One line on standard error: which store or files a command uses, or what it builds."""
    click.echo(line, err=True)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder to write (replaced only when the build succeeds) "
                   "[default: the state folder, which serve and query read].")
@click.option("--no-reason", is_flag=True, help="Skip HermiT: no consistency check, no graph:inferred.")
@click.option("--data", "data_files", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="Turtle file to build instead of the shipped document (the ontology and the shared vocabulary "
                   "are still included; FILE goes into graph:<its stem>). Repeatable.")
def build(out_dir: Path | None, no_reason: bool, data_files: tuple[Path, ...]) -> None:
    """Merge the ontology and graph, reason with HermiT, and write every serialisation.

    Writes spine-evidence.{ttl,nt,jsonld,rdf,trig,nq}, context.jsonld, the
    pyoxigraph store (store/) and build.json into the output folder. Without
    --out that is the state folder: $SPINE_EVIDENCE_STATE_DIR, else dist/ of
    a writable checkout, else ~/.cache/spine-evidence/VERSION, where serve and
    query look, so `build && serve` serves what was just built.

    \b
    Example:
      spine-evidence build && spine-evidence serve
      spine-evidence build --out /tmp/se && spine-evidence query --store /tmp/se 'ASK { ?s a se:Claim }'
      spine-evidence build --data my-document.ttl --out /tmp/my-document
    """
    from spine_evidence import sources
    from spine_evidence.build import BuildError
    from spine_evidence.build import build as build_dataset
    from spine_evidence.reasoning import ReasonerError
    from spine_evidence.store.location import state_dir

    if data_files and out_dir is None:
        raise UsageFailure("--data needs --out: the state folder holds the shipped dataset that serve and query use")
    out_dir = state_dir() if out_dir is None else out_dir
    try:
        files = sources.document_files(data_files) if data_files else sources.source_files()
        folders = sorted({str(source.path.parent) for source in files})
        say(f"building {out_dir} from {' and '.join(folders)}{' (no reasoning)' if no_reason else ''}")
        report = build_dataset(out_dir, reason=not no_reason, data=list(data_files) or None)
    except (BuildError, ReasonerError, sources.SourceError, OSError) as error:
        raise UsageFailure(" ".join(str(error).split())) from None
    for line in report.summary():
        click.echo(line)


@main.command()
@click.argument("sparql", metavar="QUERY", required=False)
@click.option("--file", "-f", "query_file", type=click.Path(path_type=Path), help="Read the query from FILE.")
@click.option("--format", "fmt", default="table", show_default=True, metavar="FORMAT",
              help="table, markdown, json, csv, tsv or xml for SELECT/ASK; table, markdown, turtle, ntriples, xml "
                   "or json for CONSTRUCT/DESCRIBE.")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              help="A dataset folder (as build --out writes it) or its store/ "
                   "[default: the state folder's, built first when missing or stale].")
def query(sparql: str | None, query_file: Path | None, fmt: str, store_dir: Path | None) -> None:
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
    from spine_evidence.query import QueryError
    from spine_evidence.query import query as run_query

    text = read_query_text(sparql, query_file)
    try:
        output = run_query(text, store=store_dir, fmt=fmt, announce=say)
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
              help="A dataset folder (as build --out writes it) or its store/ [default: the state folder's].")
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
@click.option("--max-answer-bytes", type=click.IntRange(min=1), default=16 * 1024 * 1024, show_default=True,
              help="Answer bytes (as TSV or N-Triples text) before it is truncated.")
@click.option("--max-memory", type=click.IntRange(min=0), default=2048, show_default=True,
              help="Resident MiB of a worker before its queries get 503 and it is replaced (0: no cap).")
@click.option("--queue", "queue_size", type=click.IntRange(min=0), default=8, show_default=True,
              help="Queries per worker that may wait for a query thread (503 + Retry-After beyond).")
@click.option("--per-client", type=click.IntRange(min=1), default=2, show_default=True,
              help="Queries of one client address per worker at once (429 + Retry-After beyond).")
def serve(host: str, port: int, wsgi_server: str, workers: int | None, threads: int | None, cache_bytes: int,
          store_dir: Path | None, data: tuple[str, ...], timeout: float,
          max_rows: int, max_body: int, service_allow: tuple[str, ...], max_answer_bytes: int = 16 * 1024 * 1024,
          max_memory: int = 2048, queue_size: int = 8, per_client: int = 2) -> None:
    """Serve the read-only SPARQL 1.1 endpoint (/sparql) under granian or gunicorn.

    The store is the dataset in the state folder, the one build writes and
    query reads ($SPINE_EVIDENCE_STATE_DIR, else dist/ of a writable
    checkout, else ~/.cache/spine-evidence/VERSION), or --store; it is built
    once when missing or stale, and later starts open it read-only without
    parsing or reasoning. Standard error names it.

    \b
    Example:
      spine-evidence serve --port 8000 --timeout 10
      spine-evidence serve --server gunicorn --workers 5
      curl 'http://127.0.0.1:8000/sparql?query=ASK%7B%7D'
    """
    from spine_evidence.store.location import StoreSetupError
    from spine_evidence.web.config import AppConfig
    from spine_evidence.web.server import serve as serve_endpoint

    try:
        config = AppConfig(timeout=timeout, max_rows=max_rows, max_body=max_body, service_allow=service_allow,
                           cache_bytes=cache_bytes, max_answer_bytes=max_answer_bytes, max_memory=max_memory << 20,
                           queue=queue_size, per_client=per_client)
        serve_endpoint(host, port, workers, store_dir, data, config, announce=say,
                       server=wsgi_server, threads=threads)
    except (StoreSetupError, ValueError, OSError) as error:
        raise UsageFailure(" ".join(str(error).split())) from None


@main.command()
@click.option("--suite", "suite_dir", type=click.Path(path_type=Path), default=None,
              help="The sparql11 folder of the W3C RDF tests [default: $SPINE_EVIDENCE_W3C_TESTS, else "
                   "../shared/w3c-rdf-tests/sparql11 beside the checkout or the working directory; "
                   "exit 2 when none is found].")
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
@click.option("--literal-equality", type=click.Choice(["value", "term"]), default=None,
              help="How the bar compares typed literals: by value, as Oxigraph's own W3C harness does "
                   "(\"1.0\" and \"1\" as xsd:decimal are equal), or as RDF terms [default: value: the "
                   "store keeps typed literals as values and returns canonical forms, a storage deviation that "
                   "the by-term figure shows]. Both figures are always printed.")
def conformance(suite_dir: Path | None, endpoint: str | None, graph_store: str | None, start: bool, server: str,
                store_dir: Path | None, only: str | None, patterns: tuple[str, ...], json_file: Path | None,
                min_query_pass: float, literal_equality: str | None) -> None:
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
    from spine_evidence.conformance.report import DEFAULT_LITERAL_EQUALITY

    if start and endpoint:
        raise UsageFailure("give --endpoint or --start, not both")
    try:
        report = run_conformance(suite_dir, endpoint, graph_store, server, only, patterns, min_query_pass, store_dir,
                                 literal_equality=literal_equality or DEFAULT_LITERAL_EQUALITY)
        if json_file is not None:
            json_file.parent.mkdir(parents=True, exist_ok=True)
            json_file.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    except (SuiteError, EndpointError, ValueError, OSError) as error:
        raise UsageFailure(" ".join(str(error).split())) from None
    click.echo("\n".join(report.lines()))
    sys.exit(EXIT_OK if report.bar_met() else EXIT_VIOLATIONS)


@main.command()
@click.option("--data", "data_files", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="RDF file to validate instead of the shipped graph (the ontology and the shared vocabulary "
                   "are still included). Repeatable.")
@click.option("--source", "source_files", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="Source text the quotes select from (src:NAME is the FILE named NAME; a single --source "
                   "serves every src: IRI) [default: NAME beside the --data files, else in the shipped graph "
                   "folder]. Repeatable.")
@click.option("--shapes", "shapes_file", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="SHACL shapes file [default: the shipped shapes].")
@click.option("--reason/--no-reason", default=True, show_default=True,
              help="Check consistency with HermiT; --no-reason skips it (needed when Java is absent).")
@click.option("--format", "fmt", type=click.Choice(["human", "turtle"]), default="human", show_default=True,
              help="human: a readable report; turtle: the sh:ValidationReport graph.")
@click.option("--output", "-o", "output_file", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Write the report to FILE instead of standard output.")
def validate(data_files: tuple[Path, ...], source_files: tuple[Path, ...], shapes_file: Path | None,
             reason: bool, fmt: str, output_file: Path | None) -> None:
    """Check a document the way a maintainer must: everything, in one report.

    SHACL (core and SPARQL) against the shapes; every quote found in its
    source text; every number of a result in the words quoted for it; every
    term of our namespaces declared; every literal in the form the store
    keeps; and HermiT's consistency (the smallest inconsistent part named).
    Exit 0 when the data conform, 1 when there are violations (warnings do
    not count), 2 on an error: an unreadable file, or no Java for HermiT
    (then --no-reason validates without it).

    \b
    Example:
      spine-evidence validate
      spine-evidence validate --data my-document.ttl --source my-document.txt --no-reason
      spine-evidence validate --data my-graph.ttl --format turtle --output report.ttl
    """
    from spine_evidence.validation import ReasonerError, ValidationInputError, load_shapes, report_turtle
    from spine_evidence.validation import validate as validate_graph

    say(f"validating {validated_files(data_files)} against {shapes_file or 'the shipped shapes'}"
        f"{'' if reason else ' (no reasoning)'}")
    try:
        shapes = load_shapes(shapes_file) if shapes_file is not None else None
        outcome = validate_graph(list(data_files) or None, shapes, reason=reason, sources=source_files)
    except ValidationInputError as error:
        raise UsageFailure(str(error)) from None
    except ReasonerError as error:
        raise UsageFailure(f"{' '.join(str(error).split())}; give --no-reason to validate without HermiT") from None
    report = report_turtle(outcome) if fmt == "turtle" else outcome.report_text
    if output_file is None:
        click.echo(report, nl=not report.endswith("\n"))
    else:
        try:
            output_file.write_text(report, encoding="utf-8")
        except OSError as error:
            raise UsageFailure(f"cannot write {output_file}: {error.strerror or error}") from None
    sys.exit(EXIT_OK if outcome.conforms else EXIT_VIOLATIONS)


def validated_files(data_files: tuple[Path, ...]) -> str:
    """The files ``validate`` reads, in words: the --data files with the shared ones, or the shipped sources."""
    from spine_evidence import sources

    if data_files:
        return f"{', '.join(map(str, data_files))} with the shipped ontology and shared vocabulary"
    try:
        return ", ".join(str(source.path) for source in sources.source_files())
    except sources.SourceError:
        return "the shipped sources"


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="[IRI=]FILE...")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), required=True,
              help="The dataset folder to create: DIR/store (must not exist, or be empty) and DIR/build.json; "
                   "a DIR named store is the store folder itself, build.json going beside it.")
def load(files: tuple[str, ...], store_dir: Path) -> None:
    """Make a pyoxigraph store from RDF files, as serve --store opens it, without reasoning.

    Each FILE goes into its named graph (IRI, else the file's file: IRI) and
    into the default graph, as build does with the ontology and the graph.
    Beside the store, build.json records the graph version and the triple
    counts, so that serve starts without scanning the store. For corpora too
    big for build (which also writes every serialisation and runs HermiT).

    \b
    Example:
      spine-evidence load --store dist/c1m https://w3id.org/spine-evidence/graph/bench=c1m.nt
      spine-evidence serve --store dist/c1m
    """
    from spine_evidence.store import BUILD_RECORD
    from spine_evidence.store import load as load_store
    from spine_evidence.store.location import StoreSetupError, parse_data_option, store_in

    store_path = store_in(store_dir)
    try:
        sources = [parse_data_option(value, "file") for value in files]
        say(f"loading {', '.join(str(file) for _, file in sources)} into {store_path} "
            f"(record: {store_path.parent / BUILD_RECORD})")
        dataset = load_store(store_path, sources)
    except (StoreSetupError, ValueError, SyntaxError, OSError) as error:
        raise UsageFailure(" ".join(str(error).split())) from None
    click.echo(f"loaded {store_path} (graph version {dataset.graph_version}): {dataset.quads} quads, "
               f"default graph {dataset.default_graph_triples} triples")
    for graph, count in dataset.graph_triples.items():
        click.echo(f"  {graph}: {count} triples")
