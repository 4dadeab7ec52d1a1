"""The product classes the mapping-review page offers in its class select."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from vic_semantic.namespaces import VIC


def _label(ontology: Graph, cls: URIRef, lang: str) -> str:
    """Return the class's rdfs:label in ``lang``, else its Russian label, else its CURIE."""
    labels = {
        label.language: str(label)
        for label in ontology.objects(cls, RDFS.label)
        if isinstance(label, Literal)
    }
    return labels.get(lang) or labels.get("ru") or "vic:" + str(cls).removeprefix(str(VIC))


def product_class_options(ontology: Graph, lang: str) -> list[dict[str, str]]:
    """List vic:FoodProduct and its subclasses as {curie, term, label}, sorted by label.

    Only classes with an rdfs:subClassOf statement are listed, because
    POST /catalogues/map/corrections accepts no other class.
    """
    options = []
    for cls in ontology.transitive_subjects(RDFS.subClassOf, VIC.FoodProduct):
        if not isinstance(cls, URIRef) or not str(cls).startswith(str(VIC)):
            continue
        if (cls, RDFS.subClassOf, None) not in ontology:
            continue
        term = str(cls).removeprefix(str(VIC))
        options.append({"curie": f"vic:{term}", "term": term, "label": _label(ontology, cls, lang)})
    options.sort(key=lambda option: (option["label"].casefold(), option["term"]))
    return options
