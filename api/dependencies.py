"""Small shared checks and accessors for the routers."""

from __future__ import annotations

import logging

from fastapi import Request

from api.errors import HttpError
from api.negotiation import choose_language
from vic_semantic.access import ANONYMOUS, Principal, Role
from vic_semantic.service import VicService

logger = logging.getLogger(__name__)


def get_service(request: Request) -> VicService:
    service: VicService = request.app.state.service
    return service


def get_language(request: Request) -> str:
    """Return "ru" or "en" from the request's Accept-Language header."""
    return choose_language(request.headers.get("accept-language"))


def get_principal(request: Request) -> Principal:
    """Return who sends the request: anonymous without a token, 401 for an unknown one."""
    header = request.headers.get("authorization", "")
    if not header:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HttpError(
            401,
            "unauthenticated",
            "Заголовок Authorization должен иметь вид «Bearer <токен>».",
            "The Authorization header must read 'Bearer <token>'.",
        )
    principal = get_service(request).tokens.authenticate(token.strip())
    if principal is None:
        logger.info("rejected an unknown bearer token on %s %s", request.method, request.url.path)
        raise HttpError(
            401,
            "invalid_token",
            "Токен не найден или отозван. Получите новый у администратора кластера.",
            "The token is unknown or revoked. Ask the cluster administrator for a new one.",
        )
    return principal


def require_admin(request: Request) -> Principal:
    """Return the administrator behind the request, or raise 401 or 403."""
    principal = get_principal(request)
    if principal.role is Role.ADMIN:
        return principal
    if principal.role is Role.ANONYMOUS:
        raise HttpError(
            401,
            "unauthenticated",
            "Для записи нужен заголовок Authorization: Bearer <токен>.",
            "Writing needs an Authorization: Bearer <token> header.",
        )
    raise HttpError(
        403,
        "forbidden",
        "Эта операция доступна только администратору.",
        "Only the administrator may do this.",
    )


def require_graph_write(request: Request, graph: str) -> Principal:
    """Return the principal if it may change ``graph``; raise 401 or 403 otherwise."""
    principal = get_principal(request)
    if principal.can_write_graph(graph):
        return principal
    if principal.role is Role.ANONYMOUS:
        raise HttpError(
            401,
            "unauthenticated",
            "Для записи нужен заголовок Authorization: Bearer <токен>.",
            "Writing needs an Authorization: Bearer <token> header.",
        )
    raise HttpError(
        403,
        "forbidden",
        f"Нет права изменять граф <{graph}>: участник пишет только в свои графы.",
        f"No permission to change the graph <{graph}>: a member writes only its own graphs.",
    )


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
