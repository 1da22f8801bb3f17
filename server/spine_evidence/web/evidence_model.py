"""The summary-of-findings model: every result of the graph by outcome and arm, with designs, flags and intervals.

Read from the store only by SPARQL: the rows are :func:`spine_evidence.results_table.results_table`
(numbers as the graph states them), and :data:`DETAILS` and :data:`FLAGS` add, per
result, its study component's design (and what that design and the assignment rest on),
its site, and every ``se:hasInconsistency`` flag with its ``skos:editorialNote``: on the
result itself, or on a statement whose evidence line cites the result. Nothing here
names this document's particulars, so a document added later gets its page too.

A proportion (``se:numerator`` of ``se:denominator``) gets a 95% Wilson interval,
computed (:mod:`spine_evidence.intervals`) and labelled so; a stated percentage is
shown only where the graph states one, never recomputed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from textwrap import shorten

import pyoxigraph as ox

from ..intervals import WILSON_LABEL, is_proportion, wilson, wilson_interval
from ..results_table import Cell, Column, ResultsTable, results_table
from ..sparql import select
from .forest_plot import ArmGroup, Plot, PlottedProportion, forest_plot
from .linked_data import path_of_iri

ENGLISH = 'FILTER(LANGMATCHES(LANG({0}), "en") || LANG({0}) = "")'
DETAILS = f"""
SELECT ?result ?design ?design_basis ?assignment_basis ?site ?outcome ?category ?polarity WHERE {{
  ?result a se:Result .
  OPTIONAL {{ ?result se:ofComponent ?component .
             OPTIONAL {{ ?component se:componentDesign/rdfs:label ?design {ENGLISH.format("?design")} }}
             OPTIONAL {{ ?component se:designBasis/rdfs:label ?design_basis {ENGLISH.format("?design_basis")} }} }}
  OPTIONAL {{ ?result se:componentBasis/rdfs:label ?assignment_basis {ENGLISH.format("?assignment_basis")} }}
  OPTIONAL {{ ?result se:atSite/rdfs:label ?site {ENGLISH.format("?site")} }}
  OPTIONAL {{ ?result se:measuresOutcome ?outcome
             OPTIONAL {{ ?outcome se:outcomeCategory/rdfs:label ?category {ENGLISH.format("?category")} }}
             OPTIONAL {{ ?outcome se:polarity/rdfs:label ?polarity {ENGLISH.format("?polarity")} }} }}
}}"""
FLAGS = """
SELECT DISTINCT ?result ?flagged ?note WHERE {
  { ?result a se:Result ; se:hasInconsistency true . BIND(?result AS ?flagged) }
  UNION
  { ?result a se:Result . ?line se:citesResult ?result . ?flagged ?has ?line ; se:hasInconsistency true .
    ?has rdfs:subPropertyOf* se:hasEvidenceLine }
  OPTIONAL { ?flagged skos:editorialNote ?note }
}"""
DETAIL_WIDTH = 32  # characters of context above a point (the whole context is in its <title>)
SOURCE_TEXT_BASIS = "source text"  # the AssertionBasis label that needs no mention beside a design
EXTRA_COLUMNS = (
    Column("design_label", "Design (of the result's study component)", "string"),
    Column("design_basis_label", "Design stated by", "string"),
    Column("assignment_basis_label", "Result assigned to that component by", "string"),
    Column("site_label", "Anatomical site", "string"),
    Column("inconsistency", "Inconsistency flagged (se:hasInconsistency)", "boolean"),
    Column("inconsistency_notes", "Editorial notes on the inconsistency (skos:editorialNote)", "string"),
    Column("wilson_lower_percent", f"{WILSON_LABEL}: lower bound (percent)", "decimal"),
    Column("wilson_upper_percent", f"{WILSON_LABEL}: upper bound (percent)", "decimal"),
)


@dataclass(frozen=True)
class Flag:
    """An ``se:hasInconsistency`` flag: the flagged node (the result, or a statement reporting it) and its note."""

    flagged: str
    on_result: bool
    note: str | None

    @property
    def href(self) -> str | None:
        """The flagged node's page on this server."""
        return path_of_iri(self.flagged)


