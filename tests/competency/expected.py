"""Expected answers of the competency queries (``tests/competency/*.rq``), checked by ``tests/test_competency.py``.

Every number is copied from the source text (graph/ultrasound-imaging-for-cervical-injections.txt),
not from the graph: a table of rows in the query's column order (compared row for row when the query
has ORDER BY), or a check function for answers that also hold the source's words.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from spine_evidence.quotes import load_source_text, normalise

D = Decimal

# How often the text cites each reference, counted by hand in the source text ("(7)" four times, ...).
TIMES_CITED = {1: 2, 2: 2, 3: 2, 4: 2, 5: 1, 6: 1, 7: 4, 8: 2, 9: 1, 10: 1, 11: 1, 12: 1, 13: 3, 14: 1}

PLACEMENT_OUTCOMES = [
    ("outcome:pain-improvement-50-percent", "se:effectiveness", "se:higher-is-better"),
    ("outcome:pain-relief", "se:effectiveness", "se:higher-is-better"),
    ("outcome:vas-pain-score", "se:effectiveness", "se:higher-is-worse"),
    ("outcome:epidural-spread", "se:injectate-spread", "se:higher-is-better"),
    ("outcome:spread-pattern", "se:injectate-spread", "se:no-preferred-direction"),
    ("outcome:correct-placement", "se:placement-accuracy", "se:higher-is-better"),
    ("outcome:needle-at-target", "se:placement-accuracy", "se:higher-is-better"),
    ("outcome:successful-injection", "se:placement-accuracy", "se:higher-is-better"),
    ("outcome:target-missed", "se:placement-accuracy", "se:higher-is-worse"),
    ("outcome:intravascular-injection-detected", "se:safety-event", "se:higher-is-worse"),
    ("outcome:spinal-cord-injury", "se:safety-event", "se:higher-is-worse"),
    ("outcome:vessel-in-foramen", "se:vessel-detection", "se:no-preferred-direction"),
]
NEEDLE, MISSED, CORRECT = "outcome:needle-at-target", "outcome:target-missed", "outcome:correct-placement"
AP, OBLIQUE = "view:anteroposterior", "view:lateral-oblique"
IV, VAS = "outcome:intravascular-injection-detected", "outcome:vas-pain-score"
US, FL = "mod:ultrasound", "mod:fluoroscopy"
SPREAD, EPIDURAL = "outcome:spread-pattern", "outcome:epidural-spread"
TEXT, ABSTRACT, CURATOR = "se:source-text", "se:matched-abstract", "se:curator-judgement"
SOURCE = "src:ultrasound-imaging-for-cervical-injections.txt"
LEVEL, INTRAVASCULAR = "se:level-identification", "se:intravascular-injection-detection"
ARTERY, CEPHALAD = "tech:level-identification-vertebral-artery-entry", "tech:level-identification-cephalad"


def claim(slug: str) -> str:
    return f"claim:{slug}"


EXPECTED: dict[str, list[tuple] | Callable[[list[tuple]], None]] = {
    "01-outcomes-by-category-and-polarity": PLACEMENT_OUTCOMES,
    # "the target was missed in 4/34 cases": 34 - 4 reached it.
    "02-placement-accuracy-as-successes": [
        (1, MISSED, None, 34 - 4, 34), (2, NEEDLE, AP, 3, 10), (2, NEEDLE, OBLIQUE, 5, 10),
        (3, CORRECT, None, 82, 107), (7, NEEDLE, AP, 26, 55), (7, NEEDLE, OBLIQUE, 28, 55),
        (14, "outcome:successful-injection", None, 31, 40)],
    "03-safety-events-and-complications": [
        (4, "outcome:spinal-cord-injury", US, 1, None, None), (7, IV, FL, None, 4, 60), (7, IV, US, None, 0, 60)],
    "04-vessel-detection-by-design": [
        (5, "se:imaging-study", "site:c4-5-foramen", D("5.5")), (5, "se:imaging-study", "site:c5-6-foramen", D("12.1")),
        (5, "se:imaging-study", "site:c6-7-foramen", D("13.5")),
        (6, "se:anatomical-dissection", "site:cervical-neuroforamen", D("22.2"))],
    "05-effectiveness-results": [
        (7, VAS, "se:higher-is-worse", FL, "tp:baseline", D("6.1"), None, None, None),
        (7, VAS, "se:higher-is-worse", FL, "tp:12-weeks", D("2.6"), None, None, None),
        (7, VAS, "se:higher-is-worse", US, "tp:baseline", D("6.1"), None, None, None),
        (7, VAS, "se:higher-is-worse", US, "tp:12-weeks", D("2.6"), None, None, None),
        (8, "outcome:pain-improvement-50-percent", "se:higher-is-better", US, "tp:3-months", None, 46, 59, D(78)),
        (13, "outcome:pain-relief", "se:higher-is-better", US, "tp:7-days", D(53), None, None, None),
        (13, "outcome:pain-relief", "se:higher-is-better", US, "tp:30-days", D(13), None, None, None)],
    "06-spread-of-injectate": [
        (12, EPIDURAL, "se:imaging-study", D(1), 0, 53, None, None),
        (12, EPIDURAL, "se:imaging-study", D(4), None, None, D("24.5"), None),
        (13, SPREAD, "se:cadaveric", None, 30, 30, None, None),
        (13, EPIDURAL, "se:cadaveric", None, None, None, None, 0),  # "none achieved epidural spread"
        (13, SPREAD, "se:cohort", None, 10, 12, None, None),
        (13, SPREAD, "se:cohort", None, 2, 10, None, None)],
    # "82 of 107 (77%) attempts resulted in correct placement"; "a miss rate of greater than 20%".
    "07-results-beyond-the-authors-threshold": [
        (3, "result:ref-03-correct-placement", "se:greater-than", D(20), D(100) - D(77))],
    "09-threshold-judgements-behind-recommendations": [
        (claim("medial-branch-miss-rate-prohibitively-high"), "rec:1"),
        (claim("medial-branch-miss-rate-prohibitively-high"), "rec:2")],
    "10-techniques-by-role": [
        (INTRAVASCULAR, "tech:live-fluoroscopy-with-contrast"), (INTRAVASCULAR, "tech:negative-aspiration"),
        (LEVEL, CEPHALAD), (LEVEL, ARTERY), (LEVEL, "tech:standard-fluoroscopy-projections"),
        ("se:needle-guidance", "tech:parallel-probe-placement"),
        ("se:needle-guidance", "tech:perpendicular-probe-placement"),
        ("se:placement-confirmation", "tech:fluoroscopic-confirmation-of-needle-position"),
        ("se:procedure-documentation", "tech:fluoroscopic-image-retention")],
    "12-level-identification-without-stated-limitation": [("tech:standard-fluoroscopy-projections",)],
    "13-limitations-of-ultrasound-itself": [
        (INTRAVASCULAR, "se:not-shown-equivalent", claim("ultrasound-not-assumed-effective-for-vascular-uptake")),
        ("se:needle-guidance", "se:needle-tip-hard-to-see", claim("needle-tip-visualisation-harder-with-ultrasound")),
        ("se:vessel-identification", "se:insufficient-sensitivity",
         claim("ultrasound-may-lack-sensitivity-for-vulnerable-vessels"))],
    "14-studies-with-several-designs": [
        (13, "study:ref-13#cadaveric-part", "se:cadaveric", TEXT), (13, "study:ref-13#cohort-part", "se:cohort", TEXT)],
    "15-results-by-study-component": [
        (13, "se:cadaveric", "result:ref-13-cadaveric-epidural-spread", TEXT),
        (13, "se:cadaveric", "result:ref-13-cadaveric-spread-outside-foramen", TEXT),
        (13, "se:cohort", "result:ref-13-extra-neural-spread", ABSTRACT),
        (13, "se:cohort", "result:ref-13-pain-relief-30-days", TEXT),
        (13, "se:cohort", "result:ref-13-pain-relief-7-days", TEXT),
        (13, "se:cohort", "result:ref-13-scalene-spread", CURATOR)],
    "16-designs-resting-on-outside-material": [
        (1, "se:cadaveric", ABSTRACT, "pub:ref-01-candidate"), (2, "se:imaging-study", CURATOR, SOURCE),
        (3, "se:imaging-study", CURATOR, SOURCE), (5, "se:imaging-study", CURATOR, SOURCE),
        (7, "se:randomised-trial", ABSTRACT, "pub:ref-07-candidate"), (12, "se:imaging-study", CURATOR, SOURCE)],
    "17-facts-by-basis": [
        ("design", CURATOR, 4), ("design", ABSTRACT, 2), ("design", TEXT, 6),
        ("evidence line", CURATOR, 39), ("evidence line", TEXT, 26),
        ("result component", CURATOR, 1), ("result component", ABSTRACT, 1), ("result component", TEXT, 25)],
    "19-in-text-citations-per-reference": [(n, times) for n, times in TIMES_CITED.items()],
    "22-sentences-citing-several-references": [  # "(1)(2)(3)" and "(7)(8)"
        (claim("ultrasound-reported-as-alternative-guidance"), 1, 1),
        (claim("ultrasound-reported-as-alternative-guidance"), 2, 2),
        (claim("ultrasound-reported-as-alternative-guidance"), 3, 3),
        (claim("ultrasound-studies-rely-on-live-fluoroscopic-contrast"), 1, 7),
        (claim("ultrasound-studies-rely-on-live-fluoroscopic-contrast"), 2, 8)],
    "25-numbers-behind-recommendation-1b": [(7, IV, FL, 4, 60), (7, IV, US, 0, 60)],
    "26-recommendations-reaching-no-result": [],
    "27-authors-in-order": [
        (1, "agent:byron-j-schneider", "Byron J. Schneider, MD"), (2, "agent:adrian-popescu", "Adrian Popescu, MD"),
        (3, "agent:clark-c-smith", "Clark C. Smith, MD, MPH")],
    "28-first-author": [("agent:byron-j-schneider", "Byron J. Schneider, MD")],
    "29-head-to-head-comparisons-by-category": [
        (7, "se:safety-event", IV, "result:ref-07-intravascular-fluoroscopy", "result:ref-07-intravascular-ultrasound"),
        (7, "se:effectiveness", VAS, "result:ref-07-vas-fluoroscopy-12-weeks", "result:ref-07-vas-ultrasound-12-weeks"),
        (7, "se:effectiveness", VAS, "result:ref-07-vas-fluoroscopy-baseline", "result:ref-07-vas-ultrasound-baseline"),
        (12, "se:injectate-spread", EPIDURAL, "result:ref-12-epidural-spread-1-ml",
         "result:ref-12-epidural-spread-4-ml")],
    "30-gaps-by-outcome-category": [
        (claim("absence-of-case-reports-does-not-confer-safety"), "outcome:spinal-cord-injury", "se:safety-event"),
        (claim("no-literature-on-ultrasound-vessel-detection"), "outcome:vessel-in-foramen", "se:vessel-detection")],
    # "with 1 cc of injectate, epidural spread occurred in 0/53"
    "32-injectate-volume-compared-by-value": [("result:ref-12-epidural-spread-1-ml", D(1), 0, 53)],
    "33-outcomes-lacking-category-or-polarity": [],
    "34-results-outside-their-study-components": [],
    "35-citations-disagreeing-with-their-study": [],
    "36-uncertain-references-and-their-citations": [
        (3, "se:unresolved", TIMES_CITED[3]), (7, "se:probable-match", TIMES_CITED[7]),
        (8, "se:probable-match", TIMES_CITED[8]), (9, "se:unresolved", TIMES_CITED[9]),
        (10, "se:unresolved", TIMES_CITED[10]), (11, "se:unresolved", TIMES_CITED[11]),
        (13, "se:probable-match", TIMES_CITED[13])],
    "37-lowest-placement-success": [(2, "result:ref-02-needle-at-target-anteroposterior", 3, 10)],
    "38-percentages-stated-beside-counts": [(3, 82, 107, D(77)), (8, 46, 59, D(78)), (14, 31, 40, D(78))],
}


def in_source(words: str) -> bool:
    """Whether ``words`` are the source text's own (whitespace collapsed)."""
    return " ".join(words.split()) in normalise(load_source_text())


