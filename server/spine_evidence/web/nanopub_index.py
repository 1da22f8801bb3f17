"""The nanopublication of a claim or result, read from the ``nanopubs.trig`` the build wrote beside the store.

``build`` writes ``nanopubs.trig`` into the dataset folder (beside ``store/``)
only when the maintainer gives a signing key (:mod:`spine_evidence.views`);
without that file, or for a store without a folder (in memory, remote), a
page names no nanopublication. The file is read with pyoxigraph (no rdflib
when serving), once per modification time: each nanopublication's head
graph names its assertion graph (``np:hasAssertion``), and the subject the
nanopublication is about is the assertion's root: the subject there that is
no object there (a claim, not its evidence lines; a result, not its value).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import pyoxigraph as ox

from ..store import dataset_file

# spine_evidence.nanopubs.model.OUTPUT_FILE, which imports rdflib (not imported when serving);
# tests/test_resource_page.py checks that the two agree.
OUTPUT_FILE = "nanopubs.trig"
NP = "http://www.nanopub.org/nschema#"
HAS_ASSERTION = ox.NamedNode(NP + "hasAssertion")


def nanopubs_file(store_path: Path | None) -> Path | None:
    """``nanopubs.trig`` beside the store at ``store_path`` (a dataset's ``store/``), when it exists."""
    return dataset_file(store_path, OUTPUT_FILE)


@functools.lru_cache(maxsize=4)
def read_index(path: str, modified_ns: int) -> dict[str, str]:
    """Subject IRI → nanopublication IRI for every nanopublication in the file (``modified_ns`` keys the cache)."""
    del modified_ns
    quads = list(ox.parse(path=path, format=ox.RdfFormat.TRIG))
    assertion_of = {q.object.value: q.subject.value for q in quads if q.predicate == HAS_ASSERTION}
    subjects: dict[str, set[str]] = {}
    objects: dict[str, set[str]] = {}
    for quad in quads:
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if graph in assertion_of:
            subjects.setdefault(graph, set()).add(quad.subject.value)
            objects.setdefault(graph, set()).add(quad.object.value)
    index: dict[str, str] = {}
    for graph, nanopub in assertion_of.items():
        for root in subjects.get(graph, set()) - objects.get(graph, set()):
            index[root] = nanopub
    return index


def nanopub_of(store_path: Path | None, iri: str) -> str | None:
    """The trusty URI of the nanopublication about ``iri``, when the build wrote one; else ``None``."""
    path = nanopubs_file(store_path)
    if path is None:
        return None
    try:
        index = read_index(str(path), path.stat().st_mtime_ns)
    except (OSError, SyntaxError) as error:
        logging.getLogger(__name__).warning("cannot read the nanopublications in %s: %s", path, error)
        return None
    return index.get(iri)
