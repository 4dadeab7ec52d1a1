"""The SPARQL 1.1 Protocol endpoint: queries by GET and POST, updates by POST.

Protocol: https://www.w3.org/TR/sparql11-protocol/ (query and update operations, sections
2.1 and 2.2). A GET without a query returns the service description
(https://www.w3.org/TR/sparql11-service-description/).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.dependencies import decode_utf8, get_service, read_body, require_admin
from api.errors import HttpError
from api.negotiation import choose_media_type
from api.service_description import service_description
from vic_semantic.inference import materialise
from vic_semantic.service import VicService
from vic_semantic.sparql.formats import BOOLEAN_FORMATS, GRAPH_FORMATS, RESULTS_FORMATS
from vic_semantic.sparql.lexer import QueryForm, query_form
from vic_semantic.store.base import Dataset

router = APIRouter(tags=["SPARQL"])

Params = dict[str, list[str]]


def _single(params: Params, name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise HttpError(
            400,
            "repeated_parameter",
            f"Параметр «{name}» передан {len(values)} раз; передайте его один раз.",
            f"The parameter '{name}' was sent {len(values)} times; send it once.",
        )
    return values[0] if values else None


def _dataset(params: Params) -> Dataset:
    inferred = (_single(params, "inferred") or "true").lower() not in {"false", "0", "no"}
    return Dataset(
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        include_inferred=inferred,
    )


def _offers(form: QueryForm | None) -> list[str]:
    if form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE):
        return list(GRAPH_FORMATS)
    if form is QueryForm.ASK:
        return list(BOOLEAN_FORMATS)
    return list(RESULTS_FORMATS)


def _not_acceptable(accept: str, offers: list[str]) -> HttpError:
    listed = ", ".join(offers)
    return HttpError(
        406,
        "not_acceptable",
        f"Нет подходящего формата для Accept: {accept}. Доступны: {listed}.",
        f"No format matches Accept: {accept}. Available: {listed}.",
    )


async def _run_query(
    service: VicService, request: Request, query: str, params: Params
) -> Response:
    if len(query.encode()) > service.settings.max_query_bytes:
        raise HttpError(
            413,
            "query_too_large",
            f"Запрос длиннее {service.settings.max_query_bytes} байт.",
            f"The query is longer than {service.settings.max_query_bytes} bytes.",
        )
    form = query_form(query)
    offers = _offers(form)
    accept = request.headers.get("accept", "")
    media_type = choose_media_type(accept, offers)
    if media_type is None:
        raise _not_acceptable(accept, offers)

    graph_format = GRAPH_FORMATS.get(media_type)
    results_format = RESULTS_FORMATS.get(media_type)
    body = await run_in_threadpool(
        service.store.query, query, _dataset(params), results_format, graph_format
    )
    # NOTE: results are serialised whole before sending; very large results use memory
    # in proportion to their size until streaming is added.
    charset = "; charset=utf-8" if not media_type.endswith("+xml") else ""
    return Response(body, media_type=f"{media_type}{charset}")


async def _run_update(service: VicService, update: str) -> Response:
    await run_in_threadpool(service.store.update, update)
    await run_in_threadpool(materialise, service.store)
    return Response(status_code=204)


@router.get("/sparql", summary="SPARQL query by GET, or the service description")
async def sparql_get(
    request: Request, service: Annotated[VicService, Depends(get_service)]
) -> Response:
    params = parse_qs(request.url.query, keep_blank_values=True)
    query = _single(params, "query")
    if query is None:
        if "update" in params:
            raise HttpError(
                405,
                "update_by_get",
                "SPARQL Update принимается только методом POST.",
                "SPARQL Update is accepted by POST only.",
            )
        return service_description(service, request)
    return await _run_query(service, request, query, params)


@router.post("/sparql", summary="SPARQL query or update by POST (form or direct body)")
async def sparql_post(
    request: Request, service: Annotated[VicService, Depends(get_service)]
) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params = parse_qs(request.url.query, keep_blank_values=True)
    body = await read_body(request, service.settings.max_query_bytes)

    if content_type == "application/x-www-form-urlencoded":
        form = parse_qs(decode_utf8(body, "form"), keep_blank_values=True)
        merged = {**params, **form}
        query, update = _single(form, "query"), _single(form, "update")
        if query is not None and update is not None:
            raise HttpError(
                400,
                "query_and_update",
                "Передайте либо query, либо update, но не оба.",
                "Send either query or update, not both.",
            )
        if query is not None:
            return await _run_query(service, request, query, merged)
        if update is not None:
            require_admin(request)
            return await _run_update(service, update)
        raise HttpError(
            400,
            "missing_query",
            "В форме нет параметра query или update.",
            "The form has no query or update parameter.",
        )

    if content_type == "application/sparql-query":
        return await _run_query(service, request, decode_utf8(body, "query"), params)
    if content_type == "application/sparql-update":
        require_admin(request)
        return await _run_update(service, decode_utf8(body, "update"))

    raise HttpError(
        415,
        "unsupported_media_type",
        f"Тип содержимого «{content_type or 'не указан'}» не поддерживается. Используйте "
        "application/sparql-query, application/sparql-update или "
        "application/x-www-form-urlencoded.",
        f"Content type '{content_type or 'missing'}' is not supported. Use "
        "application/sparql-query, application/sparql-update or "
        "application/x-www-form-urlencoded.",
    )
