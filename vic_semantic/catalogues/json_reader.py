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
from vic_semantic.catalogues.table import Cell, CellValue, Row, Table


def _records(file_name: str, document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        arrays = [value for value in document.values() if isinstance(value, list)]
        if len(arrays) == 1:
            return arrays[0]
    raise UnreadableFileError(
        "JSON должен быть массивом объектов или объектом с одним таким массивом.",
        "the JSON must be an array of objects or an object holding one such array.",
        file=file_name,
    )


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


def read_json(file_name: str, data: bytes) -> Table:
    """Read a JSON export into a Table; the row number is the record's position from 1."""
    text = decode_text(file_name, data)
    try:
        document = json.loads(text)
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
    flat = _flat_records(file_name, _records(file_name, document))

    headers: dict[str, None] = {}
    for fields in flat:
        headers.update(dict.fromkeys(fields))
    kind = detect_kind(list(headers))
    if kind is None:
        raise unknown_kind_error(file_name, [list(headers)])

    rows = tuple(
        Row(n, tuple(Cell(file_name, n, h, fields.get(h)) for h in headers))
        for n, fields in enumerate(flat, start=1)
    )
    return Table(file_name, kind, tuple(headers), rows)
