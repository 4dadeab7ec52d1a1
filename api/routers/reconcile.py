"""Reconciliation Service API 0.2 for OpenRefine and other clients.

The API is the W3C Entity Reconciliation Community Group's specification, version 0.2. The
manifest is served at GET /reconcile; queries go to /reconcile by GET or POST (form field
``queries``), data extension by the ``extend`` field there or at /reconcile/extend. The work
is done in ``vic_semantic.reconcile``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from api.dependencies import decode_utf8, get_language, get_service, read_body
from api.errors import HttpError
from vic_semantic import reconcile as rc
from vic_semantic.search import SearchIndex, live_index
from vic_semantic.service import VicService

router = APIRouter(prefix="/reconcile", tags=["Reconciliation"])

_FORM = "application/x-www-form-urlencoded"
_MAX_PAGE = 50

Service = Annotated[VicService, Depends(get_service)]
Language = Annotated[str, Depends(get_language)]


def _service_url(service: VicService) -> str:
    return service.settings.base_url.rstrip("/") + "/reconcile"


async def _index(service: VicService) -> SearchIndex:
    return await run_in_threadpool(live_index(service.store).current)


def _json(body: object, lang: str) -> JSONResponse:
    return JSONResponse(body, headers={"Content-Language": lang})


async def _form_fields(request: Request, service: VicService) -> dict[str, str]:
    """Return the fields of a POST body: URL-encoded (as OpenRefine sends) or multipart."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        # NOTE: multipart bodies are not held to max_query_bytes; OpenRefine sends URL-encoded.
        form = await request.form()
        return {key: value for key, value in form.items() if isinstance(value, str)}
    if content_type != _FORM:
        raise HttpError(
            415,
            "unsupported_media_type",
            f"Тело типа «{content_type or 'не указан'}» не поддерживается: отправьте поле "
            f"queries или extend как {_FORM} или multipart/form-data.",
            f"A body of type '{content_type or 'none'}' is not supported: send the queries or "
            f"extend field as {_FORM} or multipart/form-data.",
        )
    body = await read_body(request, service.settings.max_query_bytes)
    fields = parse_qs(decode_utf8(body, "Тело запроса / request body"), keep_blank_values=True)
    return {key: values[-1] for key, values in fields.items()}


async def _dispatch(
    service: VicService, lang: str, queries: str | None, extend: str | None
) -> JSONResponse:
    index = await _index(service)
    if queries is not None:
        batch = rc.parse_batch(queries)
        result = await run_in_threadpool(rc.reconcile_batch, service.store, index, batch, lang)
        return _json(result, lang)
    if extend is not None:
        return await _extend(service, index, extend, lang)
    return _json(rc.manifest(_service_url(service), index, lang), lang)


async def _extend(service: VicService, index: SearchIndex, text: str, lang: str) -> JSONResponse:
    ids, properties = rc.parse_extend(text)
    result = await run_in_threadpool(rc.extend, service.store, index, ids, properties, lang)
    return _json(result, lang)


@router.get("", summary="Manifest, or reconciliation queries in ?queries=")
async def reconcile_get(
    service: Service,
    lang: Language,
    queries: Annotated[str | None, Query(description="JSON batch of queries")] = None,
    extend: Annotated[str | None, Query(description="JSON data extension query")] = None,
) -> JSONResponse:
    return await _dispatch(service, lang, queries, extend)


@router.post("", summary="Reconciliation queries (form field queries) or data extension")
async def reconcile_post(request: Request, service: Service, lang: Language) -> JSONResponse:
    fields = await _form_fields(request, service)
    if "queries" not in fields and "extend" not in fields:
        raise HttpError(
            400,
            "missing_queries",
            "В теле запроса нет поля queries (пакет запросов JSON) или extend.",
            "The request body has no queries field (a JSON batch) and no extend field.",
        )
    return await _dispatch(service, lang, fields.get("queries"), fields.get("extend"))