def check_thresholds(rows: list[tuple]) -> None:
    assert [r[:7] for r in rows] == [
        ("se:acceptability-limit", "se:greater-than", D(20), "percent", MISSED, "proc:cervical-medial-branch-block",
         claim("medial-branch-miss-rate-prohibitively-high")),
        ("se:responder-criterion", "se:greater-than-or-equal", D(50), "percent", "outcome:pain-improvement-50-percent",
         "proc:cervical-nerve-root-injection", claim("pain-improvement-46-of-59-at-3-months"))]
    assert [r[7] for r in rows] == ["a miss rate of greater than 20% is prohibitively high",
                                    "50% or more improvement in cervical radicular pain"]
    assert all(in_source(r[7]) for r in rows)


def check_limitations(rows: list[tuple]) -> None:
    assert [r[:4] for r in rows] == [
        (INTRAVASCULAR, US, "se:not-shown-equivalent", claim("ultrasound-not-assumed-effective-for-vascular-uptake")),
        (INTRAVASCULAR, "tech:negative-aspiration", "se:insufficient-specificity",
         claim("live-fluoroscopic-contrast-more-specific-than-aspiration")),
        (LEVEL, CEPHALAD, "se:no-saved-image", claim("ultrasound-level-identification-not-documented")),
        (LEVEL, ARTERY, "se:insufficient-specificity", claim("vertebral-artery-entry-technique-lacks-specificity")),
        (LEVEL, ARTERY, "se:no-saved-image", claim("ultrasound-level-identification-not-documented")),
        ("se:needle-guidance", US, "se:needle-tip-hard-to-see",
         claim("needle-tip-visualisation-harder-with-ultrasound")),
        ("se:vessel-identification", US, "se:insufficient-sensitivity",
         claim("ultrasound-may-lack-sensitivity-for-vulnerable-vessels"))]
    assert all(in_source(r[4]) for r in rows)
    assert "lack sufficient specificity due to anatomic variability" in rows[3][4]
    assert "lack a means of saving an ultrasound image" in rows[2][4]


