"""Normalisers: numbers, quantities, temperature ranges, codes and designations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rdflib import Graph

from vic_semantic.catalogues.designation import contract_iri, designation_iri
from vic_semantic.catalogues.errors import CatalogueError, CellValueError
from vic_semantic.catalogues.normalise import (
    Quantity,
    TemperatureRange,
    normalise_designation,
    normalise_gtin,
    normalise_meat_category,
    normalise_tnved,
    parse_boolean,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_quantity,
    parse_temperature_range,
    split_list,
)
from vic_semantic.catalogues.slug import slugify
from vic_semantic.namespaces import ID, UNIT
from vic_semantic.validation.engine import default_ontology


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3,2", Decimal("3.2")),
        ("0.05", Decimal("0.05")),
        ("+6", Decimal(6)),
        ("1 200", Decimal(1200)),
        ("−18", Decimal(-18)),
        (0.5, Decimal("0.5")),
        (-95, Decimal(-95)),
        ("", None),
        (None, None),
    ],
)
def test_parse_decimal(raw: object, expected: Decimal | None) -> None:
    assert parse_decimal(raw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["десять", "3,2,1", "1e5", True])
def test_parse_decimal_rejects(raw: object) -> None:
    with pytest.raises(CellValueError) as caught:
        parse_decimal(raw)  # type: ignore[arg-type]
    assert caught.value.value == raw


def test_parse_integer_rejects_fraction() -> None:
    assert parse_integer("180") == 180
    with pytest.raises(CellValueError, match="whole number"):
        parse_integer("2,5")


@pytest.mark.parametrize(
    ("raw", "header_unit", "expected"),
    [
        ("900 мл", None, Quantity(Decimal(900), UNIT.MilliL)),
        ("0,9 л", None, Quantity(Decimal("0.9"), UNIT.L)),
        ("1кг", None, Quantity(Decimal(1), UNIT.KiloGM)),
        ("450 г", None, Quantity(Decimal(450), UNIT.GM)),
        ("1", None, Quantity(Decimal(1), None)),
        (0.5, "кг", Quantity(Decimal("0.5"), UNIT.KiloGM)),
        ("110 pcs", None, Quantity(Decimal(110), "pcs")),
        ("", None, None),
    ],
)
def test_parse_quantity(raw: object, header_unit: str | None, expected: Quantity | None) -> None:
    assert parse_quantity(raw, header_unit) == expected  # type: ignore[arg-type]


def test_parse_quantity_rejects_words() -> None:
    with pytest.raises(CellValueError, match="quantity"):
        parse_quantity("пол-литра")


@pytest.mark.parametrize(
    ("raw", "low", "high"),
    [
        ("+2...+6", 2, 6),
        ("от +2 до +6 °C", 2, 6),
        ("0...+6", 0, 6),
        ("(4±2) °C", 2, 6),
        ("+6...+2", 6, 2),
        ("-4-+6", -4, 6),
        ("не выше -18 °С", None, -18),
        (-18, None, -18),
    ],
)
def test_parse_temperature_range(raw: object, low: int | None, high: int | None) -> None:
    expected = TemperatureRange(
        None if low is None else Decimal(low), None if high is None else Decimal(high)
    )
    assert parse_temperature_range(raw) == expected  # type: ignore[arg-type]


def test_parse_temperature_range_rejects_words() -> None:
    with pytest.raises(CellValueError, match="temperature range"):
        parse_temperature_range("в холодильнике")


def test_gtin_kept_as_written() -> None:
    assert normalise_gtin(" 95200O2000149 ") == "95200O2000149"
    assert normalise_gtin(9520002000019.0) == "9520002000019"
    assert normalise_gtin(None) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0401 20 910", "0401 20 910"),
        ("0401209100", "0401 20 910 0"),
        ("0403", "0403"),
        ("0406 10 200 1", "0406 10 200 1"),
        ("1601 00", "1601 00"),
        ("04", "04"),
    ],
)
def test_normalise_tnved(raw: str, expected: str) -> None:
    assert normalise_tnved(raw) == expected


@pytest.mark.parametrize("raw", ["040", "04O3", "12345678901"])
def test_normalise_tnved_rejects(raw: str) -> None:
    with pytest.raises(CellValueError, match="TN VED"):
        normalise_tnved(raw)


def test_meat_category_latin_look_alikes() -> None:
    assert normalise_meat_category("A") == "А"
    assert normalise_meat_category("B") == "В"
    assert normalise_meat_category("б") == "Б"
    assert normalise_meat_category("Ж") == "Ж"


@pytest.mark.parametrize(
    ("raw", "text", "kind"),
    [
        ("ГОСТ 31450-2013", "ГОСТ 31450-2013", "ГОСТ"),
        ("ГOCT  31450 – 2013", "ГОСТ 31450-2013", "ГОСТ"),
        ("гост р 52969-2008", "ГОСТ Р 52969-2008", "ГОСТ Р"),
        ("СТБ 315-2017", "СТБ 315-2017", "СТБ"),
        ("ТР ТС 033/2013", "ТР ТС 033/2013", "ТР ТС"),
        ("ТУ BY 400000001.012-2019", "ТУ BY 400000001.012-2019", "ТУ"),
        ("TУ ВY 400000002.031-2021", "ТУ BY 400000002.031-2021", "ТУ"),
        ("ТУ 10.51.40-271-55533829-2017", "ТУ 10.51.40-271-55533829-2017", "ТУ"),
    ],
)
def test_normalise_designation(raw: str, text: str, kind: str) -> None:
    designation = normalise_designation(raw)
    assert designation is not None
    assert (designation.text, designation.kind) == (text, kind)


@pytest.mark.parametrize("raw", ["собственный стандарт", "ТУ 123", "ГОСТ"])
def test_normalise_designation_rejects(raw: str) -> None:
    with pytest.raises(CellValueError, match="designation"):
        normalise_designation(raw)


def test_designation_contract_iris() -> None:
    cases = {
        "ГОСТ 31450-2013": ID["standard/gost-31450-2013"],
        "СТБ 315-2017": ID["standard/stb-315-2017"],
        "ГОСТ Р 52969-2008": ID["standard/gost-r-52969-2008"],
        "ТР ТС 033/2013": ID["regulation/tr-ts-033-2013"],
        "ТР ЕАЭС 051/2021": ID["regulation/tr-eaeu-051-2021"],
    }
    for raw, iri in cases.items():
        designation = normalise_designation(raw)
        assert designation is not None
        assert contract_iri(designation) == iri, raw


def test_designation_found_in_ontology() -> None:
    ontology = default_ontology()
    known = normalise_designation("ГОСТ 31450-2013")
    unknown = normalise_designation("ГОСТ 99999-2099")
    assert known is not None and unknown is not None
    assert designation_iri(known, ontology) == ID["standard/gost-31450-2013"]
    assert (designation_iri(unknown, ontology), None, None) not in ontology
    assert designation_iri(unknown, Graph()) == ID["standard/gost-99999-2099"]


def test_dates_booleans_lists() -> None:
    assert parse_date("2026-11-05") == dt.date(2026, 11, 5)
    assert parse_date("05.11.2026") == dt.date(2026, 11, 5)
    assert parse_boolean("да") is True
    assert parse_boolean("нет") is False
    assert split_list("производство; коммерциализация") == ["производство", "коммерциализация"]
    assert split_list("—") == []
    with pytest.raises(CellValueError):
        parse_date("5 ноября")


def test_slugify_transliterates() -> None:
    assert slugify("Молочный завод №1") == "molochnyj-zavod-1"
    assert slugify("Г-01") == "g-01"
    assert slugify("ТУ BY 400000001.012-2019") == "tu-by-400000001.012-2019"
    assert slugify("г. Гомель") == "g-gomel"


def test_cell_error_located() -> None:
    with pytest.raises(CellValueError) as caught:
        parse_decimal("десять")
    located = caught.value.at("shop.json", 3, "fatPercent")
    assert isinstance(located, CatalogueError)
    assert (located.file, located.row, located.column) == ("shop.json", 3, "fatPercent")
    assert "строка 3" in located.message_ru
    assert 'column "fatPercent"' in located.message_en
