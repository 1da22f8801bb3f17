"""The outcome of one conformance test."""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("pass", "fail", "n/a")
# The note of a failure whose solutions match once typed literals are compared by value.
VALUES_EQUAL = "solutions differ only in the lexical forms of typed literals (their values are equal)"


@dataclass
class Outcome:
    """One test's id, category, status (``pass``, ``fail`` or ``n/a``) and a one-line note.

    ``known`` holds the explanation from ``known_failures.toml`` when the test
    is listed there.
    """

    id: str
    category: str
    status: str
    note: str = ""
    known: str = ""

    @property
    def values_equal(self) -> bool:
        """Whether this failure passes when typed literals are compared by value."""
        return self.status == "fail" and self.note == VALUES_EQUAL

    def passes(self, literal_equality: str = "term") -> bool:
        """Whether the test passes, literals compared as RDF terms (``term``) or by value (``value``)."""
        return self.status == "pass" or (literal_equality == "value" and self.values_equal)

    def as_json(self) -> dict[str, object]:
        """The outcome as a JSON object."""
        return {"id": self.id, "category": self.category, "status": self.status,
                "note": self.note, "known_failure": self.known or None,
                "passes_by_value": self.passes("value")}
