"""What a query's own text says about the size of its result: the LIMIT of a SELECT.

A SELECT whose outermost LIMIT is at or under the row limit cannot pass it, so its results
can be written in the requested format directly, without counting rows on the way.
"""

from __future__ import annotations

import re

# Strings, IRIs, comments, variables and prefixed names are matched only so that a word or
# a brace inside them is skipped; then braces, bare words and integers.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|\#[^\n]*"
    r"|[?$][A-Za-z0-9_\u00B7-\uFFFF]+"
    r"|[A-Za-z_][A-Za-z0-9_\-.]*:[^\s;,(){}\[\]]*"
    r"|[A-Za-z]+"
    r"|\d+"
    r"|[{}]",
    re.DOTALL,
)


def outer_limit(query: str) -> int | None:
    """Return the LIMIT of the outermost query, or None when it has none.

    The outermost query's solution modifiers stand outside every brace, so a LIMIT of a
    subquery (inside braces) is not taken for it.
    """
    depth = 0
    found: int | None = None
    tokens = [match.group(0) for match in _TOKEN.finditer(query)]
    for index, token in enumerate(tokens):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and token.upper() == "LIMIT" and index + 1 < len(tokens):
            following = tokens[index + 1]
            if following.isdigit():
                found = int(following)
    return found


def select_within(query: str, max_rows: int) -> bool:
    """Return whether a SELECT query's own LIMIT keeps it at or under ``max_rows`` rows."""
    limit = outer_limit(query)
    return limit is not None and limit <= max_rows
