"""Rewriting ``FILTER NOT EXISTS`` blocks of flat SPARQL constraints as ``MINUS`` blocks.

pyoxigraph 0.5 evaluates ``FILTER NOT EXISTS { P }`` once per solution of the outer group,
but ``MINUS { P }`` once in all, joined by hash. On the catalogue of 100,000 products of
bench/validation_bench.py, the check of names without a product class took 0.17 s of CPU
time as MINUS in place of 0.34 s (one run each, on a shared 2-core machine).

The two forms give the same solutions when:

- P is a basic graph pattern with FILTERs and nothing else (no nested group, BIND,
  OPTIONAL or GRAPH), and every variable of its FILTERs occurs in its triple patterns;
- P shares exactly one variable with the outer group, and a triple pattern of the outer
  group (or the focus set, for ``?this``) binds that variable in every solution.

Then a solution is removed by MINUS exactly when P has a solution with the same term for
the shared variable, which is when P with that term substituted has a solution.

With two or more shared variables the forms would still agree. But P alone is then often a
large join, so those blocks are kept: the ТН ВЭД check took 0.94 s as MINUS and 0.41 s as
FILTER NOT EXISTS. SHACL-SPARQL forbids MINUS in the shapes' own text, so the
shapes keep FILTER NOT EXISTS and pySHACL reads them unchanged.
"""

from __future__ import annotations

import re

_NOT_EXISTS = re.compile(r"\bFILTER\s+NOT\s+EXISTS\s*\{", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$](\w+)")
# A FILTER or BIND keyword, then an optional function name, then its bracketed expression.
_EXPRESSION_START = re.compile(r"\b(FILTER|BIND)\s*([A-Za-z_][\w:]*)?\s*\(", re.IGNORECASE)
_GROUP_KEYWORDS = re.compile(
    r"\b(BIND|OPTIONAL|GRAPH|SERVICE|UNION|EXISTS|MINUS|VALUES|FILTER|SELECT)\b", re.IGNORECASE
)


def _closing(masked: str, opening: int, left: str, right: str) -> int:
    """Return the index of the bracket that closes the one at ``opening``, or -1."""
    depth = 0
    for index in range(opening, len(masked)):
        if masked[index] == left:
            depth += 1
        elif masked[index] == right:
            depth -= 1
            if depth == 0:
                return index
    return -1


def _split_expressions(masked: str) -> tuple[str, str] | None:
    """Return (text outside FILTER and BIND expressions, the expressions' text).

    Returns None when an expression's brackets do not close.
    """
    outside = []
    expressions = []
    start = 0
    for match in _EXPRESSION_START.finditer(masked):
        if match.start() < start:
            continue
        end = _closing(masked, match.end() - 1, "(", ")")
        if end < 0:
            return None
        outside.append(masked[start : match.start()])
        expressions.append(masked[match.start() : end + 1])
        start = end + 1
    outside.append(masked[start:])
    return " ".join(outside), " ".join(expressions)


def _variables(text: str) -> set[str]:
    return set(_VARIABLE.findall(text))


def _outer_text(masked: str, where_brace: int, where_end: int) -> str:
    """Return the WHERE clause's own text: nested groups and EXISTS blocks blanked out."""
    kept = []
    depth = 0
    for character in masked[where_brace + 1 : where_end]:
        if character == "{":
            depth += 1
        elif character == "}":
            depth -= 1
        elif depth == 0:
            kept.append(character)
    return "".join(kept)


def _rewritable(block: str, outer_bound: set[str], outer_all: set[str]) -> bool:
    split = _split_expressions(block)
    if split is None or "{" in block:
        return False
    triples, expressions = split
    if _GROUP_KEYWORDS.search(triples) or _GROUP_KEYWORDS.search(
        _EXPRESSION_START.sub(" ", expressions)
    ):
        return False
    bound = _variables(triples)
    if not _variables(expressions) <= bound:
        return False
    shared = bound & outer_all
    return len(shared) == 1 and shared <= outer_bound


def not_exists_as_minus(text: str, masked: str, where_brace: int) -> str:
    """Return ``text`` with the FILTER NOT EXISTS blocks that MINUS can replace rewritten.

    ``masked`` is ``text`` with strings and IRIs blanked out, and ``where_brace`` the index
    of the brace that opens the WHERE clause of a flat query. ``?this`` counts as bound,
    because the focus set or a triple pattern binds it in every solution of such a query.
    """
    where_end = _closing(masked, where_brace, "{", "}")
    if where_end < 0:
        return text
    outer = _outer_text(masked, where_brace, where_end)
    split = _split_expressions(outer)
    if split is None:
        return text
    outer_bound = _variables(split[0]) | {"this"}
    outer_all = _variables(outer) | {"this"}

    replacements = []
    for match in _NOT_EXISTS.finditer(masked, where_brace + 1, where_end):
        # Only blocks of the WHERE clause's own group: one nested in an EXISTS block shares
        # variables with that block, which this check does not read.
        nested = masked.count("{", where_brace + 1, match.start()) > masked.count(
            "}", where_brace + 1, match.start()
        )
        if nested:
            continue
        end = _closing(masked, match.end() - 1, "{", "}")
        if end >= 0 and _rewritable(masked[match.end() : end], outer_bound, outer_all):
            replacements.append((match.start(), match.end() - 1))
    for start, brace in reversed(replacements):
        text = text[:start] + "MINUS " + text[brace:]
    return text
