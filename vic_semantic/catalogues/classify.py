"""Ranking the ontology's product classes for a product name, with confidence and evidence.

The classes' labels (rdfs:label, skos:altLabel, skos:hiddenLabel, in Russian and English) are
split into words with keys: Russian lemmas from pymorphy3, English stems. A label matches a
name when each of its words shares a key with some word of the name, in any order. A name
word that shares no key with any label word may still match the closest label word when
rapidfuzz rates them 88 or more («мороженное» ≈ «мороженое»), at a cost in confidence.

A label that covers the name's head nouns (``mapping.names``) is what the product is; one
that covers only other words is not ("Йогурт из цельного молока" is no milk). Among covering
labels the one with most words wins ("молоко питьевое пастеризованное" over "молоко"), then
the one that covers more of the name's tokens, then the deeper class. A hyphenated name word
has one token per part, and a label word that matches only its last part covers one of them:
"semi-hard cheese" covers all three tokens of "Semi-hard cheeses", "hard cheese" two.
Confidence is 0.6 plus 0.4 times the share of the name's words the label covers when the
heads are covered, and at most 0.45 when they are not.

Two kinds of name fall outside every class here: plant-based imitations ("Almond milk") and
poultry, which ТР ЕАЭС 051/2021 regulates apart from the ТР ТС 034/2013 meat products the
ontology models. A processed form of slaughter meat ("Canned beef") is a meat product, not
vic:Meat, which the ontology defines as processed at most by chilling or freezing.
"""

from __future__ import annotations

import csv
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from vic_semantic.mapping.names import (
    ENGLISH_STOPWORDS,
    RUSSIAN_STOPWORDS,
    UNIT_WORDS,
    NameWords,
    analyse_name,
    fold,
    label_keys,
    lemmas,
    strip_quoted,
)
from vic_semantic.namespaces import VIC

__all__ = [
    "Candidate",
    "Classification",
    "LabelIndex",
    "classify_name",
    "label_index",
    "lemmas",
    "strip_quoted",
    "words",
]

LABEL_PROPERTIES = (RDFS.label, SKOS.altLabel, SKOS.hiddenLabel)
LABEL_LANGUAGES = ("ru", "en")
HEAD_WORD_BONUS = 0.5
DEPTH_WEIGHT = 0.01
FUZZY_MIN_SCORE = 88
FUZZY_MIN_LENGTH = 5
FUZZY_PENALTY = 0.1
MAX_CANDIDATES = 5


def _keys_of(*words: str) -> frozenset[str]:
    return frozenset().union(*(lemmas(fold(w)) for w in words))


# Keys of words that take a name out of every class (see the module docstring).
PLANT_BASED_KEYS = _keys_of(
    "растительный",
    "соевый",
    "миндальный",
    "овсяный",
    "рисовый",
    "кокосовый",
    "веганский",
    "plant-based",
    "vegan",
    "vegetable",
    "soy",
    "soya",
    "almond",
    "oat",
    "rice",
)
POULTRY_KEYS = _keys_of(
    "курица",
    "куриный",
    "цыпленок",
    "бройлер",
    "индейка",
    "индюшиный",
    "утка",
    "утиный",
    "гусь",
    "гусиный",
    "птица",
    "перепел",
    "chicken",
    "turkey",
    "duck",
    "goose",
    "poultry",
    "hen",
    "quail",
    "pheasant",
    "guinea",
)
PROCESSED_KEYS = _keys_of(
    "консервированный",
    "консервы",
    "тушенка",
    "копченый",
    "вяленый",
    "сушеный",
    "жареный",
    "запеченный",
    "canned",
    "smoked",
    "dried",
    "cured",
    "cooked",
    "roasted",
    "grilled",
    "stewed",
    "prepared",
    "confit",
)


LEXICON_PATH = Path(__file__).resolve().parent.parent / "mapping" / "lexicon.tsv"


@lru_cache(maxsize=1)
def _lexicon() -> tuple[tuple[str, str, URIRef], ...]:
    """Return the kinds of product with no class of their own, each with the broader class
    it falls under ("скир" → vic:FermentedMilkProduct); a match is a skos:broadMatch.

    NOTE: these belong in the ontology as classes; the file bridges until they are added.
    """
    with LEXICON_PATH.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return tuple((row["term"], row["lang"], VIC[row["class"]]) for row in rows)


def words(text: str) -> list[str]:
    """Return the content words of ``text`` outside quotes, folded, without numbers."""
    return list(analyse_name(text).words)


@dataclass(frozen=True)
class _Label:
    cls: URIRef
    text: str
    lang: str
    lemma_sets: tuple[frozenset[str], ...]
    depth: int
    broader: bool = False


@dataclass(frozen=True)
class Candidate:
    """A class a name may belong to, with the label and words that support it."""

    cls: URIRef
    label: str
    label_lang: str
    score: float
    confidence: float
    head_covered: bool
    matched_words: tuple[str, ...]
    fuzzy_words: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    broader: bool = False
    # (name word index, part index) of each covered token, to tell whether this label's
    # match is contained in another's.
    covered_tokens: frozenset[tuple[int, int]] = frozenset()


