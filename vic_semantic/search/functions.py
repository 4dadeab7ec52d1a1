"""Search inside SPARQL: the extension functions ``vicfn:matches`` and ``vicfn:score``.

    PREFIX vicfn: <https://w3id.org/vic-semantic/ontology/fn/>
    SELECT ?p ?name WHERE { ?p vic:productName ?name FILTER(vicfn:matches(?name, "кефиры")) }

Both take a literal text and a literal query and compare them word by word, as the search
index does: Russian words by lemma (and an adjective by the noun it is formed from), English
words by stem, and a misspelt word of four letters or more by similarity.
"""

from __future__ import annotations

import pyoxigraph as ox
from rapidfuzz import fuzz

from vic_semantic.namespaces import VIC
from vic_semantic.search.analysis import keys, words
from vic_semantic.search.hooks import CustomFunction, Term

FN = str(VIC) + "fn/"
MATCHES = ox.NamedNode(FN + "matches")
SCORE = ox.NamedNode(FN + "score")

_XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_XSD_DOUBLE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
# The same thresholds as the index's typo correction (rapidfuzz ratio, 0..100).
_FUZZY_MIN_LENGTH = 4
_FUZZY_CUTOFF = 80.0


def word_scores(text: str, query: str) -> list[float]:
    """Return, for each query word, how well some word of ``text`` matches it (0 to 1).

    A shared lemma or stem scores 1. Otherwise a query word of four letters or more (and no
    digits) scores its best rapidfuzz ratio of at least 80 out of 100, scaled to 0.8..1, and
    any other word scores 0.
    """
    text_words = words(text)
    text_keys: set[str] = set()
    for word in text_words:
        text_keys |= keys(word)

    scores = []
    for query_word in words(query):
        if keys(query_word) & text_keys:
            scores.append(1.0)
            continue
        best = 0.0
        if len(query_word) >= _FUZZY_MIN_LENGTH and query_word.isalpha():
            for word in text_words:
                ratio = fuzz.ratio(query_word, word, score_cutoff=_FUZZY_CUTOFF)
                best = max(best, ratio / 100.0)
        scores.append(best)
    return scores


def text_matches(text: str, query: str) -> bool:
    """Return whether every word of ``query`` matches a word of ``text``."""
    scores = word_scores(text, query)
    return bool(scores) and all(score > 0 for score in scores)


def text_score(text: str, query: str) -> float:
    """Return the mean of ``word_scores``: 1 when every query word is found, else less."""
    scores = word_scores(text, query)
    return sum(scores) / len(scores) if scores else 0.0


def _literal_values(*terms: Term) -> tuple[str, str] | None:
    """Return the two arguments' lexical values, or None (an evaluation error in SPARQL).

    On an error FILTER drops the row and BIND leaves the variable unbound.
    """
    if len(terms) != 2:
        return None
    text, query = terms
    if not isinstance(text, ox.Literal) or not isinstance(query, ox.Literal):
        return None
    return text.value, query.value


def _matches(*terms: Term) -> ox.Literal | None:
    values = _literal_values(*terms)
    if values is None:
        return None
    return ox.Literal(str(text_matches(*values)).lower(), datatype=_XSD_BOOLEAN)


def _score(*terms: Term) -> ox.Literal | None:
    values = _literal_values(*terms)
    if values is None:
        return None
    return ox.Literal(repr(round(text_score(*values), 6)), datatype=_XSD_DOUBLE)


def search_functions() -> dict[ox.NamedNode, CustomFunction]:
    """Return the search extension functions by IRI, as pyoxigraph's ``custom_functions``."""
    return {MATCHES: _matches, SCORE: _score}
