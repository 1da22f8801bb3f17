"""``build`` and ``load``: make the dataset that ``serve`` and ``query`` read."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import one_line
from .common import UsageFailure, say


@click.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder to write (replaced only when the build succeeds) "
                   "[default: the state folder, which serve and query read].")
@click.option("--no-reason", is_flag=True, help="Skip HermiT: no consistency check, no graph:inferred.")
@click.option("--data", "data_files", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="Turtle file to build instead of the shipped document (the ontology and the shared vocabulary "
                   "are still included; FILE goes into graph:<its stem>). Repeatable.")
@click.option("--nanopub-key", type=click.Path(path_type=Path, dir_okay=False), default=None,
              envvar="SPINE_EVIDENCE_NANOPUB_KEY", metavar="FILE",
              help="RSA private key (PEM) that signs the nanopublications (nanopubs.trig); without it none are "
                   "written and the build says so [env: SPINE_EVIDENCE_NANOPUB_KEY].")
def build(out_dir: Path | None, no_reason: bool, data_files: tuple[Path, ...], nanopub_key: Path | None) -> None:
    """Merge the ontology and graph, reason with HermiT, and write every serialisation.

    Writes spine-evidence.{ttl,nt,jsonld,rdf,trig,nq}, context.jsonld, the
    pyoxigraph store (store/), the views of the same numbers (fhir/bundle.json,
    results.csv with its CSVW metadata, and with a key nanopubs.trig) and
    build.json into the output folder. Without
    --out that is the state folder: $SPINE_EVIDENCE_STATE_DIR, else dist/ of
    a writable checkout, else ~/.cache/spine-evidence/VERSION, where serve and
    query look, so `build && serve` serves what was just built.

    \b
    Example:
      spine-evidence build && spine-evidence serve
      spine-evidence build --out /tmp/se && spine-evidence query --store /tmp/se 'ASK { ?s a se:Claim }'
      spine-evidence build --data my-document.ttl --out /tmp/my-document
      spine-evidence build --nanopub-key ~/.nanopub/id_rsa
    """
    from ..build import build as build_dataset
    from ..source_files import document_files, source_files
    from ..store.location import state_dir

    if data_files and out_dir is None:
        raise UsageFailure("--data needs --out: the state folder holds the shipped dataset that serve and query use")
    out_dir = state_dir() if out_dir is None else out_dir
    files = document_files(data_files) if data_files else source_files()
    folders = sorted({str(source.path.parent) for source in files})
    say(f"building {out_dir} from {' and '.join(folders)}{' (no reasoning)' if no_reason else ''}")
    report = build_dataset(out_dir, reason=not no_reason, data=list(data_files) or None, nanopub_key=nanopub_key)
    for line in report.summary():
        click.echo(line)


@click.command()
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
    from ..store import BUILD_RECORD
    from ..store import load as load_store
    from ..store.location import parse_data_option, store_in

    store_path = store_in(store_dir)
    sources = [parse_data_option(value, "file") for value in files]
    say(f"loading {', '.join(str(file) for _, file in sources)} into {store_path} "
        f"(record: {store_path.parent / BUILD_RECORD})")
    try:
        dataset = load_store(store_path, sources)
    except (ValueError, SyntaxError) as error:  # pyoxigraph's: an unknown extension, a file it cannot parse
        raise UsageFailure(one_line(error)) from None
    click.echo(f"loaded {store_path} (graph version {dataset.graph_version}): {dataset.quads} quads, "
               f"default graph {dataset.default_graph_triples} triples")
    for graph, count in dataset.graph_triples.items():
        click.echo(f"  {graph}: {count} triples")