@dataclass(frozen=True)
class Classification:
    """The class a name was assigned, the match score, and the label that matched."""

    cls: URIRef | None
    score: float
    label: str | None
    confidence: float = 0.0
    candidates: tuple[Candidate, ...] = field(default=(), compare=False)


def _part_keys(word: str) -> frozenset[str]:
    """Return the keys a hyphenated name word gets from its last part alone."""
    if "-" not in word:
        return frozenset()
    return lemmas(word) - {word}


def _tokens_of(word: str, index: int, whole: bool) -> set[tuple[int, int]]:
    """Return the tokens of name word ``index`` that a match covers: every part of the word
    when the match is on the whole word, else only its last part."""
    last = word.count("-")
    if whole:
        return {(index, part) for part in range(last + 1)}
    return {(index, last)}


def _class_depths(ontology: Graph, root: URIRef) -> dict[URIRef, int]:
    """Return every subclass of ``root`` with its depth below it."""
    depths: dict[URIRef, int] = {}
    frontier = [(root, 0)]
    while frontier:
        parent, depth = frontier.pop()
        for child in ontology.subjects(RDFS.subClassOf, parent):
            if isinstance(child, URIRef) and depths.get(child, -1) < depth + 1:
                depths[child] = depth + 1
                frontier.append((child, depth + 1))
    return depths


