"""The caches and shortcuts that make catalogue mapping fast give the uncached results."""

from __future__ import annotations

import gc

import pytest
from rdflib import Graph

from vic_semantic.catalogues.errors import CellValueError
from vic_semantic.catalogues.gc_pause import gc_paused
from vic_semantic.catalogues.normalise import normalise_tnved, parse_decimal, parse_quantity
from vic_semantic.mapping.attributes import cross_check, extract_attributes
from vic_semantic.mapping.decide import decide
from vic_semantic.mapping.names import strip_quoted
from vic_semantic.namespaces import UNIT, VIC
from vic_semantic.ontology import load_ontology_graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology_graph()


def test_decision_copies_independent(ontology: Graph) -> None:
    first = decide("Кефир «Савушкин» 1%", ontology, {"tnved": "0403"})
    first.findings.append({"kind": "attribute_mismatch"})
    first.evidence.clear()

    second = decide("Кефир «Савушкин» 1%", ontology, {"tnved": "0403"})

    assert second.findings == []
    assert second.evidence != []


def test_brand_and_numbers_share_decision(ontology: Graph) -> None:
    savushkin = decide("Кефир «Савушкин» 1% 450 г", ontology)
    utro = decide("Кефир «Утро» 2,5% 900 г", ontology)

    assert savushkin.cls == utro.cls == VIC.Kefir
    assert savushkin.confidence == utro.confidence
    assert savushkin.evidence == utro.evidence


def test_codes_part_of_decision(ontology: Graph) -> None:
    plain = decide("Кефир 1%", ontology)
    unknown = decide("Кефир 1%", ontology, {"tnved": "9999 99"})

    assert plain.findings == []
    assert [f["kind"] for f in unknown.findings] == ["unknown_code"]


def test_net_mismatch_shows_written_value() -> None:
    # 1.0 kg and 1 kg are equal Decimals but print differently. Each row shows its own.
    with_point = cross_check(extract_attributes("Сыр 1,0 кг"), None, "2 кг", None)
    without = cross_check(extract_attributes("Сыр 1 кг"), None, "2 кг", None)

    assert [p.in_name for p in with_point] == ["1.0 KiloGM"]
    assert [p.in_name for p in without] == ["1 KiloGM"]


def test_equal_net_contents_agree() -> None:
    assert cross_check(extract_attributes("Молоко 900 мл"), None, "0,9 л", None) == []
    assert cross_check(extract_attributes("Молоко 900 мл"), None, "900", "мл") == []


def test_fat_without_percent_sign_ignored() -> None:
    assert extract_attributes("Сыр 45 выдержанный").fat is None
    assert str(extract_attributes("Сыр 45% выдержанный").fat) == "45"


def test_bad_number_raises_every_time() -> None:
    for _ in range(2):
        with pytest.raises(CellValueError):
            parse_decimal("3,2,1")
        with pytest.raises(CellValueError):
            parse_quantity("много")
        with pytest.raises(CellValueError):
            normalise_tnved("04O1")


def test_cached_parses_keep_types() -> None:
    assert str(parse_decimal("3,20")) == "3.20"
    assert str(parse_decimal(3.2)) == "3.2"
    assert parse_decimal(" ") is None
    assert parse_quantity("900 мл") == parse_quantity("900 мл", "кг")
    assert parse_quantity("900", "мл") != parse_quantity("900", "кг")
    quantity = parse_quantity("0,9 л")
    assert quantity is not None
    assert quantity.unit == UNIT.L
    with pytest.raises(CellValueError):
        parse_decimal(True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Кефир «Савушкин» 1%", "Кефир  1%"),
        ("Сыр «Гауда «Люкс»» 45%", "Сыр  45%"),
        ("Сыр «Гауда «Люкс» 45%", "Сыр "),
        ("Масло » сливочное", "Масло  сливочное"),
        ('Молоко "Утро" 3,2%', "Молоко  3,2%"),
        ('Молоко "Утро «Ранок»" 3,2%', "Молоко  3,2%"),
        ("Молоко “Утро” 3,2%", "Молоко  3,2%"),
        ("Молоко без кавычек", "Молоко без кавычек"),
    ],
)
def test_strip_quoted_cases(text: str, expected: str) -> None:
    assert strip_quoted(text) == expected


def test_gc_pause_nests_and_restores() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_gc_pause_keeps_disabled_state() -> None:
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_gc_pause_restores_after_error() -> None:
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("stop")
    assert gc.isenabled()
