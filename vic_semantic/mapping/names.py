"""Words of a product name: abbreviations expanded, lemmas or stems, and the head nouns.

A name is read in these steps: brands in quotes are dropped; abbreviations that catalogues
use («у/паст.», «м.д.ж.», «п/тв») are expanded; the text is split into words without numbers,
units and packaging codes («пл/бут», «т/п»); each word gets its keys (Russian lemmas from
pymorphy3, an English stem for Latin words). The head nouns are the words that say what the
product is: the first noun of a Russian name («Сыр полутвёрдый», «Цельное молоко»), the last
noun before a preposition in an English one ("Whole milk yogurts", "Cheese from goat's milk").
Words joined by «и» / "and" before the first preposition are each a head ("Ice creams and
sorbets"), because such a name lists two kinds of product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pymorphy3

from vic_semantic.search.analysis import english_stem

# Prepositions and conjunctions carry no class meaning ("говядина в полутушах").
RUSSIAN_STOPWORDS = frozenset(
    {"в", "во", "на", "из", "с", "со", "и", "для", "без", "по", "от", "до", "к", "или", "их"}
)
ENGLISH_STOPWORDS = frozenset(
    {
        "of",
        "with",
        "from",
        "in",
        "for",
        "without",
        "on",
        "by",
        "and",
        "or",
        "the",
        "a",
        "an",
        "their",
        "its",
        "s",
        "to",
        "at",
        "made",
        "style",
        "type",
    }
)
# Unit symbols and counting words that survive number removal ("900 г", "10 шт").
UNIT_WORDS = frozenset({"г", "гр", "кг", "л", "мл", "шт", "уп", "g", "kg", "ml", "l", "pcs"})
# A preposition ends the part of a name where its head nouns stand.
HEAD_BOUNDARIES = frozenset(
    {
        "в",
        "во",
        "на",
        "из",
        "с",
        "со",
        "для",
        "без",
        "по",
        "от",
        "до",
        "к",
        "of",
        "with",
        "from",
        "in",
        "for",
        "without",
        "on",
        "by",
        "made",
        "pure",
    }
)
CONJUNCTIONS = frozenset({"и", "and", "&"})
# English words that end a name without being what the product is: packaging and forms
# ("Ice cream tubs"), and treatments written after the noun ("Whole goat milk UHT").
ENGLISH_NON_HEADS = frozenset(
    english_stem(word)
    for word in (
        "tub",
        "tubs",
        "cone",
        "cones",
        "bar",
        "bars",
        "stick",
        "sticks",
        "cup",
        "cups",
        "box",
        "boxes",
        "pot",
        "pots",
        "pack",
        "packs",
        "sandwich",
        "sandwiches",
        "slice",
        "slices",
        "rasher",
        "rashers",
        "block",
        "blocks",
        "portion",
        "portions",
        "bottle",
        "bottles",
        "carton",
        "cartons",
        "tube",
        "tubes",
        "brick",
        "bricks",
        "uht",
        "raw",
        "fresh",
        "light",
        "refrigerated",
        "frozen",
        "chilled",
    )
)

# Abbreviation → full word, as Belarusian and Russian catalogues write them. An empty
# expansion removes the abbreviation: «м.д.ж.» only announces the fat value that follows.
ABBREVIATIONS: dict[str, str] = {
    "у/паст.": "ультрапастеризованное",
    "у/пастер.": "ультрапастеризованное",
    "ультрапастер.": "ультрапастеризованное",
    "ультрапаст.": "ультрапастеризованное",
    "пастериз.": "пастеризованное",
    "пастер.": "пастеризованное",
    "паст.": "пастеризованное",
    "стерилиз.": "стерилизованное",
    "стерил.": "стерилизованное",
    "топл.": "топленое",
    "м.д.ж.": "",
    "м.д.ж": "",
    "мдж": "",
    "слив.": "сливочное",
    "сл.": "сливочное",
    "п/тв.": "полутвердый",
    "п/тв": "полутвердый",
    "полутв.": "полутвердый",
    "обезж.": "обезжиренный",
    "кисломол.": "кисломолочный",
    "сгущ.": "сгущенное",
    "пит.": "питьевое",
    "с/к": "сырокопченая",
    "с/в": "сыровяленая",
    "в/к": "варено-копченая",
    "вар.": "вареная",
    "п/ф": "полуфабрикат",
    "охл.": "охлажденный",
    "зам.": "замороженный",
    "морож.": "мороженое",
}

_ABBREVIATION = re.compile(
    r"(?<![а-яa-z0-9])("
    + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![а-яa-z0-9])"
)
# Latin letters include the accented ones of Latin-1 (à…ö, ø…ÿ), so that "Pâtés" stays one
# word and is not split into "p", "t", "s".
_WORD = re.compile(r"[а-яa-zà-öø-ÿ0-9]+(?:[/\-'][а-яa-zà-öø-ÿ0-9]+)*")
_LATIN = re.compile(r"[a-zà-öø-ÿ]")
_DIGIT = re.compile(r"\d")
_STRAIGHT_QUOTES = frozenset('"“”„')
_QUOTE_MARK = re.compile(r'[«»"“”„]')
_STRAIGHT_QUOTE = re.compile(r'["“”„]')
_GUILLEMET_PAIR = re.compile(r"«[^«»]*»")
_QUOTE_SPLIT = re.compile(r'([«»"“”„])')
CONTENT_PARTS_OF_SPEECH = frozenset({"NOUN", "ADJF", "ADJS", "PRTF", "PRTS"})


@lru_cache(maxsize=1)
def _analyzer() -> pymorphy3.MorphAnalyzer:
    # Loading the dictionaries takes a noticeable part of a second, so it happens once.
    return pymorphy3.MorphAnalyzer()


def fold(text: str) -> str:
    """Return ``text`` case-folded with ё written as е, as catalogues mostly write it."""
    return text.casefold().replace("ё", "е")


@lru_cache(maxsize=100_000)
def label_keys(word: str) -> frozenset[str]:
    """Return the keys of a label word: like ``lemmas`` but a hyphenated word stays whole,
    so that the label "semi-hard" does not match the name "hard cheese"."""
    if "-" in word:
        return frozenset({word})
    return lemmas(word)


@lru_cache(maxsize=100_000)
def lemmas(word: str) -> frozenset[str]:
    """Return the keys of one folded word: Russian lemmas, or an English stem.

    All Russian noun, adjective and participle readings are kept because pymorphy3's first
    guess differs between forms of one word ("свинина" → свинина but "свинины" → свинин).
    A hyphenated word also gets the keys of its last part («сладко-сливочное» → сливочный).
    """
    if "-" in word:
        last = word.rsplit("-", 1)[1]
        return frozenset({word}) | (lemmas(last) if last else frozenset())
    if _LATIN.search(word):
        return frozenset({english_stem(word)})
    if not word.isalpha():
        return frozenset({word})
    parses = _analyzer().parse(word)
    content = [p for p in parses if p.tag.POS in CONTENT_PARTS_OF_SPEECH] or parses
    if parses[0].tag.POS == "NOUN":
        # A noun keeps its noun readings only: «сыр» is not the short form of «сырой».
        content = [p for p in content if p.tag.POS == "NOUN"] or content
    return frozenset(fold(p.normal_form) for p in content)


@lru_cache(maxsize=100_000)
def is_russian_noun(word: str) -> bool:
    """Return whether pymorphy3's most likely reading of ``word`` is a noun."""
    if "-" in word:
        word = word.rsplit("-", 1)[1]
    if not word.isalpha() or _LATIN.search(word):
        return False
    return bool(_analyzer().parse(word)[0].tag.POS == "NOUN")


