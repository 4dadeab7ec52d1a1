"""Reading CSV files as members' accounting systems export them.

The text is UTF-8 (with or without a byte-order mark) or Windows-1251; the separator is
";" (usual where the decimal separator is a comma) or ",", chosen by which one splits the
first lines into the same number of fields.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from vic_semantic.catalogues.errors import UnreadableFileError
from vic_semantic.catalogues.grid import grid_to_table
from vic_semantic.catalogues.table import CellValue, Table

SEPARATORS = (";", ",", "\t")
SNIFF_LINES = 20


def decode_text(file_name: str, data: bytes) -> str:
    """Return the file's text, trying UTF-8 first and Windows-1251 next."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict")
        except UnicodeDecodeError as error:
            raise UnreadableFileError(
                f"файл начинается с метки UTF-8, но байт {error.start + 3} не UTF-8. "
                "Сохраните файл в кодировке UTF-8 заново.",
                f"the file starts with a UTF-8 byte order mark, but byte {error.start + 3} "
                "is not UTF-8. Save the file as UTF-8 again.",
                file=file_name,
            ) from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            f"текст не читается ни как UTF-8, ни как Windows-1251 (байт {error.start}). "
            "Сохраните файл в кодировке UTF-8.",
            f"the text is neither UTF-8 nor Windows-1251 (byte {error.start}). "
            "Save the file as UTF-8.",
            file=file_name,
        ) from error


def _field_counts(lines: list[str], separator: str) -> list[int]:
    # A field past the csv module's size limit counts as no split; read_csv then reports it.
    try:
        return [len(fields) for fields in csv.reader(lines, delimiter=separator) if fields]
    except csv.Error:
        return []


def sniff_separator(text: str) -> str:
    """Return the separator that splits most of the first lines into the same number of fields.

    The most common field count wins, then the larger count: a decimal comma splits lines
    unevenly, and one row with a stray separator does not outvote the rest.
    """
    lines = [line for line in text.splitlines() if line.strip()][:SNIFF_LINES]
    best: tuple[int, int, str] = (0, 0, ";")
    for separator in SEPARATORS:
        counts = Counter(_field_counts(lines, separator))
        if not counts:
            continue
        fields, lines_agreeing = max(counts.items(), key=lambda item: (item[1], item[0]))
        if fields > 1 and (lines_agreeing, fields) > best[:2]:
            best = (lines_agreeing, fields, separator)
    return best[2]


def read_csv(file_name: str, data: bytes) -> Table:
    """Read a CSV file into a Table."""
    text = decode_text(file_name, data)
    separator = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        grid: list[list[CellValue]] = [list(fields) for fields in reader]
    except csv.Error as error:
        raise UnreadableFileError(
            f"ошибка разбора CSV в строке {reader.line_num} файла: {error}. Проверьте кавычки.",
            f"CSV parse error on line {reader.line_num} of the file: {error}. Check the quotes.",
            file=file_name,
        ) from error
    return grid_to_table(file_name, grid)
