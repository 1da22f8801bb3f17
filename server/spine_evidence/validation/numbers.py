"""The number-in-quote check: every number of a result is in the words quoted for it.

Which numbers: the ontology's datatype properties with a numeric range whose
domain is ``se:Result`` or ``se:MeasuredValue`` (or a subclass; e.g.
numerator, denominator, stated percentage, mean, count, injectate volume),
on each result and on each of its values: nothing here names this
FactFinder. Where: the ``oa:exact`` of the result's (and value's) quotes;
for a result without a quote, the quotes of the statements whose evidence
lines cite it.

How (``number_tokens``): numbers are whole tokens (``4`` is not in ``46``;
``77`` is in ``77%``; ``1.0`` equals ``1``), citation markers such as
``(7)`` are not numbers, and the words ``none``, ``zero``, ``one`` ...
``twenty`` are counts. A percentage (a property whose label says
"percentage", or a value whose ``se:unit`` is ``percent``) must be a token
followed by ``%``; an integer (a count) one that is not. Results of one
study that differ by one context (``se:arm``, ``se:radiographicView``,
``se:timePoint``, ...: the ontology's object properties from a result to a
labelled kind) and share a quote naming both contexts must give their
numbers in the same order as the contexts (two arms' counts swapped).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from itertools import permutations

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from ..namespaces import OA, SE
from .inputs import Inputs
from .number_tokens import Token, find_label, number_tokens
from .report import Finding

CHECK = "NumberInQuote"
NUMERIC = {XSD.integer, XSD.decimal, XSD.int, XSD.long, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.double,
           XSD.float, XSD.short}
PERCENT_UNITS = {"percent", "%", "per cent"}


def check_numbers(inputs: Inputs) -> list[Finding]:
    """A finding for every number of a result or value that its quote does not state."""
    graph, model = inputs.graph, NumberModel(inputs.ontology)
    results = instances(graph, model.subclasses(SE.Result))
    findings: list[Finding] = []
    for result in sorted(results, key=str):
        quotes = quotes_of_result(graph, result)
        if not quotes:
            continue
        for node in (result, *sorted(graph.objects(result, SE.hasValue), key=str)):
            findings += [f for f in (check_number(graph, model, result, node, p, lit, quotes)
                                     for p, lit in model.numbers(graph, node)) if f]
    findings += check_order(graph, model, results)
    return findings


class NumberModel:
    """What the ontology says about numbers: which properties, which are percentages, which are contexts."""

    def __init__(self, ontology: Graph) -> None:
        self.ontology = ontology
        self.result_classes = self.subclasses(SE.Result)
        holders = self.result_classes | self.subclasses(SE.MeasuredValue)
        self.properties = {p for p in ontology.subjects(RDF.type, OWL.DatatypeProperty)
                           if isinstance(p, URIRef) and self.numeric_range(p) and set(self.domains(p)) & holders}
        self.percentages = {p for p in self.properties
                            if any("percent" in str(label).lower() for label in ontology.objects(p, RDFS.label))}
        excluded = self.result_classes | self.subclasses(SE.MeasuredValue) | self.subclasses(SE.Study)
        self.contexts = sorted(p for p in ontology.subjects(RDF.type, OWL.ObjectProperty)
                               if isinstance(p, URIRef) and set(self.domains(p)) & self.result_classes
                               and any(str(r).startswith(str(SE)) and r not in excluded
                                       for r in ontology.objects(p, RDFS.range)))

    def subclasses(self, cls: URIRef) -> set[Node]:
        """``cls`` and its subclasses (transitively)."""
        return {c for c in self.ontology.transitive_subjects(RDFS.subClassOf, cls) if c is not None}

    def domains(self, prop: Node) -> list[Node]:
        """The named classes of ``prop``'s domain (a union's members included)."""
        found: list[Node] = []
        for domain in self.ontology.objects(prop, RDFS.domain):
            union = self.ontology.value(domain, OWL.unionOf)
            found += list(Collection(self.ontology, union)) if union is not None else [domain]
        return found

    def numeric_range(self, prop: Node) -> bool:
        """True when ``prop``'s range is a numeric XSD datatype or a restriction of one."""
        for rng in self.ontology.objects(prop, RDFS.range):
            base = self.ontology.value(rng, OWL.onDatatype) or rng
            if base in NUMERIC:
                return True
        return False

    def numbers(self, graph: Graph, node: Node) -> list[tuple[URIRef, Literal]]:
        """The numeric literals of ``node`` under the number properties, sorted."""
        return sorted((p, o) for p in self.properties for o in graph.objects(node, p) if isinstance(o, Literal))

    def kind(self, graph: Graph, node: Node, prop: URIRef, literal: Literal) -> str:
        """``percentage``, ``count`` (an integer) or ``number`` (any token)."""
        unit = graph.value(node, SE.unit)
        if prop in self.percentages or (unit is not None and str(unit).lower() in PERCENT_UNITS):
            return "percentage"
        return "count" if literal.datatype in (XSD.integer, XSD.nonNegativeInteger, XSD.int) else "number"


def instances(graph: Graph, classes: set[Node]) -> set[Node]:
    """The nodes typed with one of ``classes``."""
    return {s for c in classes for s in graph.subjects(RDF.type, c)}


