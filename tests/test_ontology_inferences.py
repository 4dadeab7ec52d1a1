"""What HermiT infers from the real ontology: no unsatisfiable class, and exactly the listed
subclass relations that the Turtle files do not assert. A new inference, or a listed one that
disappears, fails the test, so a change to the class definitions is always reviewed here."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF

from vic_semantic.namespaces import VIC
from vic_semantic.ontology import ConsistencyReport, check_consistency, load_ontology_graph

# (subclass, superclass) → why HermiT infers it. Only defined classes (owl:equivalentClass)
# get a superclass this way; every other class asserts its rdfs:subClassOf.
EXPECTED_INFERRED_SUBCLASSES: dict[tuple[str, str], str] = {
    (
        "NetVolumeUpTo2Litres",
        "QuantitativeValue",
    ): "its definition intersects vic:QuantitativeValue",
    (
        "NetMassUpTo1Kilogram",
        "QuantitativeValue",
    ): "its definition intersects vic:QuantitativeValue",
    (
        "Tnved040120110Goods",
        "DairyProduct",
    ): "drinking milk or cream; vic:DairyProduct is the nearest class above both",
    (
        "Tnved040120910Goods",
        "DairyProduct",
    ): "drinking milk or cream; vic:DairyProduct is the nearest class above both",
    ("Tnved0405101100Goods", "Butter"): "its definition intersects vic:Butter",
    ("Tnved0406102001Goods", "Tvorog"): "its definition intersects vic:Tvorog",
}

# Named classes that HermiT finds equivalent without an asserted owl:equivalentClass.
EXPECTED_INFERRED_EQUIVALENCES: dict[tuple[str, str], str] = {}


def _local_pairs(pairs: tuple[tuple[str, str], ...]) -> set[tuple[str, str]]:
    return {(sub.removeprefix(str(VIC)), sup.removeprefix(str(VIC))) for sub, sup in pairs}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology_graph()


@pytest.fixture(scope="module")
def report(ontology: Graph) -> ConsistencyReport:
    return check_consistency(ontology)


@pytest.mark.slow
def test_ontology_is_consistent(report: ConsistencyReport) -> None:
    assert report.consistent


@pytest.mark.slow
def test_no_unsatisfiable_class(report: ConsistencyReport) -> None:
    assert report.unsatisfiable_classes == ()


@pytest.mark.slow
def test_inferred_subclasses_are_the_expected_ones(report: ConsistencyReport) -> None:
    found = _local_pairs(report.inferred_subclasses)
    expected = set(EXPECTED_INFERRED_SUBCLASSES)

    assert found - expected == set(), "HermiT infers subclass relations that are not listed"
    assert expected - found == set(), "listed subclass relations that HermiT no longer infers"


@pytest.mark.slow
def test_inferred_equivalences_are_the_expected_ones(report: ConsistencyReport) -> None:
    assert _local_pairs(report.inferred_equivalences) == set(EXPECTED_INFERRED_EQUIVALENCES)


@pytest.mark.slow
def test_no_inferred_individual_types(report: ConsistencyReport) -> None:
    # Every individual of the ontology (units, heat treatments, codes, documents) asserts
    # its most specific class, so HermiT finds no new type for any of them.
    assert report.inferred_types == ()


@pytest.mark.slow
def test_inferred_pairs_are_all_vic_classes(report: ConsistencyReport) -> None:
    for pair in report.inferred_subclasses:
        assert all(iri.startswith(str(VIC)) for iri in pair), pair


@pytest.mark.slow
def test_surprise_inference_is_reported(ontology: Graph) -> None:
    # vic:FermentedDrink ≡ vic:Kefir ⊔ vic:Ryazhenka makes both drinks its subclasses and
    # places it under vic:FermentedMilkProduct, none of which any file asserts.
    graph = Graph() + ontology
    members = BNode()
    Collection(graph, members, [VIC.Kefir, VIC.Ryazhenka])
    union = BNode()
    graph.add((union, RDF.type, OWL.Class))
    graph.add((union, OWL.unionOf, members))
    graph.add((VIC.FermentedDrink, RDF.type, OWL.Class))
    graph.add((VIC.FermentedDrink, OWL.equivalentClass, union))

    surprises = _local_pairs(check_consistency(graph).inferred_subclasses) - set(
        EXPECTED_INFERRED_SUBCLASSES
    )

    assert ("Kefir", "FermentedDrink") in surprises
    assert ("Ryazhenka", "FermentedDrink") in surprises
    assert ("FermentedDrink", "FermentedMilkProduct") in surprises


@pytest.mark.slow
def test_unsatisfiable_definition_is_reported(ontology: Graph) -> None:
    # Beef and pork are disjoint, so a class defined as both can have no members.
    graph = Graph() + ontology
    members = BNode()
    Collection(graph, members, [VIC.Beef, VIC.Pork])
    both = BNode()
    graph.add((both, RDF.type, OWL.Class))
    graph.add((both, OWL.intersectionOf, members))
    graph.add((VIC.BeefPork, RDF.type, OWL.Class))
    graph.add((VIC.BeefPork, OWL.equivalentClass, both))

    report = check_consistency(graph)

    assert report.unsatisfiable_classes == (str(VIC.BeefPork),)
    assert _local_pairs(report.inferred_equivalences) == set()
