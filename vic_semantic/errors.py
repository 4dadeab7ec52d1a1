"""Errors of the core library.

VicError
 ├── InputError (ValueError)           bad input from a user: a 4xx in the API
 │    ├── QuerySyntaxError              a SPARQL query or update does not parse
 │    ├── ForbiddenOperationError       SERVICE or LOAD, which would fetch a URL
 │    ├── RdfSyntaxError                an RDF document does not parse
 │    └── UnsupportedFormatError        a media type or file kind we cannot read
 └── StoreError (OSError)              the store failed: a 5xx in the API

Every message names the bad value and where it is, in Russian and English, so a person
can fix the request without reading the code.
"""

from __future__ import annotations


class VicError(Exception):
    """Base of every error the library raises on purpose."""

    def __init__(self, message_ru: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ru = message_ru
        self.message_en = message_en

    def message(self, lang: str) -> str:
        """Return the message in ``lang`` ("ru" or "en"); Russian for anything else."""
        return self.message_en if lang == "en" else self.message_ru


class InputError(VicError, ValueError):
    """The request or file is invalid; the message says what to change."""


class QuerySyntaxError(InputError):
    """A SPARQL query or update failed to parse at ``line``:``column``."""

    def __init__(self, detail: str, line: int | None, column: int | None) -> None:
        where_ru = f"строка {line}, столбец {column}" if line else "позиция неизвестна"
        where_en = f"line {line}, column {column}" if line else "position unknown"
        super().__init__(
            f"Синтаксическая ошибка SPARQL ({where_ru}): {detail}",
            f"SPARQL syntax error at {where_en}: {detail}",
        )
        self.line = line
        self.column = column


class ForbiddenOperationError(InputError):
    """The request asks the server to fetch a URL (SERVICE, LOAD), which it never does."""


class RdfSyntaxError(InputError):
    """An RDF document failed to parse at ``line``:``column``."""

    def __init__(self, detail: str, line: int | None = None, column: int | None = None) -> None:
        where_ru = f" (строка {line}, столбец {column})" if line else ""
        where_en = f" at line {line}, column {column}" if line else ""
        super().__init__(
            f"Ошибка разбора RDF{where_ru}: {detail}",
            f"RDF parse error{where_en}: {detail}",
        )
        self.line = line
        self.column = column


class UnsupportedFormatError(InputError):
    """The data comes in a format the service does not read."""


class StoreError(VicError, OSError):
    """The store could not be read or written."""