@router.get("/preview", response_class=HTMLResponse, summary="HTML preview of an entity")
async def preview(
    service: Service,
    lang: Language,
    id: Annotated[str, Query(description="Entity id or IRI")],
) -> HTMLResponse:
    index = await _index(service)
    html = await run_in_threadpool(rc.preview_html, service.store, index, id, lang)
    if html is None:
        raise HttpError(
            404,
            "entity_not_found",
            f"Сущность «{id}» не найдена. Укажите id из результата сопоставления.",
            f"The entity '{id}' was not found. Give an id from a reconciliation result.",
        )
    return HTMLResponse(html, headers={"Content-Language": lang})


def _check_page(cursor: int, limit: int) -> None:
    if cursor < 0 or not 1 <= limit <= _MAX_PAGE:
        raise HttpError(
            400,
            "invalid_page",
            f"cursor={cursor}, limit={limit}: нужны cursor ≥ 0 и limit от 1 до {_MAX_PAGE}.",
            f"cursor={cursor}, limit={limit}: cursor must be ≥ 0 and limit 1 to {_MAX_PAGE}.",
        )


async def _suggest(
    service: Service, lang: str, cursor: int, limit: int, make: Callable[[SearchIndex], Any]
) -> JSONResponse:
    _check_page(cursor, limit)
    index = await _index(service)
    return _json(make(index), lang)


@router.get("/suggest/entity", summary="Entities whose name begins with the prefix")
async def suggest_entity(
    service: Service,
    lang: Language,
    prefix: str = "",
    type: str | None = None,
    cursor: int = 0,
    limit: int = 10,
) -> JSONResponse:
    return await _suggest(
        service,
        lang,
        cursor,
        limit,
        lambda index: rc.suggest_entities(index, prefix, type, cursor, limit, lang),
    )


@router.get("/suggest/type", summary="Types (ontology classes) whose name begins with the prefix")
async def suggest_type(
    service: Service, lang: Language, prefix: str = "", cursor: int = 0, limit: int = 10
) -> JSONResponse:
    return await _suggest(
        service,
        lang,
        cursor,
        limit,
        lambda index: rc.suggest_types(index, prefix, cursor, limit, lang),
    )


@router.get("/suggest/property", summary="Properties whose name begins with the prefix")
async def suggest_property(
    service: Service, lang: Language, prefix: str = "", cursor: int = 0, limit: int = 10
) -> JSONResponse:
    return await _suggest(
        service,
        lang,
        cursor,
        limit,
        lambda index: rc.suggest_properties(index, prefix, cursor, limit, lang),
    )


@router.get("/extend/propose", summary="Properties to fetch for entities of a type")
async def propose(
    service: Service,
    lang: Language,
    type: Annotated[str, Query(description="Type id, e.g. Kefir or ClusterMember")] = "",
    limit: int | None = None,
) -> JSONResponse:
    if not type.strip():
        raise HttpError(
            400,
            "missing_type",
            "Укажите параметр type, например ?type=Kefir.",
            "Give the type parameter, for example ?type=Kefir.",
        )
    if limit is not None and limit < 1:
        raise HttpError(
            400,
            "invalid_limit",
            f"limit={limit}: нужно число не меньше 1.",
            f"limit={limit}: expected a number of at least 1.",
        )
    index = await _index(service)
    body = await run_in_threadpool(
        rc.propose_properties, service.store, index, type.strip(), limit, lang
    )
    return _json(body, lang)


@router.get("/extend", summary="Data extension by ?extend=")
async def extend_get(
    service: Service,
    lang: Language,
    extend: Annotated[str, Query(description="JSON data extension query")],
) -> JSONResponse:
    return await _extend(service, await _index(service), extend, lang)


@router.post("/extend", summary="Data extension by the form field extend")
async def extend_post(request: Request, service: Service, lang: Language) -> JSONResponse:
    fields = await _form_fields(request, service)
    if "extend" not in fields:
        raise HttpError(
            400,
            "missing_extend",
            "В теле запроса нет поля extend (запрос расширения данных в JSON).",
            "The request body has no extend field (a JSON data extension query).",
        )
    return await _extend(service, await _index(service), fields["extend"], lang)
