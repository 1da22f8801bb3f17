"""``validate``'s own checks (quotes, numbers, declared terms, literal fidelity, consistency) catch
single-edit mistakes in a copy of the shipped graph, and name the changed node.

Each mutation changes one thing in a copy of ``graph/factfinder.ttl`` (an rdflib edit of the parsed
graph, or a text edit of the file where rdflib would rewrite the literal), runs
``spine_evidence.validation.validate`` in-process (SHACL and HermiT only where the mutation needs
them, to keep the suite fast) and asserts that the report does not conform and that the expected
check names the changed node (and, for quotes and numbers, the words of the source). A few run
through the real ``spine-evidence validate --data`` command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from spine_evidence import paths, reasoning
from spine_evidence.namespaces import CLAIM, MOD, OA, QUOTE, REC, RESULT, SE, SRC, STUDY, VALUE
from spine_evidence.validation import CHECKS, Inputs, read_inputs, validate
from spine_evidence.validation.narrowing import quickxplain

FACTFINDER = paths.graph_dir() / "factfinder.ttl"
PLACEMENT = VALUE["ref-03-correct-placement"]
PLACEMENT_RESULT = RESULT["ref-03-correct-placement"]
US, FL = RESULT["ref-07-intravascular-ultrasound"], RESULT["ref-07-intravascular-fluoroscopy"]


def selector(slug: str) -> URIRef:
    return URIRef(QUOTE[slug] + "#selector")


def target(slug: str) -> URIRef:
    return URIRef(QUOTE[slug] + "#target")


def number(value: str) -> Literal:
    """A literal as the graph writes it: integers as xsd:integer, others as xsd:decimal."""
    return Literal(value, datatype=XSD.decimal if "." in value else XSD.integer)


def decimal(value: str) -> Literal:
    return Literal(value, datatype=XSD.decimal)


def replace(graph: Graph, subject, predicate, value) -> None:
    graph.remove((subject, predicate, None))
    graph.add((subject, predicate, value))


def set_to(subject, predicate, value) -> Callable[[Graph], None]:
    return lambda g: replace(g, subject, predicate, value)


def swap(one: URIRef, other: URIRef, predicate: URIRef) -> Callable[[Graph], None]:
    def change(graph: Graph) -> None:
        a, b = graph.value(one, predicate), graph.value(other, predicate)
        replace(graph, one, predicate, b)
        replace(graph, other, predicate, a)
    return change


def edit_exact(slug: str, edit: Callable[[str], str]) -> Callable[[Graph], None]:
    return lambda g: replace(g, selector(slug), OA.exact, Literal(edit(str(g.value(selector(slug), OA.exact)))))


def rename_predicate(subject, old, new) -> Callable[[Graph], None]:
    def change(graph: Graph) -> None:
        for o in list(graph.objects(subject, old)):
            graph.remove((subject, old, o))
            graph.add((subject, new, o))
    return change


def retype(subject, old, new) -> Callable[[Graph], None]:
    def change(graph: Graph) -> None:
        graph.remove((subject, RDF.type, old))
        graph.add((subject, RDF.type, new))
    return change


def second_quote(graph: Graph) -> None:
    """A second quote of the placement result, with words the text does not contain."""
    annotation, slug = QUOTE["ref-03-correct-placement-2"], "ref-03-correct-placement-2"
    graph.add((PLACEMENT_RESULT, SE.hasQuote, annotation))
    graph.add((annotation, RDF.type, OA.Annotation))
    graph.add((annotation, OA.hasBody, PLACEMENT_RESULT))
    graph.add((annotation, OA.hasTarget, target(slug)))
    graph.add((target(slug), RDF.type, OA.SpecificResource))
    graph.add((target(slug), OA.hasSource, SRC["ultrasound-imaging-for-cervical-injections.txt"]))
    graph.add((target(slug), OA.hasSelector, selector(slug)))
    graph.add((selector(slug), RDF.type, OA.TextQuoteSelector))
    graph.add((selector(slug), OA.exact, Literal("82 of 107 attempts were confirmed by fluoroscopy")))


@dataclass(frozen=True)
class Mutation:
    """One single edit, the check that must report it, the node it must name, and words it must quote."""

    name: str
    check: str
    focus: URIRef
    change: Callable[[Graph], None] | None = None
    text: tuple[str, str] | None = None  # (old, new): a text edit of graph/factfinder.ttl instead
    passage: str | None = None


V = VALUE
MUTATIONS = [
    # numbers: one digit, a decimal point, a lost digit, swapped arms, a count where a percentage belongs
    Mutation("numerator-one-digit", "NumberInQuote", PLACEMENT, set_to(PLACEMENT, SE.numerator, number("83")),
             passage="82 of 107 (77%)"),
    Mutation("denominator-one-digit", "NumberInQuote", V["ref-01-target-missed"],
             set_to(V["ref-01-target-missed"], SE.denominator, number("35")), passage="missed in 4/34"),
    Mutation("numerator-lost-digit-46-to-4", "NumberInQuote", V["ref-08-pain-improvement-50-percent"],
             set_to(V["ref-08-pain-improvement-50-percent"], SE.numerator, number("4")), passage="46 (78%)"),
    Mutation("percentage-one-digit", "NumberInQuote", V["ref-08-pain-improvement-50-percent"],
             set_to(V["ref-08-pain-improvement-50-percent"], SE.statedPercentage, decimal("79"))),
    Mutation("percentage-decimal-point-dropped", "NumberInQuote", V["ref-05-vessel-c4-5"],
             set_to(V["ref-05-vessel-c4-5"], SE.statedPercentage, decimal("55")), passage="5.5%"),
    Mutation("percentage-decimal-point-moved", "NumberInQuote", V["ref-12-epidural-spread-4-ml"],
             set_to(V["ref-12-epidural-spread-4-ml"], SE.statedPercentage, decimal("2.45")), passage="24.5%"),
    Mutation("percentage-rounded", "NumberInQuote", V["ref-06-vulnerable-artery-in-foramen"],
             set_to(V["ref-06-vulnerable-artery-in-foramen"], SE.statedPercentage, decimal("22"))),
    Mutation("mean-one-digit", "NumberInQuote", V["ref-07-vas-ultrasound-baseline"],
             set_to(V["ref-07-vas-ultrasound-baseline"], SE.meanValue, decimal("6.2")), passage="6.1"),
    Mutation("mean-decimal-point-dropped", "NumberInQuote", V["ref-07-vas-fluoroscopy-12-weeks"],
             set_to(V["ref-07-vas-fluoroscopy-12-weeks"], SE.meanValue, decimal("26"))),
    Mutation("mean-digits-transposed", "NumberInQuote", V["ref-13-pain-relief-7-days"],
             set_to(V["ref-13-pain-relief-7-days"], SE.meanValue, decimal("35")), passage="53% at 7 days"),
    Mutation("count-one-instead-of-two", "NumberInQuote", V["ref-04-spinal-cord-injury"],
             set_to(V["ref-04-spinal-cord-injury"], SE["count"], number("2")), passage="one available case report"),
    Mutation("count-none-as-one", "NumberInQuote", V["ref-13-cadaveric-epidural-spread"],
             set_to(V["ref-13-cadaveric-epidural-spread"], SE["count"], number("1")), passage="none achieved"),
    Mutation("injectate-volume-one-digit", "NumberInQuote", RESULT["ref-12-epidural-spread-1-ml"],
             set_to(RESULT["ref-12-epidural-spread-1-ml"], SE.injectateVolumeMl, decimal("2")), passage="1 cc"),
    Mutation("injectate-volume-decimal-shift", "NumberInQuote", RESULT["ref-12-epidural-spread-4-ml"],
             set_to(RESULT["ref-12-epidural-spread-4-ml"], SE.injectateVolumeMl, decimal("40"))),
    Mutation("numerator-digits-transposed", "NumberInQuote", V["ref-07-needle-at-target-lateral-oblique"],
             set_to(V["ref-07-needle-at-target-lateral-oblique"], SE.numerator, number("82"))),
    Mutation("arms-counts-swapped", "NumberInQuote", US,
             swap(V["ref-07-intravascular-ultrasound"], V["ref-07-intravascular-fluoroscopy"], SE.numerator),
             passage="compared to 0/60 when ultrasound was used"),
    Mutation("arms-counts-swapped-other-arm", "NumberInQuote", V["ref-07-intravascular-fluoroscopy"],
             swap(V["ref-07-intravascular-ultrasound"], V["ref-07-intravascular-fluoroscopy"], SE.numerator)),
    Mutation("views-counts-swapped", "NumberInQuote", RESULT["ref-02-needle-at-target-anteroposterior"],
             swap(V["ref-02-needle-at-target-lateral-oblique"], V["ref-02-needle-at-target-anteroposterior"],
                  SE.numerator), passage="3 of 10 patients in the AP view"),
    Mutation("views-counts-swapped-ref-7", "NumberInQuote", RESULT["ref-07-needle-at-target-lateral-oblique"],
             swap(V["ref-07-needle-at-target-lateral-oblique"], V["ref-07-needle-at-target-anteroposterior"],
                  SE.numerator)),
    Mutation("time-points-means-swapped", "NumberInQuote", RESULT["ref-13-pain-relief-30-days"],
             swap(V["ref-13-pain-relief-7-days"], V["ref-13-pain-relief-30-days"], SE.meanValue)),
    Mutation("count-where-percentage-belongs", "NumberInQuote", PLACEMENT,
             set_to(PLACEMENT, SE.statedPercentage, decimal("82")), passage="82 only as a count, not as a percentage"),
    Mutation("count-where-percentage-belongs-ref-14", "NumberInQuote", V["ref-14-successful-facet-injection"],
             set_to(V["ref-14-successful-facet-injection"], SE.statedPercentage, decimal("31"))),
    Mutation("percentage-where-count-belongs", "NumberInQuote", PLACEMENT,
             set_to(PLACEMENT, SE.numerator, number("77")), passage="77 only as a percentage, not as a count"),
    # quotes
    Mutation("quote-one-digit", "QuoteInSource", selector("ref-03-correct-placement"),
             edit_exact("ref-03-correct-placement", lambda e: e.replace("82 of 107", "83 of 107")),
             passage="82 of 107 (77%) attempts resulted in correct placement"),
    Mutation("quote-doubled-white-space", "QuoteInSource", selector("ref-01-target-missed"),
             edit_exact("ref-01-target-missed", lambda e: e.replace(" ", "  ", 1)), passage="whitespace collapsed"),
    Mutation("quote-trailing-space", "QuoteInSource", selector("ref-01-target-missed"),
             edit_exact("ref-01-target-missed", lambda e: e + " ")),
    Mutation("quote-word-misspelt", "QuoteInSource", selector("ref-07-intravascular-fluoroscopy"),
             edit_exact("ref-07-intravascular-fluoroscopy", lambda e: e.replace("fluoroscopy", "flouroscopy")),
             passage="injections when fluoroscopy was used"),
    Mutation("quote-hyphen-as-space", "QuoteInSource", selector("ref-07-intravascular-fluoroscopy"),
             edit_exact("ref-07-intravascular-fluoroscopy", lambda e: e.replace("intra-vascular", "intra vascular"))),
    Mutation("quote-decimal-changed", "QuoteInSource", selector("ref-05-vessel-c4-5"),
             edit_exact("ref-05-vessel-c4-5", lambda e: e.replace("12.1%", "12.7%")), passage="12.1%"),
    Mutation("second-quote-not-in-text", "QuoteInSource", selector("ref-03-correct-placement-2"), second_quote),
    Mutation("quote-source-misnamed", "QuoteInSource", selector("ref-01-target-missed"),
             set_to(target("ref-01-target-missed"), OA.hasSource, SRC["ultrasound-imaging.txt"])),
    # declared terms
    Mutation("misspelt-optional-object-property", "DeclaredTerm", PLACEMENT_RESULT,
             rename_predicate(PLACEMENT_RESULT, SE.atSite, SE.atsite), passage="did you mean se:atSite"),
    Mutation("misspelt-optional-data-property", "DeclaredTerm", PLACEMENT,
             rename_predicate(PLACEMENT, SE.statedPercentage, SE.statedPercentge)),
    Mutation("misspelt-comparison", "DeclaredTerm", FL, rename_predicate(FL, SE.comparedWith, SE.comparedwith)),
    Mutation("misspelt-class", "DeclaredTerm", PLACEMENT, retype(PLACEMENT, SE.Proportion, SE.Proprotion),
             passage="did you mean se:Proportion"),
    Mutation("misspelt-statement-class", "DeclaredTerm", CLAIM["needle-at-target-5-and-3-of-10"],
             retype(CLAIM["needle-at-target-5-and-3-of-10"], SE.StudyFinding, SE.StudyFindings)),
    Mutation("misspelt-design-individual", "DeclaredTerm", STUDY["ref-07"],
             set_to(STUDY["ref-07"], SE.studyDesign, SE["randomized-trial"])),
    Mutation("undeclared-modality", "DeclaredTerm", PLACEMENT_RESULT,
             set_to(PLACEMENT_RESULT, SE.arm, MOD["ultrasond"]), passage="did you mean mod:ultrasound"),
    Mutation("undeclared-study", "DeclaredTerm", PLACEMENT_RESULT,
             set_to(PLACEMENT_RESULT, SE.ofStudy, STUDY["ref-30"])),
    Mutation("undeclared-recommendation", "DeclaredTerm", REC["1"],
             lambda g: g.add((REC["1"], SE.hasSubRecommendation, REC["1c"]))),
    Mutation("misspelt-term-described", "DeclaredTerm", SE.numeratr,
             lambda g: g.add((SE.numeratr, RDFS.comment, Literal("counts of the text")))),
    # literal fidelity: text edits, since rdflib itself rewrites "05"^^xsd:integer on parsing
    Mutation("decimal-with-trailing-zero", "LiteralFidelity", PLACEMENT,
             text=('se:statedPercentage "77"^^xsd:decimal', 'se:statedPercentage "77.0"^^xsd:decimal')),
    Mutation("mean-with-trailing-zero", "LiteralFidelity", V["ref-07-vas-ultrasound-baseline"],
             text=('se:meanValue "6.1"^^xsd:decimal ;\n    se:scale "VAS" .\n\nresult:ref-07-vas-ultrasound-12',
                   'se:meanValue "6.10"^^xsd:decimal ;\n    se:scale "VAS" .\n\nresult:ref-07-vas-ultrasound-12')),
    Mutation("integer-with-leading-zero", "LiteralFidelity", STUDY["ref-07"],
             text=("se:citationNumber 7 ;", 'se:citationNumber "07"^^xsd:integer ;')),
    Mutation("position-with-leading-zero", "LiteralFidelity", REC["3"],
             text=("se:position 5 ;", 'se:position "05"^^xsd:integer ;')),
    Mutation("count-as-non-negative-integer", "LiteralFidelity", PLACEMENT,
             text=("se:numerator 82 ;", 'se:numerator "82"^^xsd:nonNegativeInteger ;')),
    Mutation("integer-with-plus-sign", "LiteralFidelity", PLACEMENT,
             text=("se:numerator 82 ;", 'se:numerator "+82"^^xsd:integer ;')),
    Mutation("boolean-as-digit", "LiteralFidelity", RESULT["ref-05-vessel-c4-5"],
             text=("se:atSite site:c4-5-foramen ;\n    se:hasInconsistency true ;",
                   'se:atSite site:c4-5-foramen ;\n    se:hasInconsistency "1"^^xsd:boolean ;')),
]
REASONER_MUTATIONS = [
    Mutation("two-disjoint-kinds", "Consistency", PLACEMENT_RESULT,
             lambda g: g.add((PLACEMENT_RESULT, RDF.type, SE.Study))),
    Mutation("study-with-two-designs", "Consistency", STUDY["ref-07"],
             lambda g: g.add((STUDY["ref-07"], SE.studyDesign, SE.cohort))),
]


@pytest.fixture(scope="module")
def base() -> Inputs:
    """The shipped ontology, vocabulary and FactFinder, parsed once for every mutation."""
    return read_inputs()


def mutated(base: Inputs, mutation: Mutation) -> Inputs:
    """A copy of the parsed inputs with the mutation applied (the store is not used by these checks)."""
    graph = Graph()
    graph.namespace_manager = base.graph.namespace_manager
    graph += base.graph
    mutation.change(graph)
    assert len(graph ^ base.graph) > 0, "the mutation changed nothing"
    return Inputs(graph, base.store, base.ontology, graph, base.source_dirs, base.source_files, base.written)


def mutated_file(folder: Path, mutation: Mutation) -> Path:
    """graph/factfinder.ttl with one text edit, written into ``folder``."""
    old, new = mutation.text
    text = FACTFINDER.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in factfinder.ttl"
    path = folder / "factfinder.ttl"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def assert_reported(outcome, mutation: Mutation) -> None:
    """The outcome does not conform and the mutation's check names its node (and passage)."""
    assert not outcome.conforms, f"{mutation.name} was not reported:\n{outcome.report_text}"
    check = CHECKS[mutation.check]
    hits = [r for r in outcome.violations() if r.source_shape == check.shape and r.focus_node == mutation.focus]
    assert hits, f"no {check.shape} violation on {mutation.focus}:\n{outcome.report_text}"
    assert all(r.constraint_component == check.component for r in hits)
    if mutation.passage:
        assert any(mutation.passage in r.message for r in hits), outcome.report_text


