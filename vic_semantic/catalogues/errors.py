"""Errors raised while reading and normalising member files.

CatalogueError (InputError, so a ValueError and a 400 in the API)
 ├── UnreadableFileError     the bytes are not CSV, XLSX or JSON, or cannot be decoded
 ├── UnknownFileKindError    no row looks like the header of a file kind we know
 ├── TableLayoutError        the header or a row does not fit the table (duplicate or extra
 │                           columns)
 ├── CellValueError          a cell holds a value a normaliser cannot read
 └── UncomputedFormulaError  an XLSX formula cell the table reads has no computed value

Each error names the file, the data row (from 1, header excluded) and the column when they
are known, and says how to fix the file. Normalisers raise CellValueError without a place;
the caller adds it with ``CellValueError.at``.
"""

from __future__ import annotations

from vic_semantic.errors import InputError


def _place_ru(file: str | None, row: int | None, column: str | None) -> str:
    parts = []
    if file:
        parts.append(f"файл «{file}»")
    if row is not None:
        parts.append(f"строка {row}")
    if column:
        parts.append(f"столбец «{column}»")
    return ", ".join(parts)


def _place_en(file: str | None, row: int | None, column: str | None) -> str:
    parts = []
    if file:
        parts.append(f'file "{file}"')
    if row is not None:
        parts.append(f"row {row}")
    if column:
        parts.append(f'column "{column}"')
    return ", ".join(parts)


def _upper_first(text: str) -> str:
    # str.capitalize would lower-case the file and column names too.
    return text[:1].upper() + text[1:]


class CatalogueError(InputError):
    """A member file cannot be read as a table; the message names the place and the fix."""

    def __init__(
        self,
        problem_ru: str,
        problem_en: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        where_ru = _place_ru(file, row, column)
        where_en = _place_en(file, row, column)
        super().__init__(
            f"{_upper_first(where_ru)}: {problem_ru}" if where_ru else problem_ru,
            f"{_upper_first(where_en)}: {problem_en}" if where_en else problem_en,
        )
        self.problem_ru = problem_ru
        self.problem_en = problem_en
        self.file = file
        self.row = row
        self.column = column


class UnreadableFileError(CatalogueError):
    """The file is empty, in an unknown format, or its text cannot be decoded."""


class UnknownFileKindError(CatalogueError):
    """No row of the file matches the headers of a product catalogue, member registry,
    treatment log or delivery log."""


class TableLayoutError(CatalogueError):
    """The header repeats a column, or a row has more cells than the header."""


class CellValueError(CatalogueError):
    """A cell's value cannot be read as the number, quantity, range or code it must be."""

    def __init__(
        self,
        value: object,
        problem_ru: str,
        problem_en: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(
            f"значение «{value}»: {problem_ru}",
            f'value "{value}": {problem_en}',
            file=file,
            row=row,
            column=column,
        )
        self.value = value
        self.value_problem_ru = problem_ru
        self.value_problem_en = problem_en

    def at(self, file: str, row: int, column: str) -> CellValueError:
        """Return the same error with the file, row and column of the value."""
        return CellValueError(
            self.value,
            self.value_problem_ru,
            self.value_problem_en,
            file=file,
            row=row,
            column=column,
        )


class UncomputedFormulaError(CatalogueError):
    """XLSX formula cells that the table reads were saved without a computed value.

    ``details`` lists the cells the message names, for the API's error body.
    """

    def __init__(
        self,
        problem_ru: str,
        problem_en: str,
        *,
        details: list[dict[str, object]],
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(problem_ru, problem_en, file=file, row=row, column=column)
        self.details = details
