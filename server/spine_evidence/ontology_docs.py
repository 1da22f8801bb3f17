"""Ontology documentation: pyLODE's page for the ontology, with a class diagram, written by ``build``.

:func:`write_ontology_docs` (a view of :mod:`.views`) reads the
``graph:ontology`` named graph of the store just built, has pyLODE (its OntPub
profile) document it, and writes ``ontology.html`` into the dataset folder: a
complete, standalone page. pyLODE's output is made self-contained and valid:

- its CSS stays inline, every rule scoped under ``.pylode-doc`` (so the page
  can sit in the site's layout), its favicons are dropped, and the build fails
  (:class:`OntologyDocsError`) if anything would still be loaded from another
  host (:func:`outside_resources`);
- the IDs pyLODE repeats (a functional property is listed twice) get a suffix;
- the class diagram (:mod:`.class_diagram`: pyLODE draws none) is a section
  of its own before the classes; its boxes link to pyLODE's entries.

The server serves that file for HTML requests to the ontology IRI
(:mod:`.web.ontology_page`) without rdflib or pyLODE: the parts between the
``<!-- ontology-docs:head -->`` and ``<!-- ontology-docs:body -->`` markers and
their ``/`` ends go into the site's layout. This module imports rdflib and
pyLODE only inside :func:`write_ontology_docs`.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import class_diagram, sparql
from .errors import SpineEvidenceError
from .iris import GRAPH_ONTOLOGY, ONTOLOGY_IRI, PREFIXES, SE, shorten

OUTPUT_FILE = "ontology.html"
HEAD, BODY = "ontology-docs:head", "ontology-docs:body"
SCOPE = ".pylode-doc"
CLASSES_QUERY = f"""
SELECT ?class ?label ?super WHERE {{
  GRAPH <{GRAPH_ONTOLOGY}> {{
    ?class a owl:Class FILTER(isIRI(?class) && STRSTARTS(STR(?class), "{SE}"))
    OPTIONAL {{ ?class rdfs:label ?label FILTER(LANG(?label) IN ("en", "")) }}
    OPTIONAL {{
      {{ ?class rdfs:subClassOf ?super }}
      UNION {{ ?class owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first ?super }}
      FILTER(isIRI(?super))
    }}
  }}
}}"""
# Elements that make a browser fetch what their attribute names, and a CSS fetch.
FETCHING = re.compile(r"<(?:script|link|img|iframe|embed|object|source|audio|video|track|image|use)\b[^>]*?"
                      r"\s(?:src|href|data|srcset|poster|xlink:href)=\"([^\"]*)\"", re.IGNORECASE)
CSS_FETCH = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])([^'\")\s]*)", re.IGNORECASE)
ENTITY = re.compile(r'<div class="[^"]*\bentity\b[^"]*" id="([^"]+)">.*?<code>([^<]+)</code>', re.DOTALL)
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<!-- {head} --><style>{style}</style>{data}<!-- /{head} -->
</head>
<body>
<main class="{scope}">
<!-- {body} -->{content}<!-- /{body} -->
</main>
</body>
</html>
"""
DIAGRAM = """<div class="section" id="class-diagram"><h2>Class diagram</h2>
<p>The classes of this ontology by <code>rdfs:subClassOf</code> (a defined class under the class its
definition intersects): each class under its superclass; superclasses from other vocabularies are written
beside it (⊑). Select a class to read its entry.</p>
<div class="diagram-frame">{svg}</div></div>
"""


class OntologyDocsError(SpineEvidenceError, RuntimeError):
    """The ontology's documentation could not be made; the message is one line."""


def write_ontology_docs(store: ox.Store, folder: Path) -> Path:
    """Write ``ontology.html`` (pyLODE's documentation of ``graph:ontology``) into ``folder``; return its path."""
    from rdflib import Graph

    OntPub, PylodeError = import_pylode()
    turtle = store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.NamedNode(str(GRAPH_ONTOLOGY)))
    graph = Graph(bind_namespaces="core")
    graph.parse(data=turtle, format="turtle")
    if not len(graph):
        raise OntologyDocsError(f"no ontology to document: the named graph <{GRAPH_ONTOLOGY}> is empty")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    try:
        html = OntPub(graph, sort_subjects=True).make_html()
    except PylodeError as error:
        raise OntologyDocsError(f"pyLODE cannot document the ontology: {error}") from None
    page = standalone_page(str(html), diagram(store))
    outside = outside_resources(page)
    if outside:
        raise OntologyDocsError(f"the ontology documentation would load {outside[0]} from another host")
    path = folder / OUTPUT_FILE
    path.write_text(page, encoding="utf-8")
    return path


