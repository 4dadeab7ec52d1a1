"""Errors of the core library.

VicError
 ├── InputError (ValueError)           bad input from a user: a 4xx in the API
 │    ├── QuerySyntaxError              a SPARQL query or update does not parse
 │    ├── ForbiddenOperationError       SERVICE or LOAD, which would fetch a URL
 │    ├── RdfSyntaxError                an RDF document does not parse
 │    ├── UnsupportedFormatError        a media type or file kind we cannot read
 │    └── ResultTooLargeError           a query result has more rows than allowed
 └── StoreError (OSError)              the store failed: a 5xx in the API
      └── StoreUnavailableError         the store is unreachable or busy: a 503
           └── QueryTimeoutError        a query ran past its time limit

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
    """A SPARQL query or update failed to parse at ``line``:``column``.

    ``detail`` is the English text after the position; ``detail_ru`` its Russian version,
    when there is one. ``source`` names the store that reported the error (a URL).
    """

    def __init__(
        self,
        detail: str,
        line: int | None,
        column: int | None,
        *,
        detail_ru: str | None = None,
        source: str | None = None,
    ) -> None:
        where_ru = f"строка {line}, столбец {column}" if line else "позиция неизвестна"
        where_en = f"line {line}, column {column}" if line else "position unknown"
        from_ru = from_en = f" ({source})" if source else ""
        super().__init__(
            f"Синтаксическая ошибка SPARQL ({where_ru}): {detail_ru or detail}{from_ru}",
            f"SPARQL syntax error at {where_en}: {detail}{from_en}",
        )
        # The parser's own message, without the position, and the store that reported it.
        self.detail = detail
        self.detail_ru = detail_ru or detail
        self.source = source
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


class ResultTooLargeError(InputError):
    """A query's result has more rows (or triples) than the configured maximum."""

    def __init__(self, max_rows: int) -> None:
        super().__init__(
            f"Результат запроса больше допустимых {max_rows} строк (max_result_rows). Сузьте "
            "запрос условиями FILTER или получайте результат частями с LIMIT и OFFSET.",
            f"The query result has more than the {max_rows} rows allowed (max_result_rows). "
            "Narrow the query with FILTER conditions, or page through it with LIMIT and OFFSET.",
        )
        self.max_rows = max_rows


class StoreUnavailableError(StoreError):
    """The store did not answer in time or could not be reached; retrying later may help."""


class QueryTimeoutError(StoreUnavailableError):
    """A query ran past its time limit and was stopped."""

    def __init__(self, seconds: float, where_ru: str, where_en: str) -> None:
        super().__init__(
            f"Запрос выполнялся дольше допустимых {seconds:g} с (VIC_QUERY_TIMEOUT_SECONDS) и "
            f"был остановлен ({where_ru}). Сузьте запрос: задайте классы и свойства вместо "
            "переменных, добавьте FILTER и LIMIT, уберите лишние декартовы произведения.",
            f"The query ran longer than the {seconds:g} s allowed (VIC_QUERY_TIMEOUT_SECONDS) and "
            f"was stopped ({where_en}). Narrow the query: name classes and properties instead of "
            "variables, add FILTER and LIMIT, and remove unneeded cross products.",
        )
        self.seconds = seconds