def test_the_shipped_graph_passes_every_check_but_the_reasoner():
    outcome = validate(reason=False)
    assert outcome.conforms, outcome.report_text
    assert outcome.results() == [], outcome.report_text


def test_the_mutations_are_many_and_distinct():
    names = [m.name for m in MUTATIONS + REASONER_MUTATIONS]
    assert len(set(names)) == len(names) >= 40
    assert {m.check for m in MUTATIONS + REASONER_MUTATIONS} == set(CHECKS)


@pytest.mark.parametrize("mutation", [m for m in MUTATIONS if m.change], ids=lambda m: m.name)
def test_a_mutation_is_reported(mutation: Mutation, base: Inputs):
    outcome = validate(mutated(base, mutation), reason=False, shacl=False)
    assert_reported(outcome, mutation)


@pytest.mark.parametrize("mutation", [m for m in MUTATIONS if m.text], ids=lambda m: m.name)
def test_a_text_mutation_is_reported(mutation: Mutation, tmp_path: Path):
    outcome = validate([mutated_file(tmp_path, mutation)], reason=False, shacl=False)
    assert_reported(outcome, mutation)


@pytest.mark.parametrize("name", ["numerator-one-digit", "arms-counts-swapped", "quote-one-digit",
                                  "misspelt-class"])
