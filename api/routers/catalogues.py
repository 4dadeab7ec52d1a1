"""Member catalogue submissions: validated replacement of the catalogue, versions and diffs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.dependencies import get_language, get_service, require_graph_write, require_writer
from api.errors import HttpError
from api.uploads import uploaded_files
from api.validation_http import report_response, run_validation
from api.versions_http import (
    CATALOGUE,
    read_versions_to_compare,
    version_response,
    versions_response,
)
from vic_semantic.access import Role
from vic_semantic.catalogues.slug import slugify
from vic_semantic.member_registry import require_registered_member
from vic_semantic.namespaces import catalogue_graph
from vic_semantic.service import VicService
from vic_semantic.submissions import diff_catalogues, submit_catalogue

router = APIRouter(tags=["Catalogues"])


async def _target_member(service: VicService, request: Request, member: str | None) -> str:
    """Return the slug of the member whose catalogue is submitted: its own, or ``member``.

    Raises 401 or 403 for a principal that may not submit it, and 404 for a member the
    members graph does not describe.
    """
    principal = require_writer(request)
    slug = member or (principal.member if principal.role is Role.MEMBER else None)
    if principal.role is Role.ADMIN and not slug:
        raise HttpError(
            400,
            "missing_member",
            "Администратор указывает участника: POST /catalogues?member=<slug>.",
            "The administrator names the member: POST /catalogues?member=<slug>.",
        )
    if slug is not None and slug != slugify(slug):
        raise HttpError(
            400,
            "invalid_member",
            f"«{slug}» не является идентификатором участника (строчные латинские буквы, "
            "цифры и дефисы).",
            f"'{slug}' is not a member slug (lower-case Latin letters, digits and hyphens).",
        )
    graph = str(catalogue_graph(slug)) if slug else None
    require_graph_write(request, graph)
    assert slug is not None  # require_graph_write rejects anyone but a member or admin
    await run_in_threadpool(require_registered_member, service.store, slug)
    return slug


@router.post(
    "/catalogues",
    summary="Submit a member's product catalogue or veterinary logs: stored only without "
    "violations",
    responses={201: {"description": "Stored"}, 422: {"description": "Rejected, with the report"}},
)
async def submit(
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
    lang: Annotated[str, Depends(get_language)],
    member: Annotated[str | None, Query(description="Member slug (administrator only)")] = None,
    dry_run: Annotated[bool, Query(description="Validate without storing")] = False,
) -> Response:
    slug = await _target_member(service, request, member)
    files = await uploaded_files(request, service.settings.max_upload_bytes)
    timeout = service.settings.validation_timeout_seconds
    submission = await run_validation(
        service,
        lambda: submit_catalogue(
            service.store,
            files,
            slug,
            dry_run=dry_run,
            lang=lang,
            timeout_seconds=timeout,
            limits=service.settings.read_limits,
        ),
    )
    if submission.rejected:
        return report_response(submission.report, request, lang, 422, {"stored": False})
    status = 201 if submission.stored else 200
    extra = {"stored": submission.stored, "member": slug, "version": submission.version}
    return report_response(submission.report, request, lang, status, extra)


@router.get("/catalogues/{slug}/versions", summary="List the stored versions of a catalogue")
async def versions(slug: str, service: Annotated[VicService, Depends(get_service)]) -> JSONResponse:
    return await versions_response(service, CATALOGUE, slug)


@router.get(
    "/catalogues/{slug}/versions/{number}",
    summary="Return one version of a catalogue as RDF (Turtle, N-Triples, JSON-LD, RDF/XML)",
)
async def version(
    slug: str,
    number: int,
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
) -> Response:
    return await version_response(request, service, CATALOGUE, slug, number)


@router.get(
    "/catalogues/{slug}/diff",
    summary="Compare two versions of a catalogue: added, removed and changed products",
)
async def diff(
    slug: str,
    service: Annotated[VicService, Depends(get_service)],
    from_version: Annotated[int, Query(alias="from", ge=1)],
    to_version: Annotated[int, Query(alias="to", ge=1)],
) -> JSONResponse:
    older, newer = await read_versions_to_compare(
        service, CATALOGUE, slug, from_version, to_version
    )
    result = await run_in_threadpool(diff_catalogues, older, newer)
    return JSONResponse(
        {"member": slug, "from": from_version, "to": to_version, **result.to_json()}
    )
