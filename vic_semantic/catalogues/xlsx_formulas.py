"""Finding formula cells that a workbook stores without a computed value.

An XLSX cell with a formula keeps the formula in ``<f>`` and the value Excel last computed in
``<v>``. A program that writes formulas without computing them (openpyxl itself, some 1C
exports) leaves ``<v>`` out or empty: ``<c r="B2"><f>A2*2</f><v/></c>``. openpyxl reads such
a cell as empty in ``data_only`` mode and drops the formula, so the reader cannot see it. This
module scans the worksheet's XML for these cells.

The scan streams the XML and keeps one row in memory. A sheet without any ``<f>`` element,
the usual case, costs one pass of decompression and a byte search.
NOTE: a sheet with formulas is parsed a second time. At 100,000 rows of 8 columns (46 MB of
XML) that took about 3 s next to openpyxl's 11 s, on a busy 2-core machine (a rough figure).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.xml.functions import fromstring, iterparse

logger = logging.getLogger(__name__)

_OFFICE_DOCUMENT = "/officeDocument"

# A formula element with or without a namespace prefix: <f>, <f t="shared" .../>, <x:f>.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f[\s/>]")
_CHUNK_BYTES = 1 << 20
# A tag split between two chunks is at most this long before the match ends.
_CHUNK_OVERLAP = 64


@dataclass(frozen=True)
class UncomputedFormula:
    """A formula cell without a computed value: its place and the formula as Excel shows it."""

    row: int
    column: int
    # For a cell of a shared formula, the text and the cell of the formula it shares.
    text: str
    origin: str | None = None

    @property
    def place(self) -> str:
        """Return the cell's reference in A1 notation ("B2")."""
        return f"{get_column_letter(self.column)}{self.row}"

    @property
    def formula(self) -> str:
        """Return the formula with a leading "=", moved to this cell when it is shared."""
        formula = f"={self.text}"
        if self.origin is None or self.origin == self.place:
            return formula
        try:
            return str(Translator(formula, self.origin).translate_formula(self.place))
        except (TranslatorError, ValueError):
            # Excel shows #REF! for such a cell, and the formula of the origin cell is still
            # the most useful thing to show.
            return formula


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def worksheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Map each sheet title to the path of its XML part in ``archive``, or return {} on failure.

    openpyxl has already read the workbook, so a part it could not find is not expected.
    """
    try:
        package = get_dependents(archive, "_rels/.rels")
        workbook = next(r.target for r in package if r.Type.endswith(_OFFICE_DOCUMENT))
        targets = {r.Id: r.target for r in get_dependents(archive, get_rels_path(workbook))}
        root = fromstring(archive.read(workbook))
    except (KeyError, StopIteration, SyntaxError, ValueError) as error:
        logger.warning("Could not find the worksheet parts of a workbook: %s", error)
        return {}
    parts = {}
    for element in root.iter():
        if _local(element.tag) != "sheet":
            continue
        rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        name = element.get("name")
        if name is not None and rel_id in targets:
            parts[name] = targets[rel_id]
    return parts


def may_contain_formulas(archive: zipfile.ZipFile, part: str) -> bool:
    """Return whether the part's XML contains a formula element, by a search of its bytes."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            window = tail + chunk
            # The substring tests run at memory speed and rule out most chunks before the
            # slower regular expression looks at every tag.
            if (b"<f" in window or b":f" in window) and _FORMULA_TAG.search(window):
                return True
            tail = chunk[-_CHUNK_OVERLAP:]
    return False


def _is_uncomputed(cell: Element, value: Element | None) -> bool:
    """Return whether a formula cell has no computed value.

    Excel and LibreOffice store a formula whose result is the empty string as type "str" with
    an empty ``<v>``, and that value is computed. An empty ``<v>`` of any other type is not.
    """
    if value is None:
        return True
    if value.text:
        return False
    return cell.get("t", "n") != "str"


