"""HermiT through owlready2: the shipped ontology plus graph is consistent, planted contradictions
are found, and the inferred triples are the entailed memberships and property values."""

from __future__ import annotations

import tempfile

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from spine_evidence import reasoning, sources
from spine_evidence.namespaces import CLAIM, LINE, REC, SE, SEPIO, STUDY, VALUE

pytestmark = pytest.mark.java  # HermiT runs on Java

TINY_ABOX = """
@prefix se: <https://w3id.org/spine-evidence/ontology#> .
@prefix sepio: <http://purl.obolibrary.org/obo/SEPIO_> .
@prefix study: <https://w3id.org/spine-evidence/study/> .
@prefix claim: <https://w3id.org/spine-evidence/claim/> .
@prefix line: <https://w3id.org/spine-evidence/evidence-line/> .
@prefix rec: <https://w3id.org/spine-evidence/recommendation/> .
study:test-01 a se:Study ; se:studyDesign se:randomised-trial .
study:test-02 a se:Study ; se:studyDesign se:cadaveric .
study:test-03 a se:Study .
claim:test-finding a se:StudyFinding ; se:hasSupportingEvidenceLine line:test-finding--test-01 .
line:test-finding--test-01 a se:EvidenceLine ; se:fromStudy study:test-01 .
rec:test-1 a se:Recommendation ; se:hasSubRecommendation rec:test-1a .
rec:test-1a a se:Recommendation .
"""


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return sources.ontology_graph()


@pytest.fixture(scope="module")
def shipped() -> Graph:
    return sources.merged_graph()


@pytest.fixture(scope="module")
def shipped_reasoning(shipped: Graph) -> reasoning.Reasoning:
    return reasoning.reason(shipped)


@pytest.fixture(scope="module")
def tiny(ontology: Graph) -> tuple[Graph, Graph]:
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    graph.parse(data=TINY_ABOX, format="turtle")
    return graph, reasoning.infer(graph)


def with_planted(graph: Graph, *triples: tuple) -> Graph:
    planted = Graph()
    for triple in graph:
        planted.add(triple)
    for triple in triples:
        planted.add(triple)
    return planted


def defined_design_classes(ontology: Graph) -> dict[URIRef, URIRef]:
    """Design individual → the defined class whose definition is 'a Study with that design'."""
    query = """
        SELECT ?cls ?design WHERE {
          ?cls owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first ?r .
          ?r owl:onProperty se:studyDesign ; owl:hasValue ?design .
        }"""
    rows = ontology.query(query, initNs={"owl": OWL, "rdf": RDF, "se": SE})
    return {row.design: row.cls for row in rows}


def test_shipped_ontology_and_graph_are_consistent(shipped_reasoning: reasoning.Reasoning) -> None:
    verdict = shipped_reasoning.consistency
    assert verdict.consistent, verdict.message
    assert verdict.unsatisfiable == ()
    assert verdict.seconds > 0
    print(f"HermiT on the shipped graph: {verdict.seconds:.2f} s, {len(shipped_reasoning.inferred)} inferred triples")


def test_check_consistency_agrees(shipped: Graph) -> None:
    assert reasoning.check_consistency(shipped)


def test_every_asserted_design_gives_its_defined_class(shipped: Graph, ontology: Graph, shipped_reasoning) -> None:
    classes = defined_design_classes(ontology)
    assert len(classes) == 6, classes
    inferred = shipped_reasoning.inferred
    designs = list(shipped.subject_objects(SE.studyDesign))
    assert designs, "the graph asserts no study design"
    for study, design in designs:
        assert (study, RDF.type, classes[design]) in inferred, (study, design)
    assert (STUDY["ref-07"], RDF.type, SE.RandomisedTrial) in inferred


def test_studies_without_design_get_no_design_class(shipped: Graph, ontology: Graph, shipped_reasoning) -> None:
    design_classes = set(defined_design_classes(ontology).values())
    for study in set(shipped.subjects(RDF.type, SE.Study)) - set(shipped.subjects(SE.studyDesign, None)):
        assert not {c for c in shipped_reasoning.inferred.objects(study, RDF.type)} & design_classes, study


