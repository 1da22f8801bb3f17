"""The model of a resource's HTML page: each fact once, the numbers behind it, what points at it, its quotes.

Built from the triples of :func:`.linked_data.resource_description` (or the
ontology document) and rendered by ``templates/resource.html``. The
description holds what HermiT inferred as well as what the graph states; the
page shows each fact once, by its most specific type and property (a study
finding is not also listed as a claim, a statement and their SEPIO
super-classes; a supporting evidence line not also under "has evidence line"),
and marks what only the reasoner states (:mod:`.page_terms`). The RDF twins
keep every triple.

Besides the resource's own properties, a page shows the numbers behind it
(the results its evidence lines cite: :mod:`.resource_tables`) and, for each
property that points at it, the resources that do, under a heading read
the other way round (:mod:`.inverse_relations`). IRIs under the base link to
this server (``/X``); others to themselves. Each quote (an
``oa:TextQuoteSelector``) is shown with the passage of the source text it
selects (:mod:`.quote_excerpts`).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from ..iris import BASE, OA, RDF, RDFS, SE, shorten
from . import page_terms
from .inverse_relations import inverse_heading
from .quote_excerpts import Quote, excerpt
from .resource_tables import Cell, Link, Table, numbers_table, results_behind

LABEL, TYPE = str(RDFS.label), str(RDF.type)
RESULT = str(SE.Result)
Node = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
EXACT, PREFIX, SUFFIX = str(OA.exact), str(OA.prefix), str(OA.suffix)
INFERRED_NOTE = "inferred by the reasoner (HermiT), in graph:inferred"


@functools.lru_cache(maxsize=8192)
def prefixed(iri: str) -> str:
    """``prefix:local`` for an IRI in a known namespace (``namespaces.shorten``), else the IRI."""
    return shorten(iri) or iri


def value(term: Term) -> str:
    """The IRI, blank node label or lexical form of ``term`` (a quoted triple as N-Triples text)."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def slug(text: str) -> str:
    """``text`` as an HTML id or table name: runs of other characters as ``-``."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")


def anchor_of(node: ox.NamedNode | ox.BlankNode, page_iri: str) -> str:
    """The HTML id of a node's block: the fragment of ``<page>#x``, else a slug of its name."""
    if isinstance(node, ox.BlankNode):
        return f"b-{node.value}"
    if node.value.startswith(page_iri + "#"):
        return node.value[len(page_iri) + 1:]
    return slug(prefixed(node.value))


