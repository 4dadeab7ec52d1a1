"""Normalisers: from a cell's raw value to the typed value the ontology expects.

Each function returns None for an empty cell and raises CellValueError for a value it
cannot read. The caller adds the file, row and column to the error.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from rdflib import URIRef

from vic_semantic.catalogues.errors import CellValueError
from vic_semantic.catalogues.table import CellValue
from vic_semantic.namespaces import UNIT

# Latin capitals that look like Cyrillic ones; members' systems mix them up.
LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
CYRILLIC_TO_LATIN = str.maketrans("АВСЕНКМОРТХУ", "ABCEHKMOPTXY")

UNITS: dict[str, URIRef] = {
    "г": UNIT.GM,
    "гр": UNIT.GM,
    "g": UNIT.GM,
    "gr": UNIT.GM,
    "грамм": UNIT.GM,
    "кг": UNIT.KiloGM,
    "kg": UNIT.KiloGM,
    "л": UNIT.L,
    "l": UNIT.L,
    "литр": UNIT.L,
    "мл": UNIT.MilliL,
    "ml": UNIT.MilliL,
}

MEAT_CATEGORIES = ("А", "Б", "В", "Г", "Д")

# Group, heading, subheading, and the 8-, 9- and 10-digit sub-positions of ТН ВЭД ЕАЭС.
TNVED_LENGTHS = (2, 4, 6, 8, 9, 10)

_NUMBER = r"[+\-−–]?\s*\d+(?:[.,]\d+)?"
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DECIMAL = re.compile(r"[+\-]?\d+(\.\d+)?")
_QUANTITY = re.compile(rf"({_NUMBER})\s*([^\d\s].*)?")


def _text(raw: CellValue) -> str | None:
    if raw is None:
        return None
    text = _SPACES.sub(" ", str(raw)).strip()
    return text or None


def parse_decimal(raw: CellValue) -> Decimal | None:
    """Parse a number written with a decimal comma or point ("3,2", "+6", "1 200", 0.5)."""
    if isinstance(raw, bool):
        raise CellValueError(raw, "ожидается число.", "a number is expected.")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise CellValueError(raw, "не является конечным числом.", "is not a finite number.")
    if isinstance(raw, int | float):
        return Decimal(str(raw))
    if isinstance(raw, str):
        return _parse_decimal_cached(raw)
    return _parse_decimal_text(raw)


def _parse_decimal_text(raw: CellValue) -> Decimal | None:
    text = _text(raw)
    if text is None:
        return None
    cleaned = text.replace(" ", "").replace(",", ".").replace("−", "-").replace("–", "-")
    if not _DECIMAL.fullmatch(cleaned):
        raise CellValueError(
            raw,
            "не является числом. Укажите число, например 3,2.",
            "is not a number. Write a number such as 3.2.",
        )
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:
        raise CellValueError(raw, "не является числом.", "is not a number.") from error


# A catalogue column repeats a few values ("3,2", "900 мл") over thousands of rows, so each
# distinct string is parsed once. Only results are cached, so a string that fails raises again.
_parse_decimal_cached = lru_cache(maxsize=4096)(_parse_decimal_text)


def parse_integer(raw: CellValue) -> int | None:
    """Parse a whole number ("7", 180, "30.0")."""
    number = parse_decimal(raw)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellValueError(raw, "ожидается целое число.", "a whole number is expected.")
    return int(number)


def parse_unit(raw: CellValue) -> URIRef | str | None:
    """Return the unit IRI of a mass or volume unit, or the unit as written when unknown."""
    text = _text(raw)
    if text is None:
        return None
    return UNITS.get(text.casefold().rstrip("."), text)


@dataclass(frozen=True)
class Quantity:
    """A number with its unit: a unit IRI, the unit as written when unknown, or None."""

    value: Decimal
    unit: URIRef | str | None


def parse_quantity(raw: CellValue, default_unit: str | None = None) -> Quantity | None:
    """Parse "900 мл", "0,9 л", "1кг" or a bare number whose unit comes from the header."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = parse_decimal(raw)  # raises CellValueError for an infinite or NaN float
        assert number is not None
        return Quantity(number, parse_unit(default_unit))
    if isinstance(raw, str):
        return _parse_quantity_cached(raw, default_unit)
    return _parse_quantity_text(raw, default_unit)


