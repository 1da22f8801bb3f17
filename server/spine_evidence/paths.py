"""Where the data folders (``ontology/``, ``graph/``, ``shapes/``) are.

In a wheel they are shipped inside the package as ``spine_evidence/_data/``;
in a checkout (editable install, or running from source) they sit at the
repository root, two levels above this file.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_FOLDERS = ("ontology", "graph", "shapes")
CONTEXT_FILE = "context.jsonld"  # the JSON-LD context, in the ontology folder


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (one of ``DATA_FOLDERS``), wherever it lives.

    Raises ``FileNotFoundError`` when neither location holds it.
    """
    if name not in DATA_FOLDERS:
        raise ValueError(f"unknown data folder {name!r}; expected one of {DATA_FOLDERS}")
    for candidate in (PACKAGE_DIR / "_data" / name, PACKAGE_DIR.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder {name!r} not found beside {PACKAGE_DIR}")


def ontology_dir() -> Path:
    """The folder of the OWL ontology (Turtle) and the JSON-LD context."""
    return data_dir("ontology")


def graph_dir() -> Path:
    """The folder of the graph (Turtle) and the source text it quotes."""
    return data_dir("graph")


def shapes_dir() -> Path:
    """The folder of the SHACL shapes (Turtle)."""
    return data_dir("shapes")
