"""Catalogue mapping: decisions, attributes, reports, SSSOM and the quality floor on OFF data."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph

from vic_semantic.catalogues.classify import label_index
from vic_semantic.catalogues.errors import UnknownFileKindError
from vic_semantic.mapping.attributes import cross_check, extract_attributes
from vic_semantic.mapping.decide import decide
from vic_semantic.mapping.evaluate import evaluate, read_categories, read_gold
from vic_semantic.mapping.files import map_file
from vic_semantic.mapping.names import analyse_name
from vic_semantic.namespaces import UNIT, VIC
from vic_semantic.validation.engine import default_ontology

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VIC_SHARED_DIR", REPO.parent / "shared"))
OFF_TSV = SHARED / "realdata" / "off_categories_dairy_meat.tsv"
GOLD = REPO / "tests" / "gold" / "off_gold.tsv"
# Published in docs/mapping.md; the measured values must not fall below them.
PUBLISHED_PRECISION = 0.925
PUBLISHED_RECALL = 0.888


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return default_ontology()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Молоко у/паст. м.д.ж. 2,5% 0,9 л т/п", "UHTMilk"),
        ("Молоко пастер. 3,2% 900 мл", "PasteurisedMilk"),
        ("Молоко стерил. 3,5% 1 л", "SterilisedMilk"),
        ("Сыр п/тв «Российский» 50%", "SemiHardCheese"),
        ("Масло слив. 72,5% 180 г", "Butter"),
        ("Творог обезж. 0,5%", "Tvorog"),
        ("Мороженное пломбир", "Plombir"),
        ("Pasteurised milks", "PasteurisedMilk"),
        ("Semi-hard cheeses", "SemiHardCheese"),
        ("Йогурт клубничный 2,5%", "Yogurt"),
        ("Hard cheese", "HardCheese"),
        ("Ветчина «Домашняя» вар. 400 г", "Ham"),
        ("Сыр Моцарелла 45%", "Mozzarella"),
        ("Брынза 40% 300 г", "BrinedCheese"),
        ("Паштет печеночный 150 г", "MeatPate"),
        ("Колбаса мортаделла", "Mortadella"),
        ("Pork Pâtés", "MeatPate"),
        ("Bacon rashers", "Bacon"),
    ],
)
def test_name_decision(ontology: Graph, name: str, expected: str) -> None:
    decision = decide(name, ontology)

    assert decision.status == "mapped", decision
    assert decision.cls == VIC[expected]
    assert decision.evidence


def test_accented_latin_word_kept_whole() -> None:
    analysed = analyse_name("Pork Pâtés")

    assert analysed.words == ("pork", "pâtés")
    assert analysed.heads == (1,)


def test_contained_label_not_rival(ontology: Graph) -> None:
    # "hard cheese" matches "Semi-hard cheeses" through the last part of "semi-hard" only,
    # so its match is contained in that of "semi-hard cheese" and must not tie with it.
    candidates = label_index(ontology).rank("Semi-hard cheeses")
    decision = decide("Semi-hard cheeses", ontology)

    assert [c.cls for c in candidates[:2]] == [VIC.SemiHardCheese, VIC.HardCheese]
    assert candidates[1].covered_tokens < candidates[0].covered_tokens
    assert decision.status == "mapped"
    assert decision.cls == VIC.SemiHardCheese


def test_rival_after_contained_label_ambiguous(ontology: Graph) -> None:
    # "hard cheese" is contained in the "semi-hard cheese" match and is skipped, but "soft
    # cheese" covers a word of its own with the same confidence, so the name stays ambiguous.
    decision = decide("Semi-hard soft cheese", ontology)

    assert decision.status == "ambiguous"
    assert decision.cls is None
    assert [c.cls for c in decision.candidates[:3]] == [
        VIC.SemiHardCheese,
        VIC.HardCheese,
        VIC.SoftCheese,
    ]


@pytest.mark.parametrize(
    "name",
    [
        "Йогурты из цельного молока",
        "Ice creams and sorbets",
        "Plant-based ice creams",
        "Almond milk",
        "Chicken sausages",
        "Набор подарочный «Утро» №3",
    ],
)
def test_hard_negatives_unmapped(ontology: Graph, name: str) -> None:
    decision = decide(name, ontology)

    assert decision.cls != VIC.DrinkingMilk
    assert decision.cls not in (VIC.IceCream, VIC.CreamIceCream, VIC.SemiHardCheese)
    assert decision.status != "mapped" or name.startswith("Йогурт")


def test_code_refines_name(ontology: Graph) -> None:
    decision = decide("Молоко 3,2% 1 л", ontology, {"okpd2": "10.51.11.121"})

    assert decision.cls == VIC.UHTMilk
    assert decision.justification == "semapv:MappingChaining"


def test_code_name_conflict_needs_review(ontology: Graph) -> None:
    decision = decide("Сыр «Гауда»", ontology, {"tnved": "0406 10 200 1"})

    assert decision.status == "ambiguous"
    assert decision.cls is None
    assert [f["kind"] for f in decision.findings] == ["code_name_conflict"]
    assert [c.cls for c in decision.candidates[:2]] == [VIC.Cheese, VIC.Tvorog]


def test_wrong_code_on_sausage_needs_review(ontology: Graph) -> None:
    decision = decide("Колбаса вареная «Языковая»", ontology, {"tnved": "0403"})

    assert decision.status == "ambiguous"
    assert decision.cls is None
    assert decision.candidates[1].cls == VIC.FermentedMilkProduct
    assert [f["kind"] for f in decision.findings] == ["code_name_conflict"]


def test_unknown_code_reported(ontology: Graph) -> None:
    decision = decide("Кефир 1%", ontology, {"tnved": "9999 99"})

    assert decision.cls == VIC.Kefir
    assert decision.findings[0]["kind"] == "unknown_code"


def test_manual_mapping_wins(ontology: Graph) -> None:
    decision = decide("Кефир 1%", ontology, {}, manual=VIC.Ryazhenka)

    assert decision.cls == VIC.Ryazhenka
    assert decision.justification == "semapv:ManualMappingCuration"
    assert decision.confidence == 1.0


def test_name_attributes() -> None:
    found = extract_attributes("Молоко у/паст. м.д.ж. 2,5% 0,9 л")

    assert found.fat == Decimal("2.5")
    assert found.net is not None and found.net.unit == UNIT.L
    assert found.heat_treatment == VIC.UltraPasteurisation


def test_attribute_mismatch() -> None:
    found = extract_attributes("Кефир 2,5% 900 г")

    assert cross_check(found, "2,5", "0,9 кг", None) == []
    assert [d.field for d in cross_check(found, "3,2", "1 кг", None)] == ["fat", "net"]


def test_report_and_sssom(ontology: Graph) -> None:
    data = "Код;Наименование;Штрихкод;Код ТН ВЭД\nA-1;Кефир 2,5% 900 г;4810000000001;0403\n"
    data += "A-2;Набор «Утро»;4810000000002;\n"
    report = map_file("p.csv", data.encode(), ontology)

    assert report.counts() == {"mapped": 1, "ambiguous": 0, "unmapped": 1}
    sssom = report.to_sssom(ontology, "m")
    assert sssom.startswith("#curie_map:")
    assert "#mapping_set_id:" in sssom and "#license:" in sssom
    assert "vicd:product/m/A-1\tКефир 2,5% 900 г\tskos:exactMatch\tvic:Kefir" in sssom
    assert "sssom:NoTermFound" in sssom


def test_profile_maps_unknown_headers(ontology: Graph) -> None:
    data = "Артикул;Номенклатура;Штрихкод\nA-1;Кефир 1%;4810000000001\n".encode()

    profiled = map_file("p.csv", data, ontology, profile={"Номенклатура": "name"})

    with pytest.raises(UnknownFileKindError):
        map_file("p.csv", data, ontology)
    assert profiled.rows[0].decision.cls == VIC.Kefir


@pytest.mark.skipif(not OFF_TSV.exists(), reason=f"Open Food Facts data absent: {OFF_TSV}")
def test_off_quality_floor(ontology: Graph) -> None:
    result = evaluate(read_categories(OFF_TSV), read_gold(GOLD), ontology)

    assert len(read_gold(GOLD)) >= 150
    assert result.precision >= PUBLISHED_PRECISION
    assert result.recall >= PUBLISHED_RECALL
