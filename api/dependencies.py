"""Small shared checks and accessors for the routers."""

from __future__ import annotations

import hmac

from fastapi import Request

from api.errors import HttpError
from api.negotiation import choose_language
from vic_semantic.service import VicService


def get_service(request: Request) -> VicService:
    service: VicService = request.app.state.service
    return service


def get_language(request: Request) -> str:
    """Return "ru" or "en" from the request's Accept-Language header."""
    return choose_language(request.headers.get("accept-language"))


def require_admin(request: Request) -> None:
    """Raise 401 or 403 unless the request carries the administrator's bearer token."""
    expected = get_service(request).settings.admin_token
    if not expected:
        raise HttpError(
            403,
            "writes_disabled",
            "Запись через SPARQL Update отключена: задайте токен администратора "
            "в переменной окружения VIC_ADMIN_TOKEN.",
            "SPARQL Update is disabled: set the administrator token in the environment "
            "variable VIC_ADMIN_TOKEN.",
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HttpError(
            401,
            "unauthenticated",
            "Нужен заголовок Authorization: Bearer <токен>.",
            "An Authorization: Bearer <token> header is required.",
        )
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise HttpError(403, "forbidden", "Токен не подходит.", "The token is not valid.")


async def read_body(request: Request, limit: int) -> bytes:
    """Read the request body, raising 413 as soon as it grows past ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> HttpError:
    return HttpError(
        413,
        "payload_too_large",
        f"Тело запроса больше допустимых {limit} байт. Разделите данные на части.",
        f"The request body is larger than the {limit} bytes allowed. Split the data.",
    )


def decode_utf8(data: bytes, what: str) -> str:
    """Decode UTF-8, raising 400 with the byte offset of the first invalid sequence."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HttpError(
            400,
            "invalid_encoding",
            f"{what}: недопустимая последовательность UTF-8 в байте {error.start}. "
            "Отправьте текст в кодировке UTF-8.",
            f"{what}: invalid UTF-8 at byte {error.start}. Send the text as UTF-8.",
        ) from error
