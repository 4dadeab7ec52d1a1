"""XLSX formula cells saved without a computed value: rejected where the table reads them.

The workbooks are written by openpyxl, which stores formulas without computing them, the
same as some 1C exports do. Files that imitate Excel (cached values, shared formulas) are
openpyxl's files with the worksheet XML edited.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pyoxigraph as ox
import pytest
from conftest import ServiceFactory, register_member
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.catalogues.errors import UncomputedFormulaError, UnknownFileKindError
from vic_semantic.catalogues.limits import ReadLimits
from vic_semantic.catalogues.readers import read_table
from vic_semantic.cli import app
from vic_semantic.mapping.files import map_file
from vic_semantic.service import VicService
from vic_semantic.validation.engine import default_ontology

MEMBER = "molochnyj-zavod-1"
SHEET = "Каталог"
SHEET_PART = "xl/worksheets/sheet1.xml"
GTIN_FORMULA = '="952000"&"1000041"'
runner = CliRunner()


def workbook(rows: list[list[object]], cells: dict[str, object] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    for values in rows:
        sheet.append(values)
    for place, value in (cells or {}).items():
        sheet[place] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def edit_sheet(data: bytes, edit: Callable[[str], str]) -> bytes:
    """Return the workbook with its first worksheet's XML changed by ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == SHEET_PART:
                edited = edit(content.decode())
                assert edited != content.decode(), "the edit changed nothing"
                content = edited.encode()
            target.writestr(info, content)
    return buffer.getvalue()


GTIN_BY_FORMULA = workbook([["Наименование", "Штрихкод"], ["Кефир 1%", GTIN_FORMULA]])


# --- the reader ------------------------------------------------------------------------------


def test_formula_in_read_column_rejected() -> None:
    with pytest.raises(UncomputedFormulaError) as caught:
        read_table("formulas.xlsx", GTIN_BY_FORMULA)

    error = caught.value
    assert error.file == "formulas.xlsx"
    assert error.row == 1
    assert error.column == "Штрихкод"
    assert error.message_en == (
        'File "formulas.xlsx", row 1, column "Штрихкод": sheet "Каталог", cell B2: the '
        'formula "="952000"&"1000041"" is stored without a computed value, so the cell would '
        "be read as empty. This is an error, not a warning: the table reads these values (the "
        "header row and the columns the mapping uses), so they must not be read as empty. "
        "Open the file in Excel or LibreOffice and save it so that the formula values are "
        "computed, or export values only, without formulas."
    )
    assert error.message_ru == (
        "Файл «formulas.xlsx», строка 1, столбец «Штрихкод»: лист «Каталог», ячейка B2: "
        'формула «="952000"&"1000041"» сохранена без вычисленного значения, и ячейка '
        "прочиталась бы как пустая. Это ошибка, а не предупреждение: таблица читает эти "
        "значения (строку заголовка и столбцы, которые использует сопоставление), поэтому "
        "пустыми их читать нельзя. Откройте файл в Excel или LibreOffice и сохраните его, "
        "чтобы значения формул были вычислены, или выгрузите из учётной системы только "
        "значения, без формул."
    )
    assert error.details == [
        {
            "sheet": "Каталог",
            "cell": "B2",
            "column_letter": "B",
            "sheet_row": 2,
            "row": 1,
            "column": "Штрихкод",
            "header_row": False,
            "formula": GTIN_FORMULA,
        }
    ]


def test_many_formula_cells_listed_and_counted() -> None:
    rows: list[list[object]] = [["Наименование", "Штрихкод"]]
    rows += [[f'="Кефир "&{n}', f"95200010000{n:02d}"] for n in range(1, 13)]

    with pytest.raises(UncomputedFormulaError) as caught:
        read_table("names.xlsx", workbook(rows))

    error = caught.value
    assert error.row is None
    assert [d["cell"] for d in error.details] == [f"A{n}" for n in range(2, 12)]
    assert [d["row"] for d in error.details] == list(range(1, 11))
    assert 'sheet "Каталог": 12 formula cells are stored without a computed value' in (
        error.message_en
    )
    assert 'A2 (column "Наименование", data row 1, formula "="Кефир "&1")' in error.message_en
    assert 'A11 (column "Наименование", data row 10, formula "="Кефир "&10") and 2 more.' in (
        error.message_en
    )
    assert "A12" not in error.message_en
    assert "(всего 12)" in error.message_ru
    assert 'A11 (столбец «Наименование», строка данных 10, формула «="Кефир "&10»)' in (
        error.message_ru
    )
    assert "и ещё 2. Это ошибка, а не предупреждение" in error.message_ru