class LabelIndex:
    """The keyed labels of the ontology's product classes, with an inverted index."""

    def __init__(self, ontology: Graph) -> None:
        self.labels: list[_Label] = []
        self._surface: dict[str, frozenset[str]] = {}
        depths = _class_depths(ontology, VIC.FoodProduct)
        self.depths = depths
        self.meat_classes = frozenset(_class_depths(ontology, VIC.MeatProduct)) | {VIC.MeatProduct}
        self.raw_meat_classes = frozenset(_class_depths(ontology, VIC.Meat)) | {VIC.Meat}
        for cls, depth in depths.items():
            for prop in LABEL_PROPERTIES:
                for label in ontology.objects(cls, prop):
                    if isinstance(label, Literal) and label.language in LABEL_LANGUAGES:
                        self._add(cls, str(label), label.language, depth)
        for term, lang, cls in _lexicon():
            self._add(cls, term, lang, depths.get(cls, 0), broader=True)

        self._postings: dict[str, list[tuple[int, int]]] = {}
        for number, entry in enumerate(self.labels):
            for position, keys in enumerate(entry.lemma_sets):
                for key in keys:
                    self._postings.setdefault(key, []).append((number, position))
        self._fuzzy_cache: dict[str, tuple[str, frozenset[str]] | None] = {}
        self._rank_cache: dict[NameWords, tuple[Candidate, ...]] = {}

    def _add(self, cls: URIRef, text: str, lang: str, depth: int, broader: bool = False) -> None:
        analysed = analyse_name(text)
        stopwords = ENGLISH_STOPWORDS if lang == "en" else RUSSIAN_STOPWORDS
        label_words = [w for w in analysed.words if w not in stopwords and w not in UNIT_WORDS]
        if not label_words:
            return
        lemma_sets = tuple(label_keys(w) for w in label_words)
        self.labels.append(_Label(cls, text, lang, lemma_sets, depth, broader))
        for word, keys in zip(label_words, lemma_sets, strict=True):
            self._surface[word] = keys

    def _word_keys(self, word: str) -> tuple[frozenset[str], str | None]:
        """Return a name word's keys and, when they come from a fuzzy match, the label word."""
        keys = lemmas(word)
        if any(key in self._postings for key in keys) or len(word) < FUZZY_MIN_LENGTH:
            return keys, None
        if word not in self._fuzzy_cache:
            best = process.extractOne(
                word, list(self._surface), scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SCORE
            )
            self._fuzzy_cache[word] = (best[0], self._surface[best[0]]) if best else None
        found = self._fuzzy_cache[word]
        if found is None:
            return keys, None
        return keys | found[1], found[0]

    def matches(
        self, name: str
    ) -> list[tuple[_Label, frozenset[int], dict[int, str], frozenset[tuple[int, int]]]]:
        """Return each label all of whose words occur in ``name``, with the name words it
        covers (indexes into ``analyse_name(name).words``), the fuzzy ones among them and
        the covered tokens (see ``Candidate.covered_tokens``)."""
        analysed = analyse_name(name)
        hits: dict[int, set[int]] = {}
        covered: dict[int, set[int]] = {}
        # Name words that some label word matched as a whole, not only by their last part.
        whole: dict[int, set[int]] = {}
        fuzzy: dict[int, str] = {}
        for index, word in enumerate(analysed.words):
            keys, fuzzy_word = self._word_keys(word)
            part_keys = _part_keys(word)
            if fuzzy_word is not None:
                fuzzy[index] = fuzzy_word
            for key in keys:
                for number, position in self._postings.get(key, ()):
                    hits.setdefault(number, set()).add(position)
                    covered.setdefault(number, set()).add(index)
                    if key not in part_keys:
                        whole.setdefault(number, set()).add(index)
        found = []
        for number, positions in hits.items():
            entry = self.labels[number]
            # Each label word needs a name word of its own: "cream ice cream" must not
            # match "ice creams" through one word twice.
            full = len(positions) == len(entry.lemma_sets)
            if full and len(covered[number]) >= len(entry.lemma_sets):
                words_here = frozenset(covered[number])
                whole_here = whole.get(number, set())
                tokens = frozenset().union(
                    *(_tokens_of(analysed.words[i], i, i in whole_here) for i in words_here)
                )
                fuzzy_here = {i: fuzzy[i] for i in words_here if i in fuzzy}
                found.append((entry, words_here, fuzzy_here, tokens))
        return found

    def rank(self, name: str) -> tuple[Candidate, ...]:
        """Return up to ``MAX_CANDIDATES`` classes for ``name``, best first, one per class."""
        # Names that differ only in brand, numbers and packaging analyse to the same words,
        # so the cache is keyed by the analysis, not by the raw name.
        analysed = analyse_name(name)
        cached = self._rank_cache.get(analysed)
        if cached is None:
            cached = self._rank(name)
            if len(self._rank_cache) < 200_000:
                self._rank_cache[analysed] = cached
        return cached

    def _rank(self, name: str) -> tuple[Candidate, ...]:
        analysed = analyse_name(name)
        if not analysed.words:
            return ()
        name_keys = frozenset().union(*(lemmas(w) for w in analysed.words))
        scored = []
        for entry, covered, fuzzy, tokens in self.matches(name):
            candidate = self._candidate(analysed, name_keys, entry, covered, fuzzy, tokens)
            order = (
                candidate.head_covered,
                len(entry.lemma_sets) - len(fuzzy),
                len(tokens),
                self.depths.get(candidate.cls, 0),
                candidate.confidence,
            )
            scored.append((order, candidate))
        scored.sort(key=lambda item: item[0], reverse=True)

        best: dict[URIRef, Candidate] = {}
        for _, candidate in scored:
            best.setdefault(candidate.cls, candidate)
        return tuple(best.values())[:MAX_CANDIDATES]

    def _candidate(
        self,
        analysed: NameWords,
        name_keys: frozenset[str],
        entry: _Label,
        covered: frozenset[int],
        fuzzy: dict[int, str],
        tokens: frozenset[tuple[int, int]],
    ) -> Candidate:
        head_covered = bool(analysed.heads) and set(analysed.heads) <= covered
        coverage = len(covered) / len(analysed.words)
        confidence = 0.6 + 0.4 * coverage if head_covered else 0.45 * coverage
        confidence -= FUZZY_PENALTY * len(fuzzy)

        cls = entry.cls
        notes: list[str] = []
        if name_keys & PLANT_BASED_KEYS:
            confidence = min(confidence, 0.3)
            notes.append("plant-based: no dairy or meat class fits")
        elif cls in self.meat_classes and name_keys & POULTRY_KEYS:
            confidence = min(confidence, 0.3)
            notes.append("poultry: regulated apart from the meat products modelled here")
        elif cls in self.raw_meat_classes and name_keys & PROCESSED_KEYS:
            cls = VIC.MeatProduct
            notes.append("processed meat: generalised from slaughter meat to meat product")

        score = len(entry.lemma_sets) + DEPTH_WEIGHT * entry.depth
        if head_covered:
            score += HEAD_WORD_BONUS
        return Candidate(
            cls=cls,
            label=entry.text,
            label_lang=entry.lang,
            score=score,
            confidence=round(max(0.0, min(1.0, confidence)), 3),
            head_covered=head_covered,
            matched_words=tuple(analysed.words[i] for i in sorted(covered)),
            fuzzy_words=tuple((analysed.words[i], w) for i, w in sorted(fuzzy.items())),
            notes=tuple(notes),
            broader=entry.broader,
            covered_tokens=tokens,
        )


_INDEXES: weakref.WeakKeyDictionary[Graph, LabelIndex] = weakref.WeakKeyDictionary()


def label_index(ontology: Graph) -> LabelIndex:
    """Return the label index of ``ontology``, built once per graph object."""
    index = _INDEXES.get(ontology)
    if index is None:
        index = LabelIndex(ontology)
        _INDEXES[ontology] = index
    return index


def classify_name(name: str, ontology: Graph) -> Classification:
    """Return the most specific class whose label covers the name's head noun, or no class.

    ``candidates`` lists every ranked class, also when none covers the head.
    """
    candidates = label_index(ontology).rank(name)
    best = candidates[0] if candidates else None
    if best is None or not best.head_covered or (best.notes and best.confidence < 0.5):
        return Classification(None, 0.0, None, 0.0, candidates)
    return Classification(best.cls, best.score, best.label, best.confidence, candidates)
