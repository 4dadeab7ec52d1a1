"""A small SPARQL lexer: finds keywords outside strings, IRIs and comments.

It answers two questions before a query reaches the engine: which query form it is (so the
API can negotiate a result format first), and whether it uses an operation that would make
the server fetch a URL. It does not validate the grammar: the engine does that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from vic_semantic.errors import ForbiddenOperationError, QuerySyntaxError

# Strings (long forms first), IRIs, comments, words that may be keywords, then braces. A word
# that is part of a prefixed name (ex:load) or a variable (?service) never counts as a keyword.
TOKEN_ALTERNATIVES = (
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|\#[^\n]*"
    r"|[?$][A-Za-z0-9_\u00B7-\uFFFF]+"
    r"|[A-Za-z_][A-Za-z0-9_\-.]*:[^\s;,(){}\[\]]*"
    r"|[A-Za-z]+"
)
_TOKEN = re.compile(TOKEN_ALTERNATIVES + r"|[{}]", re.DOTALL)

_FETCHING_KEYWORDS = {"SERVICE", "LOAD"}

# Strings, IRIs and comments are matched only so that brackets inside them are skipped.
_BRACKET = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|\#[^\n]*"
    r"|[{}()\[\]]",
    re.DOTALL,
)
# Strings, IRIs and comments are matched only so that a "<<" inside them is skipped.
_TRIPLE_TERM = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|\#[^\n]*"
    r"|<<",
    re.DOTALL,
)
# pyoxigraph 0.5.13 overflows its stack at about 3,000 nested groups and kills the process
# that runs it; 2,000 still parse. No real query comes near this limit.
MAX_NESTING = 1000


class QueryForm(StrEnum):
    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"


@dataclass(frozen=True)
class Token:
    """A lexical token and the character offset where it starts in the text."""

    text: str
    start: int

    @property
    def is_word(self) -> bool:
        """Whether the token is a bare word, that is, a keyword candidate."""
        return self.text[0].isalpha() and ":" not in self.text

    @property
    def is_comment(self) -> bool:
        return self.text.startswith("#")


def scan(text: str) -> list[Token]:
    """Return the strings, IRIs, comments, names, words and braces of ``text`` in order.

    Characters no pattern matches (punctuation, numbers, whitespace) are skipped.
    """
    return [Token(match.group(0), match.start()) for match in _TOKEN.finditer(text)]


def keywords(text: str) -> list[str]:
    """Return the bare words of ``text`` in upper case, skipping strings, IRIs and comments."""
    found = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token[0].isalpha() and ":" not in token:
            found.append(token.upper())
    return found


def has_dataset_clause(query: str) -> bool:
    """Return whether a query names its own dataset with FROM or FROM NAMED."""
    return "FROM" in keywords(query)


def query_form(query: str) -> QueryForm | None:
    """Return the form of a query, or None when no form keyword is found."""
    for word in keywords(query):
        if word in QueryForm.__members__:
            return QueryForm(word)
    return None


def reject_fetching_operations(text: str) -> None:
    """Raise ForbiddenOperationError if a query or update contains SERVICE or LOAD.

    Both make the server open a connection to a URL of the client's choosing, which would let
    any client probe hosts the server can reach.
    """
    used = sorted(_FETCHING_KEYWORDS.intersection(keywords(text)))
    if used:
        names = ", ".join(used)
        raise ForbiddenOperationError(
            f"Операция {names} запрещена: сервер не обращается к другим узлам. "
            "Загрузите данные через /catalogues или Graph Store и уберите эту операцию.",
            f"{names} is not allowed: the server never contacts other hosts. "
            "Upload the data instead and remove the operation.",
        )


def reject_deep_nesting(text: str) -> None:
    """Raise QuerySyntaxError when brackets nest deeper than MAX_NESTING levels."""
    depth = 0
    for match in _BRACKET.finditer(text):
        token = match.group(0)
        if token in "{([":
            depth += 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
                raise QuerySyntaxError(
                    f"nesting deeper than {MAX_NESTING} levels; flatten the query",
                    line,
                    column,
                    detail_ru=f"вложенность глубже {MAX_NESTING} уровней; упростите запрос",
                )
        elif token in "})]":
            depth -= 1


def check_request_text(text: str) -> None:
    """Raise unless a query or update is safe to hand to the engine (no fetch, bounded depth)."""
    reject_fetching_operations(text)
    reject_deep_nesting(text)


def has_triple_term(text: str) -> bool:
    """Return whether a query or update uses SPARQL 1.2 triple terms (``<< … >>``).

    NOTE: ``?a<<http://x>`` (a comparison with an IRI, written without a space) also counts.
    """
    return any(match.group(0) == "<<" for match in _TRIPLE_TERM.finditer(text))