def test_formula_in_unread_column_only_logged(caplog: pytest.LogCaptureFixture) -> None:
    data = workbook([["Наименование", "Штрихкод", "Сумма"], ["Кефир", "9520001000041", "=1+1"]])

    with caplog.at_level(logging.WARNING, logger="vic_semantic.catalogues.xlsx_formula_check"):
        table = read_table("sum.xlsx", data)

    name = table.rows[0].get("Наименование")
    assert name is not None
    assert name.value == "Кефир"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "sum.xlsx, sheet 'Каталог': 1 formula cells" in warnings[0]
    assert "(first: C2, =1+1)" in warnings[0]


def test_formula_above_header_only_logged(caplog: pytest.LogCaptureFixture) -> None:
    rows: list[list[object]] = [
        ['="Прайс на "&"ноябрь"'],
        ["Наименование", "Штрихкод"],
        ["Кефир", "9520001000041"],
    ]

    with caplog.at_level(logging.WARNING, logger="vic_semantic.catalogues.xlsx_formula_check"):
        table = read_table("title.xlsx", workbook(rows))

    assert len(table.rows) == 1
    assert any("(first: A1," in r.getMessage() for r in caplog.records)


def test_formula_in_header_row_rejected() -> None:
    data = workbook([["Наименование", "Штрихкод", '="Масса "&"нетто"'], ["Кефир", "1", "2"]])

    with pytest.raises(UncomputedFormulaError) as caught:
        read_table("header.xlsx", data)

    error = caught.value
    assert error.row is None
    assert error.column is None
    assert 'sheet "Каталог", cell C1 (header row): the formula "="Масса "&"нетто""' in (
        error.message_en
    )
    assert "лист «Каталог», ячейка C1 (строка заголовка): формула" in error.message_ru
    assert error.details[0]["header_row"] is True


def test_formula_header_without_known_header_rejected() -> None:
    data = workbook([['="Наимено"&"вание"', '="Штрих"&"код"'], ["Кефир", "9520001000041"]])

    with pytest.raises(UncomputedFormulaError) as caught:
        read_table("computed-header.xlsx", data)

    error = caught.value
    assert [d["cell"] for d in error.details] == ["A1", "B1"]
    assert "no header row was found, and it may be among these cells" in error.message_en
    assert "строка заголовка не найдена, а она может быть среди этих ячеек" in error.message_ru


def test_no_header_without_formulas_still_unknown_kind() -> None:
    with pytest.raises(UnknownFileKindError):
        read_table("other.xlsx", workbook([["Что-то", "Другое"], ["1", "2"]]))


def test_cached_value_read_as_value() -> None:
    data = edit_sheet(
        GTIN_BY_FORMULA,
        lambda xml: xml.replace(
            '<f>"952000"&amp;"1000041"</f><v />',
            '<f>"952000"&amp;"1000041"</f><v>9520001000041</v>',
        ),
    )

    table = read_table("excel.xlsx", data)

    gtin = table.rows[0].get("Штрихкод")
    assert gtin is not None
    assert gtin.text == "9520001000041"


def test_computed_empty_string_accepted() -> None:
    data = workbook(
        [["Наименование", "Штрихкод", "Масса нетто"], ["Кефир", "9520001000041", '=IF(1,"","")']]
    )
    # Excel stores a formula whose result is "" as type "str" with an empty value.
    data = edit_sheet(data, lambda xml: xml.replace('<c r="C2">', '<c r="C2" t="str">'))

    table = read_table("empty-result.xlsx", data)

    net = table.rows[0].get("Масса нетто")
    assert net is not None
    assert net.is_empty


def test_shared_formula_moved_to_each_cell() -> None:
    data = workbook(
        [["Наименование", "Штрихкод"], ["Кефир", "=A2"], ["Молоко", "=A3"], ["Сыр", "=A4"]]
    )
    # Excel writes a formula filled down as one shared formula on its first cell.
    data = edit_sheet(
        data,
        lambda xml: (
            xml.replace("<f>A2</f>", '<f t="shared" ref="B2:B4" si="0">A2&amp;"-1"</f>')
            .replace("<f>A3</f>", '<f t="shared" si="0" />')
            .replace("<f>A4</f>", '<f t="shared" si="0" />')
        ),
    )

    with pytest.raises(UncomputedFormulaError) as caught:
        read_table("shared.xlsx", data)

    assert [d["formula"] for d in caught.value.details] == ['=A2&"-1"', '=A3&"-1"', '=A4&"-1"']


