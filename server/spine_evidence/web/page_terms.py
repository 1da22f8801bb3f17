"""What a resource page needs to know about the terms it shows, read from the store by SPARQL.

The description of a resource (:func:`.linked_data.resource_description`)
holds the asserted triples and those HermiT inferred (``graph:inferred``): a
study finding is also typed ``se:Claim``, ``se:Statement`` and their SEPIO
super-classes, and a supporting evidence line is also linked by
``se:hasEvidenceLine`` and ``sepio:0000007``. The page shows each fact once,
by its most specific type and property, so it needs:

- the super-classes and super-properties of the terms it shows (:func:`supers`, read
  once per store and graph version);
- the inverse (``owl:inverseOf``, either way round) and symmetry of the
  properties that point at the resource (:func:`inverses`);
- which of its triples only the reasoner states (:func:`inferred_only`);
- the types of the resources that point at it (:func:`types_of`).

Every function reads the store through :func:`spine_evidence.sparql.select`
only, so a page works the same over a remote store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from ..iris import GRAPH_INFERRED
from ..sparql import select

Key = tuple[str, str, str]  # (subject, predicate, object) as their values
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None
ENGLISH = 'FILTER(LANGMATCHES(LANG({0}), "en") || LANG({0}) = "")'


def values(nodes: Iterable[str]) -> str:
    """A SPARQL ``VALUES`` list of IRIs (sorted, each once)."""
    return " ".join(f"<{iri}>" for iri in sorted(set(nodes)))


HIERARCHY = """SELECT ?sub ?super ?list ?cell ?first ?rest WHERE {
  { { ?sub rdfs:subClassOf ?super } UNION { ?sub rdfs:subPropertyOf ?super }
    FILTER(isIRI(?sub) && isIRI(?super) && ?sub != ?super) }
  UNION { ?sub owl:equivalentClass ?class . ?class owl:intersectionOf ?list FILTER(isIRI(?sub)) }
  UNION { ?cell rdf:first ?first ; rdf:rest ?rest FILTER(isBlank(?cell)) } }"""
_HIERARCHIES: dict[tuple[int, str], dict[str, set[str]]] = {}


def direct_supers(store: ox.Store) -> dict[str, set[str]]:
    """Each named class's and property's direct named super-classes and super-properties, read in one query.

    A class defined as an intersection (``owl:equivalentClass [ owl:intersectionOf (se:Study …) ]``,
    the defined study classes) is below each named class of the intersection. The list cells come in
    the same answer (their blank node labels agree within it), so no property path starts from a
    bound variable (Virtuoso 7 cannot evaluate one).
    """
    up: defaultdict[str, set[str]] = defaultdict(set)
    lists: list[tuple[str, Term]] = []
    cells: dict[Term, tuple[Term, Term]] = {}
    for solution in select(store, HIERARCHY):
        if solution["super"] is not None and solution["sub"] is not None:
            up[solution["sub"].value].add(solution["super"].value)
        elif solution["list"] is not None and solution["sub"] is not None:
            lists.append((solution["sub"].value, solution["list"]))
        elif solution["cell"] is not None:
            cells[solution["cell"]] = (solution["first"], solution["rest"])
    for sub, cell in lists:
        seen: set[Term] = set()
        while cell in cells and cell not in seen:
            seen.add(cell)
            first, cell = cells[cell]
            if isinstance(first, ox.NamedNode) and first.value != sub:
                up[sub].add(first.value)
    return up


def closure(direct: dict[str, set[str]]) -> dict[str, set[str]]:
    """The transitive closure of ``direct`` (a term is never its own super-term)."""
    found: dict[str, set[str]] = {}
    for term in direct:
        reached: set[str] = set()
        stack = list(direct[term])
        while stack:
            node = stack.pop()
            if node not in reached:
                reached.add(node)
                stack.extend(direct.get(node, ()))
        reached.discard(term)
        found[term] = reached
    return found


def supers(store: ox.Store, version: str) -> dict[str, set[str]]:
    """Every term's named super-classes and super-properties (transitively), read once per store and graph version."""
    key = (id(store), version)
    if key not in _HIERARCHIES:
        if len(_HIERARCHIES) >= 4:
            _HIERARCHIES.clear()
        _HIERARCHIES[key] = closure(direct_supers(store))
    return _HIERARCHIES[key]


