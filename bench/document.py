"""One synthetic FactFinder: its triples (N-Triples lines) and the source text they quote.

A document ``s000042`` has 14 numbered studies, results with measured values, study
findings, author judgements (one of them the Fact), the Myth, an author statement, evidence
gaps, reported benefits and recommendations with sub-recommendations, all named as in
``docs/MODEL.md`` (``study:s000042-ref-07``, ``line:s000042-finding-ref-07--ref-07``, …).
Everything is drawn from ``random.Random(f"{seed}:{index}")``, so a document is the same
whatever the corpus size and documents can be made in any order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bench import sentences as say
from bench.terms import (
    DESIGN_CLASSES,
    DIRECTION_PROPERTY,
    MODALITIES,
    PROCEDURES,
    PROPORTION_OUTCOMES,
    RDF_TYPE,
    RDFS_LABEL,
    SEPIO_DISPUTING,
    SEPIO_INCONCLUSIVE,
    SEPIO_SUPPORTING,
    TECHNIQUES,
    english,
    iri,
    literal,
    se,
)
from bench.values import draw_results, value_lines
from spine_evidence import namespaces as ns

PROV_DERIVED = iri(ns.PROV, "wasDerivedFrom")
PROV_QUOTED = iri(ns.PROV, "wasQuotedFrom")
STATEMENT_CLASSES = {
    "StudyFinding": ("StudyFinding", "Claim", "Statement"),
    "AuthorJudgement": ("AuthorJudgement", "Claim", "Statement"),
    "Fact": ("Fact", "AuthorJudgement", "Claim", "Statement"),
    "AuthorStatement": ("AuthorStatement", "Statement"),
    "EvidenceGap": ("EvidenceGap", "Statement"),
    "Myth": ("Myth", "Statement"),
    "ReportedBenefit": ("ReportedBenefit", "Statement"),
}
DESIGN_WEIGHTS = {"randomised-trial": 2, "cohort": 4, "cadaveric": 3, "case-report": 1,
                  "anatomical-dissection": 1, "imaging-study": 3}
STRENGTHS = ("strong-match", "strong-match", "probable-match", "unresolved")
# docs/MODEL.md: a finding's line is clinical study evidence for a study on patients, medical
# imaging evidence for an imaging study, a traceable author statement otherwise.
FINDING_EVIDENCE_TYPE = {"randomised-trial": "0000180", "cohort": "0000180", "case-report": "0000180",
                         "imaging-study": "0001097", "cadaveric": "0000033",
                         "anatomical-dissection": "0000033"}
RECOMMENDATIONS = (("1", ("1a", "1b")), ("2", ()), ("3", ("3a",)))


@dataclass
class Document:
    """The triples and words of one synthetic document, and the IRIs queries are drawn from."""

    slug: str
    lines: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    studies: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    claims: dict[str, list[str]] = field(default_factory=dict)
    recommendations: list[str] = field(default_factory=list)

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Append one triple (terms already in N-Triples form)."""
        self.lines.append(f"{subject} {predicate} {obj} .\n")

    @property
    def iri(self) -> str:
        return iri(ns.DOC, f"synthetic-{self.slug}")

    @property
    def source(self) -> str:
        return iri(ns.SRC, f"synthetic-{self.slug}.txt")

    @property
    def text(self) -> str:
        """The source text every ``oa:exact`` of this document is found in."""
        return say.source_text(f"Synthetic FactFinder {self.slug}", self.sentences)

    def quote(self, thing: str, slug: str, words: str) -> None:
        """Give ``thing`` provenance and an ``oa:Annotation`` selecting ``words`` in the source."""
        self.sentences.append(words)
        annotation = iri(ns.QUOTE, f"{self.slug}-{slug}")
        target = iri(ns.QUOTE, f"{self.slug}-{slug}#target")
        selector = iri(ns.QUOTE, f"{self.slug}-{slug}#selector")
        self.add(thing, se("hasQuote"), annotation)
        self.add(thing, PROV_DERIVED, self.iri)
        self.add(thing, PROV_QUOTED, self.source)
        self.add(annotation, RDF_TYPE, iri(ns.OA, "Annotation"))
        self.add(annotation, iri(ns.OA, "hasBody"), thing)
        self.add(annotation, iri(ns.OA, "hasTarget"), target)
        self.add(target, iri(ns.OA, "hasSource"), self.source)
        self.add(target, iri(ns.OA, "hasSelector"), selector)
        self.add(selector, RDF_TYPE, iri(ns.OA, "TextQuoteSelector"))
        self.add(selector, iri(ns.OA, "exact"), literal(words))


