"""What the service needs to know about a query's text before it runs, from one scan.

The API needs the query form to negotiate a format; the stores need to know whether the
query may fetch a URL or nests too deep (``lexer.check_request_text``), whether it names its
own dataset, and whether its own LIMIT keeps a SELECT within the row limit. Each of those
was a scan of the text of its own, and on a query of a kilobyte a scan costs about a tenth
of a millisecond; ``facts`` makes one, and remembers the last few short queries, because
the API and then the store ask about the same text.

The tokens are the lexer's (``vic_semantic.sparql.lexer``), plus integers and round and
square brackets, so the words found here are exactly the words the lexer finds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vic_semantic.sparql.lexer import (
    MAX_NESTING,
    TOKEN_ALTERNATIVES,
    QueryForm,
    reject_deep_nesting,
    reject_fetching_operations,
)

# The lexer's token pattern (strings, IRIs, comments, variables, prefixed names, words),
# then integers and brackets.
_TOKEN = re.compile(TOKEN_ALTERNATIVES + r"|\d+|[{}()\[\]]", re.DOTALL)
_FETCHING = frozenset({"SERVICE", "LOAD"})
_FORMS = frozenset(QueryForm.__members__)
_OPENING = frozenset("{([")
_CLOSING = frozenset("})]")
# Queries up to this many characters are remembered; longer ones are rare and would make
# the cache hold megabytes.
_CACHED_CHARS = 16 * 1024


@dataclass(frozen=True)
class QueryFacts:
    """Facts of one query or update text; see the module documentation."""

    form: QueryForm | None
    has_dataset_clause: bool
    fetches: bool
    max_depth: int
    outer_limit: int | None

    def check(self, text: str) -> None:
        """Raise as ``lexer.check_request_text`` does for ``text``, the text these facts are of."""
        if self.fetches:
            reject_fetching_operations(text)
        if self.max_depth > MAX_NESTING:
            reject_deep_nesting(text)

    def select_within(self, max_rows: int) -> bool:
        """Return whether this is a SELECT whose outermost LIMIT is at most ``max_rows``."""
        return (
            self.form is QueryForm.SELECT
            and self.outer_limit is not None
            and self.outer_limit <= max_rows
        )


def facts(text: str) -> QueryFacts:
    """Return the facts of a query or update text."""
    if len(text) <= _CACHED_CHARS:
        return _cached_facts(text)
    return _scan(text)


@lru_cache(maxsize=64)
def _cached_facts(text: str) -> QueryFacts:
    return _scan(text)


def _scan(text: str) -> QueryFacts:
    form: QueryForm | None = None
    has_from = fetches = False
    depth = max_depth = braces = 0
    limit: int | None = None
    tokens = [match.group(0) for match in _TOKEN.finditer(text)]
    for index, token in enumerate(tokens):
        first = token[0]
        if first in _OPENING:
            depth += 1
            max_depth = max(max_depth, depth)
            braces += first == "{"
        elif first in _CLOSING:
            depth -= 1
            braces -= first == "}"
        elif first.isalpha() and ":" not in token:
            word = token.upper()
            if form is None and word in _FORMS:
                form = QueryForm(word)
            has_from = has_from or word == "FROM"
            fetches = fetches or word in _FETCHING
            # The outermost query's LIMIT is outside every brace; a subquery's is inside.
            if word == "LIMIT" and braces == 0 and index + 1 < len(tokens):
                following = tokens[index + 1]
                if following.isdigit():
                    limit = int(following)
    return QueryFacts(form, has_from, fetches, max_depth, limit)