def quotes_of(graph: Graph, node: Node) -> list[str]:
    """The ``oa:exact`` of the quotes of ``node`` (``se:hasQuote`` or ``oa:hasBody``)."""
    annotations = set(graph.objects(node, SE.hasQuote)) | set(graph.subjects(OA.hasBody, node))
    found = []
    for annotation in sorted(annotations, key=str):
        for target in graph.objects(annotation, OA.hasTarget):
            for selector in graph.objects(target, OA.hasSelector):
                found += [str(e) for e in graph.objects(selector, OA.exact)]
    return sorted(set(found))


def quotes_of_result(graph: Graph, result: Node) -> list[str]:
    """The words quoted for ``result`` and its values; else those of the statements citing it."""
    found = quotes_of(graph, result) + [q for v in graph.objects(result, SE.hasValue) for q in quotes_of(graph, v)]
    if found:
        return found
    citing = {s for line in graph.subjects(SE.citesResult, result) for s, _ in graph.subject_predicates(line)}
    return [q for s in sorted(citing, key=str) for q in quotes_of(graph, s)]


def as_decimal(literal: Node) -> Decimal | None:
    """The literal's number (``None`` when it is not one)."""
    try:
        return Decimal(str(literal).strip())
    except InvalidOperation:
        return None


def matching(tokens: list[Token], number: Decimal, kind: str) -> list[Token]:
    """The tokens that state ``number`` as a ``kind``."""
    same = [t for t in tokens if t.value == number]
    if kind == "percentage":
        return [t for t in same if t.percent]
    if kind == "count":
        return [t for t in same if not t.percent]
    return same


def check_number(graph: Graph, model: NumberModel, result: Node, node: Node, prop: URIRef, literal: Literal,
                 quotes: list[str]) -> Finding | None:
    """A finding when no quote states ``literal`` as its kind of number."""
    number, kind = as_decimal(literal), model.kind(graph, node, prop, literal)
    if number is None:
        return None
    tokens = [t for q in quotes for t in number_tokens(q)]
    if matching(tokens, number, kind):
        return None
    short = graph.namespace_manager.normalizeUri
    where = "" if node == result else f" (a value of {short(str(result))})"
    stated = " ".join(f"«{q}»" for q in quotes)
    written = list(dict.fromkeys(t.text for t in tokens)) or ["no number"]
    found = ", ".join(written)
    if [t for t in tokens if t.value == number]:
        found += f" ({literal} only as a {'count' if kind == 'percentage' else 'percentage'}, " \
                 f"not as a {kind})"
    wanted = f"{literal}%" if kind == "percentage" else str(literal)
    return Finding(CHECK, node, f"{short(prop)} {literal} of {short(str(node))}{where} is not in the words quoted for "
                   f"it: expected the quote to state {wanted} (a {kind}); it states {found}. The quote: {stated}",
                   prop, literal)


def check_order(graph: Graph, model: NumberModel, results: set[Node]) -> list[Finding]:
    """Findings for results of one study whose numbers are in the other order than their contexts in a quote."""
    findings: list[Finding] = []
    by_study: dict[Node | None, list[Node]] = {}
    for result in results:
        by_study.setdefault(graph.value(result, SE.ofStudy), []).append(result)
    for members in by_study.values():
        for one, other in permutations(sorted(members, key=str), 2):
            finding = swapped(graph, model, one, other)
            if finding:
                findings.append(finding)
    return findings


def swapped(graph: Graph, model: NumberModel, one: Node, other: Node) -> Finding | None:
    """A finding on ``one`` when a quote of ``one`` names both contexts and both numbers in crossed order."""
    for quote in quotes_of(graph, one):
        tokens = number_tokens(quote)
        for prop in model.contexts:
            mine, theirs = graph.value(one, prop), graph.value(other, prop)
            if mine is None or theirs is None or mine == theirs:
                continue
            at_mine, at_theirs = find_label(graph, mine, quote), find_label(graph, theirs, quote)
            if at_mine is None or at_theirs is None:
                continue
            crossed = crossed_number(graph, model, one, other, tokens, at_mine < at_theirs)
            if crossed:
                short = graph.namespace_manager.normalizeUri
                return Finding(CHECK, one, f"{short(crossed[0])} of {short(str(one))} ({crossed[1]}) and of "
                               f"{short(str(other))} ({crossed[2]}) are in the other order than their {short(prop)} "
                               f"({short(str(mine))}, {short(str(theirs))}) in the quote: expected the number next "
                               f"to {short(str(mine))}; swapped? The quote: «{quote}».", crossed[0], crossed[1])
    return None


def crossed_number(graph: Graph, model: NumberModel, one: Node, other: Node, tokens: list[Token],
                   mine_first: bool) -> tuple[URIRef, Literal, Literal] | None:
    """The first number property whose two values are each stated once, in the order opposite ``mine_first``."""
    for node_one in graph.objects(one, SE.hasValue):
        for node_other in graph.objects(other, SE.hasValue):
            for prop, mine in model.numbers(graph, node_one):
                theirs = graph.value(node_other, prop)
                if not isinstance(theirs, Literal):
                    continue
                a, b = as_decimal(mine), as_decimal(theirs)
                if a is None or b is None or a == b:
                    continue
                kind = model.kind(graph, node_one, prop, mine)
                at_a, at_b = matching(tokens, a, kind), matching(tokens, b, kind)
                if len(at_a) == 1 and len(at_b) == 1 and (at_a[0].start < at_b[0].start) != mine_first:
                    return prop, mine, theirs
    return None
