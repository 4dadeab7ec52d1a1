"""SHACL validation of RDF documents and of member files, before members exchange them."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from api.dependencies import get_language, get_service, read_body
from api.errors import HttpError
from api.negotiation import choose_media_type
from vic_semantic.rdf import format_for_media_type, parse_rdf, to_rdflib
from vic_semantic.service import VicService
from vic_semantic.validation import ValidationReport, validate_files, validate_graph

router = APIRouter(tags=["Validation"])

_REPORT_TYPES = ["application/json", "text/turtle"]
_MAX_FILES = 20


def _report_response(report: ValidationReport, request: Request, lang: str) -> Response:
    accept = request.headers.get("accept", "")
    media_type = choose_media_type(accept, _REPORT_TYPES)
    if media_type is None:
        raise HttpError(
            406,
            "not_acceptable",
            f"Отчёт доступен в форматах: {', '.join(_REPORT_TYPES)}.",
            f"The report is available as: {', '.join(_REPORT_TYPES)}.",
        )
    headers = {"Content-Language": lang}
    if media_type == "text/turtle":
        return Response(
            report.to_turtle(), media_type="text/turtle; charset=utf-8", headers=headers
        )
    return JSONResponse(report.to_json(lang), headers=headers)


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
    report = await run_in_threadpool(validate_graph, to_rdflib(quads))
    return _report_response(report, request, lang)


async def _uploaded_files(request: Request, limit: int) -> list[tuple[str, bytes]]:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise HttpError(
            415,
            "unsupported_media_type",
            "Отправьте файлы как multipart/form-data в поле «file».",
            "Send the files as multipart/form-data in the field 'file'.",
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HttpError(
            413,
            "payload_too_large",
            f"Запрос больше допустимых {limit} байт. Отправьте файлы по частям.",
            f"The request is larger than the {limit} bytes allowed. Send fewer files at once.",
        )
    files = []
    async with request.form(max_files=_MAX_FILES, max_part_size=limit) as form:
        for item in form.getlist("file"):
            if isinstance(item, UploadFile):
                files.append(await _read_upload(item, limit))
    if not files:
        raise HttpError(
            400,
            "missing_file",
            "Нет ни одного файла в поле «file».",
            "No file was sent in the field 'file'.",
        )
    return files


async def _read_upload(item: UploadFile, limit: int) -> tuple[str, bytes]:
    """Return the upload's base name and content, raising 413 past ``limit`` bytes.

    Only the last path segment of the client's file name is kept: the name appears in
    reports, and "../../etc/passwd" or "C:\\x\\y.csv" must not read as a path.
    """
    name = PurePosixPath((item.filename or "file").replace("\\", "/")).name
    if name in {"", ".", ".."}:
        name = "file"
    data = await item.read(limit + 1)
    if len(data) > limit:
        raise HttpError(
            413,
            "file_too_large",
            f"Файл «{name}» больше {limit} байт.",
            f"The file '{name}' is larger than {limit} bytes.",
        )
    return name, data


@router.post(
    "/catalogues/validate",
    summary="Validate member files (CSV, XLSX, JSON) as they are sent, without storing them",
)
async def validate_catalogues(
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
    lang: Annotated[str, Depends(get_language)],
) -> Response:
    files = await _uploaded_files(request, service.settings.max_upload_bytes)
    report = await run_in_threadpool(validate_files, files)
    return _report_response(report, request, lang)
