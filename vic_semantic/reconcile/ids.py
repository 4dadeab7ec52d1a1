"""Identifiers of the reconciliation service: short ids for the cluster's own IRIs.

Entities are named relative to the identifier space (``vicd:``), so
``product/molochnyj-zavod-1/mz1-0004`` is ``https://w3id.org/vic-semantic/id/product/...``.
Types and properties are named relative to the schema space (``vic:``), so ``Kefir`` is
``vic:Kefir``. Any other IRI is written in full, and full IRIs and prefixed names
(``vic:gtin``, ``skos:Concept``) are accepted wherever an id is.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from vic_semantic.namespaces import ID, PREFIXES, VIC

IDENTIFIER_SPACE = str(ID)
SCHEMA_SPACE = str(VIC)


def entity_id(iri: str) -> str:
    """Return the short id of an entity IRI, or the IRI itself outside the identifier space."""
    return iri[len(IDENTIFIER_SPACE) :] if iri.startswith(IDENTIFIER_SPACE) else iri


def schema_id(iri: str) -> str:
    """Return the short id of a type or property IRI, or the IRI outside the schema space."""
    local = iri[len(SCHEMA_SPACE) :] if iri.startswith(SCHEMA_SPACE) else ""
    return local if local and "/" not in local else iri


def _expand(value: str, base: str) -> str:
    value = value.strip()
    if "://" in value:
        return value
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    return base + value


def entity_iri(value: str) -> str:
    """Return the IRI of an entity id, prefixed name or IRI."""
    return _expand(value, IDENTIFIER_SPACE)


def schema_iri(value: str) -> str:
    """Return the IRI of a type or property id, prefixed name or IRI."""
    return _expand(value, SCHEMA_SPACE)


def is_valid_iri(iri: str) -> bool:
    """Return whether ``iri`` is absolute and can be written as ``<iri>`` in SPARQL as is."""
    try:
        NamedNode(iri)
    except ValueError:
        return False
    return "://" in iri
