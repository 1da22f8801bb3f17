"""The quantitative results of a synthetic study and their measured values.

Numbers are drawn so the graph is internally consistent, as the shapes demand:
numerator ≤ denominator, a stated percentage is the counts' percentage rounded half
up to one decimal, means carry their own time point.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from bench import sentences as say
from bench.terms import PROPORTION_OUTCOMES, RDF_TYPE, SITES, VIEWS, decimal, iri, label_of, literal, se, typed
from spine_evidence import namespaces as ns

VALUE_CLASSES = ("Proportion", "Percentage", "Mean", "Count")


@dataclass
class Value:
    """One measured value: its class and its (property, term) pairs."""

    kind: str
    fields: list[tuple[str, str]]


@dataclass
class Result:
    """One result as the generator draws it, before it becomes triples."""

    slug: str
    label: str
    outcome: str
    sentence: str
    values: list[Value]
    context: list[tuple[str, str]] = field(default_factory=list)
    compared_with: str | None = None


def value_lines(node: str, value: Value) -> list[str]:
    """The N-Triples lines of one measured value."""
    lines = [f"{node} {RDF_TYPE} {se(value.kind)} .\n", f"{node} {RDF_TYPE} {se('MeasuredValue')} .\n"]
    lines.extend(f"{node} {se(p)} {o} .\n" for p, o in value.fields)
    return lines


def percentage_of(numerator: int, denominator: int) -> str:
    """The percentage ``numerator/denominator`` rounded half up to one decimal, as text."""
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def proportion(rng: random.Random, ref: int, procedure: str, outcome: str, arm: str,
               context: list[tuple[str, str]], words: str = "") -> Result:
    """A result counted as numerator of denominator, with the percentage stated or not."""
    denominator = rng.randint(8, 120)
    numerator = rng.randint(0, denominator)
    stated = percentage_of(numerator, denominator) if rng.random() < 0.7 else None
    fields = [("numerator", typed(numerator, "integer")),
              ("denominator", typed(denominator, "integer"))]
    if stated is not None:
        fields.append(("statedPercentage", decimal(stated)))
    slug = f"ref-{ref:02d}-{outcome}-{arm}"
    return Result(slug, f"{outcome} with {arm} (reference {ref})", outcome,
                  say.proportion_sentence(ref, procedure, outcome, arm, numerator, denominator,
                                          stated, words),
                  [Value("Proportion", fields)],
                  [("arm", iri(ns.MOD, arm)), ("procedure", iri(ns.PROC, procedure))] + context)


def mean_results(rng: random.Random, ref: int, procedure: str, arm: str) -> list[Result]:
    """A mean VAS at baseline and at twelve weeks: one result per time point, each with one value."""
    baseline = Decimal(rng.randint(50, 85)) / 10
    final = max(Decimal("0.5"), baseline - Decimal(rng.randint(10, 45)) / 10)
    sentence = say.mean_sentence(ref, arm, str(baseline), str(final))
    return [Result(f"ref-{ref:02d}-vas-pain-score-{arm}-{tp}", f"VAS with {arm} at {tp} (reference {ref})",
                   "vas-pain-score", sentence,
                   [Value("Mean", [("meanValue", decimal(v)), ("scale", literal("VAS 0-10")),
                                   ("unit", literal("points"))])],
                   [("arm", iri(ns.MOD, arm)), ("procedure", iri(ns.PROC, procedure)),
                    ("timePoint", iri(ns.TP, tp))])
            for v, tp in ((baseline, "baseline"), (final, "12-weeks"))]


def percentage_result(rng: random.Random, ref: int, procedure: str) -> Result:
    """A percentage of pain relief at seven or thirty days, stated without counts."""
    days = rng.choice((7, 30))
    stated = str(rng.randint(5, 80))
    return Result(f"ref-{ref:02d}-pain-relief-{days}-days", f"pain relief at {days} days (reference {ref})",
                  "pain-relief", say.percentage_sentence(ref, stated, days),
                  [Value("Percentage", [("statedPercentage", decimal(stated))])],
                  [("procedure", iri(ns.PROC, procedure)), ("timePoint", iri(ns.TP, f"{days}-days"))])


def count_result(ref: int, procedure: str) -> Result:
    """One case report of a complication."""
    return Result(f"ref-{ref:02d}-spinal-cord-injury", f"spinal cord injury (reference {ref})",
                  "spinal-cord-injury", say.count_sentence(ref, procedure),
                  [Value("Count", [("count", typed(1, "integer"))])],
                  [("arm", iri(ns.MOD, "ultrasound")), ("procedure", iri(ns.PROC, procedure))])


def placement_context(rng: random.Random) -> tuple[list[tuple[str, str]], str]:
    """A view, a site or an injectate volume for a placement result, and its words."""
    choice = rng.randrange(3)
    if choice == 0:
        view = rng.choice(VIEWS)
        return [("radiographicView", iri(ns.VIEW, view))], f" in the {view.replace('-', ' ')} view"
    if choice == 1:
        site = rng.choice(SITES)
        return [("atSite", iri(ns.SITE, site))], f" at the {label_of(site)}"
    volume = rng.choice(("1.0", "2.0", "4.0"))
    return [("injectateVolumeMl", decimal(volume))], f" with {volume} ml of injectate"


def draw_results(rng: random.Random, ref: int, design: str, procedure: str) -> list[Result]:
    """The results a study of ``design`` reports."""
    if design == "case-report":
        return [count_result(ref, procedure)]
    if design == "anatomical-dissection":
        site = rng.choice(SITES)
        return [proportion(rng, ref, procedure, "vessel-in-foramen", "ultrasound",
                           [("atSite", iri(ns.SITE, site))], f" at the {label_of(site)}")]
    if design == "randomised-trial":
        outcome = rng.choice(PROPORTION_OUTCOMES)
        pair = [proportion(rng, ref, procedure, outcome, arm, []) for arm in ("ultrasound", "fluoroscopy")]
        pair[0].compared_with = pair[1].slug
        return pair + mean_results(rng, ref, procedure, "ultrasound")
    if design == "cohort":
        outcome = rng.choice(PROPORTION_OUTCOMES)
        return [proportion(rng, ref, procedure, outcome, "ultrasound", []),
                percentage_result(rng, ref, procedure)]
    outcomes = rng.sample(PROPORTION_OUTCOMES, rng.randint(1, 2))
    results = []
    for outcome in outcomes:
        context, words = placement_context(rng)
        results.append(proportion(rng, ref, procedure, outcome, "ultrasound", context, words))
    return results