def test_the_full_report_with_shacl_has_the_mutation(name: str, base: Inputs):
    mutation = next(m for m in MUTATIONS if m.name == name)
    assert_reported(validate(mutated(base, mutation), reason=False), mutation)


def needs_java() -> None:
    try:
        reasoning.find_java()
    except reasoning.ReasonerError:
        pytest.skip("HermiT needs Java: apt-get install openjdk-17-jre-headless")


@pytest.mark.parametrize("mutation", REASONER_MUTATIONS, ids=lambda m: m.name)
def test_the_reasoner_names_the_inconsistent_node(mutation: Mutation, base: Inputs):
    needs_java()
    outcome = validate(mutated(base, mutation), shacl=False, checks=["Consistency"])
    assert_reported(outcome, mutation)
    message = outcome.violations()[0].message
    assert "smallest inconsistent part" in message and "HermiT run(s)" in message


def test_quickxplain_finds_a_smallest_failing_part_in_few_tests():
    items = list(range(600))
    calls = []

    def failing(part) -> bool:
        calls.append(len(part))
        return 17 in part and 564 in part

    kept, finished = quickxplain(items, failing, lambda: True)
    assert (kept, finished) == ([17, 564], True)
    assert len(calls) <= 2 * 2 * 10 + 4
    calls.clear()
    kept, finished = quickxplain(items, failing, lambda: len(calls) < 5)
    assert not finished and kept == items