def strip_quoted(text: str) -> str:
    """Remove text inside «…» (nested too) and "…", where members write brand names."""
    if not _QUOTE_MARK.search(text):
        return text
    if not _STRAIGHT_QUOTE.search(text):
        # Usually the quotes are balanced «…» pairs. Removing innermost pairs until none is
        # left then gives the same text as the scan below, and runs in C.
        stripped, count = _GUILLEMET_PAIR.subn("", text)
        while count:
            stripped, count = _GUILLEMET_PAIR.subn("", stripped)
        if "«" not in stripped and "»" not in stripped:
            return stripped
    kept = []
    depth = 0
    in_straight = False
    # Splitting on the marks visits each stretch between them once, not each character.
    for part in _QUOTE_SPLIT.split(text):
        if part == "«":
            depth += 1
        elif part == "»":
            depth = max(0, depth - 1)
        elif part in _STRAIGHT_QUOTES:
            in_straight = not in_straight
        elif depth == 0 and not in_straight:
            kept.append(part)
    return "".join(kept)


@dataclass(frozen=True)
class Expansion:
    """An abbreviation found in a name and the word it stands for ("" when dropped)."""

    abbreviation: str
    expansion: str


@dataclass(frozen=True)
class NameWords:
    """The analysed words of one name.

    ``words`` are content words in order; ``heads`` are indexes into ``words``.
    """

    words: tuple[str, ...]
    heads: tuple[int, ...]
    expansions: tuple[Expansion, ...]
    is_english: bool