@dataclass
class Finding:
    """One result: its results-table row, its details and flags, and its interval when it is a proportion."""

    row: dict[str, Cell]
    details: dict[str, set[str]] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)

    def text(self, name: str) -> str | None:
        """The cell ``name`` of the row, or the details' values joined (``None`` when absent)."""
        if name in self.details:
            return "; ".join(sorted(self.details[name])) or None
        cell = self.row.get(name)
        return None if cell is None else str(cell)

    @property
    def result(self) -> str:
        """The result's IRI."""
        return str(self.row["result"])

    @property
    def counts(self) -> tuple[int, int] | None:
        """Events and total of a proportion with an interval (:func:`spine_evidence.intervals.is_proportion`)."""
        events, total = self.row["numerator"], self.row["denominator"]
        if self.row["statistic"] == "Proportion" and isinstance(events, int) and isinstance(total, int) \
                and is_proportion(events, total):
            return events, total
        return None

    @property
    def interval(self) -> tuple[float, float] | None:
        """The Wilson interval as fractions (unrounded), for a proportion."""
        return None if self.counts is None else wilson_interval(*self.counts)

    @property
    def shown_interval(self) -> tuple[Decimal, Decimal] | None:
        """The Wilson interval in percent, rounded half up to 0.1, for a proportion."""
        return None if self.counts is None else wilson(*self.counts)

    @property
    def context(self) -> str:
        """What tells this result apart from others of its study and outcome: view, site, time point, volume."""
        parts = [self.text("view_label"), self.text("site_label"), self.text("time_point_label")]
        volume = self.row.get("injectate_volume_ml")
        parts.append(None if volume is None else f"{volume} mL injectate")
        return "; ".join(p for p in parts if p)

    @property
    def other_value(self) -> str | None:
        """A mean or a count as the graph states it (with its unit or scale); ``None`` for a proportion."""
        unit = self.text("unit") or self.text("scale")
        suffix = f" ({unit})" if unit else ""
        if self.row.get("mean_value") is not None:
            return f"mean {self.row['mean_value']}{suffix}"
        if self.row.get("count") is not None:
            return f"count {self.row['count']}{suffix}"
        return None

    @property
    def design_note(self) -> str | None:
        """What the design and the result's assignment rest on, where it is not the source text."""
        notes = []
        if (basis := self.text("design_basis_label")) and basis != SOURCE_TEXT_BASIS:
            notes.append(f"design from the {basis}")
        if (basis := self.text("assignment_basis_label")) and basis != SOURCE_TEXT_BASIS:
            notes.append(f"result assigned to this part by {basis}")
        return "; ".join(notes) or None

    @property
    def flag_notes(self) -> list[tuple[str | None, list[Flag]]]:
        """Each distinct editorial note with the flags that carry it (a flag without a note under ``None``)."""
        grouped: dict[str | None, list[Flag]] = {}
        for flag in self.flags:
            grouped.setdefault(flag.note, []).append(flag)
        return list(grouped.items())

    @property
    def notes(self) -> list[str]:
        """The distinct editorial notes of the flags, in order."""
        return list(dict.fromkeys(f.note for f in self.flags if f.note))

    def cells(self) -> dict[str, Cell]:
        """The row with :data:`EXTRA_COLUMNS`: the CSV and JSON twins' row."""
        interval = self.shown_interval
        return {**self.row,
                "design_label": self.text("design_label"), "design_basis_label": self.text("design_basis_label"),
                "assignment_basis_label": self.text("assignment_basis_label"), "site_label": self.text("site_label"),
                "inconsistency": "true" if self.flags else "false",
                "inconsistency_notes": "\n".join(self.notes) or None,
                "wilson_lower_percent": interval[0] if interval else None,
                "wilson_upper_percent": interval[1] if interval else None}


@dataclass
class OutcomeSection:
    """The findings of one outcome, by arm, with its forest plot (``None`` when it has no proportion)."""

    outcome: str | None
    label: str
    category: str | None
    polarity: str | None
    arms: list[tuple[str, list[Finding]]]
    plot: Plot | None

    @property
    def anchor(self) -> str:
        """The section's HTML id, from the outcome IRI's last segment."""
        tail = (self.outcome or "no-outcome").rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return "outcome-" + re.sub(r"[^A-Za-z0-9_-]+", "-", tail)

    @property
    def findings(self) -> list[Finding]:
        """Every finding of the section, arm by arm."""
        return [finding for _, arm in self.arms for finding in arm]