# ------------------------------------------------------------------ the command


def script() -> str:
    found = Path(sys.executable).with_name("spine-evidence")
    return str(found) if found.is_file() else shutil.which("spine-evidence")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([script(), "validate", *args], cwd=cwd, env=dict(os.environ), capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("name", ["integer-with-leading-zero", "decimal-with-trailing-zero"])
def test_the_command_reports_a_text_mutation(name: str, tmp_path: Path):
    mutation = next(m for m in MUTATIONS if m.name == name)
    done = run("--data", str(mutated_file(tmp_path, mutation)), "--no-reason", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "shapes:LiteralFidelityCheck" in done.stdout
    short = mutation.focus.n3().strip("<>").replace(str(STUDY), "study:").replace(str(VALUE), "value:")
    assert f"focus node: {short}" in done.stdout


def test_the_command_reports_a_number_with_its_passage(tmp_path: Path):
    text = FACTFINDER.read_text(encoding="utf-8").replace("se:numerator 82 ;", "se:numerator 83 ;")
    (tmp_path / "doc.ttl").write_text(text, encoding="utf-8")
    done = run("--data", str(tmp_path / "doc.ttl"), "--no-reason", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "shapes:NumberInQuoteCheck" in done.stdout and "focus node: value:ref-03-correct-placement" in done.stdout
    assert "82 of 107 (77%) attempts resulted in correct placement" in done.stdout


def test_the_command_finds_the_source_text_given(tmp_path: Path):
    """A new document in its own folder: the quotes are checked against --source, not the shipped text."""
    source = tmp_path / "source.txt"
    source.write_text("Only this sentence.\n", encoding="utf-8")
    shutil.copy(FACTFINDER, tmp_path / "factfinder.ttl")
    done = run("--data", str(tmp_path / "factfinder.ttl"), "--source", str(source), "--no-reason", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "shapes:QuoteInSourceCheck" in done.stdout and "is not in the source text" in done.stdout
    missing = run("--data", str(tmp_path / "factfinder.ttl"), "--source", str(tmp_path / "none.txt"),
                  "--no-reason", cwd=tmp_path)
    errors = missing.stderr.splitlines()[1:]
    assert missing.returncode == 2 and len(errors) == 1 and "none.txt" in errors[0]


def test_build_takes_a_new_document_with_the_ontology_and_vocabulary(tmp_path: Path):
    from spine_evidence.build import build
    from spine_evidence.namespaces import GRAPH

    document = tmp_path / "my-document.ttl"
    shutil.copy(FACTFINDER, document)
    report = build(tmp_path / "out", reason=False, data=[document])
    assert {str(GRAPH.ontology), str(GRAPH.vocabulary), str(GRAPH["my-document"])} <= set(report.triples)
    assert str(GRAPH.factfinder) not in report.triples
    assert report.triples[str(GRAPH["my-document"])] == len(Graph().parse(document))


def test_the_readme_example_report_is_what_validate_reports(tmp_path: Path):
    """README's "For maintainers" shows real output: ref 7's 12-week ultrasound mean typed 2.8 for 2.6."""
    path = Path(__file__).resolve().parents[1] / "README.md"
    if not path.is_file():
        pytest.skip("no README.md beside the tests")
    readme = path.read_text(encoding="utf-8")
    section = readme.split("## For maintainers", 1)[1]
    block = section.split("$ spine-evidence validate --data my-document.ttl\n", 1)[1].split("$ echo", 1)[0]
    text = FACTFINDER.read_text(encoding="utf-8")
    start = text.index("value:ref-07-vas-ultrasound-12-weeks a se:Mean")
    at = text.index('se:meanValue "2.6"', start)
    document = tmp_path / "my-document.ttl"
    document.write_text(text[:at] + 'se:meanValue "2.8"' + text[at + len('se:meanValue "2.6"'):], encoding="utf-8")
    outcome = validate([document], reason=False)
    assert outcome.report_text == block


def test_a_document_alone_validates_with_the_shared_vocabulary(tmp_path: Path):
    """--data replaces the shipped document; the ontology and graph/vocabulary.ttl are still included."""
    shutil.copy(FACTFINDER, tmp_path / "document.ttl")
    done = run("--data", str(tmp_path / "document.ttl"), "--no-reason", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Conforms: 0 violation(s)")
