"""Headings for the relations that point at a resource: "results of this study", "claims based on this".

A resource page lists the triples ``(x, P, resource)`` grouped by ``P``.
Each group is headed by the inverse of ``P`` as the ontology names it
(``owl:inverseOf``: "sub-recommendation of") when it declares one, else by a
phrase built from ``P``'s label, the kind of the resources ``x`` and the kind
of the resource (:func:`inverse_heading`), the one place where such phrases are made:

- a preposition first ("of study", "about outcome"): *results of this study*;
- a participle ("based on", "was derived from"): *recommendations based on this statement*;
- a verb ("cites result", "measures outcome", "cites as evidence"):
  *evidence lines that cite this result*, *documents that cite this study as evidence*;
- "has …": *claims that have this evidence line as supporting evidence line*;
- a noun ("arm", "studied procedure"): *results with this modality as arm*.
"""

from __future__ import annotations

PREPOSITIONS = frozenset({"about", "at", "by", "for", "from", "in", "of", "on", "to", "with", "within", "under"})
HAVE = frozenset({"has", "have", "had"})
IRREGULAR_PLURALS = {"person": "people", "evidence": "evidence", "analysis": "analyses", "datum": "data"}


def plural(noun: str) -> str:
    """The plural of an English noun phrase (its last word): study → studies, evidence line → evidence lines."""
    head, _, last = noun.rpartition(" ")
    if last in IRREGULAR_PLURALS:
        word = IRREGULAR_PLURALS[last]
    elif last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        word = last[:-1] + "ies"
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        word = last + "es"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def this(kind: str | None) -> str:
    """"this study", or "this" when the resource's kind is unknown."""
    return f"this {kind}" if kind else "this"


def is_verb(word: str) -> bool:
    """Whether a property label's first word reads as a verb in the third person ("cites", "measures")."""
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def phrase(label: str, subjects: str, kind: str | None) -> str:
    """The inverse reading of a property labelled ``label``: ``subjects`` (plural) related to this ``kind``."""
    words = label.split()
    if not words:
        return f"{subjects} that point to {this(kind)}"
    first, rest = words[0], " ".join(words[1:])
    if first in PREPOSITIONS:
        return f"{subjects} {first} {this(kind)}"
    if first in ("was", "were", "is", "are"):
        return phrase(rest, subjects, kind) if rest else f"{subjects} {label} {this(kind)}"
    if first.endswith("ed") and len(words) > 1 and words[-1] in PREPOSITIONS:
        return f"{subjects} {label} {this(kind)}"
    if first in HAVE:
        return f"{subjects} that have {this(kind)}" + (f" as {rest}" if rest and rest != kind else "")
    if is_verb(first):
        verb = first[:-2] if first.endswith(("ches", "shes", "sses")) else first[:-1]
        adverbial = rest if rest and rest.split()[0] in PREPOSITIONS | {"as"} else ""
        return f"{subjects} that {verb} {this(kind)}" + (f" {adverbial}" if adverbial else "")
    if words[-1] in PREPOSITIONS:
        return f"{subjects} that are a {label} {this(kind)}"
    return f"{subjects} with {this(kind)} as {label}"


def inverse_heading(label: str, subject_kind: str | None, kind: str | None, inverse_label: str | None) -> str:
    """The heading of the resources ``x`` of the triples ``(x, P, resource)``, ``P`` labelled ``label``.

    ``inverse_label``: the label of ``P``'s declared inverse, when the ontology
    declares one; ``subject_kind``: the kind the resources ``x`` share (singular);
    ``kind``: the resource's own kind.
    """
    subjects = plural(subject_kind) if subject_kind else "resources"
    text = inverse_label or phrase(label, subjects, kind)
    return text[:1].upper() + text[1:]
