"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/graphs``.

Protocol: https://www.w3.org/TR/sparql11-http-rdf-update/. A graph is named indirectly
(``/graphs?graph=IRI``, ``/graphs?default`` for the store's unnamed default graph) or
directly: the IRI of ``{base_url}/graphs/some/path`` is the graph that request reads and
writes. ``/graphs`` alone is the graph store itself. GET returns the whole dataset in TriG
or N-Quads. POST of triples creates a new graph and returns its IRI in Location. POST of
TriG or N-Quads adds each quad to the graph it names.

Reads are open to every principal allowed to read. Writes need a bearer token: a member
writes only its own graphs, the administrator every graph but the inferred one, and every
write recomputes the inferred graph afterwards. A member's catalogue graph is not written
here at all (403: it changes only through POST /catalogues), and a write to a member's
veterinary graph lands only when the resulting graph has no violations (422 with the report).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.dependencies import (
    checked_graphs,
    get_language,
    get_service,
    read_body,
    require_graph_write,
    require_registered_writer,
)
from api.errors import HttpError, error_body
from api.negotiation import choose_media_type
from api.validation_http import report_response, run_validation
from vic_semantic.inference import materialise
from vic_semantic.service import VicService
from vic_semantic.sparql.formats import DATASET_FORMATS, GRAPH_FORMATS
from vic_semantic.sparql.graph_upload import (
    is_dataset_format,
    parse_quads,
    parse_triples,
    upload_format,
)
from vic_semantic.sparql.protocol import ProtocolError, media_type_and_charset, parse_params, single
from vic_semantic.submissions.checked_writes import add_quads_checked, write_graph_checked
from vic_semantic.validation.report import ValidationReport

logger = logging.getLogger(__name__)

router = APIRouter(tags=["Graph Store"])

PREFIX = "/graphs"
_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
_STORE_METHODS = "GET, HEAD, POST"
_MAX_PARTS = 100


@dataclass(frozen=True)
class Target:
    """The target of a request: one graph (``None`` is the default graph) or the store."""

    graph: str | None
    is_store: bool = False


@contextmanager
def _protocol_errors() -> Iterator[None]:
    try:
        yield
    except ProtocolError as error:
        raise HttpError(400, error.code, error.message_ru, error.message_en) from error


def graph_store_iri(service: VicService) -> str:
    """Return the public IRI of the graph store; direct graph IRIs start with it."""
    return service.settings.base_url.rstrip("/") + PREFIX


def _target(request: Request, service: VicService) -> Target:
    with _protocol_errors():
        params = parse_params(request.url.query, "URL")
        graph = single(params, "graph")
    direct = _request_path(request) not in {PREFIX, PREFIX + "/"}

    if direct:
        if graph is not None or "default" in params:
            raise HttpError(
                400,
                "graph_named_twice",
                "Граф уже задан путём запроса; уберите параметр graph или default.",
                "The request path already names the graph; remove the graph or default parameter.",
            )
        return Target(service.settings.base_url.rstrip("/") + _request_path(request))

    if graph is not None and "default" in params:
        raise HttpError(
            400,
            "graph_named_twice",
            "Передайте либо graph, либо default, но не оба.",
            "Send either graph or default, not both.",
        )
    if "default" in params:
        return Target(None)
    if graph is None:
        return Target(None, is_store=True)
    _require_absolute_iri(graph)
    return Target(graph)


def _request_path(request: Request) -> str:
    """Return the path as the client sent it, percent-encoding kept, so the IRI is exact."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    return path.split("?", 1)[0]


def _require_absolute_iri(iri: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise HttpError(
            400,
            "invalid_iri",
            f"Параметр graph: «{iri}» не является абсолютным IRI ({error}).",
            f"Parameter graph: '{iri}' is not an absolute IRI ({error}).",
        ) from error


def _not_found(target: Target) -> HttpError:
    return HttpError(
        404,
        "graph_not_found",
        f"Граф <{target.graph}> не найден.",
        f"The graph <{target.graph}> was not found.",
    )


def _not_acceptable(accept: str, offers: list[str]) -> HttpError:
    listed = ", ".join(offers)
    return HttpError(
        406,
        "not_acceptable",
        f"Нет подходящего формата для Accept: {accept}. Доступны: {listed}.",
        f"No format matches Accept: {accept}. Available: {listed}.",
    )


def _method_not_allowed(request: Request) -> JSONResponse:
    error = HttpError(
        405,
        "method_not_allowed",
        f"Метод {request.method} к хранилищу графов целиком не применяется: укажите граф "
        "параметром graph или default.",
        f"The method {request.method} does not apply to the whole graph store: name a graph "
        "with the graph or default parameter.",
    )
    lang = get_language(request)
    return JSONResponse(
        error_body(error, lang),
        status_code=405,
        headers={"Allow": _STORE_METHODS, "Content-Language": lang},
    )


def _content_type(media_type: str) -> str:
    return media_type if media_type.endswith("+xml") else f"{media_type}; charset=utf-8"


async def _read(service: VicService, request: Request, target: Target) -> Response:
    accept = request.headers.get("accept", "")
    offers = list(DATASET_FORMATS if target.is_store else GRAPH_FORMATS)
    media_type = choose_media_type(accept, offers)
    if media_type is None:
        raise _not_acceptable(accept, offers)

    if target.is_store:
        body = await run_in_threadpool(service.store.dump, DATASET_FORMATS[media_type])
    else:
        if not await run_in_threadpool(service.store.has_graph, target.graph):
            raise _not_found(target)
        body = await run_in_threadpool(
            service.store.serialize_graph, target.graph, GRAPH_FORMATS[media_type]
        )

    headers = {"Vary": "Accept"}
    if request.method == "HEAD":
        # HEAD sends the headers GET would send, Content-Length included, and no body.
        headers["Content-Length"] = str(len(body))
        return Response(b"", media_type=_content_type(media_type), headers=headers)
    return Response(body, media_type=_content_type(media_type), headers=headers)


async def _once(data: bytes) -> AsyncGenerator[bytes, None]:
    yield data


async def _multipart_triples(
    request: Request, body: bytes, base_iri: str | None
) -> list[ox.Triple]:
    """Parse every part of a multipart/form-data body; each part is one RDF document."""
    parser = MultiPartParser(
        request.headers, _once(body), max_files=_MAX_PARTS, max_fields=_MAX_PARTS
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise HttpError(
            400,
            "invalid_multipart",
            f"Тело multipart/form-data не разобрано: {error.message}.",
            f"The multipart/form-data body could not be parsed: {error.message}.",
        ) from error

    triples: list[ox.Triple] = []
    try:
        for name, part in form.multi_items():
            if not isinstance(part, UploadFile):
                raise HttpError(
                    400,
                    "multipart_field",
                    f"Часть «{name}» не файл: каждая часть должна быть RDF-документом "
                    "с Content-Type или расширением имени файла.",
                    f"The part '{name}' is not a file: each part must be an RDF document "
                    "with a Content-Type or a file name extension.",
                )
            with _protocol_errors():
                rdf_format = upload_format(part.content_type, part.filename)
            triples += parse_triples(await part.read(), rdf_format, base_iri)
    finally:
        await form.close()
    return triples


async def _uploaded_triples(
    service: VicService, request: Request, base_iri: str | None, allow_multipart: bool
) -> list[ox.Triple]:
    body = await read_body(request, service.settings.max_upload_bytes)
    content_type = request.headers.get("content-type")
    media_type, _ = media_type_and_charset(content_type)
    if media_type == "multipart/form-data" and allow_multipart:
        return await _multipart_triples(request, body, base_iri)
    with _protocol_errors():
        rdf_format = upload_format(content_type)
    return await run_in_threadpool(parse_triples, body, rdf_format, base_iri)


def _base_iri(service: VicService, target: Target) -> str:
    return target.graph or graph_store_iri(service) + "?default"


def _rejected(request: Request, report: ValidationReport) -> Response:
    """Return the 422 response of a write whose result has violations; nothing was stored."""
    lang = get_language(request)
    return report_response(report, request, lang, 422, {"stored": False})


async def _write_checked(
    service: VicService, request: Request, target: Target, triples: list[ox.Triple], replace: bool
) -> Response:
    """Write a graph that must conform to the shapes: 422 with the report when it does not."""
    assert target.graph is not None  # only named graphs are checked
    graph = target.graph
    existed = await run_in_threadpool(service.store.has_graph, graph)
    report = await run_validation(
        service,
        lambda: write_graph_checked(
            service.store,
            graph,
            triples,
            replace=replace,
            lang=get_language(request),
            timeout_seconds=service.settings.validation_timeout_seconds,
        ),
    )
    if not report.conforms:
        return _rejected(request, report)
    await run_in_threadpool(materialise, service.store)
    logger.info("%s checked graph %s: %d triples", request.method, graph, len(triples))
    return Response(status_code=204 if existed else 201)


async def _put(service: VicService, request: Request, target: Target, checked: bool) -> Response:
    triples = await _uploaded_triples(service, request, _base_iri(service, target), False)
    if checked:
        return await _write_checked(service, request, target, triples, replace=True)
    existed = await run_in_threadpool(service.store.has_graph, target.graph)
    await run_in_threadpool(service.store.put_graph, target.graph, triples)
    await run_in_threadpool(materialise, service.store)
    logger.info("PUT graph %s: %d triples", target.graph or "DEFAULT", len(triples))
    # NOTE: two PUTs of a new graph at once may both return 201; the content is still whole.
    return Response(status_code=204 if existed else 201)


async def _post(service: VicService, request: Request, target: Target, checked: bool) -> Response:
    triples = await _uploaded_triples(service, request, _base_iri(service, target), True)
    if checked:
        return await _write_checked(service, request, target, triples, replace=False)
    existed = await run_in_threadpool(service.store.has_graph, target.graph)
    await run_in_threadpool(service.store.post_graph, target.graph, triples)
    await run_in_threadpool(materialise, service.store)
    logger.info("POST graph %s: %d triples", target.graph or "DEFAULT", len(triples))
    return Response(status_code=204 if existed else 201)


def _require_dataset_writable(request: Request, quads: list[ox.Quad]) -> list[str]:
    """Raise 401 or 403 unless the principal may write every graph the dataset names.

    Returns the graphs whose result must be validated before the dataset is stored.
    """
    graphs: dict[str | None, None] = {}
    for quad in quads:
        name = quad.graph_name
        graphs.setdefault(None if isinstance(name, ox.DefaultGraph) else name.value, None)
    for graph in graphs:
        require_graph_write(request, graph)
    return checked_graphs(request, graphs)


async def _add_dataset_checked(
    service: VicService, request: Request, quads: list[ox.Quad], checked: list[str]
) -> Response:
    report = await run_validation(
        service,
        lambda: add_quads_checked(
            service.store,
            quads,
            checked,
            lang=get_language(request),
            timeout_seconds=service.settings.validation_timeout_seconds,
        ),
    )
    if not report.conforms:
        return _rejected(request, report)
    await run_in_threadpool(materialise, service.store)
    logger.info("POST dataset with checked graphs %s: %d quads", ", ".join(checked), len(quads))
    return Response(status_code=204)


async def _post_to_store(service: VicService, request: Request) -> Response:
    """Add a dataset's quads to their graphs, or store triples in a new graph (201)."""
    content_type = request.headers.get("content-type")
    with _protocol_errors():
        rdf_format = upload_format(content_type)

    if is_dataset_format(rdf_format):
        body = await read_body(request, service.settings.max_upload_bytes)
        quads = await run_in_threadpool(parse_quads, body, rdf_format, graph_store_iri(service))
        checked = _require_dataset_writable(request, quads)
        if checked:
            return await _add_dataset_checked(service, request, quads, checked)
        await run_in_threadpool(service.store.add_quads, quads)
        await run_in_threadpool(materialise, service.store)
        logger.info("POST dataset: %d quads", len(quads))
        return Response(status_code=204)

    graph = f"{graph_store_iri(service)}/{uuid.uuid4().hex}"
    require_graph_write(request, graph)
    triples = await _uploaded_triples(service, request, graph, False)
    await run_in_threadpool(service.store.put_graph, graph, triples)
    await run_in_threadpool(materialise, service.store)
    logger.info("POST created graph %s: %d triples", graph, len(triples))
    return Response(status_code=201, headers={"Location": graph})


async def _delete(service: VicService, target: Target) -> Response:
    if not await run_in_threadpool(service.store.delete_graph, target.graph):
        raise _not_found(target)
    await run_in_threadpool(materialise, service.store)
    logger.info("DELETE graph %s", target.graph or "DEFAULT")
    return Response(status_code=204)


async def _handle(service: VicService, request: Request) -> Response:
    target = _target(request, service)
    if request.method in {"GET", "HEAD"}:
        return await _read(service, request, target)

    if target.is_store and request.method != "POST":
        return _method_not_allowed(request)
    # A dataset's graphs are known only after parsing, so first turn away those who write nothing.
    await require_registered_writer(request)
    if target.is_store:
        return await _post_to_store(service, request)
    require_graph_write(request, target.graph)
    # Deleting a checked graph leaves no data, which has no violations, so it is not checked.
    checked = bool(checked_graphs(request, [target.graph]))
    if request.method == "PUT":
        return await _put(service, request, target, checked)
    if request.method == "POST":
        return await _post(service, request, target, checked)
    return await _delete(service, target)


async def graph_store(
    request: Request, service: Annotated[VicService, Depends(get_service)]
) -> Response:
    return await _handle(service, request)


async def graph_store_direct(
    graph_path: str, request: Request, service: Annotated[VicService, Depends(get_service)]
) -> Response:
    return await _handle(service, request)


# One route per method, so each has its own OpenAPI operation id.
for _method in _METHODS:
    router.add_api_route(
        PREFIX,
        graph_store,
        methods=[_method],
        operation_id=f"graph_store_{_method.lower()}",
        summary=f"Graph Store Protocol {_method}, indirect graph IRI (?graph= or ?default)",
    )
    router.add_api_route(
        PREFIX + "/{graph_path:path}",
        graph_store_direct,
        methods=[_method],
        operation_id=f"graph_store_direct_{_method.lower()}",
        summary=f"Graph Store Protocol {_method}, the request URL is the graph IRI",
    )
