"""Reading XLSX workbooks with openpyxl.

Cached values are read (``data_only``), so a formula cell gives the value Excel last showed.
A formula cell saved without a value is rejected where the table reads it
(``xlsx_formula_check``), because it would read as empty.
Small workbooks are opened in full mode, which reads merged cells: every cell of a merged
range gets the range's value, as the member sees it. Large workbooks are opened read-only,
which streams rows but cannot see merges.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Collection
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from vic_semantic.catalogues.errors import CatalogueError, TableLayoutError, UnreadableFileError
from vic_semantic.catalogues.grid import find_header, grid_to_table, unknown_kind_error
from vic_semantic.catalogues.limits import DEFAULT_LIMITS, ReadLimits
from vic_semantic.catalogues.table import CellValue, Table
from vic_semantic.catalogues.xlsx_cells import dense_rows, sparse_values
from vic_semantic.catalogues.xlsx_formula_check import FormulaCheck

logger = logging.getLogger(__name__)

# NOTE: above this size merged cells are not filled in, because read-only mode cannot see them.
FULL_MODE_MAX_BYTES = 5 * 1024 * 1024


# A real catalogue inflates to a few megabytes; a zip bomb inflates a small upload to
# gigabytes. The members' declared sizes bound what zipfile will inflate, so their sum is a
# safe check before openpyxl reads anything.
MAX_INFLATED_BYTES = 200 * 1024 * 1024

# A merged range is usually a heading or a group label over a few rows. Filling a range that
# covers a whole sheet would build millions of cells from one value.
MAX_MERGED_CELLS = 1_000_000


def _check_inflated_size(file_name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl reports the broken archive with its own message
    if inflated > MAX_INFLATED_BYTES:
        raise UnreadableFileError(
            f"книга XLSX распаковывается в {inflated} байт, больше допустимых "
            f"{MAX_INFLATED_BYTES}. Разделите каталог на несколько файлов.",
            f"the XLSX workbook inflates to {inflated} bytes, more than the "
            f"{MAX_INFLATED_BYTES} allowed. Split the catalogue into several files.",
            file=file_name,
        )


def _open_workbook(file_name: str, data: bytes) -> openpyxl.Workbook:
    _check_inflated_size(file_name, data)
    read_only = len(data) > FULL_MODE_MAX_BYTES
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=read_only, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise UnreadableFileError(
            f"файл не открывается как книга XLSX ({error}). Сохраните его из Excel или "
            "LibreOffice в формате .xlsx или CSV.",
            f"the file does not open as an XLSX workbook ({error}). Save it from Excel or "
            "LibreOffice as .xlsx or CSV.",
            file=file_name,
        ) from error


def _fill_merged(file_name: str, sheet: Any, grid: list[list[CellValue]]) -> None:
    """Give every cell of a merged range the range's value, within the rows and columns read."""
    width = max((len(line) for line in grid), default=0)
    for merged in getattr(sheet, "merged_cells", None) or []:
        if merged.min_row > len(grid) or merged.min_col > len(grid[merged.min_row - 1]):
            continue
        top_left = grid[merged.min_row - 1][merged.min_col - 1]
        last_row = min(merged.max_row, len(grid))
        last_col = min(merged.max_col, width)
        if (last_row - merged.min_row + 1) * (last_col - merged.min_col + 1) > MAX_MERGED_CELLS:
            raise TableLayoutError(
                f"лист «{sheet.title}»: объединённая область {merged.coord} больше "
                f"{MAX_MERGED_CELLS} ячеек. Отмените объединение ячеек.",
                f'sheet "{sheet.title}": the merged range {merged.coord} is larger than '
                f"{MAX_MERGED_CELLS} cells. Unmerge the cells.",
                file=file_name,
            )
        for r in range(merged.min_row - 1, last_row):
            line = grid[r]
            if len(line) < last_col:
                line.extend([None] * (last_col - len(line)))
            for c in range(merged.min_col - 1, last_col):
                line[c] = top_left


def _sheet_grid(file_name: str, sheet: Any, limits: ReadLimits) -> list[list[CellValue]]:
    grid = dense_rows(sparse_values(file_name, sheet, limits))
    _fill_merged(file_name, sheet, grid)
    return grid


def read_xlsx(
    file_name: str,
    data: bytes,
    limits: ReadLimits = DEFAULT_LIMITS,
    extra_columns: Collection[str] = (),
) -> Table:
    """Read the first worksheet that has a known header into a Table.

    ``extra_columns`` names headers that the caller reads besides the known ones (a column
    profile), so that formulas without a value are rejected in them too.
    """
    workbook = _open_workbook(file_name, data)
    formulas = FormulaCheck(file_name, data)
    try:
        first_grid: list[list[CellValue]] | None = None
        for sheet in workbook.worksheets:
            grid = _sheet_grid(file_name, sheet, limits)
            first_grid = grid if first_grid is None else first_grid
            header = find_header(grid)
            if header is not None:
                logger.debug("Reading sheet %r of %s", sheet.title, file_name)
                formulas.check_table(sheet.title, grid, header, limits, extra_columns)
                return grid_to_table(file_name, grid, sheet=sheet.title, limits=limits)
        formulas.check_without_header([sheet.title for sheet in workbook.worksheets], limits)
    finally:
        formulas.close()
        workbook.close()
    error: CatalogueError = unknown_kind_error(file_name, first_grid or [])
    raise error
