"""The full-text index: BM25 over word keys, a fuzzy pass for typos, exact names first."""

from __future__ import annotations

import bisect
import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from vic_semantic.search.analysis import compact, keys, words
from vic_semantic.search.documents import Document, Kind, TextField, load_documents
from vic_semantic.search.hooks import store_version
from vic_semantic.store.base import Store

logger = logging.getLogger(__name__)

# BM25 parameters: the defaults most BM25 implementations use.
_K1 = 1.2
_B = 0.75
# An entity whose name equals the query, up to case, ё and punctuation, ranks above any
# partial match: BM25 scores of a few query words stay far below this.
_EXACT_BONUS = 100.0
# Weight of the whole-string similarity (rapidfuzz token_set_ratio, scaled to 0..1) that
# breaks ties between entities with similar BM25 scores and rewards near-spellings.
_FUZZY_WEIGHT = 1.0
# A query word that is not in the vocabulary is compared with every key; keys at least this
# similar (rapidfuzz ratio, 0..100) stand in for it. One wrong letter in a five-letter word
# scores 80. Shorter words are not corrected at all, since «сыр» and «сок» are one letter
# apart, and neither are words with digits, since 31450 and 31452 are different standards.
_FUZZY_MIN_LENGTH = 4
_FUZZY_CUTOFF = {4: 75.0}
_FUZZY_DEFAULT_CUTOFF = 80.0
_FUZZY_EXPANSIONS = 5
_PREFIX_EXPANSIONS = 50


@dataclass(frozen=True)
class Hit:
    """One search result; ``label`` is in the language the search asked for."""

    iri: str
    kind: Kind
    label: str
    score: float
    matched: str
    description: str | None = None
    exact: bool = False


# For each query word, the index keys that stand for it and how much a match on each counts.
_WordTerms = dict[str, float]


