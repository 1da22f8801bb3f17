"""N-Triples terms and the shared nodes of the model, as the synthetic corpus writes them.

Every IRI comes from ``spine_evidence.namespaces`` (the contract in ``docs/MODEL.md``);
terms are formatted once here so the generator can stream lines without an RDF library.
"""

from __future__ import annotations

from decimal import Decimal

from spine_evidence import namespaces as ns

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def iri(namespace, local: str = "") -> str:
    """An IRI term ``<…>`` for ``namespace`` + ``local``."""
    return f"<{namespace}{local}>"


def literal(text: str) -> str:
    """A plain ``xsd:string`` literal, escaped for N-Triples."""
    return '"' + text.translate(_ESCAPES) + '"'


def english(text: str) -> str:
    """An English (``@en``) literal, as the shapes ask of every label of our kinds."""
    return literal(text) + "@en"


def typed(value, datatype: str) -> str:
    """A typed literal with an ``xsd:`` datatype local name (``integer``, ``decimal``, …)."""
    return f'"{value}"^^<{XSD}{datatype}>'


def decimal(value: Decimal | float | str) -> str:
    """An ``xsd:decimal`` literal in canonical form (``6.1``, ``77``; never ``77.0``), as the store keeps it."""
    text = str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return typed(text, "decimal")


def se(local: str) -> str:
    """A term of our ontology, ``se:local``."""
    return iri(ns.SE, local)


SEPIO_SUPPORTING = iri(ns.SEPIO, "0000403")
SEPIO_DISPUTING = iri(ns.SEPIO, "0000404")
SEPIO_INCONCLUSIVE = iri(ns.SEPIO, "0000405")
DIRECTION_PROPERTY = {
    SEPIO_SUPPORTING: se("hasSupportingEvidenceLine"),
    SEPIO_DISPUTING: se("hasDisputingEvidenceLine"),
    SEPIO_INCONCLUSIVE: se("hasInconclusiveEvidenceLine"),
}

# Study designs: the closed list, the class the reasoner infers, and its superclass.
DESIGN_CLASSES = {
    "randomised-trial": ("RandomisedTrial", iri(ns.SEPIO, "0000069")),
    "cohort": ("CohortStudy", iri(ns.SEPIO, "0000070")),
    "cadaveric": ("CadavericStudy", None),
    "case-report": ("CaseReport", iri(ns.SEPIO, "0000143")),
    "anatomical-dissection": ("AnatomicalDissection", None),
    "imaging-study": ("ImagingStudy", None),
}

PROCEDURES = (
    "cervical-nerve-root-injection",
    "cervical-transforaminal-epidural-injection",
    "cervical-facet-intra-articular-injection",
    "cervical-medial-branch-block",
    "cervical-radiofrequency-neurotomy",
)
MODALITIES = ("ultrasound", "fluoroscopy")
TECHNIQUES = (
    "live-fluoroscopy-with-contrast",
    "negative-aspiration",
    "level-identification-vertebral-artery-entry",
    "level-identification-cephalad",
    "standard-fluoroscopy-projections",
    "parallel-probe-placement",
    "perpendicular-probe-placement",
    "fluoroscopic-image-retention",
)
PROPORTION_OUTCOMES = (
    "needle-at-target",
    "intravascular-injection-detected",
    "epidural-spread",
    "spread-pattern",
    "vessel-in-foramen",
    "correct-placement",
    "successful-injection",
    "target-missed",
    "pain-improvement-50-percent",
)
SITES = ("c4-5-foramen", "c5-6-foramen", "c6-7-foramen", "cervical-neuroforamen",
         "intertubercular-neural-groove", "cervical-medial-branch", "cervical-facet-joint")
VIEWS = ("lateral-oblique", "anteroposterior")
TIME_POINTS = {"7-days": (7, "day"), "30-days": (30, "day"), "12-weeks": (12, "week"),
               "3-months": (3, "month"), "baseline": (0, "day")}
OUTCOMES = PROPORTION_OUTCOMES + ("pain-relief", "vas-pain-score", "spinal-cord-injury")

SHARED_NODES = (
    ("Procedure", ns.PROC, PROCEDURES),
    ("ImageGuidanceModality", ns.MOD, MODALITIES),
    ("Technique", ns.TECH, TECHNIQUES),
    ("Outcome", ns.OUTCOME, OUTCOMES),
    ("AnatomicalSite", ns.SITE, SITES),
    ("RadiographicView", ns.VIEW, VIEWS),
    ("TimePoint", ns.TP, tuple(TIME_POINTS)),
)


def label_of(slug: str) -> str:
    """A readable label from a slug: ``c5-6-foramen`` → ``C5-6 foramen``."""
    words = slug.split("-")
    text = " ".join(words)
    for level in ("c4 5", "c5 6", "c6 7"):
        text = text.replace(level, level.replace(" ", "-").upper())
    return text.replace("c7", "C7").replace("intra articular", "intra-articular")


def shared_node_lines(with_labels: bool) -> list[str]:
    """Type every shared node (procedures, outcomes, …); label it and its time too when the graph does not."""
    lines = []
    for cls, namespace, slugs in SHARED_NODES:
        for slug in slugs:
            node = iri(namespace, slug)
            lines.append(f"{node} {RDF_TYPE} {se(cls)} .\n")
            if not with_labels:
                continue
            lines.append(f"{node} {RDFS_LABEL} {english(label_of(slug))} .\n")
            if cls == "TimePoint":
                value, unit = TIME_POINTS[slug]
                lines.append(f"{node} {se('timeValue')} {decimal(value)} .\n")
                lines.append(f"{node} {se('timeUnit')} {literal(unit)} .\n")
    return lines
