"""Reading a member file of any supported format into a Table.

The format is recognised from the bytes, not from the file name: members rename files, and a
1C export saved as ".txt" is still CSV. XLSX is a ZIP archive, JSON starts with "[" or "{",
anything else that decodes as text is read as CSV.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection

from vic_semantic.catalogues.csv_reader import decode_text, read_csv
from vic_semantic.catalogues.errors import UnreadableFileError
from vic_semantic.catalogues.gc_pause import gc_paused
from vic_semantic.catalogues.json_reader import read_json, shape_error
from vic_semantic.catalogues.limits import DEFAULT_LIMITS, ReadLimits
from vic_semantic.catalogues.table import Table
from vic_semantic.catalogues.xlsx_reader import read_xlsx

logger = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(
    file_name: str,
    data: bytes,
    limits: ReadLimits = DEFAULT_LIMITS,
    extra_columns: Collection[str] = (),
) -> Table:
    """Read ``data`` (the content of ``file_name``) as a table, or raise a CatalogueError.

    ``extra_columns`` names headers the caller reads besides the known ones (a column
    profile). An XLSX formula without a computed value is rejected in them as well.
    """
    with gc_paused():
        table = _read(file_name, data, limits, extra_columns)
    logger.info("Read %s: %s, %d rows", file_name, table.kind, len(table.rows))
    return table


def _is_json_scalar(text: str) -> bool:
    """Return whether ``text`` is one JSON string, number, boolean or null."""
    try:
        document = json.loads(text)
    except ValueError:
        return False
    return not isinstance(document, list | dict)


def _read(file_name: str, data: bytes, limits: ReadLimits, extra_columns: Collection[str]) -> Table:
    if not data.strip():
        raise UnreadableFileError(
            "файл пуст. Отправьте файл с заголовком и строками данных.",
            "the file is empty. Send a file with a header and data rows.",
            file=file_name,
        )
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(file_name, data, limits, extra_columns)
    if data.startswith(OLE_MAGIC):
        raise UnreadableFileError(
            "это книга Excel старого формата (.xls). Сохраните её как .xlsx или CSV.",
            "this is an old-format Excel workbook (.xls). Save it as .xlsx or CSV.",
            file=file_name,
        )
    text = decode_text(file_name, data)
    if text.lstrip()[:1] in ("[", "{"):
        return read_json(file_name, data, limits)
    if _is_json_scalar(text):
        raise shape_error(file_name, "одно значение", "a single value")
    return read_csv(file_name, data, limits)