def _parse_quantity_text(raw: CellValue, default_unit: str | None) -> Quantity | None:
    text = _text(raw)
    if text is None:
        return None
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise CellValueError(
            raw,
            "не является количеством. Укажите число и единицу, например «900 мл».",
            'is not a quantity. Write a number and a unit such as "900 ml".',
        )
    value = parse_decimal(match.group(1))
    assert value is not None  # the pattern guarantees digits
    unit = parse_unit(match.group(2)) if match.group(2) else parse_unit(default_unit)
    return Quantity(value, unit)


_parse_quantity_cached = lru_cache(maxsize=4096)(_parse_quantity_text)


@dataclass(frozen=True)
class TemperatureRange:
    """A storage temperature range in °C; either end may be open."""

    minimum: Decimal | None
    maximum: Decimal | None


_DEGREES = re.compile(r"°\s*[CС]?|градус\w*|\b[CС]\b", re.IGNORECASE)


def parse_temperature_range(raw: CellValue) -> TemperatureRange | None:
    """Parse "+2...+6", "от +2 до +6 °C", "0...+6", "(4±2) °C", "не выше -18 °C" or "-18".

    A single number is taken as the maximum, as in "хранить при −18 °C".
    """
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return TemperatureRange(None, parse_decimal(raw))
    text = _text(raw)
    if text is None:
        return None
    text = _DEGREES.sub("", text).strip().casefold()

    patterns = (
        (rf"\(?\s*({_NUMBER})\s*±\s*({_NUMBER})\s*\)?", "plus_minus"),
        (rf"от\s*({_NUMBER})\s*до\s*({_NUMBER})", "range"),
        (rf"({_NUMBER})\s*(?:\.{{2,3}}|…|–|—|-|до)\s*({_NUMBER})", "range"),
        (rf"(?:не выше|не более|до)\s*({_NUMBER})", "max"),
        (rf"(?:не ниже|не менее|от)\s*({_NUMBER})", "min"),
        (rf"({_NUMBER})", "max"),
    )
    for pattern, form in patterns:
        match = re.fullmatch(pattern, text)
        if match is None:
            continue
        numbers = [parse_decimal(group) for group in match.groups()]
        if form == "plus_minus":
            centre, spread = numbers[0], numbers[1]
            assert centre is not None and spread is not None  # both groups matched digits
            return TemperatureRange(centre - abs(spread), centre + abs(spread))
        if form == "range":
            return TemperatureRange(numbers[0], numbers[1])
        if form == "min":
            return TemperatureRange(numbers[0], None)
        return TemperatureRange(None, numbers[0])
    raise CellValueError(
        raw,
        "не является диапазоном температур. Пишите, например, «+2...+6» или «(4±2) °C».",
        'is not a temperature range. Write, for example, "+2...+6" or "(4±2) °C".',
    )


def normalise_gtin(raw: CellValue) -> str | None:
    """Return the GTIN as written, trimmed; a number from a spreadsheet becomes its digits.

    Whether it has the right length, only digits and a valid check digit is left to the
    SHACL shapes, which report it with the row.
    """
    if isinstance(raw, float) and raw.is_integer():
        # NOTE: a GTIN stored as a number has lost its leading zeros; the shapes flag its length.
        return str(int(raw))
    return _text(raw)


def normalise_tnved(raw: CellValue) -> str | None:
    """Return a ТН ВЭД ЕАЭС code grouped as the classifier prints it: "0401 20 910 0"."""
    if isinstance(raw, str):
        return _normalise_tnved_cached(raw)
    return _normalise_tnved(raw)


def _normalise_tnved(raw: CellValue) -> str | None:
    text = _text(raw)
    if text is None:
        return None
    digits = re.sub(r"[\s.\-]", "", text)
    if not digits.isdigit() or len(digits) not in TNVED_LENGTHS:
        raise CellValueError(
            raw,
            "не является кодом ТН ВЭД ЕАЭС (2–10 цифр, например «0401 20 910 0»).",
            'is not a TN VED EAEU code (2 to 10 digits, such as "0401 20 910 0").',
        )
    groups = [digits[0:4], digits[4:6], digits[6:9], digits[9:10]]
    return " ".join(group for group in groups if group)


_normalise_tnved_cached = lru_cache(maxsize=4096)(_normalise_tnved)


