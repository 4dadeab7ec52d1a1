"""Editorial checks of labels: Belarusian labels, and words that mix alphabets.

Members in Belarus see product classes, member kinds, innovation stages and roles in
Belarusian, so each of those needs an ``@be`` label. A Latin letter inside a Cyrillic word
(Latin «a» in «варaная») looks right on screen but breaks search and matching, so labels in
Russian and Belarusian may not contain such words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from vic_semantic.namespaces import VIC

# Roots of the class trees and the classes whose individuals members see by name.
_VISIBLE_CLASS_ROOTS = (VIC.FoodProduct, VIC.ClusterMember, VIC.VirtualInnovationCluster)
_VISIBLE_CLASSES = (VIC.InnovationCycleStage, VIC.InnovationRole, VIC.StageRole, VIC.SupportingRole)
_VISIBLE_INDIVIDUALS_OF = (VIC.InnovationCycleStage, VIC.StageRole, VIC.SupportingRole)

_LABEL_PREDICATES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
_CYRILLIC_LANGUAGES = ("ru", "be")
_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


def member_visible_terms(graph: Graph) -> list[URIRef]:
    """Return the classes and individuals that members see by name and that need @be labels."""
    terms: set[URIRef] = set(_VISIBLE_CLASSES)
    for root in _VISIBLE_CLASS_ROOTS:
        terms.update(
            node
            for node in graph.transitive_subjects(RDFS.subClassOf, root)
            if isinstance(node, URIRef) and str(node).startswith(str(VIC))
        )
    for cls in _VISIBLE_INDIVIDUALS_OF:
        terms.update(node for node in graph.subjects(RDF.type, cls) if isinstance(node, URIRef))
    return sorted(
        term for term in terms if (term, RDF.type, OWL.Class) in graph or _typed(graph, term)
    )


def missing_belarusian_labels(graph: Graph) -> Iterator[str]:
    """Yield a message for each member-visible term without an rdfs:label in Belarusian."""
    for term in member_visible_terms(graph):
        languages = {
            label.language
            for label in graph.objects(term, RDFS.label)
            if isinstance(label, Literal)
        }
        if "be" not in languages:
            name = graph.namespace_manager.normalizeUri(term)
            yield (
                f"{name}: нет rdfs:label на белорусском (@be); участники видят этот термин / "
                f"{name}: missing rdfs:label in Belarusian (@be); members see this term"
            )


def mixed_script_labels(graph: Graph) -> Iterator[str]:
    """Yield a message for each Russian or Belarusian label with a word in two alphabets."""
    for predicate in _LABEL_PREDICATES:
        for term, label in sorted(graph.subject_objects(predicate)):
            if not isinstance(term, URIRef):
                continue
            if not (isinstance(label, Literal) and label.language in _CYRILLIC_LANGUAGES):
                continue
            mixed = [
                w for w in _WORD.findall(str(label)) if _CYRILLIC.search(w) and _LATIN.search(w)
            ]
            if mixed:
                name = graph.namespace_manager.normalizeUri(term)
                yield (
                    f"{name}: в метке «{label}»@{label.language} слово «{mixed[0]}» смешивает "
                    "кириллицу и латиницу; замените латинские буквы кириллическими / "
                    f"{name}: in the label «{label}»@{label.language} the word «{mixed[0]}» "
                    "mixes Cyrillic and Latin letters; replace the Latin letters"
                )


def _typed(graph: Graph, term: URIRef) -> bool:
    return (term, RDF.type, OWL.NamedIndividual) in graph
