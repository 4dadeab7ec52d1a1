"""ТН ВЭД ЕАЭС sub-positions set by fat content and package size: the limits on each SKOS
concept and the OWL class that defines its goods say the same, come from confirmed reference
rows, and let HermiT place products in the right position."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, XSD
from rdflib.term import Node

from vic_semantic.namespaces import ID, VIC
from vic_semantic.ontology import check_consistency, load_ontology_graph
from vic_semantic.ontology.documentation import TreeNode, class_tree
from vic_semantic.ontology.terms import TermIndex

UNIT = "http://qudt.org/vocab/unit/"

# Position → the class of its goods. These four are every rule the reference confirms.
RULE_CLASSES = {
    "0401 20 110": VIC.Tnved040120110Goods,
    "0401 20 910": VIC.Tnved040120910Goods,
    "0405 10 110 0": VIC.Tnved0405101100Goods,
    "0406 10 200 1": VIC.Tnved0406102001Goods,
}
PACKAGE_CLASSES = {
    VIC.packageVolumeMaxLitres: VIC.NetVolumeUpTo2Litres,
    VIC.packageMassMaxKilograms: VIC.NetMassUpTo1Kilogram,
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology_graph()


def _position(graph: Graph, notation: str) -> URIRef:
    for concept in graph.subjects(SKOS.notation, Literal(notation)):
        if (concept, SKOS.inScheme, ID["scheme/tnved"]) in graph:
            assert isinstance(concept, URIRef)
            return concept
    raise AssertionError(f"no ТН ВЭД concept with notation {notation}")


def _limit(graph: Graph, concept: Node, prop: URIRef) -> Decimal | None:
    value = graph.value(concept, prop)
    return None if value is None else Decimal(str(value))


def _intersection(graph: Graph, cls: URIRef) -> list[Node]:
    definition = graph.value(cls, OWL.equivalentClass)
    members = graph.value(definition, OWL.intersectionOf)
    assert members is not None, f"{cls} has no owl:equivalentClass intersection"
    return list(Collection(graph, members))


def _fat_facets(graph: Graph, cls: URIRef) -> dict[URIRef, Decimal]:
    facets: dict[URIRef, Decimal] = {}
    for operand in _intersection(graph, cls):
        if graph.value(operand, OWL.onProperty) != VIC.fatMassFraction:
            continue
        datatype = graph.value(operand, OWL.someValuesFrom)
        assert graph.value(datatype, OWL.onDatatype) == XSD.decimal
        restrictions = graph.value(datatype, OWL.withRestrictions)
        assert restrictions is not None
        for facet in Collection(graph, restrictions):
            for name, value in graph.predicate_objects(facet):
                assert isinstance(name, URIRef)
                facets[name] = Decimal(str(value))
    return facets


def _package_fillers(graph: Graph, cls: URIRef) -> set[Node | None]:
    return {
        graph.value(operand, OWL.someValuesFrom)
        for operand in _intersection(graph, cls)
        if graph.value(operand, OWL.onProperty) == VIC.netContent
    }


# --- the two forms agree -----------------------------------------------------------------


def test_rule_concepts_are_the_listed_positions(ontology: Graph) -> None:
    with_limits = {
        str(ontology.value(concept, SKOS.notation))
        for concept in ontology.subjects(VIC.fatMassFractionMaxInclusive, None)
    }
    assert with_limits == set(RULE_CLASSES)


@pytest.mark.parametrize(("notation", "cls"), RULE_CLASSES.items())
def test_class_names_its_position(ontology: Graph, notation: str, cls: URIRef) -> None:
    assert ontology.value(cls, VIC.tnvedPosition) == _position(ontology, notation)


@pytest.mark.parametrize(("notation", "cls"), RULE_CLASSES.items())
def test_fat_limits_match_class(ontology: Graph, notation: str, cls: URIRef) -> None:
    concept = _position(ontology, notation)
    facets = _fat_facets(ontology, cls)

    assert facets.get(XSD.minExclusive) == _limit(
        ontology, concept, VIC.fatMassFractionMinExclusive
    )
    assert facets.get(XSD.maxInclusive) == _limit(
        ontology, concept, VIC.fatMassFractionMaxInclusive
    )
    assert set(facets) <= {XSD.minExclusive, XSD.maxInclusive}


@pytest.mark.parametrize(("notation", "cls"), RULE_CLASSES.items())
def test_package_limit_matches_class(ontology: Graph, notation: str, cls: URIRef) -> None:
    concept = _position(ontology, notation)
    expected = {
        package_class
        for prop, package_class in PACKAGE_CLASSES.items()
        if ontology.value(concept, prop) is not None
    }
    assert _package_fillers(ontology, cls) == expected


def test_package_limits_fit_package_classes(ontology: Graph) -> None:
    # The package classes hard-code 2 l and 1 kg; the HermiT tests below check their units.
    volumes = {_limit(ontology, c, VIC.packageVolumeMaxLitres) for c in ontology.subjects()}
    masses = {_limit(ontology, c, VIC.packageMassMaxKilograms) for c in ontology.subjects()}

    assert volumes - {None} == {Decimal(2)}
    assert masses - {None} == {Decimal(1)}


# --- the facts come from the reference ----------------------------------------------------


@pytest.fixture(scope="module")
def tnved_rows(shared: Path) -> dict[str, dict[str, str]]:
    path = shared / "reference" / "03a_tnved_eaeu.tsv"
    if not path.is_file():
        pytest.skip(f"reference table not found at {path}; set VIC_SHARED_DIR")
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle, delimiter="\t")}


@pytest.mark.parametrize("notation", RULE_CLASSES)
def test_rule_row_is_confirmed(tnved_rows: dict[str, dict[str, str]], notation: str) -> None:
    assert tnved_rows[notation]["confidence"] == "confirmed"


@pytest.mark.parametrize("notation", RULE_CLASSES)
def test_rule_limits_come_from_reference(
    ontology: Graph, tnved_rows: dict[str, dict[str, str]], notation: str
) -> None:
    title = tnved_rows[notation]["title_ru"]
    concept = _position(ontology, notation)
    above = re.search(r"жир >(\d+)", title)
    at_most = re.search(r"≤(\d+) мас", title)
    package = re.search(r"не более (\d+) (л|кг)", title)

    assert _limit(ontology, concept, VIC.fatMassFractionMinExclusive) == (
        Decimal(above.group(1)) if above else None
    )
    assert at_most is not None
    assert _limit(ontology, concept, VIC.fatMassFractionMaxInclusive) == Decimal(at_most.group(1))
    volume = _limit(ontology, concept, VIC.packageVolumeMaxLitres)
    mass = _limit(ontology, concept, VIC.packageMassMaxKilograms)
    if package is None:
        assert (volume, mass) == (None, None)
    elif package.group(2) == "л":
        assert (volume, mass) == (Decimal(package.group(1)), None)
    else:
        assert (volume, mass) == (None, Decimal(package.group(1)))


@pytest.mark.parametrize(("notation", "cls"), RULE_CLASSES.items())
def test_rule_class_cites_reference_source(
    ontology: Graph, tnved_rows: dict[str, dict[str, str]], notation: str, cls: URIRef
) -> None:
    source = tnved_rows[notation]["source"].removesuffix("...")
    assert any(str(s).startswith(source) for s in ontology.objects(cls, DCTERMS.source))


# --- HermiT places products -------------------------------------------------------------


def _product(graph: Graph, name: str, cls: URIRef, fat: str, amount: str, unit: str) -> URIRef:
    product = VIC[f"test-{name}"]
    content = VIC[f"test-{name}-content"]
    graph.add((product, RDF.type, OWL.NamedIndividual))
    graph.add((product, RDF.type, cls))
    graph.add((product, VIC.fatMassFraction, Literal(fat, datatype=XSD.decimal)))
    graph.add((product, VIC.netContent, content))
    graph.add((content, RDF.type, OWL.NamedIndividual))
    graph.add((content, RDF.type, VIC.QuantitativeValue))
    graph.add((content, VIC.numericValue, Literal(amount, datatype=XSD.decimal)))
    graph.add((content, VIC.unit, URIRef(UNIT + unit)))
    return product


PRODUCTS = [
    # name, class, fat %, amount, unit, the rule class HermiT must find (None: no rule)
    ("uht-2-5-1l", VIC.UHTMilk, "2.5", "1", "L", VIC.Tnved040120110Goods),
    ("milk-3-0-900ml", VIC.PasteurisedMilk, "3.0", "900", "MilliL", VIC.Tnved040120110Goods),
    ("milk-3-2-900ml", VIC.PasteurisedMilk, "3.2", "900", "MilliL", VIC.Tnved040120910Goods),
    ("cream-5-500ml", VIC.Cream, "5", "500", "MilliL", VIC.Tnved040120910Goods),
    ("milk-2-5-5l", VIC.PasteurisedMilk, "2.5", "5", "L", None),
    ("milk-1-0-1l", VIC.PasteurisedMilk, "1.0", "1", "L", None),
    ("cream-10-500ml", VIC.Cream, "10", "500", "MilliL", None),
    ("kefir-2-5-1l", VIC.Kefir, "2.5", "1", "L", None),
    ("butter-82-5-180g", VIC.Butter, "82.5", "180", "GM", VIC.Tnved0405101100Goods),
    ("butter-82-5-5kg", VIC.Butter, "82.5", "5", "KiloGM", None),
    ("tvorog-9-180g", VIC.Tvorog, "9", "180", "GM", VIC.Tnved0406102001Goods),
    ("tvorog-45-180g", VIC.Tvorog, "45", "180", "GM", None),
]


@pytest.fixture(scope="module")
def placed(ontology: Graph) -> dict[str, set[str]]:
    graph = Graph() + ontology
    for name, cls, fat, amount, unit, _ in PRODUCTS:
        _product(graph, name, cls, fat, amount, unit)

    report = check_consistency(graph)
    assert report.ok
    types: dict[str, set[str]] = {}
    for individual, inferred in report.inferred_types:
        types.setdefault(individual, set()).add(inferred)
    return types


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "expected"), [(p[0], p[5]) for p in PRODUCTS], ids=[p[0] for p in PRODUCTS]
)
def test_hermit_places_product(
    placed: dict[str, set[str]], name: str, expected: URIRef | None
) -> None:
    rule_classes = {str(c) for c in RULE_CLASSES.values()}
    found = placed.get(str(VIC[f"test-{name}"]), set()) & rule_classes

    assert found == ({str(expected)} if expected else set())


# --- documentation ---------------------------------------------------------------------


def _tree_paths(nodes: list[TreeNode], above: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    paths: set[tuple[str, ...]] = set()
    for node in nodes:
        path = (*above, node.link.name.removeprefix("vic:"))
        paths.add(path)
        paths |= _tree_paths(node.children, path)
    return paths


def test_class_tree_places_rule_classes(ontology: Graph) -> None:
    tree = class_tree(TermIndex(ontology), "en")
    roots = {node.link.name.removeprefix("vic:") for node in tree}
    paths = _tree_paths(tree)
    ends = {path[-2:] for path in paths if len(path) >= 2}

    assert roots.isdisjoint({"Tnved0406102001Goods", "NetVolumeUpTo2Litres"})
    assert ("Tvorog", "Tnved0406102001Goods") in ends
    assert ("DrinkingMilk", "Tnved040120110Goods") in ends
    assert ("Cream", "Tnved040120110Goods") in ends
    assert ("QuantitativeValue", "NetVolumeUpTo2Litres") in ends