def check_abstract_designs(rows: list[tuple]) -> None:
    # The claims whose own sentence cites (1) or (7), found in the source text, are among them.
    assert {(r[1], r[2]) for r in rows} == {(1, "se:cadaveric"), (7, "se:randomised-trial")}
    cited_in_own_words = {claim(s) for s in (
        "ultrasound-reported-as-alternative-guidance", "radiofrequency-probe-target-missed-4-of-34",
        "ultrasound-studies-rely-on-live-fluoroscopic-contrast",
        "intravascular-injection-fluoroscopy-versus-ultrasound",
        "needle-at-target-28-and-26-of-55", "equal-vas-improvement-ultrasound-and-fluoroscopy")}
    assert cited_in_own_words <= {r[0] for r in rows}
    assert claim("fact-fluoroscopy-remains-best-evidence-based-modality") in {r[0] for r in rows}
    assert len(rows) == 13


def check_reference_7(rows: list[tuple]) -> None:
    assert [r[1] for r in rows] == [claim(s) for s in (
        "ultrasound-studies-rely-on-live-fluoroscopic-contrast",
        "intravascular-injection-fluoroscopy-versus-ultrasound",
        "needle-at-target-28-and-26-of-55", "equal-vas-improvement-ultrasound-and-fluoroscopy")]
    assert [r[2] for r in rows] == [1, 1, 1, 1]
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    for _, _, _, words in rows:
        assert "(7)" in words and in_source(words)
    assert "4/60" in rows[1][3] and "28/55" in rows[2][3] and "6.1 to 2.6" in rows[3][3]