class SearchIndex:
    """An in-memory index of the entities of one store at one version."""

    def __init__(self, documents: Iterable[Document], version: object = None) -> None:
        self.documents = list(documents)
        self.version = version
        self._by_iri = {document.iri: document for document in self.documents}
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        self._lengths: list[float] = []
        self._exact: list[set[str]] = []
        self._field_keys: list[list[tuple[TextField, frozenset[str]]]] = []
        for number, document in enumerate(self.documents):
            self._add(number, document)
        self._average_length = sum(self._lengths) / max(len(self._lengths), 1)
        self._vocabulary = sorted(self._postings)

    @classmethod
    def from_store(cls, store: Store) -> SearchIndex:
        """Build the index of every product, member, class, property, standard and code."""
        started = time.perf_counter()
        version = store_version(store)
        index = cls(load_documents(store), version)
        logger.info(
            "built the search index of %d entities in %.3f s",
            len(index.documents),
            time.perf_counter() - started,
        )
        return index

    def document(self, iri: str) -> Document | None:
        return self._by_iri.get(iri)

    def _add(self, number: int, document: Document) -> None:
        length = 0.0
        exact: set[str] = set()
        field_keys = []
        for text_field in document.fields:
            field_words = words(text_field.text)
            exact.add(" ".join(field_words))
            if text_field.spec.is_code:
                exact.add(compact(text_field.text))
            all_keys: set[str] = set()
            for word in field_words:
                word_keys = keys(word)
                all_keys |= word_keys
                for key in word_keys:
                    postings = self._postings[key]
                    postings[number] = postings.get(number, 0.0) + text_field.spec.weight
            length += len(field_words) * text_field.spec.weight
            field_keys.append((text_field, frozenset(all_keys)))
        self._lengths.append(length)
        self._exact.append(exact - {""})
        self._field_keys.append(field_keys)

    def search(
        self,
        query: str,
        kinds: Iterable[Kind] | None = None,
        limit: int = 20,
        lang: str = "ru",
        prefix: bool = False,
    ) -> list[Hit]:
        """Return the best ``limit`` entities for ``query``, best first.

        ``kinds`` restricts the result to those sorts of entity. With ``prefix`` the last
        query word also matches any key it begins, for search-as-you-type.
        """
        query_words = words(query)
        if not query_words or limit <= 0:
            return []
        allowed = set(kinds) if kinds is not None else None
        terms = [
            self._terms(word, prefix and i == len(query_words) - 1)
            for i, word in enumerate(query_words)
        ]
        scores, matched_words = self._bm25(terms, allowed)

        normalised_query = " ".join(query_words)
        compact_query = compact(query)
        ranked = []
        for number, bm25 in scores.items():
            coverage = matched_words[number] / len(query_words)
            exact = normalised_query in self._exact[number] or compact_query in self._exact[number]
            score = bm25 * (0.5 + 0.5 * coverage) + _FUZZY_WEIGHT * self._similarity(
                number, normalised_query
            )
            if exact:
                score += _EXACT_BONUS
            ranked.append((score, exact, number))
        ranked.sort(key=lambda item: (-item[0], self.documents[item[2]].label(lang)))
        return [
            self._hit(number, score, exact, terms, lang) for score, exact, number in ranked[:limit]
        ]

    def _terms(self, word: str, as_prefix: bool) -> _WordTerms:
        """Return the keys that stand for ``word``: its own keys, else near spellings."""
        terms = {key: 1.0 for key in keys(word) if key in self._postings}
        if not terms and len(word) >= _FUZZY_MIN_LENGTH and word.isalpha():
            cutoff = _FUZZY_CUTOFF.get(len(word), _FUZZY_DEFAULT_CUTOFF)
            for key, similarity, _ in process.extract(
                word,
                self._vocabulary,
                scorer=fuzz.ratio,
                score_cutoff=cutoff,
                limit=_FUZZY_EXPANSIONS,
            ):
                terms[key] = (similarity / 100.0) ** 2
        if as_prefix:
            for key in self._keys_starting_with(word):
                terms.setdefault(key, 0.9)
        return terms

    def _keys_starting_with(self, start: str) -> list[str]:
        first = bisect.bisect_left(self._vocabulary, start)
        found = []
        for key in self._vocabulary[first : first + _PREFIX_EXPANSIONS]:
            if not key.startswith(start):
                break
            found.append(key)
        return found

    def _bm25(
        self, terms: list[_WordTerms], allowed: set[Kind] | None
    ) -> tuple[dict[int, float], dict[int, int]]:
        """Sum each query word's best BM25 score per document; count the words matched."""
        total = len(self.documents)
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        for word_terms in terms:
            best: dict[int, float] = {}
            for key, weight in word_terms.items():
                postings = self._postings[key]
                idf = math.log(1 + (total - len(postings) + 0.5) / (len(postings) + 0.5))
                for number, frequency in postings.items():
                    if allowed is not None and self.documents[number].kind not in allowed:
                        continue
                    norm = _K1 * (1 - _B + _B * self._lengths[number] / self._average_length)
                    score = weight * idf * frequency * (_K1 + 1) / (frequency + norm)
                    if score > best.get(number, 0.0):
                        best[number] = score
            for number, score in best.items():
                scores[number] += score
                matched[number] += 1
        return scores, matched

    def _similarity(self, number: int, normalised_query: str) -> float:
        return max(
            (fuzz.token_set_ratio(normalised_query, text) / 100.0 for text in self._exact[number]),
            default=0.0,
        )

    def _hit(
        self, number: int, score: float, exact: bool, terms: list[_WordTerms], lang: str
    ) -> Hit:
        document = self.documents[number]
        return Hit(
            iri=document.iri,
            kind=document.kind,
            label=document.label(lang),
            score=round(score, 4),
            matched=self._matched_text(number, terms),
            description=document.description(lang),
            exact=exact,
        )

    def _matched_text(self, number: int, terms: list[_WordTerms]) -> str:
        """Return the indexed text that contains the most query words (the first on ties)."""
        best_text, best_count = "", -1
        for text_field, field_keys in self._field_keys[number]:
            count = sum(1 for word_terms in terms if field_keys.intersection(word_terms))
            if count > best_count:
                best_text, best_count = text_field.text, count
        return best_text