def expand_abbreviations(folded: str) -> tuple[str, tuple[Expansion, ...]]:
    """Replace known abbreviations in folded text and return what was replaced."""
    found: list[Expansion] = []

    def replace(match: re.Match[str]) -> str:
        abbreviation = match.group(1)
        expansion = ABBREVIATIONS[abbreviation]
        found.append(Expansion(abbreviation, expansion))
        return f" {expansion} "

    return _ABBREVIATION.sub(replace, folded), tuple(found)


def _tokens(text: str) -> list[str]:
    tokens = []
    for token in _WORD.findall(text.replace("’", "'")):
        token = token.removesuffix("'s")
        if "/" in token or token in UNIT_WORDS or _DIGIT.search(token):
            # Numbers belong to attributes; a slash marks a packaging code («пл/бут», «т/п»).
            continue
        tokens.append(token)
    return tokens


def _segments(tokens: list[str]) -> tuple[list[list[int]], int]:
    """Return the coordinated segments before the first preposition, as token indexes."""
    segments: list[list[int]] = [[]]
    for index, token in enumerate(tokens):
        if token in HEAD_BOUNDARIES:
            return [s for s in segments if s], index
        if token in CONJUNCTIONS:
            segments.append([])
        else:
            segments[-1].append(index)
    return [s for s in segments if s], len(tokens)


def _russian_head(tokens: list[str], segment: list[int]) -> int:
    return next((i for i in segment if is_russian_noun(tokens[i])), segment[0])


def _english_head(tokens: list[str], segment: list[int]) -> int:
    usable = [i for i in segment if english_stem(tokens[i]) not in ENGLISH_NON_HEADS]
    return (usable or segment)[-1]


@lru_cache(maxsize=100_000)
def analyse_name(name: str) -> NameWords:
    """Return the content words and head nouns of a product name."""
    # Names of one catalogue often differ only in the brand inside quotes, so the analysis
    # is cached by the text without them as well as by the whole name.
    return _analyse_unquoted(strip_quoted(name))


@lru_cache(maxsize=100_000)
def _analyse_unquoted(text: str) -> NameWords:
    folded, expansions = expand_abbreviations(fold(text))
    tokens = _tokens(folded)
    latin = sum(1 for t in tokens if _LATIN.search(t))
    is_english = latin > len(tokens) / 2

    segments, _ = _segments(tokens)
    pick = _english_head if is_english else _russian_head
    head_tokens = {pick(tokens, segment) for segment in segments}

    stopwords = ENGLISH_STOPWORDS if is_english else RUSSIAN_STOPWORDS
    words: list[str] = []
    heads: list[int] = []
    for index, token in enumerate(tokens):
        if token in stopwords or token in CONJUNCTIONS:
            continue
        if index in head_tokens:
            heads.append(len(words))
        words.append(token)
    return NameWords(tuple(words), tuple(heads), expansions, is_english)
