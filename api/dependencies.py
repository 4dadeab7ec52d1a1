"""Small shared checks and accessors for the routers."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from api.errors import HttpError
from api.negotiation import choose_language
from vic_semantic.access import (
    ANONYMOUS,
    DirectWrite,
    Principal,
    Role,
    denied_graphs,
    direct_write_rule,
)
from vic_semantic.member_registry import require_registered_member
from vic_semantic.namespaces import GRAPH, INFERRED_GRAPH
from vic_semantic.service import VicService
from vic_semantic.sparql.update_targets import TargetKind, WrittenGraph

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
            "Резервное копирование и другие операции администратора требуют токен "
            "администратора: добавьте заголовок Authorization: Bearer <токен>.",
            "Backups and other administrator operations need the administrator's token: "
            "send an Authorization: Bearer <token> header.",
        )
    raise HttpError(
        403,
        "forbidden",
        "Эта операция доступна только администратору.",
        "Only the administrator may do this.",
    )


async def require_read(request: Request) -> Principal:
    """Return the principal if it may read; anonymous requests get 401 when reading is closed.

    Installed on the whole application. It is async because FastAPI runs a plain-function
    dependency on the thread pool, and that hand-off costs more than the check itself. A
    bearer token is still checked on the thread pool, because that reads the token file.
    The principal is kept in ``request.state.principal`` for the request's log line.
    ``PUBLIC_PATHS`` stay open so that liveness and readiness probes need no token.
    """
    if request.headers.get("authorization"):
        principal = await run_in_threadpool(get_principal, request)
    else:
        principal = ANONYMOUS
    request.state.principal = principal

    route = request.scope.get("route")
    if getattr(route, "path", None) in PUBLIC_PATHS:
        return principal
    if not principal.can_read(get_service(request).settings.allow_anonymous_read):
        raise HttpError(
            401,
            "unauthenticated",
            "Чтение без токена отключено: добавьте заголовок Authorization: Bearer <токен>.",
            "Reading without a token is disabled: send an Authorization: Bearer <token> header.",
        )
    return principal


PUBLIC_PATHS = frozenset({"/health", "/ready"})


def require_writer(request: Request) -> Principal:
    """Return the principal if its role may write some graph (member or admin); else 401 or 403."""
    principal = get_principal(request)
    if principal.role in {Role.MEMBER, Role.ADMIN}:
        return principal
    _require_token(principal)
    raise HttpError(
        403,
        "forbidden",
        f"Роль {principal.role} только читает; для записи нужен токен участника или "
        "администратора.",
        f"The role {principal.role} only reads; writing needs a member's or the "
        "administrator's token.",
    )


async def require_registered_writer(request: Request) -> Principal:
    """Return the principal if it may write some graph; else 401, 403 or 404.

    A member token whose slug the members graph does not describe gets 404
    ``member_not_found``, the response POST /catalogues returns, so no write path stores graphs
    for a member that the cluster views never show.
    """
    principal = require_writer(request)
    if principal.role is Role.MEMBER and principal.member:
        store = get_service(request).store
        await run_in_threadpool(require_registered_member, store, principal.member)
    return principal


def require_graph_write(request: Request, graph: str | None) -> Principal:
    """Return the principal if it may change ``graph`` (None: the default graph).

    Raises 401 without a token, and 403 naming the graph when the principal may not write it.
    """
    principal = get_principal(request)
    if principal.can_write_graph(graph):
        return principal
    _require_token(principal)
    if graph == str(INFERRED_GRAPH):
        raise _inferred_graph_error()
    raise _forbidden_graph(principal, "DEFAULT" if graph is None else f"<{graph}>")


def require_update_write(request: Request, targets: Sequence[WrittenGraph]) -> Principal:
    """Return the principal if it may write every graph an update writes; else 401 or 403.

    The 403 names the first graph the principal may not write.
    """
    principal = get_principal(request)
    denied = denied_graphs(principal, targets)
    if not denied:
        return principal
    _require_token(principal)
    if denied[0] == WrittenGraph(TargetKind.GRAPH, str(INFERRED_GRAPH)):
        raise _inferred_graph_error()
    raise _forbidden_graph(principal, str(denied[0]))


def checked_graphs(request: Request, graphs: Iterable[str | None]) -> list[str]:
    """Return the graphs among ``graphs`` whose direct writes must be validated first.

    Raises 403 naming the graph when one of them changes only through POST /catalogues.
    Call it after the ownership check.
    """
    principal = get_principal(request)
    checked = []
    for graph in graphs:
        rule = direct_write_rule(principal, graph)
        if rule is DirectWrite.SUBMISSION_ONLY:
            raise _submission_only(graph or "DEFAULT")
        if rule is DirectWrite.VALIDATED and graph is not None and graph not in checked:
            checked.append(graph)
    return checked


def _submission_only(graph: str) -> HttpError:
    return HttpError(
        403,
        "catalogue_submission_only",
        f"Граф <{graph}> — каталог участника; он меняется только через POST /catalogues, "
        "который проверяет файлы по SHACL-формам и сохраняет их без нарушений. Отправьте "
        "файлы каталога туда.",
        f"The graph <{graph}> is a member's catalogue; it changes only through "
        "POST /catalogues, which validates the files against the SHACL shapes and stores "
        "them only without violations. Submit the catalogue files there.",
    )


def _require_token(principal: Principal) -> None:
    if principal.role is Role.ANONYMOUS:
        raise HttpError(
            401,
            "unauthenticated",
            "Для записи нужен заголовок Authorization: Bearer <токен>.",
            "Writing needs an Authorization: Bearer <token> header.",
        )


def _inferred_graph_error() -> HttpError:
    return HttpError(
        403,
        "inferred_graph",
        f"Граф <{INFERRED_GRAPH}> вычисляется заново после каждой записи, и изменения в "
        "нём пропали бы. Запишите данные в другой граф.",
        f"The graph <{INFERRED_GRAPH}> is recomputed after every write, so changes to it "
        "would be lost. Write the data to another graph.",
    )


def _forbidden_graph(principal: Principal, graph: str) -> HttpError:
    if principal.role is Role.MEMBER:
        return HttpError(
            403,
            "forbidden",
            f"Нет права изменять граф {graph}: участник «{principal.member}» пишет только в "
            f"свои графы (каталог, ветеринарные записи и графы под {_member_prefix(principal)}).",
            f"No permission to change the graph {graph}: the member '{principal.member}' "
            f"writes only its own graphs (its catalogue, its veterinary records and graphs "
            f"under {_member_prefix(principal)}).",
        )
    return HttpError(
        403,
        "forbidden",
        f"Нет права изменять граф {graph}: роль {principal.role} только читает.",
        f"No permission to change the graph {graph}: the role {principal.role} only reads.",
    )


def _member_prefix(principal: Principal) -> str:
    return f"<{GRAPH[f'member/{principal.member}/']}>"


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
