"""Classifier codes (ТН ВЭД ЕАЭС, ОКПД2) to product classes through the ontology's crosswalks.

A member's code is looked up by its digits: the listed code with the longest digit prefix of
it stands for it, because the ontology lists only confirmed levels ("0401 20 910 0" is read
as the listed "0401 20 910"). The classes come from ``vic:classifiesClass`` as the term
contract defines it: a code with links of its own fits those classes; a code without links
takes the classes of its nearest ``skos:broader`` ancestor that has some.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from vic_semantic.namespaces import ID, VIC

SCHEMES: dict[str, URIRef] = {"tnved": ID["scheme/tnved"], "okpd2": ID["scheme/okpd2"]}
SCHEME_TITLES = {"tnved": "ТН ВЭД ЕАЭС", "okpd2": "ОКПД2"}
# A shorter prefix than a whole group says little: "04" fits every dairy class.
MIN_PREFIX_DIGITS = {"tnved": 4, "okpd2": 4}


@dataclass(frozen=True)
class CodeMatch:
    """A member's code, the listed concept that stands for it, and the classes it fits."""

    scheme: str
    code: str
    concept: URIRef
    notation: str
    classes: frozenset[URIRef]
    linked_by: URIRef | None
    exact: bool


def _digits(code: str) -> str:
    return re.sub(r"\D", "", code)


class CodeIndex:
    """Listed concepts of each scheme by their digits, with their resolved classes."""

    def __init__(self, ontology: Graph) -> None:
        self.ontology = ontology
        self._cache: dict[tuple[str, str], CodeMatch | None] = {}
        self.by_digits: dict[str, dict[str, tuple[URIRef, str]]] = {key: {} for key in SCHEMES}
        for key, scheme in SCHEMES.items():
            for concept in ontology.subjects(SKOS.inScheme, scheme):
                notation = ontology.value(concept, SKOS.notation)
                if isinstance(concept, URIRef) and notation is not None:
                    self.by_digits[key][_digits(str(notation))] = (concept, str(notation))

    def classes_of(self, concept: URIRef) -> tuple[frozenset[URIRef], URIRef | None]:
        """Return the classes a concept fits and the concept whose links supplied them."""
        seen: set[URIRef] = set()
        current: URIRef | None = concept
        while current is not None and current not in seen:
            seen.add(current)
            links = frozenset(
                c
                for c in self.ontology.objects(current, VIC.classifiesClass)
                if isinstance(c, URIRef)
            )
            if links:
                return links, current
            broader = self.ontology.value(current, SKOS.broader)
            current = broader if isinstance(broader, URIRef) else None
        return frozenset(), None

    def lookup(self, scheme: str, code: str) -> CodeMatch | None:
        """Return the match of a member's code, or None when no listed code is its prefix."""
        key = (scheme, code)
        if key not in self._cache:
            self._cache[key] = self._lookup(scheme, code)
        return self._cache[key]

    def _lookup(self, scheme: str, code: str) -> CodeMatch | None:
        digits = _digits(code)
        listed = self.by_digits[scheme]
        for length in range(len(digits), MIN_PREFIX_DIGITS[scheme] - 1, -1):
            found = listed.get(digits[:length])
            if found is None:
                continue
            concept, notation = found
            classes, linked_by = self.classes_of(concept)
            return CodeMatch(
                scheme, code, concept, notation, classes, linked_by, length == len(digits)
            )
        return None


_INDEXES: weakref.WeakKeyDictionary[Graph, CodeIndex] = weakref.WeakKeyDictionary()


def code_index(ontology: Graph) -> CodeIndex:
    """Return the code index of ``ontology``, built once per graph object."""
    index = _INDEXES.get(ontology)
    if index is None:
        index = CodeIndex(ontology)
        _INDEXES[ontology] = index
    return index