@pytest.mark.parametrize("dropped", [('<c r="B2">',), ('<c r="A2" ', '<c r="B2">')])
def test_cells_without_reference_placed_in_order(dropped: tuple[str, ...]) -> None:
    def drop_references(xml: str) -> str:
        # Some writers leave out a cell's "r" attribute: the cell then follows the one before.
        for start in dropped:
            xml = xml.replace(start, start.replace(f' r="{start[6:8]}"', ""))
        return xml

    data = edit_sheet(GTIN_BY_FORMULA, drop_references)

    with pytest.raises(UncomputedFormulaError) as caught:
        read_table("no-references.xlsx", data)

    assert caught.value.details[0]["cell"] == "B2"
    assert caught.value.column == "Штрихкод"


def test_formula_past_row_limit_not_read() -> None:
    data = workbook([["Наименование", "Штрихкод"], ["Кефир", "9520001000041"]], {"B200": "=1"})

    table = read_table("tall.xlsx", data, ReadLimits(max_rows=5, max_columns=10))

    assert len(table.rows) == 1


def test_profile_column_formula_rejected() -> None:
    rows: list[list[object]] = [
        ["Наименование", "Штрихкод", "Номенклатура"],
        ["Кефир", "9520001000041", "=A2"],
    ]
    data = workbook(rows)
    ontology = default_ontology()

    report = map_file("profile.xlsx", data, ontology)
    with pytest.raises(UncomputedFormulaError) as caught:
        map_file("profile.xlsx", data, ontology, profile={"Номенклатура": "name"})

    assert report.file == "profile.xlsx"
    assert caught.value.column == "Номенклатура"
    assert caught.value.details[0]["cell"] == "C2"


# --- through the API and the CLI ----------------------------------------------------------------


@dataclass
class World:
    client: TestClient
    service: VicService
    member: dict[str, str]

    def post(self, path: str, data: bytes, **headers: str) -> object:
        return self.client.post(
            path,
            files={"file": ("formulas.xlsx", data, "application/octet-stream")},
            headers={**self.member, **headers},
        )


@pytest.fixture
def world(service_factory: ServiceFactory, tmp_path: Path) -> Iterator[World]:
    registry = TokenRegistry(tmp_path / "tokens.json")
    member = registry.create(Role.MEMBER, member=MEMBER)[1]
    service = service_factory(load_demo=False)
    register_member(service, MEMBER)
    app_ = create_app(service.settings, service=service)
    with TestClient(app_, raise_server_exceptions=False) as client:
        yield World(client, service, {"Authorization": f"Bearer {member}"})


@pytest.mark.parametrize("path", ["/catalogues?dry_run=true", "/catalogues"])
def test_api_rejects_formula_without_value(world: World, path: str) -> None:
    before = world.service.store.dump(ox.RdfFormat.N_QUADS)

    english = world.post(path, GTIN_BY_FORMULA, **{"Accept-Language": "en"})
    russian = world.post(path, GTIN_BY_FORMULA, **{"Accept-Language": "ru"})

    assert english.status_code == 400, english.text  # type: ignore[attr-defined]
    body = english.json()  # type: ignore[attr-defined]
    assert body["error"] == "invalid_input"
    assert 'sheet "Каталог", cell B2: the formula "="952000"&"1000041""' in body["message"]
    assert "Open the file in Excel or LibreOffice and save it" in body["message"]
    assert body["details"][0]["cell"] == "B2"
    assert body["details"][0]["column"] == "Штрихкод"
    assert russian.status_code == 400  # type: ignore[attr-defined]
    message_ru = russian.json()["message"]  # type: ignore[attr-defined]
    assert "лист «Каталог», ячейка B2: формула" in message_ru
    assert "Это ошибка, а не предупреждение" in message_ru
    assert world.service.store.dump(ox.RdfFormat.N_QUADS) == before


def test_cli_validate_rejects_formula_without_value(tmp_path: Path) -> None:
    path = tmp_path / "formulas.xlsx"
    path.write_bytes(GTIN_BY_FORMULA)

    result = runner.invoke(app, ["validate", "--lang", "en", str(path)])

    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert 'sheet "Каталог", cell B2' in output
    assert "export values only" in output
