"""The conformance report: counts per category, the bar, known failures, JSON.

The bar: at least ``min_query_pass`` of the applicable (non-entailment,
non-SERVICE) query-evaluation tests pass — typed literals compared by value
(``literal_equality="value"``, the default, as Oxigraph's own W3C test
harness compares them) or every literal as an RDF term (``"term"``); the
report always prints both figures — and every applicable protocol and
Graph Store Protocol test passes. By value is the default because the
difference is the store, not query evaluation: pyoxigraph keeps typed
literals as values and returns their canonical forms (``"1.0"^^xsd:decimal``
as ``"1"``), which the suite's expected results, written in the data's
lexical forms, count as different terms; the by-term figure is printed
beside it so the deviation stays visible. Known failures still count as failures;
the list only explains them, and a listed test that passes is reported so
that the list is kept true.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .outcome import Outcome

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package (a dependency there)
    import tomli as tomllib

from .settings import DEFAULT_LITERAL_EQUALITY

KNOWN_FAILURES = Path(__file__).with_name("known_failures.toml")
PROTOCOL_CATEGORIES = ("protocol", "graph-store")


def known_failures(server: str, path: Path = KNOWN_FAILURES) -> dict[str, str]:
    """The known failures of ``server`` (a table of the TOML file): test id → explanation."""
    with path.open("rb") as handle:
        table = tomllib.load(handle)
    return {str(key): str(value) for key, value in table.get(server, {}).items()}


@dataclass
class Report:
    """All outcomes of one run against one endpoint, and the bar they are held to."""

    endpoint: str
    server: str
    outcomes: list[Outcome]
    min_query_pass: float
    parts: tuple[str, ...]
    seconds: float = 0.0
    known: dict[str, str] = field(default_factory=dict)
    literal_equality: str = DEFAULT_LITERAL_EQUALITY

    def mark_known(self) -> None:
        """Attach the known-failure explanations to the outcomes they name."""
        for outcome in self.outcomes:
            outcome.known = self.known.get(outcome.id, "")

    def counts(self) -> dict[str, Counter[str]]:
        """Pass / fail / n/a counts per category, categories in first-seen order."""
        table: dict[str, Counter[str]] = {}
        for outcome in self.outcomes:
            table.setdefault(outcome.category, Counter())[outcome.status] += 1
        return table

    def applicable_query_tests(self) -> list[Outcome]:
        """The query-evaluation outcomes that apply (entailment and SERVICE tests do not)."""
        return [o for o in self.outcomes if o.category.startswith("query-eval/") and o.status != "n/a"]

    def query_pass_ratio(self, literal_equality: str | None = None) -> float | None:
        """Passed / applicable query-evaluation tests (by this report's literal equality), or ``None``."""
        applicable = self.applicable_query_tests()
        if not applicable:
            return None
        mode = literal_equality or self.literal_equality
        return sum(o.passes(mode) for o in applicable) / len(applicable)

    def protocol_failures(self) -> list[Outcome]:
        """Failed protocol and Graph Store Protocol tests."""
        return [o for o in self.outcomes if o.category in PROTOCOL_CATEGORIES and o.status == "fail"]

    def now_passing(self) -> list[Outcome]:
        """Listed known failures that passed in this run."""
        return [o for o in self.outcomes if o.known and o.status == "pass"]

    def bar_met(self) -> bool:
        """True when the query-evaluation ratio and the protocol tests meet the bar."""
        ratio = self.query_pass_ratio()
        query_ok = "query" not in self.parts or ratio is None or ratio >= self.min_query_pass
        return query_ok and not self.protocol_failures()

    def as_json(self) -> dict[str, object]:
        """The report as a JSON object."""
        return {
            "endpoint": self.endpoint,
            "server": self.server,
            "seconds": round(self.seconds, 2),
            "categories": {name: dict(counter) for name, counter in self.counts().items()},
            "totals": dict(sum(self.counts().values(), Counter())),
            "query_pass_ratio": self.query_pass_ratio(),
            "query_pass_ratio_by_term": self.query_pass_ratio("term"),
            "query_pass_ratio_by_value": self.query_pass_ratio("value"),
            "literal_equality": self.literal_equality,
            "min_query_pass": self.min_query_pass,
            "protocol_failures": len(self.protocol_failures()),
            "bar_met": self.bar_met(),
            "known_failures_now_passing": [o.id for o in self.now_passing()],
            "tests": [o.as_json() for o in self.outcomes],
        }

    def lines(self) -> list[str]:
        """The report as text lines: the table, failures, known failures, the verdict."""
        lines = [f"W3C SPARQL 1.1 conformance of {self.endpoint} ({self.server})", "",
                 f"{'category':<34} {'pass':>5} {'fail':>5} {'n/a':>5}"]
        for name, counter in self.counts().items():
            lines.append(f"{name:<34} {counter['pass']:>5} {counter['fail']:>5} {counter['n/a']:>5}")
        total = sum(self.counts().values(), Counter())
        lines.append(f"{'total':<34} {total['pass']:>5} {total['fail']:>5} {total['n/a']:>5}")
        lines += self._failure_lines() + self._verdict_lines()
        return lines

    def _failure_lines(self) -> list[str]:
        """One line per failure (known ones with their explanation) and per now-passing known failure."""
        lines = []
        failures = [o for o in self.outcomes if o.status == "fail"]
        if failures:
            lines += ["", "failures:"]
            for o in failures:
                lines.append(f"  {o.id}: {o.note}" + (f"  [known: {o.known}]" if o.known else ""))
        for o in self.now_passing():
            lines.append(f"  known failure now passes, remove it from known_failures.toml: {o.id}")
        refused = sum("read-only" in o.note for o in self.outcomes if o.status == "pass")
        if refused:
            lines += ["", f"{refused} update / graph-store write tests passed by being refused "
                          "as specified for a read-only service"]
        return lines

    def _verdict_lines(self) -> list[str]:
        """The query-evaluation ratio, the protocol result and whether the bar is met."""
        lines = [""]
        applicable = self.applicable_query_tests()
        if applicable:
            lines.append(f"query evaluation ({len(applicable)} applicable tests; entailment and SERVICE "
                         f"not applicable; bar {self.min_query_pass:.0%}, literals compared {self._by()}):")
            for mode, how in (("term", "literals as RDF terms"), ("value", "typed literals by value")):
                passed = sum(o.passes(mode) for o in applicable)
                lines.append(f"  {how + ':':<25} {passed}/{len(applicable)} pass ({passed / len(applicable):.1%})")
        if any(o.category in PROTOCOL_CATEGORIES for o in self.outcomes):
            lines.append(f"protocol: {len(self.protocol_failures())} applicable test(s) fail")
        lines.append(f"{'bar met' if self.bar_met() else 'BELOW THE BAR'} ({self.seconds:.1f} s)")
        return lines

    def _by(self) -> str:
        """How literals are compared for the bar, in words."""
        return "as RDF terms" if self.literal_equality == "term" else "by value"
