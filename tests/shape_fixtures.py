"""The inputs of the SHACL corruption tests as fixtures, parsed once per module.

A plugin module: the corruption test modules register it with
``pytest_plugins = ["shape_fixtures"]`` (the pytest way to share fixtures
without importing them; ``shape_corruption.py`` holds the helpers).
"""

from __future__ import annotations

import pytest
from rdflib import Graph
from shape_corruption import ontology_graph, second_document_graph, shipped_graph

from spine_evidence import shacl


@pytest.fixture(scope="module")
def shipped() -> Graph:
    """The shipped graph (without the ontology), parsed once."""
    return shipped_graph()


@pytest.fixture(scope="module")
def second() -> Graph:
    """The second document with the shared vocabulary (without the ontology), parsed once."""
    return second_document_graph()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    """The shipped ontology, parsed once."""
    return ontology_graph()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The shipped shapes, parsed once."""
    return shacl.load_shapes()
