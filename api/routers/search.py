"""Full-text search over products, members, ontology terms, standards and classifier codes."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.dependencies import get_language, get_service
from api.errors import HttpError
from vic_semantic.search import Kind, live_index
from vic_semantic.service import VicService

router = APIRouter(tags=["Search"])

_MAX_LIMIT = 100
_KINDS = ", ".join(kind.value for kind in Kind)


def parse_kinds(values: list[str] | None) -> list[Kind] | None:
    """Read ``type`` parameters (repeated or comma-separated) into kinds; None means all."""
    if not values:
        return None
    kinds = []
    for value in values:
        for name in filter(None, (part.strip().lower() for part in value.split(","))):
            try:
                kinds.append(Kind(name))
            except ValueError:
                raise HttpError(
                    400,
                    "invalid_type",
                    f"Неизвестный тип «{name}» в параметре type. Допустимые: {_KINDS}.",
                    f"Unknown type '{name}' in the type parameter. Allowed: {_KINDS}.",
                ) from None
    return kinds or None


@router.get("/api/search", summary="Search entities by name, in Russian or English word forms")
async def search(
    service: Annotated[VicService, Depends(get_service)],
    lang: Annotated[str, Depends(get_language)],
    q: Annotated[str, Query(description="Search text / Текст поиска")] = "",
    type: Annotated[
        list[str] | None,
        Query(description=f"Entity kinds, repeated or comma-separated: {_KINDS}"),
    ] = None,
    limit: Annotated[int, Query(description=f"Maximum hits, 1 to {_MAX_LIMIT}")] = 20,
) -> JSONResponse:
    if not 1 <= limit <= _MAX_LIMIT:
        raise HttpError(
            400,
            "invalid_limit",
            f"Параметр limit={limit} вне допустимого диапазона: укажите число от 1 до "
            f"{_MAX_LIMIT}.",
            f"The limit parameter {limit} is out of range: give a number from 1 to {_MAX_LIMIT}.",
        )
    if not q.strip():
        raise HttpError(
            400,
            "empty_query",
            "Параметр q пуст: укажите текст поиска, например ?q=кефир.",
            "The q parameter is empty: give the text to search for, for example ?q=kefir.",
        )
    kinds = parse_kinds(type)
    index = await run_in_threadpool(live_index(service.store).current)
    hits = index.search(q, kinds=kinds, limit=limit, lang=lang)
    body = {
        "query": q,
        "lang": lang,
        "hits": [{**asdict(hit), "kind": hit.kind.value} for hit in hits],
    }
    return JSONResponse(body, headers={"Content-Language": lang})