class _SheetScan:
    """The state of one scan: the tag names, the current row and column, the shared formulas."""

    def __init__(self, namespace: str) -> None:
        self.row_tag = f"{namespace}row"
        self.cell_tag = f"{namespace}c"
        self.formula_tag = f"{namespace}f"
        self.value_tag = f"{namespace}v"
        self.data_tag = f"{namespace}sheetData"
        self.row = 0
        self.column = 0
        # The reference of the last cell read, parsed only when a later cell has none.
        self.last_reference: str | None = None
        # Shared formula index ("si") → the formula text and the cell that contains it.
        self.shared: dict[str, tuple[str, str]] = {}

    def start_row(self, row: Element) -> None:
        number = row.get("r")
        self.row = int(number) if number and number.isdigit() else self.row + 1
        self.column = 0
        self.last_reference = None

    def _place(self, cell: Element) -> tuple[int, int] | None:
        """Return the cell's row and column; a cell without "r" follows the one before it."""
        reference = cell.get("r")
        if reference:
            self.last_reference = reference
            try:
                return coordinate_to_tuple(reference)  # type: ignore[no-any-return]
            except ValueError:
                return None
        if self.last_reference is not None:
            with contextlib.suppress(ValueError):
                self.column = coordinate_to_tuple(self.last_reference)[1]
            self.last_reference = None
        self.column += 1
        return self.row, self.column

    def uncomputed(self, cell: Element) -> UncomputedFormula | None:
        """Return the cell when it has a formula without a computed value, else None."""
        formula = cell.find(self.formula_tag)
        if formula is None:
            # Most cells have no formula, so their reference is parsed only when needed.
            reference = cell.get("r")
            if reference:
                self.last_reference = reference
            else:
                self._place(cell)
            return None
        place = self._place(cell)
        if place is None:
            return None
        found = self._formula_of(formula, *place)
        return found if _is_uncomputed(cell, cell.find(self.value_tag)) else None

    def _formula_of(self, formula: Element, row: int, column: int) -> UncomputedFormula:
        text = formula.text or ""
        if formula.get("t") != "shared":
            return UncomputedFormula(row, column, text)
        index = formula.get("si", "")
        if text:
            self.shared.setdefault(index, (text, f"{get_column_letter(column)}{row}"))
        if index not in self.shared:
            return UncomputedFormula(row, column, text)  # its first cell was not seen
        shared_text, origin = self.shared[index]
        return UncomputedFormula(row, column, shared_text, origin)


def iter_uncomputed(
    archive: zipfile.ZipFile, part: str, last_row: int
) -> Iterator[UncomputedFormula]:
    """Yield the formula cells without a computed value in rows up to ``last_row``, in order.

    Rows past ``last_row`` are not parsed. The XML has been parsed once already in openpyxl,
    so a parse error here is logged and ends the scan.
    """
    scan: _SheetScan | None = None
    sheet_data: Element | None = None
    try:
        with archive.open(part) as stream:
            # The loop runs twice for every element of the sheet, so it compares whole tag
            # names (namespace included) and does nothing else for most elements.
            for event, element in iterparse(stream, events=("start", "end")):
                tag = element.tag
                if scan is None:
                    namespace = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
                    scan = _SheetScan(namespace)
                elif event == "end":
                    if tag == scan.cell_tag:
                        found = scan.uncomputed(element)
                        if found is not None:
                            yield found
                    elif tag == scan.row_tag and sheet_data is not None:
                        # Drop the finished rows, so that memory keeps one row at a time.
                        sheet_data.clear()
                elif tag == scan.row_tag:
                    scan.start_row(element)
                    if scan.row > last_row:
                        return
                elif tag == scan.data_tag:
                    sheet_data = element
    except (SyntaxError, ValueError) as error:
        # ElementTree's ParseError is a SyntaxError, and defusedxml raises ValueErrors.
        logger.warning("Stopped scanning %s for formulas: %s", part, error)


def open_archive(data: bytes) -> zipfile.ZipFile:
    """Open the workbook's ZIP archive, which openpyxl has already opened from the same bytes."""
    return zipfile.ZipFile(io.BytesIO(data))
