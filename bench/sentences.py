"""The words of a synthetic source text, in the FactFinder's own style.

Each function returns one sentence; the generator quotes it verbatim (``oa:exact``)
and puts it in the document's source text, so every quote is found there.
"""

from __future__ import annotations

import textwrap

from bench.terms import label_of

OUTCOME_PHRASES = {
    "needle-at-target": "the needle was found exactly at the target point",
    "intravascular-injection-detected": "intravascular injection was detected",
    "epidural-spread": "epidural spread occurred",
    "spread-pattern": "injectate spread along the nerve root in an extra-neural pattern",
    "vessel-in-foramen": "a blood vessel was seen in the foramen",
    "correct-placement": "the attempts resulted in correct placement",
    "successful-injection": "the injections were successful",
    "target-missed": "the target was missed",
    "pain-improvement-50-percent": "patients reported 50% or more improvement in radicular pain",
}


def plural(slug: str) -> str:
    """The plural of a procedure's label: ``… neurotomies``, ``… blocks``."""
    text = label_of(slug)
    return text[:-1] + "ies" if text.endswith("y") else text + "s"


def proportion_sentence(ref: int, procedure: str, outcome: str, arm: str,
                        numerator: int, denominator: int, percentage: str | None,
                        context: str) -> str:
    """A result stated as counts, with or without its percentage."""
    counts = f"{numerator}/{denominator}"
    if percentage is not None:
        counts += f" ({percentage}%)"
    return (f"In study {ref} of {plural(procedure)}{context}, "
            f"{OUTCOME_PHRASES[outcome]} in {counts} cases when {arm} was used ({ref}).")


def mean_sentence(ref: int, arm: str, baseline: str, final: str) -> str:
    """A mean pain score at baseline and at twelve weeks."""
    return (f"In study {ref}, mean VAS improved from {baseline} to {final} at 12 weeks "
            f"in the {arm} group ({ref}).")


def percentage_sentence(ref: int, percentage: str, days: int) -> str:
    """A percentage stated without counts."""
    return f"A cohort in study {ref} reported that the average pain relief was {percentage}% at {days} days ({ref})."


def count_sentence(ref: int, procedure: str) -> str:
    """A case report of a complication."""
    return (f"There is one available case report of spinal cord injury occurring during an "
            f"ultrasound-guided {label_of(procedure)} ({ref}).")


def finding_sentence(ref: int, procedure: str, modality: str, design: str) -> str:
    """What one cited study found, as the text reports it."""
    return (f"One {label_of(design)} study of {plural(procedure)} reported the accuracy "
            f"of {modality}-guided needle placement ({ref}).")


def judgement_sentence(number: int, procedure: str, refs: list[int]) -> str:
    """The authors' conclusion drawn from several cited studies."""
    cited = "".join(f"({r})" for r in refs)
    return (f"Conclusion {number}: the available evidence suggests inferior accuracy of "
            f"ultrasound-guided {plural(procedure)} compared with fluoroscopy {cited}.")


def fact_sentence(doc: str) -> str:
    """The Fact box."""
    return (f"Fact {doc}: there is a paucity of literature evaluating the safety, accuracy, and "
            "effectiveness of ultrasound-guided cervical spine procedures.")


def myth_sentence(doc: str) -> str:
    """The Myth box."""
    return (f"Myth {doc}: ultrasound imaging is a proven safe and effective alternative to "
            "fluoroscopy for cervical spine injections.")


def author_statement_sentence(technique: str) -> str:
    """An assertion of the authors for which no study is cited."""
    return f"The technique of {label_of(technique)} quickly and reliably identifies all relevant landmarks."


def gap_sentence(number: int, procedure: str) -> str:
    """A statement that evidence is absent."""
    return (f"There are no studies demonstrating clinical effectiveness of ultrasound-guided "
            f"{plural(procedure)} (gap {number}).")


def benefit_sentence(number: int) -> str:
    """A reported benefit of ultrasound."""
    benefits = ("avoidance of radiation exposure to the patient, staff, and physician",
                "real-time direct visualization of soft tissue structures such as nerves and vessels")
    return f"Reported benefit {number} of ultrasound is {benefits[number % 2]}."


def recommendation_sentence(label: str, procedure: str, direction: str) -> str:
    """The words of one recommendation."""
    verb = "combine ultrasound with fluoroscopy" if direction == "for" else "rely on ultrasound alone"
    return f"Recommendation {label}: it is recommended to {verb} for {plural(procedure)}."


def source_text(title: str, sentences: list[str]) -> str:
    """The whole source text: a title, then paragraphs of wrapped sentences."""
    paragraphs = [" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
    body = "\n\n".join(textwrap.fill(p, width=60, break_long_words=False, break_on_hyphens=False)
                       for p in paragraphs)
    return f"{title}\n\n{body}\n"
