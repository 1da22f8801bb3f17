"""``validate`` and ``conformance``: the checks whose exit code says whether the bar is met (0) or not (1)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..conformance.settings import (
    DEFAULT_LITERAL_EQUALITY,
    DEFAULT_MIN_QUERY_PASS,
    DEFAULT_SERVER,
    LITERAL_EQUALITIES,
    PARTS,
    SERVERS,
)
from ..errors import one_line
from .common import EXIT_OK, EXIT_VIOLATIONS, UsageFailure, say


@click.command()
@click.option("--suite", "suite_dir", type=click.Path(path_type=Path), default=None,
              help="The sparql11 folder of the W3C RDF tests [default: $SPINE_EVIDENCE_W3C_TESTS, else "
                   "../shared/w3c-rdf-tests/sparql11 beside the checkout or the working directory; "
                   "exit 2 when none is found].")
@click.option("--endpoint", default=None, metavar="URL",
              help="Test a running endpoint instead of starting one (its data must be loaded, or give --graph-store).")
@click.option("--graph-store", default=None, metavar="URL",
              help="With --endpoint: a writable Graph Store to PUT the test data into "
                   "(a scratch store: the protocol tests run CLEAR ALL and DROP ALL on it).")
@click.option("--start", is_flag=True,
              help="Start the server on a free port and stop it after [default without --endpoint].")
@click.option("--server", type=click.Choice(SERVERS), default=DEFAULT_SERVER, show_default=True,
              help="Which server --start runs (oxigraph: `pip install oxigraph`, for comparison).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              help="Store folder the started spine-evidence server opens [default: serve's own].")
@click.option("--only", type=click.Choice(PARTS), default=None,
              help="Run one part only.")
@click.option("--test", "patterns", multiple=True, metavar="PATTERN",
              help="Run only tests whose id matches this glob (e.g. 'bind/*'). Repeatable.")
@click.option("--json", "json_file", type=click.Path(path_type=Path), default=None,
              help="Write machine-readable results to this file.")
@click.option("--min-query-pass", type=click.FloatRange(0, 1), default=DEFAULT_MIN_QUERY_PASS, show_default=True,
              help="Share of applicable query-evaluation tests that must pass.")
@click.option("--literal-equality", type=click.Choice(LITERAL_EQUALITIES), default=DEFAULT_LITERAL_EQUALITY,
              show_default=True,
              help="How the bar compares typed literals: by value, as Oxigraph's own W3C harness does "
                   "(\"1.0\" and \"1\" as xsd:decimal are equal: the store keeps typed literals as values and "
                   "returns canonical forms, a storage deviation that the by-term figure shows), or as RDF terms. "
                   "Both figures are always printed.")
def conformance(suite_dir: Path | None, endpoint: str | None, graph_store: str | None, start: bool,
                server: str, store_dir: Path | None, only: str | None, patterns: tuple[str, ...],
                json_file: Path | None, min_query_pass: float, literal_equality: str) -> None:
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

    from ..conformance import conformance as run_conformance

    if start and endpoint:
        raise UsageFailure("give --endpoint or --start, not both")
    report = run_conformance(suite_dir, endpoint, graph_store, server, only, patterns, min_query_pass, store_dir,
                             literal_equality=literal_equality)
    if json_file is not None:
        json_file.parent.mkdir(parents=True, exist_ok=True)
        json_file.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    click.echo("\n".join(report.lines()))
    sys.exit(EXIT_OK if report.bar_met() else EXIT_VIOLATIONS)


@click.command()
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
    from ..validation import ReasonerError, load_shapes, report_turtle
    from ..validation import validate as validate_graph

    say(f"validating {validated_files(data_files)} against {shapes_file or 'the shipped shapes'}"
        f"{'' if reason else ' (no reasoning)'}")
    try:
        shapes = load_shapes(shapes_file) if shapes_file is not None else None
        outcome = validate_graph(list(data_files) or None, shapes, reason=reason, sources=source_files)
    except ReasonerError as error:
        raise UsageFailure(f"{one_line(error)}; give --no-reason to validate without HermiT") from None
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
    from ..source_files import SourceError, source_files

    if data_files:
        return f"{', '.join(map(str, data_files))} with the shipped ontology and shared vocabulary"
    try:
        return ", ".join(str(source.path) for source in source_files())
    except SourceError:
        return "the shipped sources"