def import_pylode() -> tuple[Any, type[Exception]]:
    """pyLODE's ``OntPub`` and ``PylodeError``, the root logger left as it was.

    Importing pyLODE 3.3 runs ``logging.basicConfig(level=DEBUG)`` (its
    ``profiles/supermodel/loader.py``), which would print every library's
    debug messages during the build; the handler it adds and the level are undone.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from pylode import OntPub, PylodeError
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)
    return OntPub, PylodeError


def standalone_page(html: str, svg: str) -> str:
    """pyLODE's ``html`` as a valid, self-contained page with the class diagram ``svg`` before the classes."""
    title = between(html, "<title>", "</title>")
    style = scope_css(between(html, "<style>", "</style>"), SCOPE)
    data = "".join(re.findall(r'<script[^>]*type="application/ld\+json"[^>]*>.*?</script>', html, re.DOTALL))
    content = unique_ids(between(html, "<body>", "</body>"))
    ids = {iri.strip(): anchor for anchor, iri in ENTITY.findall(content)}
    figure = DIAGRAM.format(svg=svg)
    figure = re.sub(r'href="class:([^"]*)"', lambda m: f'href="#{ids.get(m.group(1), "classes")}"', figure)
    marker = '<div class="section" id="classes">'
    content = content.replace(marker, figure + marker, 1) if marker in content else content + figure
    return PAGE.format(title=title, head=HEAD, body=BODY, style=style, data=data, scope=SCOPE[1:], content=content)


def diagram(store: ox.Store) -> str:
    """The class diagram's SVG, from the ontology's classes in the store (links ``class:<IRI>``, resolved later)."""
    labels: dict[str, str] = {}
    supers: defaultdict[str, list[str]] = defaultdict(list)
    for row in sparql.select(store, CLASSES_QUERY):
        iri = row["class"].value
        labels[iri] = row["label"].value if row["label"] is not None else shorten(iri) or iri
        if row["super"] is not None and row["super"].value not in supers[iri]:
            supers[iri].append(row["super"].value)
    classes = []
    for iri, label in labels.items():
        inside = sorted(s for s in supers[iri] if s in labels and s != iri)
        outside = tuple(sorted(shorten(s) or s for s in supers[iri] if s not in labels))
        classes.append(class_diagram.DiagramClass(iri, label, inside[0] if inside else None, outside))
    return class_diagram.class_diagram(classes, lambda iri: f"class:{iri}",
                                       f"Class diagram of {ONTOLOGY_IRI}: the subclass tree of its classes")


def between(html: str, start: str, end: str) -> str:
    """The text of ``html`` between the first ``start`` and the next ``end`` (empty when absent)."""
    head, found, rest = html.partition(start)
    return rest.partition(end)[0] if found else ""


def scope_css(css: str, scope: str) -> str:
    """``css`` with every selector limited to descendants of ``scope`` (``body`` becomes ``scope`` itself)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)

    def scoped(match: re.Match[str]) -> str:
        selectors = [s.strip() for s in match.group(1).split(",") if s.strip()]
        return "\n" + ", ".join(scope + s[4:] if s.startswith("body") else f"{scope} {s}" for s in selectors) + " {"

    return re.sub(r"([^{}]+)\{", scoped, css)


def unique_ids(html: str) -> str:
    """``html`` with every repeated ``id`` renamed ``<id>-2``, ``<id>-3`` … (the first one keeps its name)."""
    seen: defaultdict[str, int] = defaultdict(int)

    def rename(match: re.Match[str]) -> str:
        seen[match.group(1)] += 1
        count = seen[match.group(1)]
        return match.group(0) if count == 1 else f' id="{match.group(1)}-{count}"'

    return re.sub(r'\sid="([^"]*)"', rename, html)


def outside_resources(html: str) -> list[str]:
    """Every URL the page would fetch from another host (``src``/``href`` of fetching elements, CSS ``url()``)."""
    found = FETCHING.findall(html) + CSS_FETCH.findall(html)
    return [url for url in found if re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE)]
