"""The table a reader returns: header names and rows of cells as the file spells them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

CellValue = str | int | float | bool | dt.datetime | dt.date | dt.time | None


class FileKind(StrEnum):
    """Kind of member file, recognised from its header."""

    PRODUCTS = "products"
    MEMBERS = "members"
    TREATMENTS = "treatments"
    DELIVERIES = "deliveries"


@dataclass(frozen=True)
class Cell:
    """One cell: its place (file, data row from 1, column header) and its raw value."""

    file: str
    row: int
    column: str
    value: CellValue

    @property
    def text(self) -> str:
        """Return the value as the member wrote it; an empty cell gives ""."""
        if self.value is None:
            return ""
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        if isinstance(self.value, dt.datetime) and self.value.time() == dt.time():
            return self.value.date().isoformat()
        if isinstance(self.value, dt.date | dt.time):
            return self.value.isoformat()
        return str(self.value).strip()

    @property
    def is_empty(self) -> bool:
        return self.text == ""


@dataclass(frozen=True)
class Row:
    """One data row; ``number`` counts data rows from 1 below the header."""

    number: int
    cells: tuple[Cell, ...]

    def get(self, column: str) -> Cell | None:
        """Return the cell under the header ``column``, or None when the file has no such column."""
        for cell in self.cells:
            if cell.column == column:
                return cell
        return None


@dataclass(frozen=True)
class Table:
    """A member file read as a table of one kind."""

    file_name: str
    kind: FileKind
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    sheet: str | None = None
