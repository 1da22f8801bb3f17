"""The ontology's documentation page: the HTML answer to the ontology IRI (``/ontology``).

``build`` writes pyLODE's documentation of the ontology, with its class
diagram, as ``ontology.html`` into the dataset folder, beside ``store/``
(:mod:`spine_evidence.ontology_docs`). For an HTML request to the ontology IRI,
:func:`ontology_html` (a view of ``linked_data.HTML_VIEWS``) puts that file's
marked parts into the site's layout, with the machine-readable twins linked.
A store without that file (in memory, remote, or loaded without ``build``)
gets ``None``: the generic resource page. Neither rdflib nor pyLODE is
imported here; the file is read once per modification time.
"""

from __future__ import annotations

import functools
from pathlib import Path

from flask import render_template
from markupsafe import Markup

from ..iris import ONTOLOGY_IRI
from ..ontology_docs import BODY, HEAD, OUTPUT_FILE, between
from ..store import dataset_file
from .state import current_state


def docs_file(store_path: Path | None) -> Path | None:
    """``ontology.html`` beside the store at ``store_path`` (a dataset's ``store/``), when it exists."""
    return dataset_file(store_path, OUTPUT_FILE)


@functools.lru_cache(maxsize=4)
def read_parts(path: str, modified_ns: int) -> tuple[str, str, str]:
    """The title, head part and body part of the documentation file (``modified_ns`` keys the cache)."""
    del modified_ns
    html = Path(path).read_text(encoding="utf-8")
    return (between(html, "<title>", "</title>"), between(html, f"<!-- {HEAD} -->", f"<!-- /{HEAD} -->"),
            between(html, f"<!-- {BODY} -->", f"<!-- /{BODY} -->"))


def ontology_html(iri: str, twins: dict[str, str]) -> str | None:
    """The documentation page of the ontology IRI; ``None`` for another IRI or when the build wrote none."""
    path = docs_file(current_state().config.store_path) if iri == ONTOLOGY_IRI else None
    if path is None:
        return None
    title, head, body = read_parts(str(path), path.stat().st_mtime_ns)
    if not body:
        return None
    return render_template("ontology_docs.html", title=Markup(title), head=Markup(head), body=Markup(body),
                           alternates=twins)
