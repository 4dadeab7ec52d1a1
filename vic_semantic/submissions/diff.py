"""Differences between two versions of a catalogue: added, removed and changed products."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.term import Node

from vic_semantic.namespaces import PREFIXES, VIC

# predicate path ("vic:netContent/vic:numericValue") → the values, as N-Triples terms
Description = dict[str, list[str]]


def compact_name(iri: Node, graph: Graph) -> str:
    """Return ``iri`` as a prefixed name ("vic:productName") under the graph's bound prefixes."""
    return graph.namespace_manager.normalizeUri(str(iri))


def describe(product: URIRef, graph: Graph) -> Description:
    """Return the product's values; nodes minted under the product's IRI are followed."""
    description: dict[str, set[str]] = {}
    for predicate, value in graph.predicate_objects(product):
        key = compact_name(predicate, graph)
        if isinstance(value, URIRef) and str(value).startswith(f"{product}/"):
            for inner, inner_value in graph.predicate_objects(value):
                inner_key = f"{key}/{compact_name(inner, graph)}"
                description.setdefault(inner_key, set()).add(inner_value.n3())
            continue
        description.setdefault(key, set()).add(value.n3())
    return {key: sorted(values) for key, values in sorted(description.items())}


@dataclass(frozen=True)
class CatalogueDiff:
    """Products only in the newer version, only in the older one, and changed values."""

    added: list[str]
    removed: list[str]
    changed: dict[str, dict[str, dict[str, list[str]]]]

    def to_json(self) -> dict[str, object]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes (``PREFIXES``) in ``graph`` and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def diff_catalogues(older: Graph, newer: Graph) -> CatalogueDiff:
    """Compare two versions product by product; ``changed`` maps product → property → values."""
    bind_prefixes(older)
    bind_prefixes(newer)
    before = {s for s in older.subjects(VIC.inCatalogue, None) if isinstance(s, URIRef)}
    after = {s for s in newer.subjects(VIC.inCatalogue, None) if isinstance(s, URIRef)}
    changed: dict[str, dict[str, dict[str, list[str]]]] = {}
    for product in sorted(before & after):
        old, new = describe(product, older), describe(product, newer)
        properties = {
            key: {"from": old.get(key, []), "to": new.get(key, [])}
            for key in sorted(set(old) | set(new))
            if old.get(key) != new.get(key) and key not in {"vic:sourceRow", "vic:sourceFile"}
        }
        if properties:
            changed[str(product)] = properties
    return CatalogueDiff(
        added=sorted(str(p) for p in after - before),
        removed=sorted(str(p) for p in before - after),
        changed=changed,
    )