class PageBuilder:
    """Turns the triples of one description, and what the store says of their terms, into the page model."""

    def __init__(self, store: ox.Store, iri: str, triples: list[ox.Triple], root: str, version: str) -> None:
        self.store, self.iri, self.root = store, iri, root
        self.by_subject: defaultdict[Node, list[ox.Triple]] = defaultdict(list)
        self.labels: dict[str, str] = {}
        for t in dict.fromkeys(triples):  # each triple once, in its first order
            if isinstance(t.subject, ox.Triple):  # a quoted triple (RDF-star): never in this graph
                continue
            self.by_subject[t.subject].append(t)
            if t.predicate.value == LABEL and isinstance(t.object, ox.Literal):
                if t.object.language in (None, "en") or t.subject.value not in self.labels:
                    self.labels[t.subject.value] = t.object.value
        described = [s for s in self.by_subject if self.is_described(s)]
        self.blocks = sorted(described, key=self.order)
        self.anchors = {s: anchor_of(s, iri) for s in self.blocks}
        self.pointing = [t for s, ts in self.by_subject.items() if s not in self.anchors
                         for t in ts if value(t.object) == iri and isinstance(s, ox.NamedNode)]
        self.subject_types, type_labels = page_terms.types_of(store, {value(t.subject) for t in self.pointing})
        for type_iri, label in type_labels.items():
            self.labels.setdefault(type_iri, label)
        self.up = page_terms.supers(store, version)
        named = {s.value for s in self.blocks if isinstance(s, ox.NamedNode)}
        self.inferred = page_terms.inferred_only(store, named, iri)
        self.hidden = 0

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
        label = self.labels.get(node.value)
        return Link(label if label is not None else prefixed(node.value), self.href(node), title=node.value)

    def iri_link(self, iri: str, label: str | None) -> Link:
        """The link to the resource ``iri`` labelled ``label`` (else its known label or prefixed name)."""
        link = self.link(ox.NamedNode(iri))
        if label:
            link.text = label
        return link

    def fact(self, triple: ox.Triple) -> Link:
        """The link of a triple's object, marked when only the reasoner states the triple."""
        link = self.link(triple.object)
        key = (value(triple.subject), triple.predicate.value, value(triple.object))
        link.inferred = key in self.inferred
        return link

    def kept(self, triples: list[ox.Triple]) -> list[ox.Triple]:
        """The triples of one subject that no more specific triple implies (type or property below it)."""
        by_object: defaultdict[str, list[str]] = defaultdict(list)
        for t in triples:
            by_object[value(t.object)].append(t.predicate.value)
        types = page_terms.most_specific((value(t.object) for t in triples if t.predicate.value == TYPE), self.up)
        kept = [t for t in triples if (value(t.object) in types if t.predicate.value == TYPE else
                                       t.predicate.value in page_terms.most_specific(by_object[value(t.object)],
                                                                                     self.up))]
        self.hidden += len(triples) - len(kept)
        return kept

    def block(self, subject: Node) -> tuple[Link, list[Link], Table]:
        """One subject's heading, its most specific types and its property table (label first)."""
        rows: defaultdict[str, list[Link]] = defaultdict(list)
        types: list[Link] = []
        for t in self.kept(self.by_subject[subject]):
            if t.predicate.value == TYPE:
                types.append(self.fact(t))
            elif value(t.object) != self.iri or subject.value == self.iri:
                rows[t.predicate.value].append(self.fact(t))
        heading = self.link(subject)
        heading.href = None
        ordered = sorted(rows.items(), key=lambda item: (item[0] != LABEL, prefixed(item[0])))
        name = "properties" if subject.value == self.iri else "properties-" + self.anchors[subject]
        table = Table(name, f"Properties of {heading.text}", ["Property", "Value"], key_header=True,
                      rows=[[[self.link(ox.NamedNode(p))], links] for p, links in ordered])
        return heading, types, table

    def kind(self, types: set[str]) -> str | None:
        """The label of the most specific named type among ``types`` (the first by IRI when several)."""
        best = sorted(page_terms.most_specific(sorted(types), self.up), key=lambda t: (not t.startswith(str(SE)), t))
        labelled = [self.labels[t] for t in best if t in self.labels]
        return labelled[0] if labelled else None

    def shared_kind(self, subjects: list[str]) -> str | None:
        """The label of the most specific type every one of ``subjects`` has (directly or by a sub-class)."""
        ups = [set().union(*({t} | self.up.get(t, set()) for t in self.subject_types.get(s, set())))
               for s in subjects]
        common = set.intersection(*ups) if ups else set()
        return self.kind(common) if common else None

    def inverse_tables(self) -> list[Table]:
        """One table per property pointing at the resource, headed by its inverse reading."""
        own = {self.iri: self.by_subject.get(ox.NamedNode(self.iri), [])}
        outgoing = {(t.predicate.value, value(t.object)) for t in own[self.iri]}
        by_subject: defaultdict[str, list[str]] = defaultdict(list)
        for t in self.pointing:
            by_subject[value(t.subject)].append(t.predicate.value)
        groups: defaultdict[str, list[str]] = defaultdict(list)
        for subject, predicates in by_subject.items():
            kept = page_terms.most_specific(predicates, self.up)
            self.hidden += len(predicates) - len(kept)
            for predicate in kept:
                groups[predicate].append(subject)
        inverses = page_terms.inverses(self.store, groups)
        root_types = {value(t.object) for t in own[self.iri] if t.predicate.value == TYPE}
        root_kind = self.kind(root_types)
        tables = []
        for predicate in sorted(groups, key=prefixed):
            inverse = inverses.get(predicate)
            subjects = [s for s in groups[predicate] if not inverse or not (
                (inverse.iri and (inverse.iri, s) in outgoing) or (inverse.symmetric and (predicate, s) in outgoing))]
            self.hidden += len(groups[predicate]) - len(subjects)
            if subjects:
                tables.append(self.inverse_table(predicate, subjects, root_kind, inverse))
        return tables

    def inverse_table(self, predicate: str, subjects: list[str], root_kind: str | None,
                      inverse: page_terms.Inverse | None) -> Table:
        """The resources that point at the resource by ``predicate``: with their numbers when they are results."""
        kind = self.shared_kind(subjects)
        label = self.labels.get(predicate, prefixed(predicate))
        heading = inverse_heading(label, kind, root_kind, inverse.label if inverse else None)
        name = "inverse-" + slug(prefixed(predicate))
        if all(RESULT in self.subject_types.get(s, set()) | self.up_of(s) for s in subjects):
            table = numbers_table(self.store, subjects, name, heading, self.iri_link)
        else:
            links = sorted((self.link(ox.NamedNode(s)) for s in subjects), key=lambda link: link.text.casefold())
            rows: list[list[Cell]] = [[[link]] for link in links]
            table = Table(name, heading, [(kind or "resource").capitalize()], rows)
        table.about = predicate
        return table

    def up_of(self, subject: str) -> set[str]:
        """Every class ``subject`` belongs to, by its types and their super-classes."""
        return set().union(*(self.up.get(t, set()) for t in self.subject_types.get(subject, set())))

    def quotes(self) -> list[Quote]:
        """Every text quote selector on the page, with the source passage around it."""
        found: list[Quote] = []
        for triples in self.by_subject.values():
            values = {t.predicate.value: value(t.object) for t in triples}
            if EXACT in values:
                found.append(excerpt(Quote(values[EXACT], values.get(PREFIX), values.get(SUFFIX))))
        return found


