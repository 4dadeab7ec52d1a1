"""The types of reconciliation entities, as the API writes them."""

from __future__ import annotations

from vic_semantic.namespaces import VIC
from vic_semantic.reconcile.ids import schema_id
from vic_semantic.search import Document, Kind, SearchIndex

SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"

# The entities reconciliation matches; classes and properties are its types and properties.
ENTITY_KINDS = (Kind.PRODUCT, Kind.MEMBER, Kind.STANDARD, Kind.CONCEPT)


def _is_shown(type_iri: str) -> bool:
    return type_iri.startswith(str(VIC)) or type_iri == SKOS_CONCEPT


def type_name(index: SearchIndex, type_iri: str, lang: str) -> str:
    """Return the label of a class in ``lang``, or its local name when it has none."""
    document = index.document(type_iri)
    if document is not None:
        return document.label(lang)
    return type_iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def notable_types(index: SearchIndex, document: Document, lang: str) -> list[dict[str, str]]:
    """Return the entity's own vic: types (or skos:Concept) as {"id", "name"}, sorted by id."""
    asserted = sorted(t for t in document.asserted_types if _is_shown(t))
    chosen = asserted or sorted(t for t in document.types if _is_shown(t))
    return [{"id": schema_id(t), "name": type_name(index, t, lang)} for t in chosen]


def has_types(document: Document, types: tuple[str, ...], strict: str) -> bool:
    """Return whether the entity has any (``strict`` "all": every) of ``types``."""
    if not types:
        return True
    if strict == "all":
        return all(t in document.types for t in types)
    return any(t in document.types for t in types)
