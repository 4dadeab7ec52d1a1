"""Reading a SPARQL 1.1 Protocol request: which operation it carries and with what dataset.

Protocol: https://www.w3.org/TR/sparql11-protocol/. A query comes by GET (URL parameters),
by POST of an URL-encoded form, or by POST of the query itself (``application/sparql-query``);
an update comes by POST only, as a form or directly (``application/sparql-update``). The
text must be UTF-8 and each operation parameter may appear once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs

import pyoxigraph as ox

from vic_semantic.errors import InputError, UnsupportedFormatError

Params = dict[str, list[str]]

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"

_QUERY_DATASET = ("default-graph-uri", "named-graph-uri")
_UPDATE_DATASET = ("using-graph-uri", "using-named-graph-uri")


class Kind(StrEnum):
    QUERY = "query"
    UPDATE = "update"


class ProtocolError(InputError):
    """A request the protocol does not allow; ``code`` names the case for API clients."""

    def __init__(self, code: str, message_ru: str, message_en: str) -> None:
        super().__init__(message_ru, message_en)
        self.code = code


@dataclass(frozen=True)
class Operation:
    """A query or update with its dataset IRIs and the other URL or form parameters."""

    kind: Kind
    text: str
    params: Params

    def graphs(self, name: str) -> tuple[str, ...]:
        return tuple(self.params.get(name, []))


def media_type_and_charset(content_type: str | None) -> tuple[str, str | None]:
    """Return the bare lower-case media type of a Content-Type and its charset, if any."""
    media_type, *parameters = (content_type or "").split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.strip().lower(), charset


def read_get(query_string: str) -> Operation | None:
    """Return the query of a GET request, or None when it has none (a description request)."""
    params = parse_params(query_string, "URL")
    if "update" in params:
        raise ProtocolError(
            "update_by_get",
            "SPARQL Update принимается только методом POST: отправьте update в теле запроса.",
            "SPARQL Update is accepted by POST only: send the update in the request body.",
        )
    query = single(params, "query")
    if query is None:
        return None
    return _checked(Operation(Kind.QUERY, query, params))


def read_post(content_type: str | None, query_string: str, body: bytes) -> Operation:
    """Return the query or update of a POST request, form or direct."""
    media_type, charset = media_type_and_charset(content_type)
    url_params = parse_params(query_string, "URL")
    if media_type not in {FORM, QUERY, UPDATE}:
        raise UnsupportedFormatError(
            f"Тип содержимого «{media_type or 'не указан'}» не поддерживается. Используйте "
            f"{QUERY}, {UPDATE} или {FORM}.",
            f"Content type '{media_type or 'missing'}' is not supported. Use "
            f"{QUERY}, {UPDATE} or {FORM}.",
        )
    _require_utf8(charset)

    # The operation itself travels in the body only; a second copy in the URL would leave
    # the server to guess which one the client meant.
    for name in ("query", "update"):
        if name in url_params:
            raise _repeated(name, "URL")

    if media_type == FORM:
        form = parse_params(decode_utf8(body, "form"), "form")
        return _from_form(form, url_params)
    kind = Kind.QUERY if media_type == QUERY else Kind.UPDATE
    return _checked(Operation(kind, decode_utf8(body, kind.value), url_params))


def _from_form(form: Params, url_params: Params) -> Operation:
    query, update = single(form, "query"), single(form, "update")
    if query is not None and update is not None:
        raise ProtocolError(
            "query_and_update",
            "Передайте либо query, либо update, но не оба.",
            "Send either query or update, not both.",
        )
    if query is None and update is None:
        raise ProtocolError(
            "missing_operation",
            "В форме нет параметра query или update.",
            "The form has no query or update parameter.",
        )

    merged: Params = {name: list(values) for name, values in url_params.items()}
    for name, values in form.items():
        merged.setdefault(name, []).extend(values)
    if query is not None:
        return _checked(Operation(Kind.QUERY, query, merged))
    return _checked(Operation(Kind.UPDATE, str(update), merged))


def _checked(operation: Operation) -> Operation:
    """Reject dataset parameters of the other operation kind and graph IRIs that are invalid."""
    allowed, other = (
        (_QUERY_DATASET, _UPDATE_DATASET)
        if operation.kind is Kind.QUERY
        else (_UPDATE_DATASET, _QUERY_DATASET)
    )
    for name in other:
        if name in operation.params:
            raise ProtocolError(
                "misplaced_parameter",
                f"Параметр «{name}» не относится к операции {operation.kind.value}; "
                f"для неё набор данных задают {' и '.join(allowed)}.",
                f"The parameter '{name}' does not apply to a {operation.kind.value}; "
                f"its dataset is set with {' and '.join(allowed)}.",
            )
    for name in allowed:
        for iri in operation.params.get(name, []):
            _require_iri(name, iri)
    return operation


def _require_iri(name: str, iri: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise ProtocolError(
            "invalid_iri",
            f"Параметр «{name}»: «{iri}» не является абсолютным IRI ({error}).",
            f"Parameter '{name}': '{iri}' is not an absolute IRI ({error}).",
        ) from error


def parse_params(encoded: str, where: str) -> Params:
    """Decode URL-encoded parameters, raising ProtocolError on bytes that are not UTF-8."""
    try:
        return parse_qs(encoded, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise ProtocolError(
            "invalid_encoding",
            f"Параметры ({where}) содержат недопустимую последовательность UTF-8. "
            "Кодируйте текст в UTF-8 перед %-кодированием.",
            f"The {where} parameters contain invalid UTF-8. Encode the text as UTF-8 "
            "before percent-encoding it.",
        ) from error


def single(params: Params, name: str) -> str | None:
    """Return the one value of a parameter, or None; raise InputError if it is repeated."""
    values = params.get(name, [])
    if len(values) > 1:
        raise _repeated(name, f"{len(values)}")
    return values[0] if values else None


def _repeated(name: str, where: str) -> ProtocolError:
    if where == "URL":
        return ProtocolError(
            "repeated_parameter",
            f"Параметр «{name}» передан и в URL, и в теле запроса; оставьте его только в теле.",
            f"The parameter '{name}' was sent both in the URL and in the body; "
            "keep it in the body only.",
        )
    return ProtocolError(
        "repeated_parameter",
        f"Параметр «{name}» передан {where} раз; передайте его один раз.",
        f"The parameter '{name}' was sent {where} times; send it once.",
    )


def _require_utf8(charset: str | None) -> None:
    if charset not in {None, "utf-8", "utf8", "us-ascii"}:
        raise ProtocolError(
            "invalid_encoding",
            f"Кодировка «{charset}» не поддерживается: SPARQL по протоколу передаётся "
            "только в UTF-8.",
            f"The charset '{charset}' is not supported: the SPARQL protocol carries UTF-8 only.",
        )


def decode_utf8(data: bytes, what: str) -> str:
    """Decode UTF-8, raising ProtocolError with the offset of the first invalid byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(
            "invalid_encoding",
            f"{what}: недопустимая последовательность UTF-8 в байте {error.start}. "
            "Отправьте текст в кодировке UTF-8.",
            f"{what}: invalid UTF-8 at byte {error.start}. Send the text as UTF-8.",
        ) from error