def normalise_meat_category(raw: CellValue) -> str | None:
    """Return the category letter in Cyrillic upper case ("a" or Latin "A" → "А")."""
    text = _text(raw)
    if text is None:
        return None
    return text.upper().translate(LATIN_TO_CYRILLIC)


def parse_date(raw: CellValue) -> dt.date | None:
    """Parse a date written as 2026-11-05 or 05.11.2026, or a spreadsheet date."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _text(raw)
    if text is None:
        return None
    for form in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise CellValueError(
        raw,
        "не является датой. Пишите дату как 2026-11-05 или 05.11.2026.",
        "is not a date. Write the date as 2026-11-05 or 05.11.2026.",
    )


def parse_boolean(raw: CellValue) -> bool | None:
    """Parse да/нет, yes/no, true/false or 1/0."""
    if isinstance(raw, bool):
        return raw
    text = _text(raw)
    if text is None:
        return None
    folded = text.casefold()
    if folded in ("да", "yes", "true", "1", "есть", "+"):
        return True
    if folded in ("нет", "no", "false", "0", "-", "—"):
        return False
    raise CellValueError(raw, "ожидается «да» или «нет».", 'expected "yes" or "no".')


def split_list(raw: CellValue) -> list[str]:
    """Split "производство; коммерциализация" on ";"; a dash or an empty cell gives []."""
    text = _text(raw)
    if text is None or text in ("-", "—", "–"):
        return []
    return [item.strip() for item in text.split(";") if item.strip()]


@dataclass(frozen=True)
class Designation:
    """A normative document designation in its printed form, with its kind."""

    text: str
    kind: str  # "ГОСТ", "ГОСТ Р", "СТБ", "ТР ТС", "ТР ЕАЭС" or "ТУ"

    @property
    def is_technical_conditions(self) -> bool:
        return self.kind == "ТУ"


_STANDARD = re.compile(r"(ГОСТ Р|ГОСТ|СТБ|ТР ТС|ТР ЕАЭС) ?(\d+(?:\.\d+)*) ?[-/] ?(\d{2,4})")
_TU_BY = re.compile(r"ТУ ?(BY) ?(\d{9}\.\d{3}) ?- ?(\d{4})")
_TU_RU = re.compile(r"ТУ ?(\d{2}(?:\.\d{1,2}){1,3}|\d{4}) ?- ?(\d{3}) ?- ?(\d{8}) ?- ?(\d{4})")


def _canonical_prefix(text: str) -> str:
    # Latin look-alikes inside the Cyrillic prefix ("ГOCT") become Cyrillic; the country code
    # of a Belarusian ТУ ("BY") is Latin, so Cyrillic look-alikes there become Latin.
    upper = text.upper()
    head = re.match(r"[^\d]*", upper)
    prefix = head.group(0) if head else ""
    prefix = prefix.translate(LATIN_TO_CYRILLIC)
    prefix = re.sub(r"ТУ ?ВУ", "ТУ BY", prefix)
    return prefix + upper[len(prefix) :]


def normalise_designation(raw: CellValue) -> Designation | None:
    """Return a ГОСТ, ГОСТ Р, СТБ, ТР ТС, ТР ЕАЭС or ТУ designation in printed form.

    Spaces and dashes are normalised: "ГОСТ  31450 – 2013" → "ГОСТ 31450-2013".
    """
    text = _text(raw)
    if text is None:
        return None
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    text = _canonical_prefix(text)
    text = re.sub(r"\s*([-/])\s*", r"\1", text)

    if match := _STANDARD.fullmatch(text):
        kind, number, year = match.groups()
        separator = "/" if kind.startswith("ТР") else "-"
        return Designation(f"{kind} {number}{separator}{year}", kind)
    if match := _TU_BY.fullmatch(text):
        return Designation(f"ТУ BY {match.group(2)}-{match.group(3)}", "ТУ")
    if match := _TU_RU.fullmatch(text):
        return Designation("ТУ " + "-".join(match.groups()), "ТУ")
    raise CellValueError(
        raw,
        "не является обозначением ГОСТ, ГОСТ Р, СТБ, ТР ТС или ТУ. Пишите, например, "
        "«ГОСТ 31450-2013» или «ТУ BY 400000001.012-2019».",
        "is not a ГОСТ, ГОСТ Р, СТБ, ТР ТС or ТУ designation. Write, for example, "
        '"ГОСТ 31450-2013" or "ТУ BY 400000001.012-2019".',
    )
