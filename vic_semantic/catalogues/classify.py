"""Assigning the most specific ontology product class from a product name.

The classes' Russian labels (rdfs:label, skos:altLabel, skos:hiddenLabel) are split into
words and lemmatised with pymorphy3, and so is the name. A label matches when each of its
words has a lemma in common with some word of the name, in any order. Text inside «…» is a
brand ("Колбаса «Молочная»" is not milk) and is ignored. Among matching labels the longest
wins. Next comes a label that contains the name's first word, its head noun ("Пломбир … на
сливках" is plombir, not cream), and a deeper class breaks a tie.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import pymorphy3
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from vic_semantic.namespaces import VIC

# Prepositions and conjunctions carry no class meaning ("говядина в полутушах").
STOPWORDS = frozenset({"в", "во", "на", "из", "с", "со", "и", "для", "без", "по", "от", "до", "к"})
LABEL_PROPERTIES = (RDFS.label, SKOS.altLabel, SKOS.hiddenLabel)
CONTENT_PARTS_OF_SPEECH = frozenset({"NOUN", "ADJF", "ADJS", "PRTF", "PRTS"})
HEAD_WORD_BONUS = 0.5
DEPTH_WEIGHT = 0.01

_WORD = re.compile(r"[а-яa-z0-9]+(?:[/\-][а-яa-z0-9]+)*")
_INDEXES: weakref.WeakKeyDictionary[Graph, LabelIndex] = weakref.WeakKeyDictionary()


@lru_cache(maxsize=1)
def _analyzer() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=20_000)
def lemmas(word: str) -> frozenset[str]:
    """Return the normal forms of a word's noun, adjective and participle readings.

    All readings are kept because pymorphy3's first guess differs between forms of one word
    ("свинина" → свинина but "свинины" → свинин).
    """
    if not word.isalpha():
        return frozenset({word})
    parses = _analyzer().parse(word)
    content = [p for p in parses if p.tag.POS in CONTENT_PARTS_OF_SPEECH] or parses
    return frozenset(p.normal_form.replace("ё", "е") for p in content)


def strip_quoted(text: str) -> str:
    """Remove text inside «…» (nested too) and "…", where members write brand names."""
    kept = []
    depth = 0
    in_straight = False
    for char in text:
        if char == "«":
            depth += 1
        elif char == "»":
            depth = max(0, depth - 1)
        elif char in '"“”„':
            in_straight = not in_straight
        elif depth == 0 and not in_straight:
            kept.append(char)
    return "".join(kept)


def words(text: str) -> list[str]:
    """Return the words of ``text`` outside quotes, lower case, ё as е, without numbers."""
    folded = strip_quoted(text).casefold().replace("ё", "е")
    found = _WORD.findall(folded)
    return [w for w in found if not any(c.isdigit() for c in w) and w not in STOPWORDS]


@dataclass(frozen=True)
class _Label:
    cls: URIRef
    text: str
    lemma_sets: tuple[frozenset[str], ...]
    depth: int


@dataclass(frozen=True)
class Classification:
    """The class a name was assigned, the match score, and the label that matched."""

    cls: URIRef | None
    score: float
    label: str | None


def _food_classes(ontology: Graph) -> dict[URIRef, int]:
    """Return every subclass of vic:FoodProduct with its depth below it."""
    depths: dict[URIRef, int] = {}
    frontier = [(VIC.FoodProduct, 0)]
    while frontier:
        parent, depth = frontier.pop()
        for child in ontology.subjects(RDFS.subClassOf, parent):
            if isinstance(child, URIRef) and depths.get(child, -1) < depth + 1:
                depths[child] = depth + 1
                frontier.append((child, depth + 1))
    return depths


class LabelIndex:
    """The lemmatised Russian labels of the ontology's product classes."""

    def __init__(self, ontology: Graph) -> None:
        self.labels: list[_Label] = []
        for cls, depth in _food_classes(ontology).items():
            for prop in LABEL_PROPERTIES:
                for label in ontology.objects(cls, prop):
                    if isinstance(label, Literal) and label.language == "ru":
                        self._add(cls, str(label), depth)

    def _add(self, cls: URIRef, text: str, depth: int) -> None:
        label_words = words(text)
        if label_words:
            lemma_sets = tuple(lemmas(w) for w in label_words)
            self.labels.append(_Label(cls, text, lemma_sets, depth))

    def matches(self, name: str) -> Iterator[tuple[float, _Label]]:
        """Yield (score, label) for every label all of whose words occur in ``name``."""
        name_sets = [lemmas(w) for w in words(name)]
        if not name_sets:
            return
        head = name_sets[0]
        for label in self.labels:
            if all(any(ls & ns for ns in name_sets) for ls in label.lemma_sets):
                score = float(len(label.lemma_sets))
                if any(ls & head for ls in label.lemma_sets):
                    score += HEAD_WORD_BONUS
                yield score + DEPTH_WEIGHT * label.depth, label


def label_index(ontology: Graph) -> LabelIndex:
    """Return the label index of ``ontology``, built once per graph object."""
    index = _INDEXES.get(ontology)
    if index is None:
        index = LabelIndex(ontology)
        _INDEXES[ontology] = index
    return index


def classify_name(name: str, ontology: Graph) -> Classification:
    """Return the most specific product class whose label the name contains, or no class."""
    best: tuple[float, _Label] | None = None
    for score, label in label_index(ontology).matches(name):
        if best is None or score > best[0]:
            best = (score, label)
    if best is None:
        return Classification(None, 0.0, None)
    return Classification(best[1].cls, best[0], best[1].text)
