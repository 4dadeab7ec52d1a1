"""Reading a worksheet's non-empty values only, within the read limits.

openpyxl's ``iter_rows`` fills the rectangle up to the last used row and column: in full mode
it creates a cell object for every position, and in read-only mode it pads every row to the
dimension the file declares. A 5 KB workbook with values in A1048576 and XFD1 then costs
gigabytes. This module visits only the cells the file stores and rejects a value past the
limits before any grid is built.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from vic_semantic.catalogues.errors import TableLayoutError
from vic_semantic.catalogues.grid import HEADER_SEARCH_ROWS
from vic_semantic.catalogues.limits import ReadLimits
from vic_semantic.catalogues.table import CellValue

# Sparse values of one sheet: row number from 1 → column number from 1 → value.
SparseSheet = dict[int, dict[int, CellValue]]


def _is_empty(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _stored_cells(sheet: Any) -> Iterator[tuple[int, int, CellValue]]:
    """Yield (row, column, value) of every cell the sheet stores, in no particular order."""
    if isinstance(sheet, ReadOnlyWorksheet):
        # Without a declared dimension, read-only rows end at their last stored cell and
        # missing rows come out as one shared empty list.
        sheet.reset_dimensions()
        for row, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            for column, value in enumerate(values, start=1):
                yield row, column, value
    else:
        # The full-mode worksheet keeps only the cells the file has in ``_cells``; iter_rows
        # would create one for every position of the used range.
        for (row, column), cell in sheet._cells.items():
            yield row, column, cell.value


def limit_error(
    file_name: str, sheet: str, row: int, column: int, limits: ReadLimits
) -> TableLayoutError:
    """Build the error for a value at ``row``, ``column`` of ``sheet`` past the limits."""
    place = f"{get_column_letter(column)}{row}"
    if column > limits.max_columns:
        return TableLayoutError(
            f"лист «{sheet}», ячейка {place}: значение в столбце {column}, а читается не больше "
            f"{limits.max_columns} столбцов. Удалите значения правее таблицы или разделите "
            "каталог на несколько файлов.",
            f'sheet "{sheet}", cell {place}: a value in column {column}, but at most '
            f"{limits.max_columns} columns are read. Delete the values right of the table or "
            "split the catalogue into several files.",
            file=file_name,
        )
    return TableLayoutError(
        f"лист «{sheet}», ячейка {place}: значение в строке {row}, а читается не больше "
        f"{limits.max_rows} строк данных под заголовком. Удалите значения ниже таблицы или "
        "разделите каталог на несколько файлов.",
        f'sheet "{sheet}", cell {place}: a value in row {row}, but at most {limits.max_rows} '
        "data rows below the header are read. Delete the values below the table or split the "
        "catalogue into several files.",
        file=file_name,
    )


def sparse_values(file_name: str, sheet: Any, limits: ReadLimits) -> SparseSheet:
    """Return the sheet's non-empty values, or raise TableLayoutError for one past the limits.

    The header may be as low as row HEADER_SEARCH_ROWS, so rows up to that many plus
    ``limits.max_rows`` are read.
    """
    last_row = HEADER_SEARCH_ROWS + limits.max_rows
    values: SparseSheet = {}
    for row, column, value in _stored_cells(sheet):
        if _is_empty(value):
            continue
        if row > last_row or column > limits.max_columns:
            raise limit_error(file_name, sheet.title, row, column, limits)
        values.setdefault(row, {})[column] = value
    return values


def dense_rows(values: SparseSheet) -> list[list[CellValue]]:
    """Return the rows from 1 to the last non-empty one, each cut after its last value."""
    grid: list[list[CellValue]] = [[] for _ in range(max(values, default=0))]
    for row, cells in values.items():
        line: list[CellValue] = [None] * max(cells)
        for column, value in cells.items():
            line[column - 1] = value
        grid[row - 1] = line
    return grid
