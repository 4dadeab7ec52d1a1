"""FastAPI's and Starlette's own errors in the service's error format and language.

FastAPI returns 422 ``{"detail": [...]}`` for an invalid parameter, and Starlette returns
``{"detail": "Not Found"}`` for an unknown path or method. These handlers keep the status
and headers (``Allow`` of a 405 included) and send the body ``api.errors.error_body``
builds: a code, and a message in Russian or English that names the parameter, where it is,
what is wrong and the fix.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.errors import HttpError, error_body
from api.negotiation import choose_language

logger = logging.getLogger(__name__)

_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
_BOUNDS = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}
_WHERE = {
    "query": ("параметр запроса", "query parameter"),
    "path": ("параметр пути", "path parameter"),
    "body": ("поле тела запроса", "body field"),
    "header": ("заголовок", "header"),
    "cookie": ("cookie", "cookie"),
}


def _problem(error: Mapping[str, Any]) -> tuple[str, str]:
    """Return what is wrong with one value and how to fix it, in Russian and English."""
    kind = str(error.get("type", ""))
    value = error.get("input")
    context = error.get("ctx") or {}
    if kind == "missing":
        return "обязателен, но не передан; добавьте его", "is required but missing; add it"
    if kind == "int_parsing":
        return (
            f"значение «{value}» не является целым числом; укажите целое число, например 1",
            f"the value '{value}' is not an integer; give a whole number such as 1",
        )
    if kind == "bool_parsing":
        return (
            f"значение «{value}» не является логическим; укажите true или false",
            f"the value '{value}' is not a boolean; give true or false",
        )
    if kind in _BOUNDS:
        limit = next(iter(context.values()), "")
        return (
            f"значение «{value}» вне допустимого диапазона; нужно {_BOUNDS[kind]} {limit}",
            f"the value '{value}' is out of range; it must be {_BOUNDS[kind]} {limit}",
        )
    message = str(error.get("msg", "invalid value"))
    return (
        f"недопустимое значение «{value}» ({message})",
        f"the value '{value}' is invalid ({message})",
    )


def _describe(error: Mapping[str, Any]) -> tuple[str, str, dict[str, object]]:
    location: Sequence[Any] = error.get("loc") or ()
    where = str(location[0]) if location else "body"
    name = ".".join(str(part) for part in location[1:]) or where
    where_ru, where_en = _WHERE.get(where, (where, where))
    problem_ru, problem_en = _problem(error)
    detail: dict[str, object] = {"parameter": name, "in": where, "problem": error.get("type")}
    value = error.get("input")
    if error.get("type") != "missing" and isinstance(value, str | int | float | bool):
        detail["value"] = value
    separator = " " if error.get("type") == "missing" else ": "
    return (
        f"{where_ru.capitalize()} «{name}»{separator}{problem_ru}.",
        f"The {where_en} '{name}'{separator}{problem_en}.",
        detail,
    )


async def _handle_validation_error(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, RequestValidationError):  # registered for that class only
        raise error
    described = [_describe(item) for item in error.errors()]
    message = HttpError(
        422,
        "invalid_parameter",
        " ".join(ru for ru, _, _ in described) or "Запрос не прошёл проверку.",
        " ".join(en for _, en, _ in described) or "The request is invalid.",
    )
    lang = choose_language(request.headers.get("accept-language"))
    body = error_body(message, lang)
    body["details"] = [detail for _, _, detail in described]
    logger.info("rejected %s %s: %s", request.method, request.url.path, message.message_en)
    return JSONResponse(body, status_code=422, headers={"Content-Language": lang})


def _http_error(request: Request, error: StarletteHTTPException) -> HttpError:
    path = request.url.path
    if error.status_code == 404:
        return HttpError(
            404,
            "not_found",
            f"Путь {path} не найден. Список путей API: /docs (или /openapi.json).",
            f"The path {path} was not found. The API's paths are listed at /docs "
            "(or /openapi.json).",
        )
    if error.status_code == 405:
        allowed = _allowed_methods(request) or (error.headers or {}).get("Allow", "")
        return HttpError(
            405,
            "method_not_allowed",
            f"Метод {request.method} не поддерживается для {path}. Допустимые методы: "
            f"{allowed or 'см. /docs'}.",
            f"The method {request.method} is not allowed on {path}. Allowed methods: "
            f"{allowed or 'see /docs'}.",
        )
    return HttpError(error.status_code, "http_error", str(error.detail), str(error.detail))


def _allowed_methods(request: Request) -> str:
    """Return the methods some route accepts on the request's path.

    Starlette's 405 names only the methods of the first route that matches the path, and
    routers such as the Graph Store's add one route per method.
    """
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


async def _handle_http_exception(request: Request, error: Exception) -> Response:
    if not isinstance(error, StarletteHTTPException):  # registered for that class only
        raise error
    lang = choose_language(request.headers.get("accept-language"))
    headers = {**(error.headers or {}), "Content-Language": lang}
    if error.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    if error.status_code in {204, 304}:
        # Statuses without a body keep none.
        return Response(status_code=error.status_code, headers=headers)
    body = error_body(_http_error(request, error), lang)
    return JSONResponse(body, status_code=error.status_code, headers=headers)


def install_framework_error_handlers(app: FastAPI) -> None:
    """Return FastAPI's validation errors and Starlette's HTTP errors in the service's format."""
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
