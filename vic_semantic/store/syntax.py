"""Syntax errors reported by Oxigraph (pyoxigraph or an Oxigraph server), with their position."""

from __future__ import annotations

import re

from vic_semantic.errors import QuerySyntaxError, RdfSyntaxError
from vic_semantic.store.base import Locate

# Oxigraph writes "error at 3:2: ..." for SPARQL and "... at line 1 column 23: ..." for RDF.
_POSITION = re.compile(r"(?:error at |line )(\d+)(?::| column )(\d+)")


def position(message: str) -> tuple[int | None, int | None]:
    """Return the line and column that ``message`` reports, or None and None."""
    match = _POSITION.search(message)
    if match is None:
        return None, None
    return int(match.group(1)), int(match.group(2))


def detail(message: str) -> str:
    """Return ``message`` without its position prefix, which the library's errors repeat."""
    text = re.sub(r"^error at \d+:\d+(-\d+:\d+)?: ", "", message)
    return re.sub(r"^Parser error at line \d+ column \d+: ", "", text)


def syntax_error(message: str, locate: Locate | None = None) -> QuerySyntaxError:
    """Return the QuerySyntaxError, with line and column, for an Oxigraph SPARQL message.

    ``locate`` maps the position when the engine ran a rewrite of the client's text.
    """
    line, column = position(message)
    if locate is not None and line is not None and column is not None:
        line, column = locate(line, column)
    return QuerySyntaxError(detail(message), line, column)


def parse_error(error: SyntaxError) -> RdfSyntaxError:
    """Return the RdfSyntaxError, with line and column, for a pyoxigraph parse failure."""
    line, column = position(str(error))
    return RdfSyntaxError(detail(str(error)), line, column)