UNCITED_LINES = {  # (statement, reference) joined by a line although the statement's own sentence cites no "(N)"
    ("available-evidence-suggests-inferior-ultrasound-placement-accuracy", n) for n in (1, 2, 3, 7)} | {
    ("concerns-about-ultrasound-needle-placement-accuracy", n) for n in (1, 2, 3, 7, 14)} | {
    ("distinct-safety-considerations", n) for n in (4, 5, 6, 7, 9)} | {
    ("epidural-spread-less-likely-with-ultrasound", n) for n in (12, 13)} | {
    ("fact-fluoroscopy-remains-best-evidence-based-modality", n) for n in (1, 2, 3, 7)} | {
    ("ultrasound-injections-are-nerve-root-injections", n) for n in (12, 13)} | {
    ("medial-branch-miss-rate-prohibitively-high", 3), ("ultrasound-not-assumed-effective-for-vascular-uptake", 9),
    ("ultrasound-vessel-incidence-lower-than-dissection", 5)}


def check_uncited_lines(rows: list[tuple]) -> None:
    assert {(r[0].removeprefix("claim:"), r[1]) for r in rows} == UNCITED_LINES
    assert len(rows) == len(UNCITED_LINES)


def check_citations_versus_lines(rows: list[tuple]) -> None:
    assert [(r[0], r[1]) for r in rows] == list(TIMES_CITED.items())
    assert all(lines >= cited for _, cited, lines in rows)
    assert sum(r[2] for r in rows) > sum(TIMES_CITED.values())  # lines outnumber what the text cites


