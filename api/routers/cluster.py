"""Cluster analytics over HTTP: coverage, member closeness, members and the named queries.

Every figure is computed from the SPARQL files of ``vic_semantic/analytics``. The query
endpoints return standard SPARQL results (JSON or CSV), so a download opens in a spreadsheet.
"""

from __future__ import annotations

from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.cluster_views import (
    closeness_view,
    coverage_view,
    member_view,
    product_class_view,
)
from api.dependencies import get_language, get_service
from api.errors import HttpError
from api.negotiation import choose_media_type
from api.query_slots import acquire_query_slot
from vic_semantic.analytics import (
    Member,
    UnknownQueryError,
    closeness,
    closeness_matrix,
    find_member,
    get_named_query,
    innovation_coverage,
    list_members,
    load_labels,
    member_product_classes,
    named_queries,
)
from vic_semantic.analytics.named_queries import NamedQuery
from vic_semantic.namespaces import ID
from vic_semantic.service import VicService
from vic_semantic.store.base import Dataset

router = APIRouter(prefix="/api/cluster", tags=["Cluster analytics"])

ServiceDep = Annotated[VicService, Depends(get_service)]
LangQuery = Annotated[str | None, Query(description="ru or en; overrides Accept-Language")]

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "text/csv": ox.QueryResultsFormat.CSV,
}
FORMAT_PARAMETER = {"json": "application/sparql-results+json", "csv": "text/csv"}


def request_language(
    header_language: Annotated[str, Depends(get_language)], lang: LangQuery = None
) -> str:
    """Return the reader's language: ``?lang=`` first, then Accept-Language."""
    return lang if lang in ("ru", "en") else header_language


LangDep = Annotated[str, Depends(request_language)]


def find_member_or_404(service: VicService, value: str) -> Member:
    """Return the member given by id (slug) or full IRI; raise 404 when there is none."""
    slug = value.removeprefix(str(ID) + "member/")
    member = find_member(service.store, slug)
    if member is None:
        raise HttpError(
            404,
            "member_not_found",
            f"Участник «{value}» не найден. Список участников: /api/cluster/members.",
            f"No member '{value}'. The list of members is at /api/cluster/members.",
        )
    return member


@router.get("/coverage", summary="Innovation-cycle coverage: members per stage, gaps, regions")
def coverage(service: ServiceDep, lang: LangDep) -> dict[str, Any]:
    labels = load_labels(service.store)
    return coverage_view(innovation_coverage(service.store), labels, lang)


@router.get("/closeness", summary="Semantic, technical and trust closeness of two members")
def pair_closeness(
    service: ServiceDep,
    lang: LangDep,
    a: Annotated[str, Query(description="first member: id (slug) or IRI")],
    b: Annotated[str, Query(description="second member: id (slug) or IRI")],
) -> dict[str, Any]:
    first = find_member_or_404(service, a)
    second = find_member_or_404(service, b)
    result = closeness(service.store, first.iri, second.iri)
    return closeness_view(result, load_labels(service.store), lang)


@router.get("/closeness/matrix", summary="Closeness of every pair of members")
def matrix(service: ServiceDep, lang: LangDep) -> dict[str, Any]:
    members, pairs = closeness_matrix(service.store)
    labels = load_labels(service.store)
    return {
        "members": [{"iri": m, "name": labels.get(m, lang)} for m in members],
        "pairs": [closeness_view(pair, labels, lang) for pair in pairs],
    }


@router.get("/members", summary="Cluster members with kind, region, roles and formats")
def members(service: ServiceDep, lang: LangDep) -> list[dict[str, Any]]:
    labels = load_labels(service.store)
    return [member_view(member, labels, lang) for member in list_members(service.store)]


@router.get("/members/{member_id}", summary="One member, with its catalogue by product class")
def member(member_id: str, service: ServiceDep, lang: LangDep) -> dict[str, Any]:
    found = find_member_or_404(service, member_id)
    labels = load_labels(service.store)
    view = member_view(found, labels, lang)
    view["productClasses"] = [
        product_class_view(item, labels, lang)
        for item in member_product_classes(service.store, found.iri)
    ]
    return view


def query_summary(query: NamedQuery, lang: str) -> dict[str, str]:
    return {
        "id": query.id,
        "title": query.title(lang),
        "description": query.description(lang),
        "href": f"/api/cluster/queries/{query.id}",
    }


@router.get("/queries", summary="The analysts' named queries, titled in the request language")
def queries(lang: LangDep) -> list[dict[str, str]]:
    return [query_summary(query, lang) for query in named_queries()]


def _results_media_type(request: Request, format_name: str | None) -> str:
    if format_name is not None:
        chosen = FORMAT_PARAMETER.get(format_name.lower())
        if chosen is None:
            raise HttpError(
                400,
                "invalid_format",
                f"Неизвестный формат format={format_name}. Допустимые значения: csv, json.",
                f"Unknown format={format_name}. Allowed values: csv, json.",
            )
        return chosen
    media_type = choose_media_type(request.headers.get("accept"), list(RESULT_TYPES))
    if media_type is None:
        offered = ", ".join(RESULT_TYPES)
        raise HttpError(
            406,
            "not_acceptable",
            f"Результаты запроса доступны в форматах: {offered}.",
            f"Query results are available as: {offered}.",
        )
    return media_type


@router.get("/queries/{query_id}", summary="Run a named query; JSON or CSV by Accept or ?format=")
async def run_query(
    query_id: str,
    request: Request,
    service: ServiceDep,
    format_name: Annotated[
        str | None, Query(alias="format", description="csv or json; overrides Accept")
    ] = None,
) -> Response:
    try:
        query = get_named_query(query_id)
    except UnknownQueryError as error:
        raise HttpError(404, "query_not_found", error.message("ru"), error.message("en")) from error
    media_type = _results_media_type(request, format_name)
    # Bounded as /sparql queries are: past query_timeout_seconds the query is stopped (503
    # query_timeout), and past max_result_rows rows it is rejected (400 result_too_large).
    # An in-memory store applies only the row limit.
    slot = acquire_query_slot(request)
    try:
        body = await run_in_threadpool(
            service.store.run_query, query.text, Dataset(), None, RESULT_TYPES[media_type], None
        )
    finally:
        # A cancelled request still waits here until the thread is done (anyio shields it),
        # so the slot comes back only when the query no longer runs.
        slot.release()
    headers = {"Vary": "Accept"}
    if format_name is not None:
        extension = "csv" if media_type == "text/csv" else "json"
        headers["Content-Disposition"] = f'attachment; filename="{query.id}.{extension}"'
    charset = "; charset=utf-8" if media_type == "text/csv" else ""
    return Response(body, media_type=media_type + charset, headers=headers)
