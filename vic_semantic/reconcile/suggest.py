"""Suggest services: entities, types and properties whose names begin with what was typed."""

from __future__ import annotations

from vic_semantic.reconcile.ids import entity_id, schema_id, schema_iri
from vic_semantic.reconcile.types import ENTITY_KINDS, has_types, notable_types
from vic_semantic.search import Document, Kind, SearchIndex

MAX_SUGGESTIONS = 50


def _documents(
    index: SearchIndex, prefix: str, kinds: tuple[Kind, ...], lang: str, wanted: int
) -> list[Document]:
    """Return documents of ``kinds`` that match ``prefix`` as typed so far, best first.

    An empty prefix lists them all by name, so a client can offer a complete choice.
    """
    if not prefix.strip():
        listed = [d for d in index.documents if d.kind in kinds]
        return sorted(listed, key=lambda d: d.label(lang).casefold())
    hits = index.search(prefix, kinds=kinds, limit=wanted, lang=lang, prefix=True)
    return [d for d in (index.document(hit.iri) for hit in hits) if d is not None]


def _page(documents: list[Document], cursor: int, limit: int) -> list[Document]:
    return documents[cursor : cursor + min(limit, MAX_SUGGESTIONS)]


def suggest_entities(
    index: SearchIndex, prefix: str, type_id: str | None, cursor: int, limit: int, lang: str
) -> dict[str, object]:
    """Return the suggest response for entities, optionally of one type."""
    types = (schema_iri(type_id),) if type_id else ()
    found = _documents(index, prefix, ENTITY_KINDS, lang, (cursor + limit) * 4 + 20)
    found = [d for d in found if has_types(d, types, "any")]
    result = []
    for document in _page(found, cursor, limit):
        item: dict[str, object] = {
            "id": entity_id(document.iri),
            "name": document.label(lang),
            "notable": notable_types(index, document, lang),
        }
        description = document.description(lang)
        if description:
            item["description"] = description
        result.append(item)
    return {"result": result}


def _schema_item(document: Document, lang: str) -> dict[str, str]:
    item = {"id": schema_id(document.iri), "name": document.label(lang)}
    other = "en" if lang == "ru" else "ru"
    translation = document.label(other)
    if translation != item["name"]:
        item["description"] = translation
    return item


def suggest_types(
    index: SearchIndex, prefix: str, cursor: int, limit: int, lang: str
) -> dict[str, object]:
    """Return the suggest response for types (the ontology's classes)."""
    found = _documents(index, prefix, (Kind.CLASS,), lang, cursor + limit)
    return {"result": [_schema_item(d, lang) for d in _page(found, cursor, limit)]}


def suggest_properties(
    index: SearchIndex, prefix: str, cursor: int, limit: int, lang: str
) -> dict[str, object]:
    """Return the suggest response for properties (the ontology's properties)."""
    found = _documents(index, prefix, (Kind.PROPERTY,), lang, cursor + limit)
    return {"result": [_schema_item(d, lang) for d in _page(found, cursor, limit)]}
