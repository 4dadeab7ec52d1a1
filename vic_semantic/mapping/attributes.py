"""Attributes written inside a product name, and their cross-check with the file's columns.

Names repeat what columns say: «Молоко 3,2% 900 мл» gives a fat mass fraction of 3.2 % and a
net content of 900 ml, «у/паст.» gives ultra-pasteurisation. When the column says otherwise
one of the two is wrong, and the report names both values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from rdflib import URIRef

from vic_semantic.catalogues.errors import CellValueError
from vic_semantic.catalogues.normalise import Quantity, parse_decimal, parse_quantity
from vic_semantic.mapping.names import analyse_name, fold, lemmas
from vic_semantic.namespaces import UNIT, VIC

_FAT = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s*%(?!\s*[-–]\s*\d)")
_FAT_RANGE = re.compile(r"\d\s*%?\s*[-–]\s*\d|от\s*\d[\d.,]*\s*%?\s*до\s*\d")
_NET = re.compile(
    r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*(кг|гр|г|мл|л|kg|g|ml|l)(?![а-яa-z])", re.IGNORECASE
)

# Words whose lemma names a heat treatment; abbreviations arrive expanded by analyse_name.
HEAT_TREATMENTS: tuple[tuple[str, URIRef], ...] = (
    ("ультрапастеризовать", VIC.UltraPasteurisation),
    ("ультрапастеризованный", VIC.UltraPasteurisation),
    ("uht", VIC.UltraPasteurisation),
    ("пастеризовать", VIC.Pasteurisation),
    ("пастеризованный", VIC.Pasteurisation),
    ("pasteuris", VIC.Pasteurisation),
    ("pasteuriz", VIC.Pasteurisation),
    ("стерилизовать", VIC.Sterilisation),
    ("стерилизованный", VIC.Sterilisation),
    ("sterilis", VIC.Sterilisation),
    ("steriliz", VIC.Sterilisation),
    ("топлёный", VIC.Baking),
    ("топленый", VIC.Baking),
    ("baked", VIC.Baking),
    ("bak", VIC.Baking),
)
_HEAT_BY_KEY = dict(HEAT_TREATMENTS)

# Grams per unit, to compare "0,9 кг" with "900 г"; litres are compared as millilitres.
_SCALE = {
    UNIT.GM: (Decimal(1), "mass"),
    UNIT.KiloGM: (Decimal(1000), "mass"),
    UNIT.MilliL: (Decimal(1), "volume"),
    UNIT.L: (Decimal(1000), "volume"),
}


@dataclass(frozen=True)
class NameAttributes:
    """Attributes read from a name; None when the name does not state one."""

    fat: Decimal | None
    net: Quantity | None
    heat_treatment: URIRef | None


@dataclass(frozen=True)
class Disagreement:
    """A column value that differs from the value the name states."""

    field: str
    in_name: str
    in_column: str


def extract_attributes(name: str) -> NameAttributes:
    """Read the fat mass fraction, net content and heat treatment from a product name."""
    folded = fold(name).replace("\u00a0", " ")
    fat = None
    # Only a value followed by "%" is a fat figure, so a name without one needs no search.
    if "%" in folded and not _FAT_RANGE.search(folded):
        match = _FAT.search(folded)
        fat = _name_fat(match.group(1)) if match else None

    net = None
    match = _NET.search(folded)
    if match:
        net = _name_net(match.group(1), match.group(2))

    return NameAttributes(fat, net, _heat_treatment(analyse_name(name).words))


# The numbers and words these read repeat across a catalogue's names, so each distinct one is
# parsed once. The caches hold strings and immutable results only.
@lru_cache(maxsize=4096)
def _name_fat(number: str) -> Decimal | None:
    return parse_decimal(number)


@lru_cache(maxsize=4096)
def _name_net(number: str, unit: str) -> Quantity | None:
    return parse_quantity(f"{number} {unit}")


@lru_cache(maxsize=100_000)
def _heat_treatment(words: tuple[str, ...]) -> URIRef | None:
    for word in words:
        for key in lemmas(word) | {word}:
            if key in _HEAT_BY_KEY:
                return _HEAT_BY_KEY[key]
    return None


def _base(quantity: Quantity) -> tuple[Decimal, str] | None:
    if not isinstance(quantity.unit, URIRef) or quantity.unit not in _SCALE:
        return None
    factor, dimension = _SCALE[quantity.unit]
    return quantity.value * factor, dimension


def _show(quantity: Quantity) -> str:
    unit = quantity.unit
    symbol = str(unit).rsplit("/", 1)[-1] if isinstance(unit, URIRef) else (unit or "")
    return f"{quantity.value} {symbol}".strip()


def cross_check(
    found: NameAttributes, fat_cell: object, net_cell: object, net_unit: str | None
) -> list[Disagreement]:
    """Return where the fat and net content columns disagree with the name.

    A column value that does not parse is left to the SHACL shapes and not compared here.
    """
    problems = []
    try:
        fat = parse_decimal(fat_cell)  # type: ignore[arg-type]
    except CellValueError:
        fat = None
    if found.fat is not None and fat is not None and fat != found.fat:
        problems.append(Disagreement("fat", f"{found.fat}%", f"{fat}%"))

    try:
        net = parse_quantity(net_cell, net_unit)  # type: ignore[arg-type]
    except CellValueError:
        net = None
    if found.net is not None and net is not None:
        disagreement = _net_disagreement(found.net, net)
        if disagreement is not None:
            problems.append(disagreement)
    return problems


def _net_disagreement(in_name: Quantity, in_column: Quantity) -> Disagreement | None:
    # Keyed by the values' text because equal Decimals may print differently ("900", "900.0").
    return _compare_net(str(in_name.value), in_name.unit, str(in_column.value), in_column.unit)


# A catalogue has few distinct pairs of net contents, so each pair is compared once.
@lru_cache(maxsize=4096)
def _compare_net(
    name_value: str,
    name_unit: URIRef | str | None,
    column_value: str,
    column_unit: URIRef | str | None,
) -> Disagreement | None:
    in_name = Quantity(Decimal(name_value), name_unit)
    in_column = Quantity(Decimal(column_value), column_unit)
    name_base, column_base = _base(in_name), _base(in_column)
    if name_base and column_base and name_base != column_base:
        return Disagreement("net", _show(in_name), _show(in_column))
    return None
