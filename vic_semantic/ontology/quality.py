"""Editorial checks of the ontology that a reasoner does not make.

Each vic: class and property needs a Russian and an English label and definition, because
the service shows them to people in both languages. No two vic: classes may share a label
in one language, because the product-name classifier could not tell them apart. Every term
the ontology uses must be declared, as OWL 2 DL requires. The structural checks (deprecated
terms, orphan classes) are in ``quality_structure``, the label checks (Belarusian labels,
mixed alphabets) in ``quality_labels``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from vic_semantic.namespaces import VIC
from vic_semantic.ontology.quality_labels import missing_belarusian_labels, mixed_script_labels
from vic_semantic.ontology.quality_structure import (
    deprecated_without_replacement,
    orphan_classes,
)

_LANGUAGES = ("ru", "en")

_PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
_TERM_KINDS = (OWL.Class, *_PROPERTY_KINDS)

# Predicates of these vocabularies are built into OWL 2 and need no declaration.
_BUILT_IN_NAMESPACES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
)


def quality_problems(graph: Graph) -> list[str]:
    """Return one message, Russian then English, per editorial problem found in ``graph``."""
    return [
        *_missing_texts(graph),
        *_duplicate_class_labels(graph),
        *_undeclared_vic_terms(graph),
        *_undeclared_predicates(graph),
        *deprecated_without_replacement(graph),
        *orphan_classes(graph),
        *missing_belarusian_labels(graph),
        *mixed_script_labels(graph),
    ]


def _vic_terms(graph: Graph) -> list[URIRef]:
    terms = {
        subject
        for kind in _TERM_KINDS
        for subject in graph.subjects(RDF.type, kind)
        if isinstance(subject, URIRef) and str(subject).startswith(str(VIC))
    }
    return sorted(terms)


def _missing_texts(graph: Graph) -> Iterator[str]:
    for term in _vic_terms(graph):
        name = graph.namespace_manager.normalizeUri(term)
        for predicate in (RDFS.label, SKOS.definition):
            present = {
                value.language
                for value in graph.objects(term, predicate)
                if isinstance(value, Literal)
            }
            for language in _LANGUAGES:
                if language not in present:
                    yield (
                        f"{name}: нет {_short(predicate)} на языке @{language} / "
                        f"{name}: missing {_short(predicate)} in @{language}"
                    )


def _duplicate_class_labels(graph: Graph) -> Iterator[str]:
    classes_by_label: dict[tuple[str, str], set[URIRef]] = defaultdict(set)
    for term in graph.subjects(RDF.type, OWL.Class):
        if not (isinstance(term, URIRef) and str(term).startswith(str(VIC))):
            continue
        for label in graph.objects(term, RDFS.label):
            if isinstance(label, Literal) and label.language:
                classes_by_label[(label.language, _normalise(str(label)))].add(term)

    for (language, text), classes in sorted(classes_by_label.items()):
        if len(classes) > 1:
            names = ", ".join(sorted(graph.namespace_manager.normalizeUri(c) for c in classes))
            yield (
                f"одинаковая метка «{text}»@{language} у классов {names} / "
                f"classes {names} share the label «{text}»@{language}"
            )


def _undeclared_vic_terms(graph: Graph) -> Iterator[str]:
    declared = set(graph.subjects(RDF.type, None))
    # Version IRIs name releases of the ontology, not terms, so they need no declaration.
    version_iris = set(graph.objects(None, OWL.versionIRI)) | set(
        graph.objects(None, OWL.priorVersion)
    )

    used: set[URIRef] = set()
    for triple in graph:
        used.update(node for node in triple if isinstance(node, URIRef))

    for term in sorted(used - declared - version_iris):
        if str(term).startswith(str(VIC)):
            yield (
                f"{graph.namespace_manager.normalizeUri(term)}: термин используется, "
                "но не объявлен (нет rdf:type) / "
                f"{graph.namespace_manager.normalizeUri(term)}: term is used but not declared "
                "(no rdf:type)"
            )


def _undeclared_predicates(graph: Graph) -> Iterator[str]:
    properties = {subject for kind in _PROPERTY_KINDS for subject in graph.subjects(RDF.type, kind)}
    predicates = {node for node in graph.predicates() if isinstance(node, URIRef)}
    for predicate in sorted(predicates):
        if str(predicate).startswith(_BUILT_IN_NAMESPACES) or predicate in properties:
            continue
        name = graph.namespace_manager.normalizeUri(predicate)
        yield (
            f"{name}: свойство используется, но не объявлено как owl:ObjectProperty, "
            "owl:DatatypeProperty или owl:AnnotationProperty / "
            f"{name}: property is used but not declared as owl:ObjectProperty, "
            "owl:DatatypeProperty or owl:AnnotationProperty"
        )


def _short(predicate: URIRef) -> str:
    return "rdfs:label" if predicate == RDFS.label else "skos:definition"


def _normalise(label: str) -> str:
    # Catalogues write «е» for «ё», so two labels that differ only there are the same label.
    return label.casefold().replace("ё", "е")
