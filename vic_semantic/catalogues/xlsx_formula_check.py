"""Rejecting a workbook whose table reads formula cells that have no computed value.

Such a cell reads as empty (see ``xlsx_formulas``), so a required value would vanish without
an error. The rule:

- an error for a cell in the header row, or below it in a column the table reads (a header
  of the file kind, or one the caller's column profile names): the value must not vanish;
- a logged warning for any other cell (above the header, or in a column nothing reads),
  because its value is not used;
- an error for a cell among the first rows of a workbook where no header was found, because
  the header itself may be such a cell.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from vic_semantic.catalogues.errors import UncomputedFormulaError
from vic_semantic.catalogues.grid import HEADER_SEARCH_ROWS, header_texts
from vic_semantic.catalogues.headers import match_columns, normalise_header
from vic_semantic.catalogues.limits import ReadLimits
from vic_semantic.catalogues.table import CellValue, FileKind
from vic_semantic.catalogues.xlsx_formulas import (
    UncomputedFormula,
    iter_uncomputed,
    may_contain_formulas,
    open_archive,
    worksheet_parts,
)

logger = logging.getLogger(__name__)

# The message names this many cells and counts the rest. The API's details list the same cells.
MAX_LISTED_CELLS = 10
# A longer formula is cut, so that one cell cannot fill the message.
MAX_FORMULA_CHARS = 60


@dataclass(frozen=True)
class FoundFormula:
    """An uncomputed formula cell with its place in the table.

    ``data_row`` counts data rows from 1 below the header, and ``header`` is the column's
    header. Both are None in the header row and where no header was found.
    """

    cell: UncomputedFormula
    header: str | None
    data_row: int | None
    in_header_row: bool = False

    @property
    def formula(self) -> str:
        text = self.cell.formula
        return text if len(text) <= MAX_FORMULA_CHARS else text[: MAX_FORMULA_CHARS - 1] + "…"


@dataclass
class _Findings:
    """The first cells found of one kind, and how many there are in all."""

    listed: list[FoundFormula]
    count: int = 0

    def add(self, found: FoundFormula) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_CELLS:
            self.listed.append(found)


class FormulaCheck:
    """Checks the sheets of one workbook for formulas without a value. Close it after the read."""

    def __init__(self, file_name: str, data: bytes) -> None:
        self.file_name = file_name
        self._archive: zipfile.ZipFile | None = None
        self._data = data
        self._parts: dict[str, str] | None = None

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()

    def _part(self, sheet: str) -> tuple[zipfile.ZipFile, str] | None:
        """Return the archive and the sheet's part when the part contains a formula."""
        if self._archive is None:
            self._archive = open_archive(self._data)
            self._parts = worksheet_parts(self._archive)
        part = (self._parts or {}).get(sheet)
        if part is None or not may_contain_formulas(self._archive, part):
            return None
        return self._archive, part

    def check_table(
        self,
        sheet: str,
        grid: Sequence[Sequence[CellValue]],
        header: tuple[int, FileKind],
        limits: ReadLimits,
        extra_columns: Collection[str] = (),
    ) -> None:
        """Raise UncomputedFormulaError for a formula without a value that the table reads.

        ``header`` is the index of the header row in ``grid`` and the file kind it shows.
        ``extra_columns`` names headers a column profile maps in addition to the known ones.
        """
        found = self._part(sheet)
        if found is None:
            return
        index, kind = header
        headers = header_texts(grid[index])
        used = _used_columns(kind, headers, extra_columns)
        header_row = index + 1
        errors = _Findings([])
        ignored = _Findings([])
        for cell in iter_uncomputed(*found, last_row=HEADER_SEARCH_ROWS + limits.max_rows):
            if cell.column > limits.max_columns or cell.row < header_row:
                ignored.add(FoundFormula(cell, None, None))
                continue
            if cell.row == header_row:
                errors.add(FoundFormula(cell, None, None, in_header_row=True))
                continue
            name = headers[cell.column - 1] if cell.column <= len(headers) else ""
            target = errors if name in used else ignored
            target.add(FoundFormula(cell, name or None, cell.row - header_row))
        _log_ignored(self.file_name, sheet, ignored)
        if errors.count:
            raise _error(self.file_name, sheet, errors, _REASON_TABLE)

    def check_without_header(self, sheets: Sequence[str], limits: ReadLimits) -> None:
        """Raise UncomputedFormulaError for formulas without a value where a header may be.

        Called when no sheet has a known header: the first rows of the first sheet with such
        cells are reported, because the header may be among them.
        """
        for sheet in sheets:
            found = self._part(sheet)
            if found is None:
                continue
            errors = _Findings([])
            for cell in iter_uncomputed(*found, last_row=HEADER_SEARCH_ROWS):
                if cell.column <= limits.max_columns:
                    errors.add(FoundFormula(cell, None, None))
            if errors.count:
                raise _error(self.file_name, sheet, errors, _REASON_NO_HEADER)