@dataclass(frozen=True)
class Inverse:
    """The inverse of a property as the ontology declares it (``None`` when undeclared), and its label."""

    iri: str | None
    label: str | None
    symmetric: bool


def inverses(store: ox.Store, properties: Iterable[str]) -> dict[str, Inverse]:
    """The declared inverse (``owl:inverseOf`` either way), its English label and the symmetry of each property."""
    listed = values(properties)
    if not listed:
        return {}
    query = f"""SELECT ?p ?inverse ?label ?symmetric WHERE {{
      VALUES ?p {{ {listed} }}
      OPTIONAL {{ {{ ?p owl:inverseOf ?inverse }} UNION {{ ?inverse owl:inverseOf ?p }} FILTER(isIRI(?inverse))
                 OPTIONAL {{ ?inverse rdfs:label ?label {ENGLISH.format("?label")} }} }}
      OPTIONAL {{ ?p a owl:SymmetricProperty BIND(true AS ?symmetric) }} }}"""
    found: dict[str, Inverse] = {}
    for solution in select(store, query):
        prop, inverse, label = solution["p"].value, solution["inverse"], solution["label"]
        known = found.get(prop)
        if known is None or (known.iri is None and inverse is not None):
            found[prop] = Inverse(inverse.value if inverse is not None else None,
                                  label.value if label is not None else None,
                                  solution["symmetric"] is not None)
    return found


def inferred_only(store: ox.Store, subjects: Iterable[str], iri: str) -> set[Key]:
    """The triples about ``subjects`` (and pointing at ``iri``) that only ``graph:inferred`` holds.

    Reads the named graph of each such triple and keeps those found in no other: one plain
    ``GRAPH ?g`` pattern (Virtuoso 7 fails on a ``GRAPH <iri>`` its dataset lacks, and on
    ``NOT EXISTS`` over ``GRAPH ?g``).
    """
    pattern = "GRAPH ?g { ?s ?p ?o }"
    query = f"""SELECT ?s ?p ?o ?g WHERE {{
      {{ VALUES ?s {{ {values(subjects)} }} {pattern} }} UNION {{ VALUES ?o {{ <{iri}> }} {pattern} }} }}"""
    graphs: defaultdict[Key, set[str]] = defaultdict(set)
    for solution in select(store, query):
        terms = [solution[name] for name in ("s", "p", "o", "g")]
        if all(term is not None and not isinstance(term, ox.Triple) for term in terms):
            graphs[(terms[0].value, terms[1].value, terms[2].value)].add(terms[3].value)
    return {key for key, names in graphs.items() if names == {str(GRAPH_INFERRED)}}


def types_of(store: ox.Store, subjects: Iterable[str]) -> tuple[dict[str, set[str]], dict[str, str]]:
    """The named types of each subject, and the English label of each of those types."""
    listed = values(subjects)
    types: defaultdict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    if not listed:
        return types, labels
    query = f"""SELECT ?s ?type ?label WHERE {{
      VALUES ?s {{ {listed} }} ?s a ?type FILTER(isIRI(?type))
      OPTIONAL {{ ?type rdfs:label ?label {ENGLISH.format("?label")} }} }}"""
    for solution in select(store, query):
        types[solution["s"].value].add(solution["type"].value)
        if solution["label"] is not None:
            labels.setdefault(solution["type"].value, solution["label"].value)
    return types, labels


def most_specific(terms: Iterable[str], up: dict[str, set[str]]) -> list[str]:
    """The terms none of whose sub-terms is among ``terms``, in their first order, each once."""
    listed = list(dict.fromkeys(terms))
    return [t for t in listed if not any(t in up.get(other, set()) for other in listed if other != t)]
