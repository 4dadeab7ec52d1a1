"""What the search index holds: one document per entity, read from the store by SPARQL."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from vic_semantic.namespaces import ONTOLOGY_GRAPH, VIC
from vic_semantic.store.base import Dataset, Store

logger = logging.getLogger(__name__)

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SKOS_ALT_LABEL = SKOS + "altLabel"
SKOS_HIDDEN_LABEL = SKOS + "hiddenLabel"
SKOS_NOTATION = SKOS + "notation"
SKOS_PREF_LABEL = SKOS + "prefLabel"


class Kind(StrEnum):
    """The sorts of entity the index holds, as named in the ``type`` query parameter."""

    PRODUCT = "product"
    MEMBER = "member"
    CLASS = "class"
    PROPERTY = "property"
    STANDARD = "standard"
    CONCEPT = "concept"


@dataclass(frozen=True)
class FieldSpec:
    """How one predicate's values are indexed: their weight and role."""

    predicate: str
    weight: float
    is_label: bool = False
    is_code: bool = False
    is_description: bool = False


@dataclass(frozen=True)
class TextField:
    """One indexed value of an entity."""

    text: str
    lang: str
    spec: FieldSpec


@dataclass
class Document:
    """One entity of the index with its indexed texts and its types."""

    iri: str
    kind: Kind
    fields: list[TextField] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    asserted_types: set[str] = field(default_factory=set)

    def label(self, lang: str) -> str:
        """Return the entity's name in ``lang``, else an untagged one, else any name."""
        return _pick([f for f in self.fields if f.spec.is_label], lang) or self.iri

    def description(self, lang: str) -> str | None:
        """Return a short text that tells namesakes apart (a title, a code), if there is one."""
        return _pick([f for f in self.fields if f.spec.is_description], lang)


def _pick(fields: list[TextField], lang: str) -> str | None:
    for wanted in (lang, ""):
        for candidate in fields:
            if candidate.lang == wanted:
                return candidate.text
    return fields[0].text if fields else None


# Labels first within each kind: the first label field in the tuple names the entity.
_LABELS = (
    FieldSpec(RDFS_LABEL, 1.0, is_label=True),
    FieldSpec(SKOS_ALT_LABEL, 0.8),
    FieldSpec(SKOS_HIDDEN_LABEL, 0.6),
)
FIELDS: dict[Kind, tuple[FieldSpec, ...]] = {
    Kind.PRODUCT: (FieldSpec(str(VIC.productName), 1.0, is_label=True),),
    Kind.MEMBER: (FieldSpec(str(VIC.name), 1.0, is_label=True),),
    Kind.CLASS: _LABELS,
    Kind.PROPERTY: _LABELS,
    Kind.STANDARD: (
        FieldSpec(str(VIC.designation), 1.0, is_label=True, is_code=True),
        FieldSpec(str(VIC.title), 0.7, is_description=True),
    ),
    Kind.CONCEPT: (
        FieldSpec(SKOS_PREF_LABEL, 0.9, is_label=True),
        FieldSpec(SKOS_NOTATION, 1.0, is_code=True, is_description=True),
    ),
}

_OWL = "http://www.w3.org/2002/07/owl#"
# Classes and properties come from the ontology graph and only from the vic: namespace: the
# aligned vocabularies (schema.org, GS1, org) repeat names such as "Product" with no
# Russian labels, and would crowd out the cluster's own terms.
_SUBJECTS: dict[Kind, str] = {
    Kind.CLASS: f"GRAPH <{ONTOLOGY_GRAPH}> {{ ?s a <{_OWL}Class> ; ?p ?text }}",
    Kind.PROPERTY: (
        f"GRAPH <{ONTOLOGY_GRAPH}> {{ ?s a ?kind ; ?p ?text "
        f"VALUES ?kind {{ <{_OWL}ObjectProperty> <{_OWL}DatatypeProperty> "
        f"<{_OWL}AnnotationProperty> }} }}"
    ),
}


def _text_query(kind: Kind) -> str:
    predicates = " ".join(f"<{spec.predicate}>" for spec in FIELDS[kind])
    pattern = _SUBJECTS.get(kind, "?s ?p ?text")
    namespace_filter = f'FILTER(STRSTARTS(STR(?s), "{VIC}"))' if kind in _SUBJECTS else ""
    return (
        f"SELECT DISTINCT ?s ?p ?text (LANG(?text) AS ?lang) WHERE {{ "
        f"VALUES ?p {{ {predicates} }} {pattern} FILTER(isLiteral(?text)) {namespace_filter} }}"
    )


def load_documents(store: Store) -> list[Document]:
    """Read every indexed entity from ``store``, with all its types, into documents."""
    documents: dict[tuple[str, Kind], Document] = {}
    for kind, specs in FIELDS.items():
        by_predicate = {spec.predicate: spec for spec in specs}
        for row in store.select(_text_query(kind)):
            key = (row["s"], kind)
            document = documents.setdefault(key, Document(iri=row["s"], kind=kind))
            spec = by_predicate[row["p"]]
            document.fields.append(TextField(row["text"], row.get("lang", ""), spec))

    for document in documents.values():
        _sort_fields(document)
    _attach_types(store, documents)
    logger.debug("read %d search documents", len(documents))
    return list(documents.values())


def _sort_fields(document: Document) -> None:
    """Order the fields as ``FIELDS`` lists their predicates, so labels come first."""
    order = [spec.predicate for spec in FIELDS[document.kind]]
    document.fields.sort(key=lambda text_field: order.index(text_field.spec.predicate))


def _attach_types(store: Store, documents: dict[tuple[str, Kind], Document]) -> None:
    """Add every type (with inferred superclasses) and the asserted types to each document."""
    all_types = _types(store, Dataset())
    asserted = _types(store, Dataset(include_inferred=False))
    for (iri, _kind), document in documents.items():
        document.types = all_types.get(iri, set())
        document.asserted_types = asserted.get(iri, set())


def _types(store: Store, dataset: Dataset) -> dict[str, set[str]]:
    types: dict[str, set[str]] = defaultdict(set)
    for row in store.select("SELECT DISTINCT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?t)) }", dataset):
        types[row["s"]].add(row["t"])
    return types
