"""Name classifier: every product row of the sample files gets its ontology class."""

from __future__ import annotations

import pytest
from rdflib import Graph

from vic_semantic.catalogues.classify import classify_name, label_index, strip_quoted
from vic_semantic.namespaces import VIC
from vic_semantic.validation.engine import default_ontology

# Every product name of the sample files, with the class it must get (None: no class fits).
SAMPLE_NAMES = [
    # dairy-plant-1c-export.csv
    ("Молоко питьевое пастеризованное 3,2% 900 мл пл/бут", "PasteurisedMilk"),
    ("Молоко питьевое ультрапастеризованное 2,5% 1 л т/п", "UHTMilk"),
    ("Молоко питьевое стерилизованное 3,5% 1 л т/п", "SterilisedMilk"),
    ("Кефир 1% 900 г п/э", "Kefir"),
    ("Кефир 2,5% 900 г п/э", "Kefir"),
    ("Кефир 3,2% 450 г пл/бут", "Kefir"),
    ("Сметана 15% 400 г стакан", "SourCream"),
    ("Сметана 20% 400 г стакан", "SourCream"),
    ("Творог 9% 180 г брикет", "Tvorog"),
    ("Творог 5% 180 г брикет", "Tvorog"),
    ("Творог обезжиренный 0,5% 180 г брикет", "Tvorog"),
    ("Масло сливочное «Крестьянское» 72,5% 180 г фольга", "Butter"),
    ("Масло сливочное «Традиционное» 82,5% 180 г фольга", "Butter"),
    ("Сыр полутвердый «Приднепровский» 45% весовой", "SemiHardCheese"),
    ("Сыр мягкий «Адыгейский» 45% 300 г", "SoftCheese"),
    ("Молоко питьевое пастеризованное 1,5% 900 мл пл/бут", "PasteurisedMilk"),
    ("Кефир обезжиренный 0,05% 900 г п/э", "Kefir"),
    ("Масло сливочное «Бутербродное» 61,5% 180 г фольга", "Butter"),
    ("Сливки питьевые 10% 500 г т/п", "Cream"),
    ("Сметана 25% 350 г стакан", "SourCream"),
    ("Творог 18% 350 г ванночка", "Tvorog"),
    ("Молоко питьевое ультрапастеризованное 3,2% 1 л т/п", "UHTMilk"),
    ("Кефир 2,5% 1 кг п/э", "Kefir"),
    ("Сыр полутвердый «Сожский» 50% весовой", "SemiHardCheese"),
    ("Сметана 10% 400 г стакан", "SourCream"),
    ("Масло сливочное «Любительское» 75% 180 г фольга", "Butter"),
    ("Творог 9% 400 г ванночка", "Tvorog"),
    ("Молоко питьевое стерилизованное 2,5% 1 л т/п", "SterilisedMilk"),
    ("Набор подарочный «Утро» №3", None),
    # meat-plant-price-list.xlsx
    ("Колбаса вареная «Докторская» в/с", "CookedSausage"),
    ("Колбаса вареная «Молочная»", "CookedSausage"),
    ("Колбаса вареная «Столовая»", "CookedSausage"),
    ("Сосиски «Молочные»", "Frankfurter"),
    ("Сардельки «Говяжьи»", "Sardelka"),
    ("Колбаса вареная фаршированная «Языковая»", "StuffedCookedSausage"),
    ("Колбаса сырокопченая «Брауншвейгская»", "DrySmokedSausage"),
    ("Колбаса сыровяленая салями «Гомельская»", "DryCuredSausage"),
    ("Говядина в четвертинах охлажденная, молодняк", "BeefCarcass"),
    ("Говядина в полутушах замороженная", "BeefCarcass"),
    ("Свинина в полутушах охлажденная", "PorkCarcass"),
    ("Свинина в полутушах замороженная", "PorkCarcass"),
    ("Полуфабрикат мясной мелкокусковой «Гуляш» из свинины охл.", "PorkSemiFinishedProduct"),
    ("Колбаса вареная «Русская»", "CookedSausage"),
    ("Сосиски «Сливочные»", "Frankfurter"),
    ("Колбаса вареная «Любительская»", "CookedSausage"),
    ("Говядина в четвертинах охлажденная, взрослый скот", "BeefCarcass"),
    ("Колбаса сырокопченая «Московская»", "DrySmokedSausage"),
    ("Сардельки «Свиные»", "Sardelka"),
    ("Колбаса вареная «Телячья»", "CookedSausage"),
    # ice-cream-shop-api.json
    ("Пломбир ванильный в вафельном стаканчике 15%", "Plombir"),
    ("Пломбир шоколадный в вафельном стаканчике 15%", "Plombir"),
    ("Мороженое сливочное «Эскимо» в глазури 10%", "CreamIceCream"),
    ("Мороженое молочное брикет 3,5%", "MilkIceCream"),
    ("Пломбир крем-брюле 450 г контейнер 15%", "Plombir"),
    ("Мороженое сливочное с клубникой 8%", "CreamIceCream"),
    ("Пломбир «Гомельский» на сливках 1 кг 15%", "Plombir"),
    ("Мороженое молочное ванильное 3,5% рожок", "MilkIceCream"),
]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return default_ontology()


@pytest.mark.parametrize(("name", "expected"), SAMPLE_NAMES)
def test_sample_name_class(ontology: Graph, name: str, expected: str | None) -> None:
    result = classify_name(name, ontology)
    assert result.cls == (VIC[expected] if expected else None), result


def test_match_gives_score_and_label(ontology: Graph) -> None:
    result = classify_name("Колбаса вареная фаршированная «Языковая»", ontology)
    assert result.label is not None
    assert "фаршированная" in result.label
    assert result.score > classify_name("Колбаса вареная «Языковая»", ontology).score


def test_no_match_has_no_evidence(ontology: Graph) -> None:
    result = classify_name("Набор подарочный «Утро» №3", ontology)
    assert (result.cls, result.score, result.label) == (None, 0.0, None)


def test_brand_in_quotes_ignored(ontology: Graph) -> None:
    assert strip_quoted("Сосиски «Молочные»").strip() == "Сосиски"
    assert strip_quoted("Портал «Кластер «Гомель-Москва»» онлайн") == "Портал  онлайн"
    assert classify_name("Набор «Молоко»", ontology).cls is None


def test_yo_written_as_e(ontology: Graph) -> None:
    with_yo = classify_name("Колбаса сырокопчёная «Московская»", ontology)
    assert with_yo.cls == VIC.DrySmokedSausage


def test_label_index_built_once(ontology: Graph) -> None:
    assert label_index(ontology) is label_index(ontology)
    assert label_index(Graph()) is not label_index(ontology)
