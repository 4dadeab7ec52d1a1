"""Versions of a farm's veterinary logs and the treatments and deliveries changed between two.

The logs are submitted through POST /catalogues, which stores each accepted submission as a
version. These routes read those versions like the catalogue version routes do, with the
same access: anyone who may read at all.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.dependencies import get_service
from api.versions_http import (
    VETERINARY,
    read_versions_to_compare,
    version_response,
    versions_response,
)
from vic_semantic.service import VicService
from vic_semantic.submissions.veterinary_diff import compare_veterinary_versions

router = APIRouter(tags=["Veterinary logs"])


@router.get(
    "/veterinary/{slug}/versions", summary="List the stored versions of a farm's veterinary logs"
)
async def versions(slug: str, service: Annotated[VicService, Depends(get_service)]) -> JSONResponse:
    return await versions_response(service, VETERINARY, slug)


@router.get(
    "/veterinary/{slug}/versions/{number}",
    summary="Return one version of a farm's veterinary logs as RDF (Turtle, N-Triples, JSON-LD, "
    "RDF/XML)",
)
async def version(
    slug: str,
    number: int,
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
) -> Response:
    return await version_response(request, service, VETERINARY, slug, number)


@router.get(
    "/veterinary/{slug}/diff",
    summary="Compare two versions of a farm's veterinary logs: treatments and milk deliveries "
    "added, removed and changed",
)
async def diff(
    slug: str,
    service: Annotated[VicService, Depends(get_service)],
    from_version: Annotated[int, Query(alias="from", ge=1)],
    to_version: Annotated[int, Query(alias="to", ge=1)],
) -> JSONResponse:
    older, newer = await read_versions_to_compare(
        service, VETERINARY, slug, from_version, to_version
    )
    result = await run_in_threadpool(compare_veterinary_versions, service.store, older, newer)
    return JSONResponse(
        {"member": slug, "from": from_version, "to": to_version, **result.to_json()}
    )