def findings(store: ox.Store) -> tuple[list[Column], list[Finding]]:
    """The results table's columns (with :data:`EXTRA_COLUMNS`) and one :class:`Finding` per result."""
    table = results_table(store)
    found = {str(row["result"]): Finding(row) for row in table.rows}
    for solution in select(store, DETAILS):
        finding = found.get(str(solution["result"].value))
        for name in ("design", "design_basis", "assignment_basis", "site", "category", "polarity"):
            term = solution[name]
            key = name if name in ("category", "polarity") else name + "_label"
            if finding is not None and term is not None:
                finding.details.setdefault(key, set()).add(term.value)
    for solution in select(store, FLAGS):
        finding = found.get(str(solution["result"].value))
        note = solution["note"]
        if finding is not None:
            flagged = str(solution["flagged"].value)
            finding.flags.append(Flag(flagged, flagged == finding.result, None if note is None else note.value))
    for finding in found.values():
        finding.flags.sort(key=lambda f: (not f.on_result, f.flagged, f.note or ""))
    return [*table.columns, *EXTRA_COLUMNS], list(found.values())


def plotted(finding: Finding) -> PlottedProportion:
    """A proportion as the forest plot draws it, with a title naming study, arm, events/n and interval."""
    counts, interval, shown = finding.counts, finding.interval, finding.shown_interval
    if counts is None or interval is None or shown is None:
        raise ValueError(f"{finding.result} is not a proportion with an interval: nothing to plot")
    (events, total), (lower, upper), (low, high) = counts, interval, shown
    study = f"Reference {finding.row['reference_number']}"
    arm = finding.text("arm_label") or "arm not stated"
    stated = finding.row.get("stated_percentage")
    title = (f"{study}, {arm}{', ' + finding.context if finding.context else ''}: {events}/{total}"
             f"{f' (stated {stated}%)' if stated is not None else ''}; {WILSON_LABEL}: {low}% to {high}%"
             f"{'; inconsistency flagged: ' + ' '.join(finding.notes) if finding.flags else ''}")
    detail = shorten(finding.context or finding.text("design_label") or "", DETAIL_WIDTH, placeholder="…")
    label = f"Ref {finding.row['reference_number']} · {events}/{total}{' · ' + detail if detail else ''}"
    return PlottedProportion(finding.result, events, total, lower, upper, label + (" †" if finding.flags else ""),
                             title, bool(finding.flags))


def order(finding: Finding) -> tuple[int, str]:
    """Findings within an arm: by citation number, then result IRI."""
    number = finding.row.get("reference_number")
    return (number if isinstance(number, int) else 1 << 30, finding.result)


def sections(found: list[Finding]) -> list[OutcomeSection]:
    """The findings grouped by outcome (by label), then arm (by label, "arm not stated" last)."""
    by_outcome: dict[str | None, list[Finding]] = defaultdict(list)
    for finding in found:
        by_outcome[finding.text("outcome")].append(finding)
    made = []
    for outcome, members in by_outcome.items():
        by_arm: dict[str, list[Finding]] = defaultdict(list)
        for finding in members:
            by_arm[finding.text("arm_label") or ""].append(finding)
        arms = [(arm or "arm not stated", sorted(by_arm[arm], key=order))
                for arm in sorted(by_arm, key=lambda a: (a == "", a))]
        groups = [ArmGroup(arm, [plotted(f) for f in items if f.counts]) for arm, items in arms]
        first = members[0]
        made.append(OutcomeSection(outcome, first.text("outcome_label") or outcome or "outcome not stated",
                                   first.text("category"), first.text("polarity"), arms,
                                   forest_plot(groups) if any(g.proportions for g in groups) else None))
    return sorted(made, key=lambda s: (s.label.casefold(), s.outcome or ""))


def twin_table(columns: list[Column], ordered: list[OutcomeSection]) -> ResultsTable:
    """The page's rows as a :class:`ResultsTable` (page order), for the CSV and JSON twins."""
    return ResultsTable(tuple(columns), [finding.cells() for section in ordered for finding in section.findings])
