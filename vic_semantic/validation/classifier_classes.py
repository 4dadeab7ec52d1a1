"""Effective product classes of the ТН ВЭД codes, precomputed for the shapes.

The ontology's rule (classifiers.ttl): a code with its own ``vic:classifiesClass`` links fits
only those classes and their subclasses; a code without links takes the classes of its
nearest ``skos:broader`` ancestor that has some. Walking that rule in SPARQL needs a path
search per product, so the classes are computed here and added to the validation graph:

- ``vic:effectiveClass``: each class a code or a normative document (``vic:appliesToClass``)
  fits, subclasses included, once per ontology;
- ``vic:longestTnvedCode``: for each distinct code written in the data, the longest code of the
  scheme that it starts with, keyed by ``vicd:tnved-digits/{digits}`` (the code's digits),
  because a literal cannot be a subject. Finding the position in SPARQL compared every code
  of the scheme with every product and took minutes on 100,000 products;
- the transitive closure of ``rdfs:subClassOf`` (triples RDFS entails anyway), so that a
  shape tests "a subclass of" with one triple pattern instead of a path per product.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from vic_semantic.namespaces import ID, VIC

TNVED_SCHEME = ID["scheme/tnved"]
_NON_DIGIT = re.compile(r"[^0-9]")


def _effective(code: Node, ontology: Graph, seen: frozenset[Node] = frozenset()) -> set[Node]:
    own = set(ontology.objects(code, VIC.classifiesClass))
    if own or code in seen:
        return own
    inherited: set[Node] = set()
    for broader in ontology.objects(code, SKOS.broader):
        inherited |= _effective(broader, ontology, seen | {code})
    return inherited


def _subclasses(cls: Node, ontology: Graph) -> set[Node]:
    found = {cls}
    pending = [cls]
    while pending:
        for narrower in ontology.subjects(RDFS.subClassOf, pending.pop()):
            if narrower not in found:
                found.add(narrower)
                pending.append(narrower)
    return found


def classifier_triples(ontology: Graph) -> Iterator[tuple[Node, URIRef, Node]]:
    """Yield ``vic:effectiveClass`` triples, subclasses included, of the ТН ВЭД codes and of
    the normative documents (from their ``vic:appliesToClass``)."""
    for code in set(ontology.subjects(SKOS.inScheme, TNVED_SCHEME)):
        for covered in _effective(code, ontology):
            for cls in _subclasses(covered, ontology):
                yield code, VIC.effectiveClass, cls
    for document, covered in ontology.subject_objects(VIC.appliesToClass):
        for cls in _subclasses(covered, ontology):
            yield document, VIC.effectiveClass, cls


def digits_key(code: str) -> URIRef:
    """Return the IRI that stands for a written code's digits in ``vic:longestTnvedCode``."""
    return ID[f"tnved-digits/{_NON_DIGIT.sub('', code)}"]


def position_triples(codes: Iterable[str], ontology: Graph) -> Iterator[tuple[Node, URIRef, Node]]:
    """Yield ``vic:longestTnvedCode`` triples: each written code's longest code of the scheme."""
    by_digits: dict[str, Node] = {}
    for code in ontology.subjects(SKOS.inScheme, TNVED_SCHEME):
        for notation in ontology.objects(code, SKOS.notation):
            by_digits[_NON_DIGIT.sub("", str(notation))] = code
    for written in set(codes):
        digits = _NON_DIGIT.sub("", written)
        for length in range(len(digits), 0, -1):
            position = by_digits.get(digits[:length])
            if position is not None:
                yield digits_key(written), VIC.longestTnvedCode, position
                break


def data_position_triples(data: Graph, ontology: Graph) -> Graph:
    """Return the ``vic:longestTnvedCode`` triples of the codes written in ``data``."""
    codes = (str(code) for code in data.objects(None, VIC.tnvedCode) if isinstance(code, Literal))
    positions = Graph()
    for triple in position_triples(codes, ontology):
        positions.add(triple)
    return positions


def subclass_closure_triples(ontology: Graph) -> Iterator[tuple[Node, URIRef, Node]]:
    """Yield ``rdfs:subClassOf`` triples from each class to each of its ancestors."""
    for cls in set(ontology.subjects(RDFS.subClassOf, None)):
        for ancestor in ontology.transitive_objects(cls, RDFS.subClassOf):
            if ancestor is not None and ancestor != cls:
                yield cls, RDFS.subClassOf, ancestor


def with_classifier_classes(ontology: Graph) -> Graph:
    """Return a copy of ``ontology`` with the precomputed triples the shapes use added."""
    extended = Graph()
    extended += ontology
    for triple in classifier_triples(ontology):
        extended.add(triple)
    for triple in subclass_closure_triples(ontology):
        extended.add(triple)
    return extended