def synthetic_document(seed: int, index: int) -> Document:
    """Make document number ``index`` (from 1) of the corpus drawn from ``seed``."""
    rng = random.Random(f"{seed}:{index}")
    doc = Document(slug=f"s{index:06d}")
    add_document(doc)
    designs = [rng.choices(list(DESIGN_WEIGHTS), list(DESIGN_WEIGHTS.values()))[0] for _ in range(14)]
    for ref, design in enumerate(designs, start=1):
        add_study(doc, rng, ref, design)
    findings = add_findings(doc, rng, designs)
    judgements = add_judgements(doc, rng)
    gaps = add_statements(doc, rng, judgements)
    add_recommendations(doc, rng, findings + judgements + gaps)
    return doc


def add_document(doc: Document) -> None:
    """The guidance document, its source text and its committee."""
    doc.add(doc.iri, RDF_TYPE, se("GuidanceDocument"))
    doc.add(doc.iri, RDF_TYPE, iri(ns.FABIO, "ReportDocument"))
    doc.add(doc.iri, iri(ns.DCTERMS, "title"), literal(f"Synthetic FactFinder {doc.slug}"))
    doc.add(doc.iri, RDFS_LABEL, english(f"Synthetic FactFinder {doc.slug}"))
    doc.add(doc.iri, iri(ns.PROV, "wasAttributedTo"), iri(ns.AGENT, "sis-patient-safety-committee"))
    doc.add(doc.source, RDF_TYPE, se("SourceText"))
    doc.add(doc.source, RDFS_LABEL, english(f"Source text of synthetic FactFinder {doc.slug}"))


def add_study(doc: Document, rng: random.Random, ref: int, design: str) -> None:
    """A numbered study with its design, identification and results."""
    study = iri(ns.STUDY, f"{doc.slug}-ref-{ref:02d}")
    procedure, modality = rng.choice(PROCEDURES), rng.choice(MODALITIES)
    doc.studies.append(study)
    doc.add(doc.iri, iri(ns.CITO, "citesAsEvidence"), study)
    doc.add(study, RDF_TYPE, se("Study"))
    doc.add(study, RDF_TYPE, se(DESIGN_CLASSES[design][0]))
    doc.add(study, RDFS_LABEL, english(f"Reference {ref} of synthetic FactFinder {doc.slug}"))
    doc.add(study, se("citationNumber"), f'"{ref}"^^<http://www.w3.org/2001/XMLSchema#integer>')
    doc.add(study, se("studyDesign"), se(design))
    doc.add(study, se("studiedProcedure"), iri(ns.PROC, procedure))
    doc.add(study, se("studiedModality"), iri(ns.MOD, modality))
    doc.add(study, se("sampleDescription"), literal(f"{rng.randint(10, 120)} patients"))
    add_identification(doc, rng, study, ref)
    for result in draw_results(rng, ref, design, procedure):
        add_result(doc, rng, study, result)


def add_identification(doc: Document, rng: random.Random, study: str, ref: int) -> None:
    """How strongly the study was matched to a publication, and the publication."""
    strength = rng.choice(STRENGTHS)
    doc.add(study, se("identificationStrength"), se(strength))
    if strength == "unresolved":
        return
    pub = iri(ns.PUB, f"{doc.slug}-ref-{ref:02d}-candidate")
    doc.add(study, se("matchedPublication"), pub)
    doc.add(study, se("identificationNote"), literal(f"synthetic {strength}"))
    doc.add(pub, RDF_TYPE, se("Publication"))
    doc.add(pub, RDF_TYPE, iri(ns.FABIO, "JournalArticle"))
    doc.add(pub, iri(ns.DCTERMS, "title"), literal(f"Synthetic paper {ref} of {doc.slug}"))
    doc.add(pub, RDFS_LABEL, english(f"Synthetic paper {ref} of {doc.slug}"))
    doc.add(pub, se("journal"), literal(rng.choice(("Pain Medicine", "Clinical Radiology"))))
    doc.add(pub, iri(ns.DCTERMS, "date"), f'"{rng.randint(1998, 2020)}"^^<http://www.w3.org/2001/XMLSchema#gYear>')
    doc.add(pub, iri(ns.BIBO, "doi"), literal(f"10.5555/{doc.slug}.{ref:02d}"))