def test_every_superclass_membership_is_materialised(shipped: Graph, ontology: Graph, shipped_reasoning) -> None:
    complete = shipped + shipped_reasoning.inferred
    checked = 0
    for individual, cls in shipped.subject_objects(RDF.type):
        if isinstance(cls, URIRef) and (cls, RDF.type, OWL.Class) in ontology:
            for parent in ontology.transitive_objects(cls, RDFS.subClassOf):
                if isinstance(parent, URIRef) and parent != OWL.Thing:
                    assert (individual, RDF.type, parent) in complete, (individual, parent)
                    checked += 1
    assert checked > 50


def test_super_property_assertions_are_inferred(shipped: Graph, shipped_reasoning) -> None:
    complete = shipped + shipped_reasoning.inferred
    supporting = list(shipped.subject_objects(SE.hasSupportingEvidenceLine))
    assert supporting
    for claim, line in supporting:
        assert (claim, SE.hasEvidenceLine, line) in complete
        assert (claim, SEPIO["0000007"], line) in complete


def test_inferred_holds_nothing_asserted_or_trivial(shipped: Graph, shipped_reasoning) -> None:
    inferred = shipped_reasoning.inferred
    assert len(inferred) > 0
    assert not [t for t in inferred if t in shipped]
    trivial = {OWL.Thing, OWL.NamedIndividual, OWL.Nothing}
    assert not [t for t in inferred.triples((None, RDF.type, None)) if t[2] in trivial]


def test_tiny_graph_inferences(tiny: tuple[Graph, Graph]) -> None:
    _, inferred = tiny
    assert (STUDY["test-01"], RDF.type, SE.RandomisedTrial) in inferred
    assert (STUDY["test-01"], RDF.type, SEPIO["0000069"]) in inferred
    assert (STUDY["test-01"], RDF.type, SEPIO["0000066"]) in inferred
    assert (STUDY["test-02"], RDF.type, SE.CadavericStudy) in inferred
    assert not [c for c in inferred.objects(STUDY["test-03"], RDF.type) if c != SEPIO["0000066"]]
    assert (CLAIM["test-finding"], RDF.type, SE.Claim) in inferred
    assert (CLAIM["test-finding"], SE.hasEvidenceLine, LINE["test-finding--test-01"]) in inferred
    assert (CLAIM["test-finding"], SEPIO["0000007"], LINE["test-finding--test-01"]) in inferred
    assert (LINE["test-finding--test-01"], SEPIO["0000124"], STUDY["test-01"]) in inferred
    assert (REC["test-1a"], SE.subRecommendationOf, REC["test-1"]) in inferred


def test_two_designs_for_one_study_is_inconsistent(shipped: Graph) -> None:
    study, design = next(iter(shipped.subject_objects(SE.studyDesign)))
    other = next(d for d in (SE["randomised-trial"], SE.cohort) if d != design)
    verdict = reasoning.check_consistency(with_planted(shipped, (study, SE.studyDesign, other)))
    assert not verdict.consistent
    assert "inconsistent" in verdict.message


def test_value_of_two_disjoint_kinds_is_inconsistent(shipped: Graph) -> None:
    planted = with_planted(
        shipped,
        (VALUE["planted-contradiction"], RDF.type, SE.Proportion),
        (VALUE["planted-contradiction"], RDF.type, SE.Mean),
    )
    with pytest.raises(reasoning.InconsistentGraph):
        reasoning.infer(planted)


def test_inconsistent_run_leaves_no_file_behind(ontology: Graph, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    planted = with_planted(
        ontology,
        (STUDY["test-01"], SE.studyDesign, SE["randomised-trial"]),
        (STUDY["test-01"], SE.studyDesign, SE.cohort),
    )
    assert not reasoning.check_consistency(planted)
    assert list(tmp_path.iterdir()) == []


def test_owl_imports_are_not_fetched(ontology: Graph) -> None:
    importing = with_planted(ontology, (URIRef("https://w3id.org/spine-evidence/ontology"), OWL.imports,
                                        URIRef("http://127.0.0.1:9/unreachable.owl")))
    assert reasoning.check_consistency(importing)


def test_find_java_returns_an_executable() -> None:
    java = reasoning.find_java()
    assert java.endswith("java")


def test_literal_typed_as_unknown_datatype_does_not_stop_hermit(ontology: Graph) -> None:
    graph = with_planted(ontology, (STUDY["test-01"], SE.studyDesign, SE.cohort),
                         (STUDY["test-01"], RDFS.comment, Literal("2009", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))))
    assert reasoning.check_consistency(graph)
