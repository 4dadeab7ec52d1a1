"""Reading hostile or malformed member files: sparse workbooks, broken quotes, empty tables,
huge numbers and misleading encodings, through the readers, the HTTP routes and the CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pyoxigraph as ox
import pytest
from conftest import ServiceFactory
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.catalogues.errors import CatalogueError, TableLayoutError, UnreadableFileError
from vic_semantic.catalogues.limits import DEFAULT_MAX_COLUMNS, DEFAULT_MAX_ROWS, ReadLimits
from vic_semantic.catalogues.readers import read_table
from vic_semantic.cli import app
from vic_semantic.config import REPO_ROOT
from vic_semantic.service import VicService
from vic_semantic.submissions.versions import latest_version

MEMBER = "molochnyj-zavod-1"
runner = CliRunner()


@dataclass
class World:
    client: TestClient
    service: VicService
    member: dict[str, str]

    def post(self, path: str, name: str, data: bytes) -> object:
        return self.client.post(
            path, files={"file": (name, data, "application/octet-stream")}, headers=self.member
        )

    def dump(self) -> bytes:
        return self.service.store.dump(ox.RdfFormat.N_QUADS)


@pytest.fixture
def world(service_factory: ServiceFactory, tmp_path: Path) -> Iterator[World]:
    registry = TokenRegistry(tmp_path / "tokens.json")
    member = registry.create(Role.MEMBER, member=MEMBER)[1]
    service = service_factory(load_demo=False)
    app_ = create_app(service.settings, service=service)
    with TestClient(app_, raise_server_exceptions=False) as client:
        yield World(client, service, {"Authorization": f"Bearer {member}"})


def error_text(response: object) -> str:
    status = response.status_code  # type: ignore[attr-defined]
    text: str = response.text  # type: ignore[attr-defined]
    assert 400 <= status < 500, f"{status}: {text[:500]}"
    return text


def workbook(rows: list[list[object]], cells: dict[str, object] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for values in rows:
        sheet.append(values)
    for place, value in (cells or {}).items():
        sheet[place] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SPARSE_BOMB_ROWS = [["Наименование", "Штрихкод"], ["Кефир 1%", "9520001000041"]]


def sparse_bomb() -> bytes:
    return workbook(SPARSE_BOMB_ROWS, {"A1048576": "x", "XFD1": "y"})


# --- 1. sparse workbooks ----------------------------------------------------------------------

# Runs in a child process whose address space is capped, so a reader that fills the whole
# grid fails with MemoryError instead of exhausting the machine.
CHILD_READ = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path

    from vic_semantic.catalogues.errors import CatalogueError
    from vic_semantic.catalogues.readers import read_table

    data = Path(sys.argv[1]).read_bytes()
    limit = int(sys.argv[2]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        table = read_table("bomb.xlsx", data)
        print(json.dumps({"rows": len(table.rows)}))
    except CatalogueError as error:
        print(json.dumps({"error": error.message("en")}))
    """
)


