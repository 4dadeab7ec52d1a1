"""Structural editorial checks: deprecated terms and classes without a superclass.

A published term is never deleted. It gets ``owl:deprecated true`` and
``dcterms:isReplacedBy`` naming the term to use instead, so that data written against an
older version still resolves. Every vic: class hangs under a vic: class, under an aligned
external class, or is listed as ``vic:topClass`` of the ontology, so the class tree that the
documentation shows has no stray roots. A defined class (owl:equivalentClass to an
intersection) hangs under the named classes of its intersection, which HermiT infers.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from vic_semantic.namespaces import ONTOLOGY_IRI, VIC


def deprecated_without_replacement(graph: Graph) -> Iterator[str]:
    """Yield a message for each deprecated vic: term that names no replacement."""
    for term in sorted(_deprecated_terms(graph)):
        if any(isinstance(r, URIRef) for r in graph.objects(term, DCTERMS.isReplacedBy)):
            continue
        name = graph.namespace_manager.normalizeUri(term)
        yield (
            f"{name}: термин помечен owl:deprecated, но не указан dcterms:isReplacedBy; "
            "укажите термин, которым его заменить / "
            f"{name}: term is owl:deprecated but has no dcterms:isReplacedBy; "
            "name the term that replaces it"
        )


def orphan_classes(graph: Graph) -> Iterator[str]:
    """Yield a message for each vic: class with no named superclass that is not a top class."""
    top_classes = set(graph.objects(ONTOLOGY_IRI, VIC.topClass))
    deprecated = _deprecated_terms(graph)
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    for cls in sorted(classes):
        if not _is_vic(cls) or cls in top_classes or cls in deprecated:
            continue
        named_parents = [
            parent
            for parent in graph.objects(cls, RDFS.subClassOf)
            if isinstance(parent, URIRef) and parent != OWL.Thing and parent != cls
        ]
        if named_parents or definition_operands(graph, cls):
            continue
        name = graph.namespace_manager.normalizeUri(cls)
        yield (
            f"{name}: у класса нет надкласса; добавьте rdfs:subClassOf класса vic: или "
            "внешнего словаря либо объявите его vic:topClass в заголовке онтологии / "
            f"{name}: class has no superclass; add rdfs:subClassOf a vic: or external class, "
            "or declare it vic:topClass in the ontology header"
        )


def definition_operands(graph: Graph, cls: URIRef) -> set[URIRef]:
    """Return the named classes that a definition of ``cls`` intersects, unions included.

    For ``cls ≡ (A ⊔ B) ⊓ ∃p.C`` these are A and B: every member of ``cls`` is in one of
    them, so HermiT places ``cls`` under them or under a class they share.
    """
    operands: set[URIRef] = set()
    for definition in graph.objects(cls, OWL.equivalentClass):
        for members in graph.objects(definition, OWL.intersectionOf):
            for operand in Collection(graph, members):
                if isinstance(operand, URIRef):
                    operands.add(operand)
                for union in graph.objects(operand, OWL.unionOf):
                    alternatives = list(Collection(graph, union))
                    if all(isinstance(a, URIRef) for a in alternatives):
                        operands.update(a for a in alternatives if isinstance(a, URIRef))
    return operands


def _deprecated_terms(graph: Graph) -> set[URIRef]:
    return {
        term
        for term, flag in graph.subject_objects(OWL.deprecated)
        if isinstance(term, URIRef)
        and _is_vic(term)
        and isinstance(flag, Literal)
        and flag.toPython() is True
    }


def _is_vic(node: object) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(VIC))
