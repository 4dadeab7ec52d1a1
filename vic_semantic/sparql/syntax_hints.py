"""Syntax errors of SPARQL requests made actionable: the engine's position and a likely fix.

The parsers' own messages list every token they expected ("expected one of "$", "(", …",
dozens long) or only a keyword they tried ("expected OPTIONAL"). For the common mistakes (an
undeclared prefix, a query sent as an update, an update sent as a query) the message gets a
sentence that names the mistake and the fix; any other error gets the expectation in plain
words (``syntax_message``). Both show the text at the error. The line and column stay the
engine's.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from vic_semantic.errors import QuerySyntaxError
from vic_semantic.sparql.lexer import QueryForm, check_request_text, keywords, scan
from vic_semantic.sparql.syntax_message import Words, describe, excerpt, with_excerpt
from vic_semantic.store.base import Locate
from vic_semantic.store.syntax import syntax_error

_UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"}
_PROLOGUE = {"PREFIX", "BASE", "WITH"}
_DECLARED_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.\-]*)?:", re.IGNORECASE)


def engine_update_error(
    update: str, base_iri: str | None, locate: Locate | None = None
) -> QuerySyntaxError | None:
    """Return pyoxigraph's syntax error for ``update``, or None when pyoxigraph parses it.

    The update runs on a new, empty in-memory store, so it changes nothing else. It is meant
    for updates that rdflib rejected, because rdflib often reports line 1, column 1.
    ``locate`` maps the position back to the client's text when ``update`` is a rewrite.
    """
    # pyoxigraph overflows its stack on very deep nesting and kills the process, so the
    # same checks as before any update run first (they raise for deep nesting or LOAD).
    check_request_text(update)
    try:
        ox.Store().update(update, base_iri=base_iri)
    except SyntaxError as error:
        return syntax_error(str(error), locate)
    return None


class ExplainedSyntaxError(QuerySyntaxError):
    """A syntax error whose message was rewritten for a person by ``explain``."""


def explain(error: QuerySyntaxError, text: str, *, is_update: bool) -> QuerySyntaxError:
    """Return ``error`` with a short message: the text at the error, what was expected, the fix.

    A likely mistake that the text shows (an undeclared prefix, a query sent as an update)
    is named instead of the engine's expectation. The line and column stay the engine's.
    """
    if isinstance(error, ExplainedSyntaxError):
        return error
    hint = _hint(text, is_update=is_update)
    if hint is None:
        words = describe(error, text, is_update=is_update)
    else:
        near = None
        if error.line is not None and error.column is not None:
            near = excerpt(text, error.line, error.column)
        words = Words(*hint) if near is None else with_excerpt(near, Words(*hint))
    if words is None:
        return error
    return ExplainedSyntaxError(
        words.en, error.line, error.column, detail_ru=words.ru, source=error.source
    )


def _hint(text: str, *, is_update: bool) -> tuple[str, str] | None:
    first = _first_keyword(text)
    if is_update and first in QueryForm.__members__:
        return (
            f"это запрос {first}, а не обновление. Отправьте его как запрос: параметр query= "
            "или Content-Type: application/sparql-query.",
            f"this is a {first} query, not an update. Send it as a query: the query= "
            "parameter or Content-Type: application/sparql-query.",
        )
    if not is_update and first in _UPDATE_KEYWORDS:
        return (
            f"это обновление ({first}), а не запрос. Отправьте его методом POST как обновление: "
            "параметр update= или Content-Type: application/sparql-update, с токеном.",
            f"this is an update ({first}), not a query. Send it by POST as an update: the "
            "update= parameter or Content-Type: application/sparql-update, with a token.",
        )
    # SPARQL has no predeclared prefixes and the service adds none, so an undeclared prefix
    # is an error wherever the engine stopped.
    prefix = _undeclared_prefix(text)
    if prefix is not None:
        return (
            f"префикс {prefix}: не объявлен; добавьте в начало PREFIX {prefix}: <…> "
            "с IRI пространства имён.",
            f"the prefix {prefix}: is not declared; add PREFIX {prefix}: <…> with the "
            "namespace IRI at the start.",
        )
    return None


def _first_keyword(text: str) -> str | None:
    for word in keywords(text):
        if word not in _PROLOGUE:
            return word
    return None


def _undeclared_prefix(text: str) -> str | None:
    """Return the first prefix used in a prefixed name that no PREFIX line declares."""
    declared = {match.group(1) or "" for match in _DECLARED_PREFIX.finditer(text)}
    for token in scan(text):
        name = token.text
        if name[0] in "<\"'#?$" or ":" not in name or name.startswith("_:"):
            continue
        prefix, _, local = name.partition(":")
        if local.startswith("//"):
            continue  # an IRI that lost its angle brackets, not a prefixed name
        if prefix.upper() != "PREFIX" and prefix not in declared:
            return prefix
    return None
