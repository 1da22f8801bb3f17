"""The outcome of one conformance test."""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("pass", "fail", "n/a")


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

    def as_json(self) -> dict:
        """The outcome as a JSON object."""
        return {"id": self.id, "category": self.category, "status": self.status,
                "note": self.note, "known_failure": self.known or None}
