"""Read replicas: two ``serve --store`` processes on copies of one built store report and answer the same.

Each replica gets its own copy of the dataset folder (``store/`` and
``build.json``), as N machines behind a load balancer would; both are real
servers on their own 127.0.0.1 ports (``spine_evidence.processes`` via the
``endpoint_factory`` fixture). Their ``/health`` must agree on everything
that identifies the data, and one query must answer byte for byte the same.
A third server on a store of other data must disagree, or the check proves
nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import requests
from conftest import RunningServer, dataset_sources

from spine_evidence.store import BUILD_RECORD, STORE_DIR
from spine_evidence.store import load as load_store

IDENTITY = ("graph_version", "build_checksum", "store_fingerprint", "triples")
# Behind a load balancer every replica sees the public Host (answers and their ETags depend on it).
PUBLIC_HOST = "evidence.example.org"
QUERY = "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY ?type"


def replica(store_dir: Path, folder: Path) -> Path:
    """A copy of the dataset folder holding ``store_dir`` (the store and its ``build.json``) in ``folder``."""
    shutil.copytree(store_dir, folder / STORE_DIR)
    shutil.copy2(store_dir.parent / BUILD_RECORD, folder / BUILD_RECORD)
    return folder / STORE_DIR


def health(base: str) -> dict[str, object]:
    """The ``/health`` record of the server at ``base`` (asserting it is ok)."""
    response = requests.get(f"{base}/health", timeout=10)
    assert response.status_code == 200, response.text
    record: dict[str, object] = response.json()
    assert record["status"] == "ok", record
    return record


def answer(base: str, etag: str | None = None) -> requests.Response:
    """The SPARQL JSON answer of ``QUERY`` at ``base`` for the public host (conditional on ``etag``)."""
    headers = {"Accept": "application/sparql-results+json", "Host": PUBLIC_HOST}
    response = requests.get(f"{base}/sparql", params={"query": QUERY}, timeout=30,
                            headers={**headers, **({"If-None-Match": etag} if etag else {})})
    assert response.status_code == (304 if etag else 200), response.text[:300]
    return response


@pytest.fixture(scope="module")
def other_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of other data: the ontology alone."""
    path: Path = tmp_path_factory.mktemp("other") / STORE_DIR
    load_store(path, [(graph, file) for graph, file in dataset_sources() if file.parent.name == "ontology"])
    return path


Factory = Callable[..., AbstractContextManager[RunningServer]]  # endpoint_factory(*args, store=...)


def test_two_replicas_report_the_same_store_and_answer_alike(endpoint_factory: Factory, store_dir: Path, tmp_path: Path,
                                                             other_store: Path) -> None:
    first, second = (replica(store_dir, tmp_path / name) for name in ("replica-a", "replica-b"))
    with endpoint_factory(store=first) as a, endpoint_factory(store=second) as b:
        assert a.port != b.port
        health_a, health_b = health(a.base), health(b.base)
        for field in IDENTITY:
            assert health_a[field], f"{field} is missing from /health: {health_a}"
            assert health_a[field] == health_b[field], (field, health_a, health_b)
        answer_a, answer_b = answer(a.base), answer(b.base)
        assert answer_a.json()["results"]["bindings"], "the query found no types"
        assert answer_a.content == answer_b.content
        assert answer_a.headers["ETag"] == answer_b.headers["ETag"]
        answer(b.base, etag=answer_a.headers["ETag"])  # a validator from one replica is fresh on the other
        with endpoint_factory(store=other_store) as other:
            health_other = health(other.base)
            for field in ("graph_version", "build_checksum", "triples"):
                assert health_other[field] != health_a[field], (field, health_other)
            assert answer(other.base).content != answer_a.content
