"""The model of a resource's HTML page: its label, types, properties as links, quotes and excerpts.

Built from the triples of :func:`.linked_data.resource_description` (or the
ontology document) and rendered by ``templates/resource.html``. IRIs under
the base link to this server (``/X``); others to themselves. Each quote
(an ``oa:TextQuoteSelector``) is shown with the passage of the source text
it selects, found with :func:`spine_evidence.quotes.find_quote`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import quotes
from ..iris import BASE, OA, RDF, RDFS, shorten

EXCERPT_CONTEXT = 200
LABEL, TYPE = str(RDFS.label), str(RDF.type)
Node = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
EXACT, PREFIX, SUFFIX = str(OA.exact), str(OA.prefix), str(OA.suffix)


@dataclass
class Link:
    """A value or a predicate as the page shows it: text, and a target when it is a resource."""

    text: str
    href: str | None = None
    title: str | None = None
    note: str | None = None


@dataclass
class Block:
    """One described node: its anchor, heading and ``(predicate, values)`` rows."""

    anchor: str
    heading: Link
    types: list[Link] = field(default_factory=list)
    rows: list[tuple[Link, list[Link]]] = field(default_factory=list)


@dataclass
class Quote:
    """A text quote selector and the source passage it selects (``before`` + ``match`` + ``after``)."""

    exact: str
    prefix: str | None
    suffix: str | None
    before: str = ""
    match: str = ""
    after: str = ""


def prefixed(iri: str) -> str:
    """``prefix:local`` for an IRI in a known namespace (``namespaces.shorten``), else the IRI."""
    return shorten(iri) or iri


def value(term: Term) -> str:
    """The IRI, blank node label or lexical form of ``term`` (a quoted triple as N-Triples text)."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def anchor_of(node: ox.NamedNode | ox.BlankNode, page_iri: str) -> str:
    """The HTML id of a node's block: the fragment of ``<page>#x``, else a slug of its name."""
    if isinstance(node, ox.BlankNode):
        return f"b-{node.value}"
    if node.value.startswith(page_iri + "#"):
        return node.value[len(page_iri) + 1:]
    return re.sub(r"[^A-Za-z0-9_-]+", "-", prefixed(node.value)).strip("-")


class PageBuilder:
    """Turns the triples of one description into the page model."""

    def __init__(self, iri: str, triples: list[ox.Triple], root: str) -> None:
        self.iri, self.root = iri, root
        self.by_subject: defaultdict[Node, list[ox.Triple]] = defaultdict(list)
        self.labels: dict[str, str] = {}
        for t in triples:
            if isinstance(t.subject, ox.Triple):  # a quoted triple (RDF-star): never in this graph
                continue
            self.by_subject[t.subject].append(t)
            if t.predicate.value == LABEL and isinstance(t.object, ox.Literal):
                if t.object.language in (None, "en") or t.subject.value not in self.labels:
                    self.labels[t.subject.value] = t.object.value
        described = [s for s in self.by_subject if self.is_described(s)]
        self.blocks = sorted(described, key=self.order)
        self.anchors = {s: anchor_of(s, iri) for s in self.blocks}

    def order(self, subject: Node) -> tuple[bool, bool, str]:
        """Block order: the resource, then named resources by prefixed name, then blank nodes."""
        return (subject.value != self.iri, isinstance(subject, ox.BlankNode), prefixed(subject.value))

    def is_described(self, subject: Node) -> bool:
        """Whether ``subject`` gets a block: the resource, or a node with more than labels and links to it."""
        if subject.value == self.iri:
            return True
        return any(t.predicate.value != LABEL and value(t.object) != self.iri for t in self.by_subject[subject])

    def href(self, node: Node) -> str | None:
        """Where a node links to: its block on this page, its path here, or the IRI itself."""
        if node in self.anchors and node.value != self.iri:
            return "#" + self.anchors[node]
        if isinstance(node, ox.BlankNode):
            return None
        if node.value.startswith(BASE):
            return self.root + "/" + node.value[len(BASE):]
        return node.value

    def link(self, node: Term) -> Link:
        """How a term is shown: a literal's text (with language or datatype), or a linked resource."""
        if isinstance(node, ox.Literal):
            note = f"@{node.language}" if node.language else prefixed(node.datatype.value)
            return Link(node.value, note=None if note == "xsd:string" else note)
        if isinstance(node, ox.BlankNode):
            return Link("(blank node)", self.href(node))
        if isinstance(node, ox.Triple):
            return Link(str(node))
        return Link(self.labels.get(node.value, prefixed(node.value)), self.href(node), title=node.value)

    def block(self, subject: Node) -> Block:
        """The block of one subject: types first, then the other properties grouped."""
        rows: defaultdict[str, list[Link]] = defaultdict(list)
        types: list[Link] = []
        for t in self.by_subject[subject]:
            if t.predicate.value == TYPE:
                types.append(self.link(t.object))
            elif value(t.object) != self.iri or subject.value == self.iri:
                rows[t.predicate.value].append(self.link(t.object))
        heading = self.link(subject)
        heading.href = None
        ordered = sorted(rows.items(), key=lambda item: (item[0] != LABEL, prefixed(item[0])))
        return Block(self.anchors[subject], heading, types, [(self.link(ox.NamedNode(p)), v) for p, v in ordered])

    def incoming(self) -> list[tuple[Link, Link]]:
        """``(subject, predicate)`` of the triples that point at the resource from outside the page."""
        return [
            (self.link(t.subject), self.link(t.predicate))
            for s, ts in self.by_subject.items()
            for t in ts
            if value(t.object) == self.iri and s not in self.anchors
        ]

    def quotes(self) -> list[Quote]:
        """Every text quote selector on the page, with the source passage around it."""
        found: list[Quote] = []
        for triples in self.by_subject.values():
            values = {t.predicate.value: value(t.object) for t in triples}
            if EXACT in values:
                found.append(excerpt(Quote(values[EXACT], values.get(PREFIX), values.get(SUFFIX))))
        return found


def source_span(text: str, offset: int, exact: str) -> int:
    """End of the quote starting at ``offset`` in the normalised ``text`` (line-end hyphens may be joined)."""
    wanted, i, j = quotes.normalise(exact), offset, 0
    while i < len(text) and j < len(wanted):
        if text[i] == wanted[j]:
            j += 1
        elif text[i] != "-":
            break
        i += 1
    return i


def excerpt(quote: Quote) -> Quote:
    """``quote`` with the passage of the source text around it (left empty when it is not found)."""
    try:
        source = quotes.load_source_text()
    except OSError:
        return quote
    offset = quotes.find_quote(source, quote.exact)
    text = quotes.normalise(source)
    if offset is None:
        return quote
    end = source_span(text, offset, quote.exact)
    quote.before = "…" + text[max(0, offset - EXCERPT_CONTEXT):offset]
    quote.match = text[offset:end]
    quote.after = text[end:end + EXCERPT_CONTEXT] + "…"
    return quote


def page_model(iri: str, triples: list[ox.Triple], root: str) -> dict[str, object]:
    """Everything ``resource.html`` shows about ``iri``."""
    page = PageBuilder(iri, triples, root)
    blocks = [page.block(s) for s in page.blocks]
    return {
        "iri": iri,
        "title": page.labels.get(iri) or prefixed(iri),
        "types": blocks[0].types if page.blocks and page.blocks[0].value == iri else [],
        "blocks": blocks,
        "incoming": page.incoming(),
        "quotes": page.quotes(),
        "source_href": root + "/source/",
    }
