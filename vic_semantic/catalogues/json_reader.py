"""Reading JSON exports: an array of objects, or an object holding one such array.

Nested objects are flattened to dotted keys (``{"net": {"unit": "g"}}`` → ``net.unit``),
and a list of plain values becomes one cell with the values joined by "; ".
"""

from __future__ import annotations

import json
from typing import Any

from vic_semantic.catalogues.csv_reader import decode_text
from vic_semantic.catalogues.errors import TableLayoutError, UnreadableFileError
from vic_semantic.catalogues.grid import unknown_kind_error
from vic_semantic.catalogues.headers import detect_kind
from vic_semantic.catalogues.json_numbers import (
    BadNumberError,
    bad_number_error,
    parse_bounded_int,
    parse_finite_float,
    reject_constant,
)
from vic_semantic.catalogues.limits import DEFAULT_LIMITS, ReadLimits
from vic_semantic.catalogues.table import Cell, CellValue, Row, Table

SHAPE_RU = (
    "JSON должен быть массивом объектов, по одному на запись, например "
    '[{"Наименование": "Кефир 1%", "Штрихкод": "9520001000041"}], или объектом с одним '
    "таким массивом"
)
SHAPE_EN = (
    "the JSON must be an array of objects, one per record, such as "
    '[{"Наименование": "Кефир 1%", "Штрихкод": "9520001000041"}], or an object holding one '
    "such array"
)


SCALAR_NAMES: dict[type, tuple[str, str]] = {
    str: ("одна строка", "a single string"),
    int: ("одно число", "a single number"),
    float: ("одно число", "a single number"),
    bool: ("одно логическое значение", "a single boolean"),
    type(None): ("null", "null"),
}


def shape_error(file_name: str, found_ru: str, found_en: str) -> UnreadableFileError:
    """Build the error for a JSON document that is not an array of records."""
    return UnreadableFileError(
        f"{SHAPE_RU}, а в файле {found_ru}.",
        f"{SHAPE_EN}, but the file holds {found_en}.",
        file=file_name,
    )


def _records(file_name: str, document: Any) -> list[Any]:
    if isinstance(document, list):
        records = document
    elif isinstance(document, dict):
        arrays = [value for value in document.values() if isinstance(value, list)]
        if len(arrays) != 1:
            raise shape_error(
                file_name,
                f"объект с {len(arrays)} массивами",
                f"an object with {len(arrays)} arrays",
            )
        records = arrays[0]
    else:
        found_ru, found_en = SCALAR_NAMES.get(type(document), ("одно значение", "a single value"))
        raise shape_error(file_name, found_ru, found_en)
    if not records:
        raise shape_error(file_name, "пустой массив", "an empty array")
    return records


def _flatten(file_name: str, row: int, prefix: str, value: Any, out: dict[str, CellValue]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(file_name, row, f"{prefix}.{key}" if prefix else str(key), item, out)
    elif isinstance(value, list):
        if any(isinstance(item, dict | list) for item in value):
            raise TableLayoutError(
                "поле содержит список объектов; ожидается одно значение или список значений.",
                "the field holds a list of objects; expected one value or a list of values.",
                file=file_name,
                row=row,
                column=prefix,
            )
        out[prefix] = "; ".join(str(item) for item in value)
    else:
        out[prefix] = value


def _flat_records(file_name: str, records: list[Any]) -> list[dict[str, CellValue]]:
    flat = []
    for position, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise TableLayoutError(
                f"элемент массива — не объект, а «{record}». Каждая запись должна быть объектом.",
                f'the array element is not an object but "{record}". Each record must be an '
                "object.",
                file=file_name,
                row=position,
            )
        fields: dict[str, CellValue] = {}
        _flatten(file_name, position, "", record, fields)
        flat.append(fields)
    return flat


def read_json(file_name: str, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Table:
    """Read a JSON export into a Table; the row number is the record's position from 1."""
    text = decode_text(file_name, data)
    document = load_document(file_name, text)
    records = _records(file_name, document)
    if len(records) > limits.max_rows:
        raise _too_large(file_name, f"{len(records)} записей", f"{len(records)} records", limits)
    flat = _flat_records(file_name, records)

    headers: dict[str, None] = {}
    for fields in flat:
        headers.update(dict.fromkeys(fields))
    if len(headers) > limits.max_columns:
        raise _too_large(file_name, f"{len(headers)} полей", f"{len(headers)} fields", limits)
    kind = detect_kind(list(headers))
    if kind is None:
        raise unknown_kind_error(file_name, [list(headers)])

    rows = tuple(
        Row(n, tuple(Cell(file_name, n, h, fields.get(h)) for h in headers))
        for n, fields in enumerate(flat, start=1)
    )
    return Table(file_name, kind, tuple(headers), rows)


def _too_large(
    file_name: str, found_ru: str, found_en: str, limits: ReadLimits
) -> TableLayoutError:
    return TableLayoutError(
        f"в файле {found_ru}, а читается не больше {limits.max_rows} записей и "
        f"{limits.max_columns} разных полей. Разделите каталог на несколько файлов.",
        f"the file has {found_en}, but at most {limits.max_rows} records and "
        f"{limits.max_columns} distinct fields are read. Split the catalogue into several files.",
        file=file_name,
    )


def load_document(file_name: str, text: str) -> Any:
    """Parse ``text`` as JSON, or raise UnreadableFileError naming the line and column."""
    try:
        return json.loads(
            text,
            parse_int=parse_bounded_int,
            parse_float=parse_finite_float,
            parse_constant=reject_constant,
        )
    except BadNumberError as error:
        raise bad_number_error(file_name, text, error) from error
    except json.JSONDecodeError as error:
        raise UnreadableFileError(
            f"ошибка разбора JSON в строке {error.lineno}, позиции {error.colno}: {error.msg}.",
            f"JSON parse error at line {error.lineno}, column {error.colno}: {error.msg}.",
            file=file_name,
        ) from error
    except RecursionError as error:
        raise UnreadableFileError(
            "JSON вложен слишком глубоко. Запишите товары плоским массивом объектов.",
            "the JSON nests too deeply. Write the products as a flat array of objects.",
            file=file_name,
        ) from error