def add_result(doc: Document, rng: random.Random, study: str, result) -> None:
    """One quantitative result of a study, its values and its quote."""
    node = iri(ns.RESULT, f"{doc.slug}-{result.slug}")
    doc.results.append(node)
    doc.add(node, RDF_TYPE, se("Result"))
    doc.add(node, RDFS_LABEL, english(result.label))
    doc.add(node, se("ofStudy"), study)
    doc.add(node, se("measuresOutcome"), iri(ns.OUTCOME, result.outcome))
    for predicate, obj in result.context:
        doc.add(node, se(predicate), obj)
    if result.compared_with:
        doc.add(node, se("comparedWith"), iri(ns.RESULT, f"{doc.slug}-{result.compared_with}"))
    for n, value in enumerate(result.values, start=1):
        suffix = "" if n == 1 else f"-{n}"
        value_node = iri(ns.VALUE, f"{doc.slug}-{result.slug}{suffix}")
        doc.add(node, se("hasValue"), value_node)
        doc.add(value_node, RDFS_LABEL, english(f"value of {result.label}"))
        doc.lines.extend(value_lines(value_node, value))
    doc.quote(node, result.slug, result.sentence)


def add_statement(doc: Document, kind: str, slug: str, words: str, about: dict[str, str]) -> str:
    """A statement of ``kind`` with its types, label, context and quote; returns its IRI."""
    node = iri(ns.CLAIM, f"{doc.slug}-{slug}")
    for cls in STATEMENT_CLASSES[kind]:
        doc.add(node, RDF_TYPE, se(cls))
    doc.add(node, RDFS_LABEL, english(words[:80]))
    for predicate, obj in about.items():
        doc.add(node, se(predicate), obj)
    doc.quote(node, slug, words)
    doc.claims.setdefault(kind, []).append(node)
    return node


def add_evidence_line(doc: Document, claim: str, claim_slug: str, ref: int | None,
                      direction: str, evidence_type: str, results: list[str] = ()) -> None:
    """An evidence line from ``claim`` to study ``ref`` (none for clinical experience)."""
    target = f"ref-{ref:02d}" if ref else "clinical-experience"
    line = iri(ns.LINE, f"{doc.slug}-{claim_slug}--{target}")
    doc.add(claim, DIRECTION_PROPERTY[direction], line)
    doc.add(claim, se("hasEvidenceLine"), line)
    doc.add(line, RDF_TYPE, se("EvidenceLine"))
    doc.add(line, RDFS_LABEL, english(f"evidence line of {claim_slug} from {target}"))
    doc.add(line, se("evidenceDirection"), direction)
    doc.add(line, se("evidenceType"), iri(ns.ECO, evidence_type))
    if ref:
        doc.add(line, se("fromStudy"), doc.studies[ref - 1])
    for result in results:
        doc.add(line, se("citesResult"), result)


def add_findings(doc: Document, rng: random.Random, designs: list[str]) -> list[str]:
    """One study finding per study that has results, supported by that study."""
    findings = []
    for ref, design in enumerate(designs, start=1):
        results = [r for r in doc.results if f"-ref-{ref:02d}-" in r]
        if not results:
            continue
        procedure, modality = rng.choice(PROCEDURES), rng.choice(MODALITIES)
        slug = f"finding-ref-{ref:02d}"
        about = {"aboutProcedure": iri(ns.PROC, procedure), "aboutModality": iri(ns.MOD, modality)}
        node = add_statement(doc, "StudyFinding", slug,
                             say.finding_sentence(ref, procedure, modality, design), about)
        evidence = FINDING_EVIDENCE_TYPE[design]
        add_evidence_line(doc, node, slug, ref, SEPIO_SUPPORTING, evidence, results)
        findings.append(node)
    return findings


