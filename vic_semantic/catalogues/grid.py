"""Turning a grid of cell values (CSV or a worksheet) into a Table.

Members put title rows and empty rows above the header and notes below the data, so the
header is the first row, among the first ``HEADER_SEARCH_ROWS``, whose cells match the
headers of a known file kind. Data rows are numbered from 1 below the header, counting empty
rows, so that a steward can count down from the header in the file.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from vic_semantic.catalogues.errors import TableLayoutError, UnknownFileKindError
from vic_semantic.catalogues.headers import detect_kind, expected_headers, normalise_header
from vic_semantic.catalogues.limits import DEFAULT_LIMITS, ReadLimits
from vic_semantic.catalogues.table import Cell, CellValue, FileKind, Row, Table

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 30


def _is_empty(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def header_texts(values: Sequence[CellValue]) -> list[str]:
    """Return a row's values as header texts, stripped, with "" for an empty cell."""
    return ["" if _is_empty(v) else str(v).strip() for v in values]


def find_header(grid: Sequence[Sequence[CellValue]]) -> tuple[int, FileKind] | None:
    """Return the index of the header row and the file kind it shows, or None."""
    for index, values in enumerate(grid[:HEADER_SEARCH_ROWS]):
        kind = detect_kind([h for h in header_texts(values) if h])
        if kind is not None:
            return index, kind
    return None


def unknown_kind_error(file_name: str, grid: Sequence[Sequence[CellValue]]) -> UnknownFileKindError:
    """Build the error for a file whose header matches no kind, showing its first row."""
    first = next((header_texts(v) for v in grid if any(not _is_empty(c) for c in v)), [])
    shown = ", ".join(f"«{h}»" for h in first if h) or "—"
    needed_ru, needed_en = expected_headers()
    return UnknownFileKindError(
        f"не найдена строка заголовка известного вида файла (первая непустая строка: {shown}). "
        f"Добавьте строку заголовка с нужными столбцами: {needed_ru}.",
        f"no header row of a known file kind was found (first non-empty row: {shown}). "
        f"Add a header row with the needed columns: {needed_en}.",
        file=file_name,
    )


def _check_unique(file_name: str, headers: list[str]) -> None:
    seen: dict[str, str] = {}
    for header in headers:
        if not header:
            continue
        key = normalise_header(header)
        if key in seen:
            raise TableLayoutError(
                f"столбец «{header}» повторяется в заголовке. Переименуйте или удалите один "
                "из столбцов.",
                f'column "{header}" appears twice in the header. Rename or delete one of them.',
                file=file_name,
                column=header,
            )
        seen[key] = header


def _build_row(file_name: str, number: int, headers: list[str], values: Sequence[CellValue]) -> Row:
    extra = [v for v in values[len(headers) :] if not _is_empty(v)]
    if extra:
        raise TableLayoutError(
            f"в строке больше значений ({len(values)}), чем столбцов в заголовке "
            f"({len(headers)}); лишнее значение «{extra[0]}». Возьмите в кавычки значения, "
            "содержащие разделитель, или добавьте столбцу заголовок.",
            f"the row has more values ({len(values)}) than the header has columns "
            f'({len(headers)}); extra value "{extra[0]}". Quote values that contain the '
            "separator, or give the column a header.",
            file=file_name,
            row=number,
        )
    count = len(values)
    cells = [
        Cell(file_name, number, header, values[i] if i < count else None)
        for i, header in enumerate(headers)
        if header
    ]
    return Row(number, tuple(cells))


def _filled(values: Sequence[CellValue]) -> list[CellValue]:
    # _is_empty inlined, because this runs for every value of the file.
    return [v for v in values if v is not None and (not isinstance(v, str) or v.strip())]


def _too_many_rows(file_name: str, number: int, limits: ReadLimits) -> TableLayoutError:
    return TableLayoutError(
        f"в файле больше {limits.max_rows} строк данных. Разделите каталог на несколько файлов.",
        f"the file has more than {limits.max_rows} data rows. Split the catalogue into several "
        "files.",
        file=file_name,
        row=number,
    )


def _data_rows(
    file_name: str,
    headers: list[str],
    body: Sequence[Sequence[CellValue]],
    limits: ReadLimits,
) -> list[Row]:
    rows: list[Row] = []
    after_gap = False
    for offset, values in enumerate(body):
        filled = _filled(values)
        if not filled:
            after_gap = bool(rows)
            continue
        if after_gap and len(filled) == 1:
            # A lone value below an empty row is a footer note ("Цены указаны без НДС").
            logger.debug("Skipped footer note %r in %s", filled[0], file_name)
            continue
        if len(rows) == limits.max_rows:
            raise _too_many_rows(file_name, offset + 1, limits)
        rows.append(_build_row(file_name, offset + 1, headers, values))
    return rows


def _no_data_rows(file_name: str, sheet: str | None) -> TableLayoutError:
    where_ru = f" листа «{sheet}»" if sheet else ""
    where_en = f' of sheet "{sheet}"' if sheet else ""
    return TableLayoutError(
        f"под строкой заголовка{where_ru} нет ни одной строки данных. Добавьте строки с "
        "товарами или записями под заголовок и отправьте файл снова.",
        f"there are no data rows below the header row{where_en}. Add rows with the products "
        "or records below the header and send the file again.",
        file=file_name,
    )


def grid_to_table(
    file_name: str,
    grid: Sequence[Sequence[CellValue]],
    sheet: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Table:
    """Find the header in ``grid`` and return its rows as a Table, or raise a CatalogueError.

    A table without data rows is rejected: stored as a catalogue it would replace the
    member's products with none.
    """
    found = find_header(grid)
    if found is None:
        raise unknown_kind_error(file_name, grid)
    index, kind = found

    headers = header_texts(grid[index])
    while headers and not headers[-1]:
        headers.pop()
    _check_unique(file_name, headers)

    rows = _data_rows(file_name, headers, grid[index + 1 :], limits)
    if not rows:
        raise _no_data_rows(file_name, sheet)
    return Table(file_name, kind, tuple(h for h in headers if h), tuple(rows), sheet)
