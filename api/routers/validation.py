"""SHACL validation of RDF documents and of member files, before members exchange them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.dependencies import get_language, get_principal, get_service, read_body
from api.routers import catalogues
from api.uploads import uploaded_files
from api.validation_http import report_response, run_validation
from vic_semantic.access import Role
from vic_semantic.rdf import format_for_media_type, parse_rdf, to_rdflib
from vic_semantic.service import VicService
from vic_semantic.submissions.veterinary import stored_treatments
from vic_semantic.validation import validate_files, validate_graph

router = APIRouter(tags=["Validation"])
# The catalogue submission routes share this router, which the application includes.
router.include_router(catalogues.router)


@router.post(
    "/validate",
    summary="Validate RDF (Turtle, JSON-LD, N-Triples, RDF/XML) against the cluster's shapes",
)
async def validate_rdf(
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
    lang: Annotated[str, Depends(get_language)],
) -> Response:
    rdf_format = format_for_media_type(request.headers.get("content-type", ""))
    body = await read_body(request, service.settings.max_upload_bytes)
    quads = parse_rdf(body, rdf_format)
    graph = to_rdflib(quads)
    timeout = service.settings.validation_timeout_seconds
    report = await run_validation(
        service, lambda: validate_graph(graph, lang, timeout_seconds=timeout)
    )
    return report_response(report, request, lang)


@router.post(
    "/catalogues/validate",
    summary="Validate member files (CSV, XLSX, JSON) as they are sent, without storing them",
)
async def validate_catalogues(
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
    lang: Annotated[str, Depends(get_language)],
) -> Response:
    files = await uploaded_files(request, service.settings.max_upload_bytes)
    timeout = service.settings.validation_timeout_seconds
    limits = service.settings.read_limits
    principal = get_principal(request)
    member = principal.member if principal.role is Role.MEMBER else None
    stored = await run_in_threadpool(stored_treatments, service.store, member)
    report = await run_validation(
        service,
        lambda: validate_files(
            files,
            lang,
            member_slug=member if stored is not None else None,
            timeout_seconds=timeout,
            limits=limits,
            stored_treatments=stored,
        ),
    )
    return report_response(report, request, lang)