def add_judgements(doc: Document, rng: random.Random) -> list[str]:
    """Three author judgements and the Fact, each from two or three studies."""
    judgements = []
    directions = (SEPIO_SUPPORTING, SEPIO_SUPPORTING, SEPIO_DISPUTING, SEPIO_INCONCLUSIVE)
    for number in range(1, 5):
        procedure = rng.choice(PROCEDURES)
        refs = sorted(rng.sample(range(1, 15), rng.randint(2, 3)))
        kind, slug = ("Fact", "fact") if number == 4 else ("AuthorJudgement", f"judgement-{number}")
        words = say.fact_sentence(doc.slug) if number == 4 else say.judgement_sentence(number, procedure, refs)
        about = {"aboutProcedure": iri(ns.PROC, procedure), "aboutModality": iri(ns.MOD, "ultrasound"),
                 "aboutOutcome": iri(ns.OUTCOME, rng.choice(PROPORTION_OUTCOMES))}
        node = add_statement(doc, kind, slug, words, about)
        for ref in refs:
            add_evidence_line(doc, node, slug, ref, rng.choice(directions), "0006016")
        judgements.append(node)
    return judgements


def add_statements(doc: Document, rng: random.Random, judgements: list[str]) -> list[str]:
    """The Myth, an author statement, two evidence gaps and two reported benefits."""
    ultrasound = {"aboutModality": iri(ns.MOD, "ultrasound")}
    myth = add_statement(doc, "Myth", "myth", say.myth_sentence(doc.slug), ultrasound)
    doc.add(myth, se("refutedBy"), judgements[-1])
    technique = rng.choice(TECHNIQUES)
    statement = add_statement(doc, "AuthorStatement", "author-statement",
                              say.author_statement_sentence(technique),
                              {"aboutTechnique": iri(ns.TECH, technique)})
    add_evidence_line(doc, statement, "author-statement", None, SEPIO_SUPPORTING, "0006018")
    gaps = []
    for number in (1, 2):
        procedure = rng.choice(PROCEDURES)
        gaps.append(add_statement(doc, "EvidenceGap", f"gap-{number}", say.gap_sentence(number, procedure),
                                  {"aboutProcedure": iri(ns.PROC, procedure)}))
    for number in (1, 2):
        benefit = add_statement(doc, "ReportedBenefit", f"benefit-{number}", say.benefit_sentence(number),
                                ultrasound)
        if number == 1:
            doc.add(benefit, se("qualifiedBy"), judgements[0])
    return gaps


def add_recommendations(doc: Document, rng: random.Random, statements: list[str]) -> None:
    """Recommendations 1 (1a, 1b), 2 and 3 (3a), each based on two statements."""
    position = 0
    for label, subs in RECOMMENDATIONS:
        parent = add_recommendation(doc, rng, label, position := position + 1, statements)
        for sub in subs:
            child = add_recommendation(doc, rng, sub, position := position + 1, statements)
            doc.add(parent, se("hasSubRecommendation"), child)
            doc.add(child, se("subRecommendationOf"), parent)


def add_recommendation(doc: Document, rng: random.Random, label: str, position: int,
                       statements: list[str]) -> str:
    """One recommendation with its words, direction, position and the statements behind it."""
    node = iri(ns.REC, f"{doc.slug}-{label}")
    direction = rng.choice(("for", "for", "against"))
    words = say.recommendation_sentence(label, rng.choice(PROCEDURES), direction)
    doc.recommendations.append(node)
    doc.add(node, RDF_TYPE, se("Recommendation"))
    doc.add(node, RDFS_LABEL, english(f"Recommendation {label} of {doc.slug}"))
    doc.add(node, se("recommendationText"), literal(words))
    doc.add(node, se("directionCode"), literal(direction))
    doc.add(node, se("position"), f'"{position}"^^<http://www.w3.org/2001/XMLSchema#integer>')
    for statement in rng.sample(statements, 2):
        doc.add(node, se("basedOn"), statement)
    doc.quote(node, f"recommendation-{label}", words)
    return node
