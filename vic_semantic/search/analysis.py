"""Text analysis for search: words, their Russian lemmas and English stems.

A word becomes a set of index keys. Two words match when their key sets share a key, so
«кефиры», «кефира» and «кефир» meet at the lemma «кефир», and «cheeses» and «cheese» at
the stem «chees».
"""

from __future__ import annotations

import re
from functools import lru_cache

import pymorphy3

_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[а-я]")
_LATIN = re.compile(r"[a-z]")

# Lemmas kept per word: pymorphy3 may offer several readings («стали»: сталь, стать), and
# keeping a few lets either reading match at the cost of an occasional extra hit.
_MAX_LEMMAS = 3

# Relational adjectives are formed from nouns with the suffixes -н-, -ов-/-ев- and -ск-
# («кефирный» ← «кефир», «фруктовый» ← «фрукт», «гомельский» ← «Гомель»). pymorphy3 lemmatises
# an adjective to its own masculine form, never to the noun, so a lemma alone cannot link
# «кефирный» to «кефир». Stripping the suffix and keeping the result only when it is a
# dictionary noun is conservative: it adds the noun a person would search for and never a
# made-up stem. A general stemmer (Snowball) would also merge unrelated words that share a
# beginning, which hurts precision on short product names.
_ADJECTIVE_SUFFIXES = ("ский", "ской", "овый", "евый", "ный", "ной", "ний")
# Endings a noun may take once the suffix is gone: «мяс-ной» → «мясо», «молоч-ный» →
# «молоко» (ч alternates with к), «творож-ный» → «творог» (ж alternates with г).
_NOUN_ENDINGS = ("", "а", "о", "я", "ь")
_ALTERNATIONS = {"ч": ("к", "ц"), "ж": ("г", "з"), "ш": ("х", "с")}


@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    # Loading the dictionaries takes a noticeable part of a second, so it happens once.
    return pymorphy3.MorphAnalyzer()


def normalise(text: str) -> str:
    """Case-fold ``text`` and write ё as е, as Russian texts often do."""
    return text.casefold().replace("ё", "е")


def words(text: str) -> list[str]:
    """Split ``text`` into normalised words: runs of letters and digits."""
    return _WORD.findall(normalise(text))


def compact(text: str) -> str:
    """Return ``text`` normalised with everything but letters and digits removed.

    Codes are written with varying separators ("0401 20 910", "0401-20-910"), and this form
    compares them regardless.
    """
    return "".join(words(text))


@lru_cache(maxsize=200_000)
def keys(word: str) -> frozenset[str]:
    """Return the index keys of a normalised word: itself plus its lemmas or stem."""
    if _CYRILLIC.search(word) and not _LATIN.search(word):
        return frozenset({word, *_russian_keys(word)})
    if _LATIN.search(word) and not word.isdigit():
        return frozenset({word, english_stem(word)})
    return frozenset({word})


def _russian_keys(word: str) -> set[str]:
    parses = _morph().parse(word)
    known = [parse for parse in parses if parse.is_known]
    chosen = known or parses[:1]
    found: set[str] = set()
    for parse in chosen:
        if len(found) >= _MAX_LEMMAS:
            break
        lemma = normalise(parse.normal_form)
        found.add(lemma)
        if parse.is_known and parse.tag.POS in ("ADJF", "ADJS"):
            found |= derived_nouns(lemma)
    return found


@lru_cache(maxsize=50_000)
def derived_nouns(adjective: str) -> frozenset[str]:
    """Return the dictionary nouns a relational adjective is formed from, if any."""
    nouns: set[str] = set()
    for suffix in _ADJECTIVE_SUFFIXES:
        if not adjective.endswith(suffix) or len(adjective) - len(suffix) < 3:
            continue
        stem = adjective[: -len(suffix)]
        for candidate in _stem_variants(stem):
            nouns |= _known_noun_lemmas(candidate)
    return frozenset(nouns)


def _stem_variants(stem: str) -> list[str]:
    stems = [stem]
    for alternate in _ALTERNATIONS.get(stem[-1], ()):
        stems.append(stem[:-1] + alternate)
    return [base + ending for base in stems for ending in _NOUN_ENDINGS]


def _known_noun_lemmas(candidate: str) -> set[str]:
    morph = _morph()
    if not morph.word_is_known(candidate):
        return set()
    return {
        normalise(parse.normal_form)
        for parse in morph.parse(candidate)
        if parse.is_known and parse.tag.POS == "NOUN"
    }


def english_stem(word: str) -> str:
    """Strip common English inflections: plural -s/-es/-ies, -ing, -ed and a final -e.

    A few rules suffice for labels such as "cheeses", "frankfurters" and "sterilised", and
    are applied alike to indexed text and queries, so an odd stem still matches itself.
    """
    stem = word
    if stem.endswith("ies") and len(stem) > 4:
        stem = stem[:-3] + "y"
    elif stem.endswith("sses"):
        stem = stem[:-2]
    elif stem.endswith("s") and not stem.endswith(("ss", "us", "is")) and len(stem) > 3:
        stem = stem[:-1]
    for ending in ("ing", "ed"):
        if stem.endswith(ending) and len(stem) - len(ending) >= 3:
            stem = stem[: -len(ending)]
            break
    if stem.endswith("e") and len(stem) > 3:
        stem = stem[:-1]
    return stem