CHAIN_NUMBERS = {  # recommendation → (citation, numbers) that must stand behind it, as the text states them
    "rec:1": {(2, 5, 10), (2, 3, 10), (7, 28, 55), (7, 26, 55), (3, 82, 107), (1, 4, 34)},
    "rec:1a": {(2, 5, 10), (2, 3, 10), (7, 28, 55), (7, 26, 55), (3, 82, 107)},
    "rec:1b": {(7, 4, 60), (7, 0, 60)},
    "rec:2": {(2, 5, 10), (2, 3, 10), (7, 28, 55), (7, 26, 55), (3, 82, 107), (1, 4, 34), (14, 31, 40), (8, 46, 59),
              (7, D("6.1")), (7, D("2.6")), (13, D(53)), (13, D(13))},
    "rec:3": {(4, 1), (7, 4, 60), (7, 0, 60), (5, D("5.5")), (5, D("12.1")), (5, D("13.5")), (6, D("22.2"))},
    "rec:3a": {(4, 1)},
}


def check_chains(rows: list[tuple]) -> None:
    found: dict[str, set] = {}
    for rec, _, citation, _, numerator, denominator, percent, mean, count in rows:
        numbers = (numerator, denominator) if numerator is not None else (percent,) if percent is not None else \
            (mean,) if mean is not None else (count,)
        found.setdefault(rec, set()).add((citation, *numbers))
    assert set(found) == set(CHAIN_NUMBERS)
    for rec, numbers in CHAIN_NUMBERS.items():
        assert numbers <= found[rec], (rec, numbers - found[rec])


def check_gaps(rows: list[tuple]) -> None:
    by_rec: dict[str, set[str]] = {}
    for rec, gap in rows:
        by_rec.setdefault(rec, set()).add(gap)
    assert set(by_rec) == {"rec:1", "rec:1b", "rec:2", "rec:3"}
    assert by_rec["rec:1b"] == {claim("no-literature-on-ultrasound-vessel-detection")}
    assert claim("no-cohorts-to-define-complication-incidence") in by_rec["rec:3"]
    assert len(by_rec["rec:2"]) == 6


EXPECTED.update({
    "08-stated-thresholds-with-their-words": check_thresholds,
    "11-stated-limitations-of-techniques": check_limitations,
    "18-claims-on-designs-from-abstracts": check_abstract_designs,
    "20-where-reference-7-is-cited": check_reference_7,
    "21-evidence-lines-the-text-does-not-cite": check_uncited_lines,
    "23-citations-versus-evidence-lines": check_citations_versus_lines,
    "24-recommendation-chains-to-results": check_chains,
    "31-gaps-behind-each-recommendation": check_gaps,
})
