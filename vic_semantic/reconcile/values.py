"""Property values of entities, read from the store, and the names of the IRIs among them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from vic_semantic.namespaces import VIC
from vic_semantic.reconcile.ids import is_valid_iri
from vic_semantic.search import SearchIndex
from vic_semantic.search.documents import RDFS_LABEL, SKOS_PREF_LABEL
from vic_semantic.store.base import Store

_LABEL_PREDICATES = (RDFS_LABEL, str(VIC.name), SKOS_PREF_LABEL, str(VIC.designation))


@dataclass(frozen=True)
class Value:
    """One value of a property: an IRI, or a literal with its datatype and language."""

    lexical: str
    is_iri: bool
    datatype: str = ""
    lang: str = ""


def _iris(values: Iterable[str]) -> str:
    # Client input reaches here through entity_iri() and schema_iri(); an IRI that could not
    # be written into the query as is gets dropped, so it matches nothing.
    return " ".join(f"<{iri}>" for iri in values if is_valid_iri(iri))


def property_values(
    store: Store, entities: Iterable[str], properties: Iterable[str]
) -> dict[str, dict[str, list[Value]]]:
    """Return entity IRI → property IRI → values, for the given entities and properties."""
    entity_list, property_list = _iris(entities), _iris(properties)
    found: dict[str, dict[str, list[Value]]] = defaultdict(lambda: defaultdict(list))
    if not entity_list or not property_list:
        return found
    rows = store.select(
        "SELECT DISTINCT ?s ?p ?o (isIRI(?o) AS ?iri) (DATATYPE(?o) AS ?dt) (LANG(?o) AS ?lang) "
        f"WHERE {{ VALUES ?s {{ {entity_list} }} VALUES ?p {{ {property_list} }} ?s ?p ?o "
        "FILTER(!isBlank(?o)) } ORDER BY ?s ?p ?o"
    )
    for row in rows:
        value = Value(
            lexical=row["o"],
            is_iri=row.get("iri") == "true",
            datatype=row.get("dt", ""),
            lang=row.get("lang", ""),
        )
        found[row["s"]][row["p"]].append(value)
    return found


def subjects_with_value(store: Store, prop: str, iri: str) -> list[str]:
    """Return the subjects whose ``prop`` is the IRI ``iri``."""
    if not _iris([prop]) or not _iris([iri]):
        return []
    rows = store.select(f"SELECT DISTINCT ?s WHERE {{ ?s <{prop}> <{iri}> }} LIMIT 1000")
    return [row["s"] for row in rows]


def subjects_with_literal(store: Store, prop: str, compact_value: str) -> list[str]:
    """Return the subjects whose literal ``prop`` equals ``compact_value`` in compact form.

    The compact form keeps letters and digits only, lower case, ё as е, so that
    "0401 20 910" finds "0401-20-910".
    """
    if not _iris([prop]) or not compact_value.isalnum():
        return []
    rows = store.select(
        f"SELECT DISTINCT ?s WHERE {{ ?s <{prop}> ?o FILTER(isLiteral(?o)) "
        r'FILTER(REPLACE(REPLACE(LCASE(STR(?o)), "ё", "е"), "[^\\p{L}\\p{N}]", "") = '
        f'"{compact_value}") }} LIMIT 1000'
    )
    return [row["s"] for row in rows]


def names(store: Store, index: SearchIndex, iris: Iterable[str], lang: str) -> dict[str, str]:
    """Return a name for each IRI: its index label, else its rdfs:label or similar, else itself."""
    result: dict[str, str] = {}
    missing = []
    for iri in set(iris):
        document = index.document(iri)
        if document is not None:
            result[iri] = document.label(lang)
        else:
            missing.append(iri)
    if missing and _iris(missing):
        predicates = " ".join(f"<{p}>" for p in _LABEL_PREDICATES)
        rows = store.select(
            f"SELECT ?s ?l (LANG(?l) AS ?lang) WHERE {{ VALUES ?s {{ {_iris(missing)} }} "
            f"VALUES ?p {{ {predicates} }} ?s ?p ?l }}"
        )
        ranked = sorted(rows, key=lambda row: row.get("lang", "") != lang)
        for row in ranked:
            result.setdefault(row["s"], row["l"])
    for iri in missing:
        result.setdefault(iri, iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri)
    return result
