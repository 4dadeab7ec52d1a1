"""How library errors become HTTP responses: status, and a message in the client's language."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.negotiation import choose_language
from vic_semantic.errors import (
    ForbiddenOperationError,
    InputError,
    QuerySyntaxError,
    QueryTimeoutError,
    RdfSyntaxError,
    ResultTooLargeError,
    StoreError,
    StoreUnavailableError,
    UnsupportedFormatError,
    VicError,
)
from vic_semantic.member_graphs import ForeignStatementsError
from vic_semantic.member_registry import UnknownMemberError
from vic_semantic.query_slots import TooManyQueriesError
from vic_semantic.triple_terms import TripleTermError
from vic_semantic.validation.fast.shapes import ShaclFailure

logger = logging.getLogger(__name__)


class HttpError(VicError):
    """An error the API itself raises, with the status it maps to."""

    def __init__(
        self,
        status: int,
        code: str,
        message_ru: str,
        message_en: str,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(message_ru, message_en)
        self.status = status
        self.code = code
        self.retry_after_seconds = retry_after_seconds


def _status_and_code(error: VicError) -> tuple[int, str]:
    if isinstance(error, HttpError):
        return error.status, error.code
    if isinstance(error, ForbiddenOperationError):
        return 403, "forbidden_operation"
    if isinstance(error, ForeignStatementsError):
        return 403, "foreign_statements"
    if isinstance(error, QuerySyntaxError):
        return 400, "query_syntax"
    if isinstance(error, RdfSyntaxError):
        return 400, "rdf_syntax"
    if isinstance(error, UnknownMemberError):
        return 404, "member_not_found"
    if isinstance(error, TripleTermError):
        return 415, "triple_term_unsupported"
    if isinstance(error, UnsupportedFormatError):
        return 415, "unsupported_media_type"
    if isinstance(error, ResultTooLargeError):
        return 400, "result_too_large"
    if isinstance(error, TooManyQueriesError):
        return 429, "too_many_queries"
    if isinstance(error, QueryTimeoutError):
        return 503, "query_timeout"
    if isinstance(error, StoreUnavailableError):
        return 503, "store_unavailable"
    if isinstance(error, InputError):
        return 400, "invalid_input"
    if isinstance(error, ShaclFailure):
        return 500, "shapes_error"
    return 500, "store_error"


def error_body(error: VicError, lang: str) -> dict[str, object]:
    """Return the JSON body of an error: a code, the message in ``lang`` and its position."""
    status, code = _status_and_code(error)
    body: dict[str, object] = {
        "status": status,
        "error": code,
        "message": error.message(lang),
    }
    line = getattr(error, "line", None)
    if line is not None:
        body["line"] = line
        body["column"] = getattr(error, "column", None)
    extra = getattr(error, "details", None)
    if extra:
        body["details"] = extra
    return body


async def handle_vic_error(request: Request, error: Exception) -> JSONResponse:
    """Return the JSON error response for a library error, in the client's language."""
    if not isinstance(error, VicError):  # registered for VicError only
        raise error
    lang = choose_language(request.headers.get("accept-language"))
    body = error_body(error, lang)
    status = int(str(body["status"]))
    if isinstance(error, StoreError) or status >= 500:
        logger.error("store failure on %s %s: %s", request.method, request.url.path, error)
    else:
        logger.info("rejected %s %s: %s", request.method, request.url.path, error)
    headers = {"Content-Language": lang}
    if isinstance(error, (TooManyQueriesError, HttpError)) and error.retry_after_seconds:
        headers["Retry-After"] = str(error.retry_after_seconds)
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Return library errors and FastAPI's and Starlette's own errors in the service's format."""
    from api.framework_errors import install_framework_error_handlers

    app.add_exception_handler(VicError, handle_vic_error)
    install_framework_error_handlers(app)