def test_sparse_xlsx_read_in_small_memory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(sparse_bomb())
    assert path.stat().st_size < 10_000

    # 600 MiB of address space covers the interpreter with openpyxl; the full grid of
    # 1048576 × 16384 cells needs hundreds of gigabytes.
    done = subprocess.run(
        [sys.executable, "-c", CHILD_READ, str(path), "600"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO_ROOT,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout)
    assert "error" in outcome, outcome
    assert 'sheet "Sheet"' in outcome["error"]
    assert "XFD1" in outcome["error"] or "A1048576" in outcome["error"]


def test_sparse_xlsx_validate_rejected(world: World) -> None:
    response = world.post("/catalogues/validate", "bomb.xlsx", sparse_bomb())

    text = error_text(response)
    assert "Sheet" in text
    assert "XFD1" in text
    assert str(DEFAULT_MAX_COLUMNS) in text


def test_value_below_row_limit_names_cell() -> None:
    data = workbook(SPARSE_BOMB_ROWS, {"A1048576": "x"})

    with pytest.raises(TableLayoutError) as caught:
        read_table("tall.xlsx", data)

    assert "A1048576" in caught.value.message_en
    assert str(DEFAULT_MAX_ROWS) in caught.value.message_en


def test_trailing_empty_cells_ignored() -> None:
    data = workbook(SPARSE_BOMB_ROWS, {"A1048576": None, "XFD1": "  "})

    table = read_table("styled.xlsx", data)

    assert table.headers == ("Наименование", "Штрихкод")
    assert len(table.rows) == 1


def test_merged_cells_still_filled() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Код", "Наименование", "Штрихкод"])
    sheet.append(["A-1", "Кефир", "9520001000041"])
    sheet.append(["A-2", None, "9520001000058"])
    sheet.merge_cells("B2:B3")
    buffer = io.BytesIO()
    book.save(buffer)

    table = read_table("merged.xlsx", buffer.getvalue())

    second = table.rows[1].get("Наименование")
    assert second is not None
    assert second.value == "Кефир"


def test_row_limit_from_settings(service_factory: ServiceFactory) -> None:
    service = service_factory(load_demo=False, max_catalogue_rows=1)
    body = "Наименование;Штрихкод\nКефир;9520001000041\nМолоко;9520001000010\n".encode()
    with TestClient(create_app(service.settings, service=service)) as client:
        response = client.post("/catalogues/validate", files={"file": ("two.csv", body)})

    text = error_text(response)
    assert "more than 1 data rows" in text or "больше 1 строк" in text


def test_column_limit_csv() -> None:
    header = ";".join(["Наименование", "Штрихкод", *(f"c{i}" for i in range(10))])
    data = f"{header}\nКефир;9520001000041\n".encode()

    with pytest.raises(TableLayoutError) as caught:
        read_table("wide.csv", data, ReadLimits(max_rows=10, max_columns=5))

    assert "at most 5 columns" in caught.value.message_en


# --- 2. unclosed quotes -------------------------------------------------------------------------


def dairy_with_comment(shared: Path) -> bytes:
    text = (shared / "catalogues" / "dairy-plant-1c-export.csv").read_bytes().decode("cp1251")
    lines = text.splitlines()
    header = lines[0] + ";Комментарий"
    second = lines[2] + ';"новинка'
    fourth = lines[4].split(";")
    fourth[6] = "ГОСТ 99999-2012"  # standard
    fourth[8] = "0"  # shelf life
    fourth[9] = "+6...+2"  # storage
    body = [header, lines[1] + ";", second, lines[3] + ";", ";".join(fourth) + ";"]
    return ("\r\n".join(body) + "\r\n").encode("cp1251")


def test_unclosed_quote_names_row_and_column(shared: Path) -> None:
    with pytest.raises(UnreadableFileError) as caught:
        read_table("dairy.csv", dairy_with_comment(shared))

    error = caught.value
    assert error.row == 2
    assert error.column == "Комментарий"
    assert "незакрытая кавычка" in error.message_ru
    assert "unclosed quote" in error.message_en


def test_unclosed_quote_catalogue_not_stored(world: World, shared: Path) -> None:
    before = world.dump()

    response = world.post("/catalogues", "dairy.csv", dairy_with_comment(shared))

    text = error_text(response)
    assert "unclosed quote" in text or "незакрытая кавычка" in text
    assert world.dump() == before
    assert latest_version(world.service.store, MEMBER) == 0


def test_quoted_multiline_value_still_read() -> None:
    data = 'Наименование;Штрихкод\n"Кефир\nпитьевой";9520001000041\n'.encode()

    table = read_table("multiline.csv", data)

    name = table.rows[0].get("Наименование")
    assert name is not None
    assert name.value == "Кефир\nпитьевой"


# --- 3. tables without data rows ----------------------------------------------------------------

HEADER_ONLY = {
    "header.csv": "Наименование;Штрихкод\n".encode(),
    "header.xlsx": workbook([["Наименование", "Штрихкод"]]),
    "empty.json": b"[]",
    "empty-object.json": b'{"products": []}',
}


@pytest.mark.parametrize("name", sorted(HEADER_ONLY))
def test_no_data_rows_not_stored(world: World, name: str) -> None:
    before = world.dump()

    response = world.post("/catalogues", name, HEADER_ONLY[name])

    text = error_text(response)
    assert (
        "no data rows" in text
        or "нет ни одной строки данных" in text
        or "empty array" in text
        or "пустой массив" in text
    )
    assert world.dump() == before


def test_header_then_empty_rows_rejected() -> None:
    with pytest.raises(TableLayoutError) as caught:
        read_table("blank.csv", "Наименование;Штрихкод\n;\n;\n".encode())

    assert "no data rows" in caught.value.message_en


# --- 4. numbers Python cannot hold --------------------------------------------------------------

HUGE_JSON = ('[{"name": "Кефир",\n  "fatPercent": ' + "9" * 5000 + "}]").encode()


@pytest.mark.parametrize(
    "path", ["/catalogues/validate", "/catalogues?dry_run=true", "/catalogues/map"]
)
def test_huge_json_integer_4xx(world: World, path: str) -> None:
    response = world.post(path, "huge.json", HUGE_JSON)

    text = error_text(response)
    assert "line 2, column 17" in text or "строке 2, позиции 17" in text


def test_huge_json_integer_cli(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(HUGE_JSON)

    result = runner.invoke(app, ["validate", "--lang", "en", str(path)])

    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "line 2, column 17" in result.output


# --- 5. misleading messages ---------------------------------------------------------------------


def test_utf16_csv_with_bom_read() -> None:
    text = "Наименование\tШтрихкод\r\nКефир 1%\t9520001000041\r\n"

    table = read_table("unicode.txt", text.encode("utf-16"))

    cell = table.rows[0].get("Штрихкод")
    assert cell is not None
    assert cell.text == "9520001000041"


def test_utf16_without_bom_names_encoding() -> None:
    data = "Наименование\tШтрихкод\r\nКефир\t9520001000041\r\n".encode("utf-16-le")

    with pytest.raises(UnreadableFileError) as caught:
        read_table("unicode.txt", data)

    assert "UTF-16" in caught.value.message_en


@pytest.mark.parametrize("document", [b'"string"', b"[]", b"42", b'{"a": 1}'])
def test_json_shape_message(document: bytes) -> None:
    with pytest.raises(UnreadableFileError) as caught:
        read_table("shape.json", document)

    assert "array of objects" in caught.value.message_en
    assert "header" not in caught.value.message_en


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_json_non_finite_number_named(literal: str) -> None:
    data = f'[{{"name": "Кефир", "net": {{"value": {literal}, "unit": "g"}}}}]'.encode()

    with pytest.raises(CatalogueError) as caught:
        read_table("net.json", data)

    assert "not a finite number" in caught.value.message_en
    assert "line 1, column" in caught.value.message_en


# --- 6. piped CLI output ------------------------------------------------------------------------


def test_piped_validate_shows_whole_gtin(tmp_path: Path) -> None:
    path = tmp_path / "gtin.csv"
    path.write_bytes("Наименование;Штрихкод\nКефир 1% 900 г;9520001000042\n".encode())

    result = runner.invoke(app, ["validate", "--lang", "en", str(path)], env={"COLUMNS": "80"})

    assert result.exit_code == 1, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    assert lines[0] == ["file", "row", "column", "value", "severity", "message"]
    assert ["gtin.csv", "1", "Штрихкод", "9520001000042"] in [line[:4] for line in lines]
    assert "…" not in result.stdout
