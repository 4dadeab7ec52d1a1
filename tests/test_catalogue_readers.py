"""Reading member files: the real sample files, and crafted bad input with its errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from vic_semantic.catalogues.errors import (
    CatalogueError,
    TableLayoutError,
    UnknownFileKindError,
    UnreadableFileError,
)
from vic_semantic.catalogues.readers import read_table
from vic_semantic.catalogues.table import FileKind, Table

PRODUCT_CSV = "Код;Наименование;Штрихкод;Массовая доля жира, %\n"


def read_sample(shared: Path, name: str) -> Table:
    return read_table(name, (shared / "catalogues" / name).read_bytes())


def cell_text(table: Table, row: int, column: str) -> str:
    found = table.rows[row - 1].get(column)
    assert found is not None, f"no column {column!r} in {table.headers}"
    return found.text


def workbook_bytes(rows: list[list[object]], merge: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for values in rows:
        sheet.append(values)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "kind", "rows"),
    [
        ("dairy-plant-1c-export.csv", FileKind.PRODUCTS, 30),
        ("meat-plant-price-list.xlsx", FileKind.PRODUCTS, 20),
        ("ice-cream-shop-api.json", FileKind.PRODUCTS, 8),
        ("farm-vet-treatments.csv", FileKind.TREATMENTS, 5),
        ("farm-milk-deliveries.csv", FileKind.DELIVERIES, 8),
        ("cluster-members.csv", FileKind.MEMBERS, 26),
    ],
)
def test_sample_file_kind_and_rows(shared: Path, name: str, kind: FileKind, rows: int) -> None:
    table = read_sample(shared, name)
    assert table.kind is kind
    assert len(table.rows) == rows
    assert [row.number for row in table.rows] == list(range(1, rows + 1))


def test_windows_1251_csv_with_semicolons(shared: Path) -> None:
    table = read_sample(shared, "dairy-plant-1c-export.csv")
    assert table.headers[:4] == ("Код", "Наименование", "Ед. изм.", "Штрихкод")
    assert (
        cell_text(table, 1, "Наименование") == "Молоко питьевое пастеризованное 3,2% 900 мл пл/бут"
    )
    assert cell_text(table, 12, "Массовая доля жира, %") == "8,2"
    assert cell_text(table, 20, "Наименование") == ""


def test_utf8_bom_csv_with_quoted_headers(shared: Path) -> None:
    table = read_sample(shared, "farm-vet-treatments.csv")
    assert table.headers[0] == "Группа животных"
    assert "Срок ожидания (молоко), сут" in table.headers
    assert cell_text(table, 4, "Код ATCvet") == "J51CF02"


def test_xlsx_header_below_title_and_footer_ignored(shared: Path) -> None:
    table = read_sample(shared, "meat-plant-price-list.xlsx")
    assert table.sheet == "Прайс-лист"
    assert table.headers[1] == "Наименование продукции"
    assert cell_text(table, 3, "Категория") == "Ж"
    assert cell_text(table, 10, "Масса нетто, кг") == "-95"
    assert cell_text(table, 20, "Наименование продукции") == "Колбаса вареная «Телячья»"


def test_json_nested_keys_flattened(shared: Path) -> None:
    table = read_sample(shared, "ice-cream-shop-api.json")
    assert "net.unit" in table.headers
    assert "storage.maxCelsius" in table.headers
    assert cell_text(table, 8, "net.unit") == "pcs"
    assert table.rows[5].get("gtin") is not None
    assert cell_text(table, 6, "gtin") == ""


def test_kind_recognised_without_extension() -> None:
    data = (PRODUCT_CSV + "1;Кефир 1%;9520001000041;1,0\n").encode("utf-8")
    table = read_table("export.txt", data)
    assert table.kind is FileKind.PRODUCTS
    assert cell_text(table, 1, "Наименование") == "Кефир 1%"


def test_comma_csv_utf8_without_bom() -> None:
    data = 'Дата поставки,Группа животных,"Объем, л",Получатель\n2026-11-01,Г-01,1200,Завод\n'
    table = read_table("deliveries.csv", data.encode("utf-8"))
    assert table.kind is FileKind.DELIVERIES
    assert cell_text(table, 1, "Объем, л") == "1200"


def test_json_object_holding_one_array() -> None:
    document = {"items": [{"name": "Кефир", "gtin": "9520001000041", "net": {"value": 1}}]}
    table = read_table("shop.json", json.dumps(document).encode("utf-8"))
    assert table.headers == ("name", "gtin", "net.value")


def test_xlsx_merged_cells_filled() -> None:
    rows: list[list[object]] = [
        ["Наименование", "Категория", "Штрих-код"],
        ["Колбаса вареная «Докторская»", "А", "9520002000019"],
        ["Колбаса вареная «Молочная»", None, "9520002000026"],
    ]
    table = read_table("price.xlsx", workbook_bytes(rows, merge="B2:B3"))
    assert cell_text(table, 2, "Категория") == "А"


def test_empty_rows_keep_row_numbers() -> None:
    data = (PRODUCT_CSV + "1;Кефир;9520001000041;1,0\n;;;\n3;Сметана;9520001000072;15\n").encode()
    table = read_table("gap.csv", data)
    assert [row.number for row in table.rows] == [1, 3]


def test_empty_file_rejected() -> None:
    with pytest.raises(UnreadableFileError, match=r"empty\.csv") as caught:
        read_table("empty.csv", b"  \n")
    assert "пуст" in caught.value.message_ru


def test_old_excel_format_rejected() -> None:
    with pytest.raises(UnreadableFileError, match=r"\.xlsx"):
        read_table("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)


def test_broken_zip_rejected() -> None:
    with pytest.raises(UnreadableFileError, match="XLSX"):
        read_table("broken.xlsx", b"PK\x03\x04 not really a zip")


def test_unknown_headers_list_expected() -> None:
    with pytest.raises(UnknownFileKindError) as caught:
        read_table("misc.csv", "Цвет;Размер\nкрасный;XL\n".encode())
    error = caught.value
    assert error.file == "misc.csv"
    assert "«Цвет»" in error.message_ru
    assert "«наименование»" in error.message_ru
    assert "«дата поставки»" in error.message_ru
    assert '"участник"' in error.message_en


def test_bad_json_names_line_and_column() -> None:
    with pytest.raises(UnreadableFileError, match="line 2, column") as caught:
        read_table("shop.json", b'[{"name": "A",\n "gtin": }]')
    assert caught.value.file == "shop.json"


def test_json_element_not_object_names_row() -> None:
    with pytest.raises(TableLayoutError) as caught:
        read_table("shop.json", b'[{"name": "A", "gtin": "1"}, 42]')
    assert caught.value.row == 2


def test_json_list_of_objects_in_field_names_column() -> None:
    document = [{"name": "A", "gtin": "1", "parts": [{"x": 1}]}]
    with pytest.raises(TableLayoutError) as caught:
        read_table("shop.json", json.dumps(document).encode())
    assert (caught.value.row, caught.value.column) == (1, "parts")


def test_extra_values_name_row() -> None:
    data = (PRODUCT_CSV + "1;Кефир;9520001000041;1,0\n2;Сметана;9520001000072;15;лишнее\n").encode()
    with pytest.raises(TableLayoutError) as caught:
        read_table("extra.csv", data)
    assert caught.value.row == 2
    assert "лишнее" in caught.value.message_ru


def test_duplicate_header_names_column() -> None:
    data = "Наименование;Штрихкод;Штрихкод\nКефир;1;2\n".encode()
    with pytest.raises(TableLayoutError) as caught:
        read_table("dup.csv", data)
    assert caught.value.column == "Штрихкод"


def test_errors_share_one_hierarchy() -> None:
    for error in (UnreadableFileError, UnknownFileKindError, TableLayoutError):
        assert issubclass(error, CatalogueError)
    assert issubclass(CatalogueError, ValueError)
