"""Reading reconciliation query batches (the ``queries`` parameter) into checked objects."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from vic_semantic.errors import InputError
from vic_semantic.reconcile.ids import schema_iri

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_QUERIES = 500

# A property value: a string, number or boolean, or {"id": ...} for an entity.
PropertyValue = str | int | float | bool | dict[str, str]


@dataclass(frozen=True)
class Condition:
    """One ``properties`` entry: the property IRI and the values any of which should match."""

    pid: str
    property_iri: str
    values: tuple[PropertyValue, ...]


@dataclass(frozen=True)
class ReconcileQuery:
    """One query of a batch, with its key in the batch."""

    key: str
    text: str = ""
    types: tuple[str, ...] = ()
    type_strict: str = "any"
    limit: int = DEFAULT_LIMIT
    conditions: tuple[Condition, ...] = field(default_factory=tuple)


def _invalid(key: str | None, problem_ru: str, problem_en: str) -> InputError:
    """Return the error for a bad batch; ``key`` names the query, None the whole batch."""
    where_ru = f", запрос «{key}»" if key is not None else ""
    where_en = f", query '{key}'" if key is not None else ""
    return InputError(
        f"Пакет запросов сопоставления{where_ru}: {problem_ru}",
        f"Reconciliation query batch{where_en}: {problem_en}",
    )


def parse_batch(text: str) -> list[ReconcileQuery]:
    """Parse the JSON of a query batch: an object of queries by key."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise _invalid(
            None,
            f"не JSON ({error.msg}, строка {error.lineno}, столбец {error.colno}). "
            'Передайте объект вида {"q0": {"query": "..."}}.',
            f"not JSON ({error.msg} at line {error.lineno}, column {error.colno}). "
            'Send an object such as {"q0": {"query": "..."}}.',
        ) from error
    except RecursionError as error:
        raise _invalid(
            None,
            "JSON вложен слишком глубоко.",
            "the JSON nests too deeply.",
        ) from error
    if not isinstance(raw, dict):
        raise _invalid(
            None,
            'ожидался объект запросов по ключам, например {"q0": {"query": "кефир"}}.',
            'expected an object of queries by key, for example {"q0": {"query": "kefir"}}.',
        )
    if len(raw) > MAX_QUERIES:
        raise _invalid(
            None,
            f"{len(raw)} запросов, допускается не более {MAX_QUERIES}. Разделите пакет.",
            f"{len(raw)} queries, at most {MAX_QUERIES} are allowed. Split the batch.",
        )
    return [_parse_query(str(key), value) for key, value in raw.items()]


def _parse_query(key: str, raw: Any) -> ReconcileQuery:
    if not isinstance(raw, dict):
        raise _invalid(key, "ожидался объект.", "expected an object.")
    text = raw.get("query", "")
    if not isinstance(text, str):
        raise _invalid(key, "поле query должно быть строкой.", "query must be a string.")
    conditions = tuple(_parse_condition(key, item) for item in _as_list(raw.get("properties")))
    if not text.strip() and not conditions:
        raise _invalid(
            key,
            "нужно непустое поле query или хотя бы одно условие properties.",
            "a non-empty query or at least one properties condition is required.",
        )
    types = tuple(schema_iri(t) for t in _as_list(raw.get("type")) if isinstance(t, str) and t)
    strict = raw.get("type_strict", "any")
    if strict not in ("any", "should", "all"):
        raise _invalid(
            key,
            f"type_strict «{strict}»: допустимы any, should, all.",
            f"type_strict '{strict}': allowed values are any, should, all.",
        )
    return ReconcileQuery(
        key=key,
        text=text.strip(),
        types=types,
        type_strict=strict,
        limit=_parse_limit(key, raw.get("limit", DEFAULT_LIMIT)),
        conditions=conditions,
    )


def _parse_limit(key: str, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 1:
        raise _invalid(
            key,
            f"limit={raw!r}: нужно целое число не меньше 1.",
            f"limit={raw!r}: expected a whole number of at least 1.",
        )
    return min(int(raw), MAX_LIMIT)


def _parse_condition(key: str, raw: Any) -> Condition:
    if not isinstance(raw, dict) or not isinstance(raw.get("pid"), str) or "v" not in raw:
        raise _invalid(
            key,
            f"каждое условие properties — объект с полями pid и v, получено {raw!r}.",
            f"each properties condition is an object with pid and v, got {raw!r}.",
        )
    values = tuple(v for v in _as_list(raw["v"]) if _is_value(v))
    return Condition(pid=raw["pid"], property_iri=schema_iri(raw["pid"]), values=values)


def _is_value(value: Any) -> bool:
    if isinstance(value, dict):
        return isinstance(value.get("id"), str)
    return isinstance(value, str | int | float | bool)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
