"""Product kinds added in 1.0.0 for words that catalogues use: each class sits under the
expected class, carries the catalogue words as labels, and has crosswalk links only where a
confirmed source gives one."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from vic_semantic.namespaces import VIC
from vic_semantic.ontology import load_ontology_graph

OBO = "http://purl.obolibrary.org/obo/"

# New class → its direct superclass.
NEW_CLASSES = {
    VIC.Yogurt: VIC.FermentedMilkProduct,
    VIC.Prostokvasha: VIC.FermentedMilkProduct,
    VIC.Varenets: VIC.FermentedMilkProduct,
    VIC.Acidophilin: VIC.FermentedMilkProduct,
    VIC.Ayran: VIC.FermentedMilkProduct,
    VIC.Koumiss: VIC.FermentedMilkProduct,
    VIC.HardCheese: VIC.Cheese,
    VIC.BrinedCheese: VIC.Cheese,
    VIC.Gouda: VIC.SemiHardCheese,
    VIC.Edam: VIC.SemiHardCheese,
    VIC.Maasdam: VIC.SemiHardCheese,
    VIC.Camembert: VIC.SoftCheese,
    VIC.Brie: VIC.SoftCheese,
    VIC.Mozzarella: VIC.SoftCheese,
    VIC.Ham: VIC.MeatProduct,
    VIC.Bacon: VIC.MeatProduct,
    VIC.MeatPate: VIC.MeatProduct,
    VIC.Mortadella: VIC.CookedSausage,
}

# Catalogue word (language) → the class whose label it is.
CATALOGUE_WORDS = [
    ("йогурт", "ru", VIC.Yogurt),
    ("биойогурт", "ru", VIC.Yogurt),
    ("yogurt", "en", VIC.Yogurt),
    ("айран", "ru", VIC.Ayran),
    ("ayran", "en", VIC.Ayran),
    ("простокваша", "ru", VIC.Prostokvasha),
    ("варенец", "ru", VIC.Varenets),
    ("ацидофилин", "ru", VIC.Acidophilin),
    ("кумыс", "ru", VIC.Koumiss),
    ("ветчина", "ru", VIC.Ham),
    ("ham", "en", VIC.Ham),
    ("бекон", "ru", VIC.Bacon),
    ("bacon", "en", VIC.Bacon),
    ("паштет", "ru", VIC.MeatPate),
    ("pâté", "en", VIC.MeatPate),
    ("pate", "en", VIC.MeatPate),
    ("мортаделла", "ru", VIC.Mortadella),
    ("mortadella", "en", VIC.Mortadella),
    ("гауда", "ru", VIC.Gouda),
    ("gouda", "en", VIC.Gouda),
    ("эдам", "ru", VIC.Edam),
    ("edam", "en", VIC.Edam),
    ("маасдам", "ru", VIC.Maasdam),
    ("камамбер", "ru", VIC.Camembert),
    ("camembert", "en", VIC.Camembert),
    ("бри", "ru", VIC.Brie),
    ("brie", "en", VIC.Brie),
    ("моцарелла", "ru", VIC.Mozzarella),
    ("mozzarella", "en", VIC.Mozzarella),
    ("брынза", "ru", VIC.BrinedCheese),
    ("фета", "ru", VIC.BrinedCheese),
    ("feta", "en", VIC.BrinedCheese),
    ("чечил", "ru", VIC.BrinedCheese),
    ("chechil", "en", VIC.BrinedCheese),
    ("пармезан", "ru", VIC.HardCheese),
    ("parmesan", "en", VIC.HardCheese),
    ("cheddar", "en", VIC.HardCheese),
    ("emmental", "en", VIC.HardCheese),
]

# Crosswalk links confirmed in FoodOn's siren_augment_codes.ofn; no other new class has one.
CROSSWALKS = {
    VIC.HardCheese: (SKOS.exactMatch, URIRef(OBO + "FOODON_03301738")),
    VIC.Ham: (SKOS.closeMatch, URIRef(OBO + "FOODON_00002502")),
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology_graph()


def _labels(graph: Graph, cls: URIRef, language: str) -> set[str]:
    return {
        str(label).casefold()
        for prop in (RDFS.label, SKOS.altLabel)
        for label in graph.objects(cls, prop)
        if isinstance(label, Literal) and label.language == language
    }


@pytest.mark.parametrize(("cls", "parent"), NEW_CLASSES.items(), ids=lambda n: str(n)[-20:])
def test_new_class_superclass(ontology: Graph, cls: URIRef, parent: URIRef) -> None:
    assert (cls, RDF.type, OWL.Class) in ontology
    assert list(ontology.objects(cls, RDFS.subClassOf)) == [parent]


@pytest.mark.parametrize("cls", NEW_CLASSES, ids=lambda n: str(n)[-20:])
def test_new_class_has_three_languages(ontology: Graph, cls: URIRef) -> None:
    languages = {
        label.language for label in ontology.objects(cls, RDFS.label) if isinstance(label, Literal)
    }
    definitions = {
        text.language
        for text in ontology.objects(cls, SKOS.definition)
        if isinstance(text, Literal)
    }

    assert languages == {"ru", "en", "be"}
    assert definitions == {"ru", "en"}


@pytest.mark.parametrize(
    ("word", "language", "cls"), CATALOGUE_WORDS, ids=[w for w, _, _ in CATALOGUE_WORDS]
)
def test_catalogue_word_is_label(ontology: Graph, word: str, language: str, cls: URIRef) -> None:
    assert word in _labels(ontology, cls, language)


@pytest.mark.parametrize("cls", NEW_CLASSES, ids=lambda n: str(n)[-20:])
def test_crosswalk_only_where_confirmed(ontology: Graph, cls: URIRef) -> None:
    links = {
        (prop, target)
        for prop in (SKOS.exactMatch, SKOS.closeMatch)
        for target in ontology.objects(cls, prop)
    }
    expected = {CROSSWALKS[cls]} if cls in CROSSWALKS else set()

    assert links == expected
    assert list(ontology.subjects(VIC.classifiesClass, cls)) == []
    if cls in CROSSWALKS:
        assert list(ontology.objects(cls, DCTERMS.source))