def _used_columns(kind: FileKind, headers: list[str], extra: Collection[str]) -> set[str]:
    named = [h for h in headers if h]
    used = set(match_columns(kind, named).values())
    wanted = {normalise_header(h) for h in extra}
    used.update(h for h in named if normalise_header(h) in wanted)
    return used


def _log_ignored(file_name: str, sheet: str, ignored: _Findings) -> None:
    if not ignored.count:
        return
    first = ignored.listed[0]
    logger.warning(
        "%s, sheet %r: %d formula cells without a computed value, outside the columns the "
        "table reads, were read as empty (first: %s, %s)",
        file_name,
        sheet,
        ignored.count,
        first.cell.place,
        first.formula,
    )


# Why the cells are an error, not a warning, in Russian and English.
_REASON_TABLE = (
    "таблица читает эти значения (строку заголовка и столбцы, которые использует "
    "сопоставление), поэтому пустыми их читать нельзя",
    "the table reads these values (the header row and the columns the mapping uses), so "
    "they must not be read as empty",
)
_REASON_NO_HEADER = (
    "строка заголовка не найдена, а она может быть среди этих ячеек",
    "no header row was found, and it may be among these cells",
)

_FIX_RU = (
    "Откройте файл в Excel или LibreOffice и сохраните его, чтобы значения формул были "
    "вычислены, или выгрузите из учётной системы только значения, без формул."
)
_FIX_EN = (
    "Open the file in Excel or LibreOffice and save it so that the formula values are "
    "computed, or export values only, without formulas."
)


def _cell_ru(found: FoundFormula) -> str:
    if found.in_header_row:
        return f"{found.cell.place} (строка заголовка, формула «{found.formula}»)"
    if found.data_row is None:
        return f"{found.cell.place} (формула «{found.formula}»)"
    header = f"столбец «{found.header}», " if found.header else ""
    return f"{found.cell.place} ({header}строка данных {found.data_row}, формула «{found.formula}»)"


def _cell_en(found: FoundFormula) -> str:
    if found.in_header_row:
        return f'{found.cell.place} (header row, formula "{found.formula}")'
    if found.data_row is None:
        return f'{found.cell.place} (formula "{found.formula}")'
    header = f'column "{found.header}", ' if found.header else ""
    return f'{found.cell.place} ({header}data row {found.data_row}, formula "{found.formula}")'


def _detail(sheet: str, found: FoundFormula) -> dict[str, object]:
    return {
        "sheet": sheet,
        "cell": found.cell.place,
        "column_letter": found.cell.place.rstrip("0123456789"),
        "sheet_row": found.cell.row,
        "row": found.data_row,
        "column": found.header,
        "header_row": found.in_header_row,
        "formula": found.cell.formula,
    }


def _error(
    file_name: str, sheet: str, errors: _Findings, reason: tuple[str, str]
) -> UncomputedFormulaError:
    details = [_detail(sheet, found) for found in errors.listed]
    reason_ru, reason_en = reason
    if errors.count == 1:
        return _single_error(file_name, sheet, errors.listed[0], reason, details)
    more = errors.count - len(errors.listed)
    more_ru = f" и ещё {more}" if more else ""
    more_en = f" and {more} more" if more else ""
    return UncomputedFormulaError(
        f"лист «{sheet}»: формулы сохранены без вычисленных значений, и эти ячейки "
        f"прочитались бы как пустые (всего {errors.count}): "
        f"{'; '.join(_cell_ru(f) for f in errors.listed)}{more_ru}. Это ошибка, а не "
        f"предупреждение: {reason_ru}. {_FIX_RU}",
        f'sheet "{sheet}": {errors.count} formula cells are stored without a computed value, '
        f"so they would be read as empty: {'; '.join(_cell_en(f) for f in errors.listed)}"
        f"{more_en}. This is an error, not a warning: {reason_en}. {_FIX_EN}",
        details=details,
        file=file_name,
    )


def _single_error(
    file_name: str,
    sheet: str,
    found: FoundFormula,
    reason: tuple[str, str],
    details: list[dict[str, object]],
) -> UncomputedFormulaError:
    # The error's place prefix names the data row and the column, so the text does not.
    header_ru = " (строка заголовка)" if found.in_header_row else ""
    header_en = " (header row)" if found.in_header_row else ""
    reason_ru, reason_en = reason
    return UncomputedFormulaError(
        f"лист «{sheet}», ячейка {found.cell.place}{header_ru}: формула «{found.formula}» "
        f"сохранена без вычисленного значения, и ячейка прочиталась бы как пустая. Это "
        f"ошибка, а не предупреждение: {reason_ru}. {_FIX_RU}",
        f'sheet "{sheet}", cell {found.cell.place}{header_en}: the formula "{found.formula}" '
        f"is stored without a computed value, so the cell would be read as empty. This is an "
        f"error, not a warning: {reason_en}. {_FIX_EN}",
        details=details,
        file=file_name,
        row=found.data_row,
        column=found.header,
    )
