"""Synthetic evidence corpora shaped like our graph, streamed to N-Triples.

A corpus is a header (our ontology and the FactFinder graph when present, and the shared
nodes: procedures, modalities, outcomes, …) followed by synthetic documents
(``bench.document``) until the requested number of triples is reached, at a document
boundary. Documents are made in parallel but written in order, so a corpus is the same
for a seed and size on any machine, and a smaller corpus is a prefix of a larger one.

Example::

    python -m bench.corpus --triples 100k --seed 1 --out /tmp/corpus-100k.nt
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path

import pyoxigraph

from bench.document import synthetic_document
from bench.terms import shared_node_lines
from spine_evidence import paths

CHUNK = 20
SIZE_SUFFIXES = {"k": 1_000, "m": 1_000_000}


def parse_size(text: str) -> int:
    """``10k`` → 10000, ``1m``/``1M`` → 1000000, ``2500`` → 2500."""
    text = text.strip().lower()
    try:
        if text[-1:] in SIZE_SUFFIXES:
            return int(float(text[:-1]) * SIZE_SUFFIXES[text[-1]])
        return int(text)
    except ValueError:
        raise ValueError(f"not a size: {text!r} (expected e.g. 10k, 1m or 2500)") from None


def parse_sizes(text: str) -> list[str]:
    """The sizes of a comma-separated ``--sizes`` option, lower-cased; ``ValueError`` naming a bad one."""
    sizes = [s.strip().lower() for s in text.split(",") if s.strip()]
    for size in sizes:
        parse_size(size)
    return sizes


def source_files() -> list[Path]:
    """Our ontology, shared vocabulary and graph Turtle files that exist now (the corpus header)."""
    found = []
    for folder, name in (("ontology", "spine-evidence.ttl"), ("graph", "vocabulary.ttl"), ("graph", "factfinder.ttl")):
        try:
            candidate = paths.data_dir(folder) / name
        except FileNotFoundError:
            continue
        if candidate.is_file():
            found.append(candidate)
    return found


def header_lines(with_sources: bool = True) -> tuple[list[str], list[str]]:
    """The header's N-Triples lines, and the names of the files they came from."""
    files = source_files() if with_sources else []
    lines: list[str] = []
    for file in files:
        triples = pyoxigraph.parse(path=str(file), format=pyoxigraph.RdfFormat.TURTLE)
        text = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode()
        lines.extend(line + "\n" for line in text.splitlines() if line)
    has_graph = any(f.name == "factfinder.ttl" for f in files)
    lines.extend(shared_node_lines(with_labels=not has_graph))
    return lines, [f.name for f in files]


def _documents(args: tuple[int, int, int]) -> tuple[str, list[int], list[tuple[str, str]]]:
    """Worker: the N-Triples of documents ``start``..``stop-1``, their sizes and texts."""
    seed, start, stop = args
    parts, sizes, texts = [], [], []
    for index in range(start, stop):
        doc = synthetic_document(seed, index)
        parts.append("".join(doc.lines))
        sizes.append(len(doc.lines))
        texts.append((doc.slug, doc.text))
    return "".join(parts), sizes, texts


def _chunks(seed: int):
    start = 1
    while True:
        yield seed, start, start + CHUNK
        start += CHUNK


def corpus(triples: int, seed: int, out: Path, texts: Path | None = None,
           with_sources: bool = True, processes: int | None = None) -> dict:
    """Write a corpus of at least ``triples`` triples to ``out``; return its description.

    The description (also written beside ``out`` as ``<out>.json``) gives the seed, the
    number of documents and of triple lines, the header's source files and the time taken.
    """
    started = time.perf_counter()
    header, sources = header_lines(with_sources)
    written, documents = len(header), 0
    if texts is not None:
        texts.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as sink, \
            multiprocessing.get_context("fork").Pool(processes) as pool:
        sink.writelines(header)
        for text, sizes, doc_texts in pool.imap(_documents, _chunks(seed)):
            parts = text.splitlines(keepends=True)
            offset = 0
            for size, (slug, words) in zip(sizes, doc_texts, strict=True):
                if written >= triples:
                    break
                sink.writelines(parts[offset:offset + size])
                offset += size
                written += size
                documents += 1
                if texts is not None:
                    (texts / f"synthetic-{slug}.txt").write_text(words, encoding="utf-8")
            if written >= triples:
                break
        pool.terminate()
    description = {"seed": seed, "requested_triples": triples, "triple_lines": written,
                   "documents": documents, "header_sources": sources,
                   "header_lines": len(header), "seconds": round(time.perf_counter() - started, 2)}
    Path(str(out) + ".json").write_text(json.dumps(description, indent=1), encoding="utf-8")
    return description


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.corpus``: write one corpus and print its description."""
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", default="10k", help="size: 10k, 100k, 1m, 10m or a number")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="N-Triples file to write")
    parser.add_argument("--texts", type=Path, help="folder for the synthetic source texts")
    parser.add_argument("--no-sources", action="store_true",
                        help="leave our ontology and FactFinder graph out of the header")
    args = parser.parse_args(argv)
    try:
        size = parse_size(args.triples)
        description = corpus(size, args.seed, args.out, args.texts, not args.no_sources)
    except (ValueError, OSError, SyntaxError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(description))
    return 0


if __name__ == "__main__":
    sys.exit(main())