@dataclass
class Page:
    """Everything ``resource.html`` shows about one resource; ``tables`` holds every table by name."""

    iri: str
    title: str
    kind: str | None
    types: list[Link]
    blocks: list[tuple[str, Link, list[Link], Table]]  # (anchor, heading, types, properties)
    numbers: Table | None
    inverse: list[Table]
    tables: dict[str, Table]
    hidden: int
    quotes: list[Quote]
    source_href: str
    inferred_note: str = INFERRED_NOTE


def page_model(store: ox.Store, iri: str, triples: list[ox.Triple], root: str, version: str) -> Page:
    """Everything ``resource.html`` shows about ``iri`` in the graph of ``version``."""
    page = PageBuilder(store, iri, triples, root, version)
    blocks = [(page.anchors[s], *page.block(s)) for s in page.blocks]
    main = blocks[0] if page.blocks and page.blocks[0].value == iri else None
    kind = page.kind({value(t.object) for t in page.by_subject.get(ox.NamedNode(iri), [])
                      if t.predicate.value == TYPE})
    numbers = numbers_table(store, results_behind(store, iri, page.up) if main else [], "results",
                            f"The numbers behind this {kind or 'resource'}", page.iri_link)
    inverse = page.inverse_tables() if main else []
    tables = [b[3] for b in blocks] + ([numbers] if numbers.rows else []) + inverse
    return Page(iri=iri, title=page.labels.get(iri) or prefixed(iri), kind=kind, types=main[2] if main else [],
                blocks=blocks, numbers=numbers if numbers.rows else None, inverse=inverse,
                tables={table.name: table for table in tables}, hidden=page.hidden, quotes=page.quotes(),
                source_href=root + "/source/")
