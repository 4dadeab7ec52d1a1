"""Reading XLSX workbooks with openpyxl.

Cached values are read (``data_only``), so a formula cell gives the value Excel last showed.
Small workbooks are opened in full mode, which reads merged cells: every cell of a merged
range gets the range's value, as the member sees it. Large workbooks are opened read-only,
which streams rows but cannot see merges.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from vic_semantic.catalogues.errors import CatalogueError, UnreadableFileError
from vic_semantic.catalogues.grid import find_header, grid_to_table, unknown_kind_error
from vic_semantic.catalogues.table import CellValue, Table

logger = logging.getLogger(__name__)

# NOTE: above this size merged cells are not filled in, because read-only mode cannot see them.
FULL_MODE_MAX_BYTES = 5 * 1024 * 1024


# A real catalogue inflates to a few megabytes; a zip bomb inflates a small upload to
# gigabytes. The members' declared sizes bound what zipfile will inflate, so their sum is a
# safe check before openpyxl reads anything.
MAX_INFLATED_BYTES = 200 * 1024 * 1024


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


def _sheet_grid(sheet: object) -> list[list[CellValue]]:
    rows: Iterator[tuple[CellValue, ...]] = sheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
    grid = [list(values) for values in rows]
    for merged in getattr(sheet, "merged_cells", None) or []:
        top_left = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                grid[r][c] = top_left
    return grid


def read_xlsx(file_name: str, data: bytes) -> Table:
    """Read the first worksheet that has a known header into a Table."""
    workbook = _open_workbook(file_name, data)
    try:
        first_grid: list[list[CellValue]] | None = None
        for sheet in workbook.worksheets:
            grid = _sheet_grid(sheet)
            first_grid = grid if first_grid is None else first_grid
            if find_header(grid) is not None:
                logger.debug("Reading sheet %r of %s", sheet.title, file_name)
                return grid_to_table(file_name, grid, sheet=sheet.title)
    finally:
        workbook.close()
    error: CatalogueError = unknown_kind_error(file_name, first_grid or [])
    raise error
