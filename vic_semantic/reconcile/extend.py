"""Data extension: which properties a type has, and their values for reconciled entities."""

from __future__ import annotations

import json
import re
from typing import Any

from vic_semantic.errors import InputError
from vic_semantic.namespaces import ONTOLOGY_GRAPH, VIC
from vic_semantic.reconcile.ids import (
    entity_id,
    entity_iri,
    is_valid_iri,
    schema_id,
    schema_iri,
)
from vic_semantic.reconcile.types import type_name
from vic_semantic.reconcile.values import Value, names, property_values
from vic_semantic.search import Kind, SearchIndex
from vic_semantic.store.base import Store

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    _XSD + name
    for name in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")
}
_FLOATS = {_XSD + name for name in ("decimal", "double", "float")}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_IDS = 1000
# The clients' setting that caps how many values each property returns; 0 returns all.
LIMIT_SETTING = "limit"


def propose_properties(
    store: Store, index: SearchIndex, type_id: str, limit: int | None, lang: str
) -> dict[str, object]:
    """Return the properties worth fetching for entities of a type, by name.

    These are the vic: properties whose rdfs:domain is the type or one of its superclasses,
    and those the type's entities actually have.
    """
    type_iri = schema_iri(type_id)
    if not is_valid_iri(type_iri):
        raise InputError(
            f"Тип «{type_id}» не является допустимым идентификатором или IRI. Укажите, например, "
            "Kefir или vic:ClusterMember.",
            f"The type '{type_id}' is not a valid id or IRI. Give, for example, Kefir or "
            "vic:ClusterMember.",
        )
    rows = store.select(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT DISTINCT ?p WHERE { "
        f"{{ GRAPH <{ONTOLOGY_GRAPH}> {{ <{type_iri}> rdfs:subClassOf* ?d . "
        "?p rdfs:domain ?d } } "
        f"UNION {{ ?s a <{type_iri}> ; ?p ?o }} "
        f'FILTER(STRSTARTS(STR(?p), "{VIC}")) }}'
    )
    documents = [index.document(row["p"]) for row in rows]
    found = sorted(
        (d for d in documents if d is not None and d.kind is Kind.PROPERTY),
        key=lambda d: d.label(lang).casefold(),
    )
    if limit is not None:
        found = found[:limit]
    response: dict[str, object] = {
        "type": type_id,
        "properties": [{"id": schema_id(d.iri), "name": d.label(lang)} for d in found],
    }
    if limit is not None:
        response["limit"] = limit
    return response


def _invalid(problem_ru: str, problem_en: str) -> InputError:
    return InputError(
        f"Запрос расширения данных: {problem_ru}", f"Data extension query: {problem_en}"
    )


def parse_extend(text: str) -> tuple[list[str], list[tuple[str, int]]]:
    """Parse an extension query into entity ids and (property id, value limit) pairs."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise _invalid(f"не JSON ({error.msg}).", f"not JSON ({error.msg}).") from error
    except RecursionError as error:
        raise _invalid("JSON вложен слишком глубоко.", "the JSON nests too deeply.") from error
    ids = raw.get("ids") if isinstance(raw, dict) else None
    properties = raw.get("properties") if isinstance(raw, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise _invalid(
            'нужен список строк ids, например {"ids": ["member/molochnyj-zavod-1"], ...}.',
            'ids must be a list of strings, e.g. {"ids": ["member/molochnyj-zavod-1"], ...}.',
        )
    if len(ids) > _MAX_IDS:
        raise _invalid(
            f"{len(ids)} идентификаторов, допускается не более {_MAX_IDS}.",
            f"{len(ids)} ids, at most {_MAX_IDS} are allowed.",
        )
    if not isinstance(properties, list) or not all(
        isinstance(p, dict) and isinstance(p.get("id"), str) for p in properties
    ):
        raise _invalid(
            'нужен список properties из объектов с полем id, например [{"id": "gtin"}].',
            'properties must be a list of objects with an id, e.g. [{"id": "gtin"}].',
        )
    return ids, [(p["id"], _value_limit(p)) for p in properties]


def _value_limit(raw: dict[str, Any]) -> int:
    settings = raw.get("settings") or {}
    value = settings.get(LIMIT_SETTING, 0) if isinstance(settings, dict) else 0
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        raise _invalid(
            f"настройка limit={value!r} свойства «{raw['id']}»: нужно целое число.",
            f"setting limit={value!r} of property '{raw['id']}': expected a whole number.",
        ) from None


def extend(
    store: Store,
    index: SearchIndex,
    ids: list[str],
    properties: list[tuple[str, int]],
    lang: str,
) -> dict[str, object]:
    """Return the extension response: property metadata and each entity's values."""
    entity_iris = {entity_id_: entity_iri(entity_id_) for entity_id_ in ids}
    property_iris = {pid: schema_iri(pid) for pid, _ in properties}
    values = property_values(store, entity_iris.values(), property_iris.values())
    object_names = names(
        store,
        index,
        [v.lexical for by_p in values.values() for vs in by_p.values() for v in vs if v.is_iri],
        lang,
    )

    rows: dict[str, dict[str, list[dict[str, object]]]] = {}
    for id_, iri in entity_iris.items():
        row = {}
        for pid, value_limit in properties:
            found = _in_language(values.get(iri, {}).get(property_iris[pid], []), lang)
            if value_limit:
                found = found[:value_limit]
            row[pid] = [_as_json(value, object_names) for value in found]
        rows[id_] = row
    return {"meta": _meta(store, index, properties, property_iris, lang), "rows": rows}


def _in_language(values: list[Value], lang: str) -> list[Value]:
    """Keep only the values in ``lang`` when a property has language-tagged values in it."""
    tagged = [value for value in values if value.lang == lang]
    if tagged:
        return [value for value in values if not value.lang or value.lang == lang]
    return values


def _as_json(value: Value, object_names: dict[str, str]) -> dict[str, object]:
    if value.is_iri:
        return {"id": entity_id(value.lexical), "name": object_names[value.lexical]}
    try:
        if value.datatype in _INTEGERS:
            return {"int": int(value.lexical)}
        if value.datatype in _FLOATS:
            return {"float": float(value.lexical)}
    except ValueError:
        pass  # an ill-typed literal is still worth showing as text
    if value.datatype == _XSD + "date" and _DATE.match(value.lexical):
        return {"date": value.lexical + "T00:00:00Z"}
    return {"str": value.lexical}


def _meta(
    store: Store,
    index: SearchIndex,
    properties: list[tuple[str, int]],
    property_iris: dict[str, str],
    lang: str,
) -> list[dict[str, object]]:
    ranges = _ranges(store, list(property_iris.values()))
    property_names = names(store, index, property_iris.values(), lang)
    meta: list[dict[str, object]] = []
    for pid, _ in properties:
        iri = property_iris[pid]
        item: dict[str, object] = {"id": pid, "name": property_names[iri]}
        if iri in ranges:
            item["type"] = {
                "id": schema_id(ranges[iri]),
                "name": type_name(index, ranges[iri], lang),
            }
        meta.append(item)
    return meta


def _ranges(store: Store, property_iris: list[str]) -> dict[str, str]:
    """Return the vic: class each object property ranges over, where the ontology names one."""
    listed = " ".join(f"<{iri}>" for iri in property_iris if is_valid_iri(iri))
    if not listed:
        return {}
    rows = store.select(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        f"SELECT ?p ?r WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ VALUES ?p {{ {listed} }} "
        f'?p rdfs:range ?r FILTER(STRSTARTS(STR(?r), "{VIC}")) }} }}'
    )
    return {row["p"]: row["r"] for row in rows}
