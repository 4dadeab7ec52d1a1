"""Property-based tests: readers and normalisers raise only the CatalogueError family.

Arbitrary text, bytes (invalid UTF-8 included), huge numbers and formula-looking cells must
never crash a parser with anything else, and a formula is kept as text, never evaluated.
"""

from __future__ import annotations

import contextlib
import io

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vic_semantic.catalogues import normalise
from vic_semantic.catalogues.errors import CatalogueError, UncomputedFormulaError
from vic_semantic.catalogues.readers import read_table
from vic_semantic.mapping.attributes import extract_attributes
from vic_semantic.mapping.names import analyse_name

HEADER = "Код;Наименование;Штрихкод;Масса нетто;Температура хранения\n"
FORMULAS = st.sampled_from(
    ['=HYPERLINK("http://127.0.0.1/x","клик")', "=1+1", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3"]
)
CELLS = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    FORMULAS,
)
NORMALISERS = [
    normalise.parse_decimal,
    normalise.parse_integer,
    normalise.parse_unit,
    normalise.parse_quantity,
    normalise.parse_temperature_range,
    normalise.normalise_gtin,
    normalise.normalise_tnved,
    normalise.normalise_meat_category,
    normalise.parse_date,
    normalise.parse_boolean,
    normalise.split_list,
    normalise.normalise_designation,
]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("parse", NORMALISERS, ids=lambda f: f.__name__)
@FAST
@given(value=CELLS)
def test_normaliser_raises_only_catalogue_errors(parse: object, value: object) -> None:
    with contextlib.suppress(CatalogueError):
        parse(value)  # type: ignore[operator]


@FAST
@given(data=st.binary(max_size=400))
def test_reader_arbitrary_bytes(data: bytes) -> None:
    with contextlib.suppress(CatalogueError):
        read_table("x.csv", data)


@FAST
@given(body=st.text(max_size=300))
def test_reader_text_after_header(body: str) -> None:
    with contextlib.suppress(CatalogueError, UnicodeEncodeError):
        read_table("x.csv", (HEADER + body).encode("utf-8", "surrogatepass"))


@FAST
@given(prefix=st.binary(max_size=40), junk=st.binary(min_size=1, max_size=40))
def test_reader_invalid_utf8_json(prefix: bytes, junk: bytes) -> None:
    with contextlib.suppress(CatalogueError):
        read_table("x.json", b"[" + prefix + b"\xff\xfe" + junk)


@FAST
@given(name=st.text(max_size=80), number=st.integers(min_value=-(10**30), max_value=10**30))
def test_name_analysis_never_raises(name: str, number: int) -> None:
    analyse_name(f"{name} {number}%")
    extract_attributes(f"{name} {number} г {number}%")


@FAST
@given(formula=FORMULAS)
def test_formula_cell_kept_as_text_csv(formula: str) -> None:
    line = f'A-1;"{formula.replace(chr(34), chr(34) * 2)}";4810000000001;900 г;+2...+6\n'
    table = read_table("x.csv", (HEADER + line).encode())

    cell = table.rows[0].get("Наименование")

    assert cell is not None
    assert cell.value == formula


def test_formula_cell_never_evaluated_xlsx() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Код", "Наименование", "Штрихкод"])
    sheet.append(["A-1", '=HYPERLINK("http://127.0.0.1/x","клик")', "4810000000001"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    # openpyxl reads cached values only, and nothing here evaluates a formula. One that no
    # program has evaluated has no value, so the reader rejects it and shows its text.
    with pytest.raises(UncomputedFormulaError) as caught:
        read_table("x.xlsx", buffer.getvalue())

    assert caught.value.details[0]["formula"] == '=HYPERLINK("http://127.0.0.1/x","клик")'
    assert "cell B2" in caught.value.message_en


@pytest.mark.parametrize(
    "parse", [normalise.parse_quantity, normalise.parse_temperature_range, normalise.parse_integer]
)
@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_non_finite_float_rejected(parse: object, value: float) -> None:
    with pytest.raises(CatalogueError):
        parse(value)  # type: ignore[operator]
