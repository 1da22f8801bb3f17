"""The numbers a dataset description states, computed from the store with SPARQL.

VoID (https://www.w3.org/TR/void/#statistics) counts, class and property
partitions, example resources, the licence and creators of the ontology
header, whether the default graph is the union of the named graphs, and the
numbers the query page states. Computed once per graph version (the store is
read-only), on first use, and kept in :data:`CACHE`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pyoxigraph as ox

from ..iris import BASE, DOCUMENT_IRI, ONTOLOGY_IRI, PREFIXES, SE, longest_namespace
from ..store import Dataset

# The kinds of resource the dataset description gives an example of, and the query page counts.
KINDS: dict[str, str] = {
    "claims": str(SE.Claim),
    "studies": str(SE.Study),
    "results": str(SE.Result),
    "recommendations": str(SE.Recommendation),
}
DEFAULT_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
DEFAULT_CREATOR = "Spine Evidence Graph project"
# Namespaces of our own instances: never announced as vocabularies.
INSTANCE_PREFIXES = frozenset(
    p for p, ns in PREFIXES.items() if ns.startswith(BASE) and p != "se"
)
VOCABULARY_PREFIXES = {p: ns for p, ns in PREFIXES.items() if p not in INSTANCE_PREFIXES}

TOTALS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?distinctSubjects)
  (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?distinctObjects) WHERE { ?s ?p ?o }"""
ENTITIES = f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")) }}"""
CLASS_PARTITIONS = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
PROPERTY_PARTITIONS = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
INSTANCES = """SELECT (COUNT(DISTINCT ?x) AS ?n) (MIN(STR(?x)) AS ?example) WHERE {{
  ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> FILTER(isIRI(?x)) }}"""
HEADER = "SELECT ?value WHERE { <%s> <http://purl.org/dc/terms/%s> ?value } ORDER BY ?value"
TITLE = f"""SELECT ?title WHERE {{ <{DOCUMENT_IRI}> <http://purl.org/dc/terms/title> ?title }}
  ORDER BY ?title LIMIT 1"""
DEFAULT_ONLY = "ASK { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
NAMED_ONLY = "ASK { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }"


@dataclass(frozen=True)
class Statistics:
    """What the Service Description, VoID, the query page and health state about the dataset."""

    graph_version: str
    triples: int
    entities: int
    distinctSubjects: int  # noqa: N815 (VoID's own name)
    distinctObjects: int  # noqa: N815
    properties: int
    classes: int
    class_partitions: tuple[tuple[str, int], ...]
    property_partitions: tuple[tuple[str, int], ...]
    named_graphs: tuple[tuple[str, int], ...]
    union_default_graph: bool
    counts: dict[str, int]
    examples: tuple[str, ...]
    vocabularies: tuple[str, ...]
    licences: tuple[str, ...]
    creators: tuple[str, ...]
    document_title: str | None


def rows(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    """The solutions of ``query`` (a SELECT) on the store's default graph."""
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def number(term: ox.Literal | None) -> int:
    """An integer literal's value (0 for an unbound one)."""
    return int(term.value) if term is not None else 0


def partitions(store: ox.Store, query: str, key: str) -> tuple[tuple[str, int], ...]:
    """``(IRI, count)`` pairs of a partition query (blank-node classes left out)."""
    return tuple((r[key].value, number(r["n"])) for r in rows(store, query) if isinstance(r[key], ox.NamedNode))


def header_values(store: ox.Store, field: str) -> tuple[str, ...]:
    """The values of ``dct:<field>`` on the ontology header."""
    return tuple(r["value"].value for r in rows(store, HEADER % (ONTOLOGY_IRI, field)))


def vocabulary_of(term: str) -> str | None:
    """The vocabulary (namespace, or our ontology IRI) that ``term`` belongs to, if it is a known one."""
    best = longest_namespace(term, VOCABULARY_PREFIXES)
    if best is None:
        return None
    return ONTOLOGY_IRI if best[0] == "se" else best[1]


def vocabularies(terms: list[str]) -> tuple[str, ...]:
    """The vocabularies of the classes and properties used, sorted."""
    return tuple(sorted({v for v in map(vocabulary_of, terms) if v is not None}))


def kinds(store: ox.Store) -> tuple[dict[str, int], tuple[str, ...]]:
    """How many claims, studies, results and recommendations there are, and one example of each."""
    counts: dict[str, int] = {}
    examples: list[str] = []
    for name, cls in KINDS.items():
        row = rows(store, INSTANCES.format(cls=cls))[0]
        counts[name] = number(row["n"])
        if row["example"] is not None:
            examples.append(row["example"].value)
    return counts, tuple(examples)


def union_default_graph(store: ox.Store, dataset: Dataset) -> bool:
    """Whether the default graph holds exactly the triples of the named graphs."""
    if not dataset.graph_triples:
        return False
    return not store.query(DEFAULT_ONLY) and not store.query(NAMED_ONLY)


def compute_statistics(store: ox.Store, dataset: Dataset) -> Statistics:
    """Every figure of :class:`Statistics`, by SPARQL on ``store``."""
    totals = rows(store, TOTALS)[0]
    classes = partitions(store, CLASS_PARTITIONS, "c")
    properties = partitions(store, PROPERTY_PARTITIONS, "p")
    counts, examples = kinds(store)
    title = rows(store, TITLE)
    return Statistics(
        graph_version=dataset.graph_version,
        triples=number(totals["triples"]),
        entities=number(rows(store, ENTITIES)[0]["n"]),
        distinctSubjects=number(totals["distinctSubjects"]),
        distinctObjects=number(totals["distinctObjects"]),
        properties=number(totals["properties"]),
        classes=len(classes),
        class_partitions=classes,
        property_partitions=properties,
        named_graphs=tuple(sorted(dataset.graph_triples.items())),
        union_default_graph=union_default_graph(store, dataset),
        counts=counts,
        examples=examples,
        vocabularies=vocabularies([c for c, _ in classes] + [p for p, _ in properties]),
        licences=header_values(store, "license") or (DEFAULT_LICENCE,),
        creators=header_values(store, "creator") or (DEFAULT_CREATOR,),
        document_title=title[0]["title"].value if title else None,
    )


# Graph version → statistics. The version is a content hash of the sources, so stores of
# one version hold the same triples and share one entry.
CACHE: dict[str, Statistics] = {}
_LOCK = threading.Lock()


def statistics_for(store: ox.Store, dataset: Dataset) -> Statistics:
    """The :class:`Statistics` of ``store`` at ``dataset.graph_version``, computed once and cached."""
    with _LOCK:
        if dataset.graph_version not in CACHE:
            CACHE[dataset.graph_version] = compute_statistics(store, dataset)
        return CACHE[dataset.graph_version]
