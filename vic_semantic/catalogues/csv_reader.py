"""Reading CSV files as members' accounting systems export them.

The text is UTF-8 (with or without a byte-order mark) or Windows-1251; the separator is
";" (usual where the decimal separator is a comma) or ",", chosen by which one splits the
first lines into the same number of fields.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from vic_semantic.catalogues.errors import TableLayoutError, UnreadableFileError
from vic_semantic.catalogues.grid import find_header, grid_to_table
from vic_semantic.catalogues.limits import DEFAULT_LIMITS, ReadLimits
from vic_semantic.catalogues.table import CellValue, Table

SEPARATORS = (";", ",", "\t")
SNIFF_LINES = 20
SNIFF_BYTES = 4096


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _decode_utf16(file_name: str, data: bytes) -> str:
    # Excel saves "Unicode text" as UTF-16 with a byte order mark; the codec reads the mark.
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            f"файл начинается с метки UTF-16, но байт {error.start} не UTF-16. Сохраните файл "
            "в кодировке UTF-8.",
            f"the file starts with a UTF-16 byte order mark, but byte {error.start} is not "
            "UTF-16. Save the file as UTF-8.",
            file=file_name,
        ) from error


def decode_text(file_name: str, data: bytes) -> str:
    """Return the file's text: UTF-16 with a byte order mark, else UTF-8, else Windows-1251."""
    if data.startswith(UTF16_BOMS):
        return _decode_utf16(file_name, data)
    if b"\x00" in data[:SNIFF_BYTES]:
        # Windows-1251 would decode the zero bytes of UTF-16 text into a header of mojibake.
        raise UnreadableFileError(
            "в тексте есть нулевые байты: похоже, это UTF-16 без метки порядка байтов. "
            "Сохраните файл в кодировке UTF-8 или как «Текст Юникод» из Excel.",
            "the text contains zero bytes, so it looks like UTF-16 without a byte order mark. "
            'Save the file as UTF-8, or as "Unicode Text" from Excel.',
            file=file_name,
        )
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


def _open_quote_field(line: str, separator: str) -> int | None:
    """Return the index of the field whose quote is still open at the end of ``line``, or None."""
    field = 0
    quoted = False
    at_field_start = True
    position = 0
    while position < len(line):
        char = line[position]
        if quoted:
            if char == '"' and line[position + 1 : position + 2] == '"':
                position += 1  # a doubled quote inside a quoted field is one literal quote
            elif char == '"':
                quoted = False
        elif char == separator:
            field += 1
            at_field_start = True
            position += 1
            continue
        elif char == '"' and at_field_start:
            quoted = True
        at_field_start = False
        position += 1
    return field if quoted else None


def _record_place(
    grid: list[list[CellValue]], field: int | None, line: int
) -> tuple[int | None, str | None, str, str]:
    """Return the data row, column and the Russian and English place of the record after ``grid``.

    The data row and the column are known once the header has been read. Before that the
    place is the line of the file.
    """
    found = find_header(grid)
    if found is None:
        return None, None, f"строка {line} файла: ", f"line {line} of the file: "
    headers = grid[found[0]]
    column = None
    if field is not None:
        column = str(headers[field]).strip() if field < len(headers) else f"№{field + 1}"
    return len(grid) - found[0], column, "", ""


def _parse_error(
    file_name: str,
    lines: list[str],
    separator: str,
    grid: list[list[CellValue]],
    start_line: int,
    error: csv.Error,
) -> UnreadableFileError:
    """Build the error for the record that starts on line ``start_line`` and does not parse."""
    first_line = lines[start_line - 1] if start_line <= len(lines) else ""
    field = _open_quote_field(first_line, separator)
    row, column, line_ru, line_en = _record_place(grid, field, start_line)
    if field is not None:
        return UnreadableFileError(
            f'{line_ru}незакрытая кавычка: значение начинается с «"», но закрывающей кавычки '
            "в строке нет, и следующие строки файла читались бы как часть значения. Закройте "
            "кавычку или удалите её.",
            f'{line_en}unclosed quote: the value starts with a quote (") that is not closed on '
            "its line, so the following lines of the file would be read as part of the value. "
            "Close the quote or delete it.",
            file=file_name,
            row=row,
            column=column,
        )
    return UnreadableFileError(
        f"{line_ru}ошибка разбора CSV ({error}). Внутри значения в кавычках удвойте кавычку "
        '(""), а после закрывающей кавычки ставьте разделитель.',
        f'{line_en}CSV parse error ({error}). Double a quote inside a quoted value (""), and '
        "put the separator right after the closing quote.",
        file=file_name,
        row=row,
    )


def _too_many_columns(
    file_name: str, line: int, count: int, limits: ReadLimits
) -> TableLayoutError:
    return TableLayoutError(
        f"строка {line} файла: {count} значений, а читается не больше {limits.max_columns} "
        "столбцов. Удалите лишние столбцы или проверьте разделитель.",
        f"line {line} of the file: {count} values, but at most {limits.max_columns} columns are "
        "read. Delete the extra columns or check the separator.",
        file=file_name,
    )


def _filled_width(fields: list[str]) -> int:
    width = len(fields)
    while width and not fields[width - 1].strip():
        width -= 1
    return width


def read_csv(file_name: str, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Table:
    """Read a CSV file into a Table.

    Quotes are parsed strictly: a quote left open would otherwise swallow the following lines
    into one value, and their rows would vanish without an error.
    """
    text = decode_text(file_name, data)
    separator = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    grid: list[list[CellValue]] = []
    start_line = 1
    try:
        for fields in reader:
            if _filled_width(fields) > limits.max_columns:
                raise _too_many_columns(file_name, start_line, _filled_width(fields), limits)
            grid.append(list(fields))
            start_line = reader.line_num + 1
    except csv.Error as error:
        lines = text.splitlines()
        raise _parse_error(file_name, lines, separator, grid, start_line, error) from error
    return grid_to_table(file_name, grid, limits=limits)
