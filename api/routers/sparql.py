"""The SPARQL 1.1 Protocol endpoint: queries by GET and POST, updates by POST.

Protocol: https://www.w3.org/TR/sparql11-protocol/ (query and update operations, sections
2.1 and 2.2). A GET without a query returns the service description
(https://www.w3.org/TR/sparql11-service-description/). Request parsing lives in
``vic_semantic.sparql.protocol``; this module maps it onto HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache, partial

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.dependencies import (
    checked_graphs,
    get_language,
    get_service,
    read_body,
    require_registered_writer,
    require_update_write,
)
from api.errors import HttpError, error_body
from api.negotiation import choose_media_type
from api.query_slots import (
    ClosingStreamingResponse,
    acquire_query_slot,
    holding_slot,
    holding_slot_blocking,
)
from api.service_description import service_description
from api.validation_http import report_response, run_validation
from vic_semantic.access import Principal, Role
from vic_semantic.errors import QuerySyntaxError, VicError
from vic_semantic.inference import materialise
from vic_semantic.namespaces import INFERRED_GRAPH
from vic_semantic.query_slots import QuerySlot
from vic_semantic.service import VicService
from vic_semantic.sparql.formats import BOOLEAN_FORMATS, GRAPH_FORMATS, RESULTS_FORMATS
from vic_semantic.sparql.lexer import QueryForm, has_triple_term
from vic_semantic.sparql.protocol import Kind, Operation, ProtocolError, read_get, read_post
from vic_semantic.sparql.query_facts import facts
from vic_semantic.sparql.syntax_hints import engine_update_error, explain
from vic_semantic.sparql.update_dataset import RewrittenUpdate, add_update_dataset
from vic_semantic.sparql.update_targets import TargetKind, WrittenGraph, written_graphs
from vic_semantic.store.base import Dataset
from vic_semantic.store.embedded import EmbeddedStore
from vic_semantic.store.streaming import chunks_on_threads, close_chunks
from vic_semantic.submissions.checked_writes import run_update_checked
from vic_semantic.triple_terms import TripleTermError

logger = logging.getLogger(__name__)

router = APIRouter(tags=["SPARQL"])

# Chunks of a result (about 64 KiB each, see vic_semantic.store.execution) taken before the
# response starts. A result that fits in them is sent whole with a Content-Length. A larger
# one is streamed, and a query that fails within them still gets an error status.
LOOK_AHEAD_CHUNKS = 2

_ALLOWED_METHODS = "GET, POST"


@contextmanager
def _protocol_errors() -> Iterator[None]:
    """Turn a ProtocolError into a 400 response that carries its code."""
    try:
        yield
    except ProtocolError as error:
        raise HttpError(400, error.code, error.message_ru, error.message_en) from error


def endpoint_iri(service: VicService) -> str:
    """Return the public IRI of the endpoint, the base IRI of queries and updates."""
    return service.settings.base_url.rstrip("/") + "/sparql"


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _dataset(operation: Operation) -> Dataset:
    inferred = (operation.params.get("inferred") or ["true"])[-1].lower()
    if inferred not in _TRUE | _FALSE:
        raise HttpError(
            400,
            "invalid_parameter",
            f"Параметр inferred: «{inferred}» не является логическим значением; укажите true "
            "(с выводами, по умолчанию) или false (только записанные тройки).",
            f"Parameter inferred: '{inferred}' is not a boolean; give true (with inferences, "
            "the default) or false (stored triples only).",
        )
    return Dataset(
        default_graphs=operation.graphs("default-graph-uri"),
        named_graphs=operation.graphs("named-graph-uri"),
        include_inferred=inferred in _TRUE,
    )


def _offers(form: QueryForm | None) -> list[str]:
    if form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE):
        return list(GRAPH_FORMATS)
    if form is QueryForm.ASK:
        return list(BOOLEAN_FORMATS)
    return list(RESULTS_FORMATS)


@lru_cache(maxsize=256)
def _negotiate(accept: str, form: QueryForm | None) -> str | None:
    """Return the media type for an Accept header; clients send the same few again and again."""
    return choose_media_type(accept, _offers(form))


def _not_acceptable(accept: str, offers: list[str]) -> HttpError:
    listed = ", ".join(offers)
    return HttpError(
        406,
        "not_acceptable",
        f"Нет подходящего формата для Accept: {accept}. Доступны: {listed}.",
        f"No format matches Accept: {accept}. Available: {listed}.",
    )


def _require_size(service: VicService, text: str) -> None:
    limit = service.settings.max_query_bytes
    if len(text.encode()) > limit:
        raise HttpError(
            413,
            "query_too_large",
            f"Запрос длиннее {limit} байт.",
            f"The query is longer than {limit} bytes.",
        )


async def _run_query(service: VicService, request: Request, operation: Operation) -> Response:
    try:
        return await _answer_query(service, request, operation)
    except QuerySyntaxError as error:
        raise explain(error, operation.text, is_update=False) from error


async def _answer_query(service: VicService, request: Request, operation: Operation) -> Response:
    _require_size(service, operation.text)
    form = facts(operation.text).form
    accept = request.headers.get("accept", "")
    media_type = _negotiate(accept, form)
    if media_type is None:
        raise _not_acceptable(accept, _offers(form))

    dataset = _dataset(operation)
    # The client's query slot comes back when its result has been taken whole, or when the
    # stream of a larger result ends or is closed.
    slot = acquire_query_slot(request)
    try:
        head, rest = await _start_result(service, operation.text, dataset, media_type, slot)
    except BaseException:
        slot.release()  # the chunks may never have started, so their own release never ran
        raise
    charset = "; charset=utf-8" if not media_type.endswith("+xml") else ""
    if rest is None:
        return Response(b"".join(head), media_type=f"{media_type}{charset}")
    return ClosingStreamingResponse(_relay(head, rest), media_type=f"{media_type}{charset}")


async def _start_result(
    service: VicService, query: str, dataset: Dataset, media_type: str, slot: QuerySlot
) -> tuple[list[bytes], AsyncGenerator[bytes, None] | None]:
    """Start a query and take its first chunks; the rest is None when they are all.

    Errors up to here (syntax, time or row limit, store) still become an HTTP error status,
    because no byte of the response has been sent. The chunks release ``slot`` when they
    end or are closed.
    """
    store = service.store
    arguments = (
        query,
        dataset,
        endpoint_iri(service),
        RESULTS_FORMATS.get(media_type),
        GRAPH_FORMATS.get(media_type),
    )
    if isinstance(store, EmbeddedStore):
        # Awaited on the event loop, so that no thread-pool hand-off is added to each query.
        return await _look_ahead(holding_slot(slot, store.astream_query(*arguments)))

    # Another store's client blocks, so its first chunks are taken in one thread hand-off.
    start = partial(holding_slot_blocking, slot, partial(store.stream_query, *arguments))
    head, rest = await run_in_threadpool(_look_ahead_blocking, start)
    return head, None if rest is None else chunks_on_threads(rest)


async def _look_ahead(
    chunks: AsyncGenerator[bytes, None],
) -> tuple[list[bytes], AsyncGenerator[bytes, None] | None]:
    head: list[bytes] = []
    try:
        for _ in range(LOOK_AHEAD_CHUNKS):
            try:
                head.append(await anext(chunks))
            except StopAsyncIteration:
                return head, None
    except BaseException:
        await chunks.aclose()
        raise
    return head, chunks


def _look_ahead_blocking(
    start: Callable[[], Iterator[bytes]],
) -> tuple[list[bytes], Iterator[bytes] | None]:
    chunks = start()
    head: list[bytes] = []
    try:
        for _ in range(LOOK_AHEAD_CHUNKS):
            chunk = next(chunks, None)
            if chunk is None:
                return head, None
            head.append(chunk)
    except BaseException:
        close_chunks(chunks)
        raise
    return head, chunks


async def _relay(
    head: list[bytes], rest: AsyncGenerator[bytes, None]
) -> AsyncGenerator[bytes, None]:
    """Send the chunks of a result that is still being computed.

    The status line has gone out, so an error from here on cannot become an error status.
    The response then ends with a line, naming the error, that no SPARQL results or RDF
    parser accepts. The connection is closed without the end of the chunked body, so an
    HTTP client reports the transfer as incomplete and never takes the part for the whole.
    CSV has no syntax that the line could break, so there the incomplete transfer is the
    only signal.
    """
    try:
        for chunk in head:
            yield chunk
        async for chunk in rest:
            yield chunk
    except VicError as error:
        logger.warning("a streamed query result stopped after it began: %s", error.message_en)
        yield _broken_tail(error)
        raise ResultStreamBroken(error.message_en) from error
    finally:
        await rest.aclose()


class ResultStreamBroken(RuntimeError):
    """Raised to make the server drop a connection whose result could not be completed."""


def _broken_tail(error: VicError) -> bytes:
    text = (
        f"\n!! vic-semantic: результат неполон, {error.message_ru} / the result is "
        f"incomplete, {error.message_en} !!\n"
    )
    return text.encode()


async def _run_update(
    service: VicService, request: Request, principal: Principal, operation: Operation
) -> Response:
    try:
        return await _apply_update(service, request, principal, operation)
    except QuerySyntaxError as error:
        raise explain(error, operation.text, is_update=True) from error


async def _apply_update(
    service: VicService, request: Request, principal: Principal, operation: Operation
) -> Response:
    _require_size(service, operation.text)
    with _protocol_errors():
        rewritten = add_update_dataset(
            operation.text,
            operation.graphs("using-graph-uri"),
            operation.graphs("using-named-graph-uri"),
        )
    if has_triple_term(rewritten.text):
        raise TripleTermError("SPARQL Update")
    if principal.role is not Role.ADMIN:
        targets = await _authorise_member_update(service, request, rewritten)
        written = [target.name for target in targets if target.kind is TargetKind.GRAPH]
        checked = checked_graphs(request, written)
        if checked:
            return await _run_checked_update(service, request, rewritten, written, checked)
    elif _may_name_inferred_graph(rewritten.text):
        await _authorise_admin_update(service, request, rewritten.text)
    await run_in_threadpool(
        service.store.run_update,
        rewritten.text,
        endpoint_iri(service),
        rewritten.original_position,
    )
    await run_in_threadpool(materialise, service.store)
    return Response(status_code=204)


async def _run_checked_update(
    service: VicService,
    request: Request,
    update: RewrittenUpdate,
    written: list[str],
    checked: list[str],
) -> Response:
    """Apply a member's update only if the graphs in ``checked`` then have no violations."""
    lang = get_language(request)
    report = await run_validation(
        service,
        lambda: run_update_checked(
            service.store,
            update.text,
            endpoint_iri(service),
            written,
            checked,
            lang=lang,
            timeout_seconds=service.settings.validation_timeout_seconds,
            locate=update.original_position,
        ),
    )
    if not report.conforms:
        return report_response(report, request, lang, 422, {"stored": False})
    await run_in_threadpool(materialise, service.store)
    return Response(status_code=204)


async def _authorise_member_update(
    service: VicService, request: Request, rewritten: RewrittenUpdate
) -> list[WrittenGraph]:
    """Return the graphs the update writes; raise 413 or 403 unless the member may write them.

    Updates of the administrator, who writes every graph, are not parsed: that keeps bulk
    updates fast, and the inferred graph they might write is recomputed right after.
    """
    update = rewritten.text
    limit = service.settings.max_member_update_bytes
    if len(update.encode()) > limit:
        raise HttpError(
            413,
            "update_too_large",
            f"Обновление длиннее {limit} байт, допустимых для участника. Загрузите данные в "
            "свой граф через Graph Store (PUT или POST /graphs?graph=...).",
            f"The update is longer than the {limit} bytes a member may send. Upload the "
            "data to your graph through the Graph Store (PUT or POST /graphs?graph=...).",
        )
    try:
        targets = await run_in_threadpool(written_graphs, update, endpoint_iri(service))
    except QuerySyntaxError as error:
        # rdflib often reports its failure at line 1, column 1; the engine's parser names
        # the real position.
        engine_error = await run_in_threadpool(
            engine_update_error, update, endpoint_iri(service), rewritten.original_position
        )
        raise (engine_error or error) from error
    require_update_write(request, targets)
    return targets


def _may_name_inferred_graph(update: str) -> bool:
    """Return whether ``update`` may name the inferred graph, so it must be parsed.

    The IRI (or a prefixed name for it) contains "inferred" unless written with \\u escapes.
    """
    lowered = update.lower()
    return "inferred" in lowered or "\\u" in lowered


async def _authorise_admin_update(service: VicService, request: Request, update: str) -> None:
    """Raise 403 when an administrator's update writes the inferred graph by name.

    The recompute after the update would throw that change away. ALL, NAMED and ``GRAPH ?g``
    stay allowed: they change the inferred graph only as part of wider changes.
    """
    try:
        targets = await run_in_threadpool(written_graphs, update, endpoint_iri(service))
    except QuerySyntaxError:
        # The engine reports the syntax error, with its position, when the update runs.
        # NOTE: an update only pyoxigraph parses (SPARQL 1.2 syntax) is not checked here.
        return
    if WrittenGraph(TargetKind.GRAPH, str(INFERRED_GRAPH)) in targets:
        require_update_write(request, targets)


@router.get("/sparql", summary="SPARQL query by GET, or the service description")
async def sparql_get(request: Request) -> Response:
    # The service is taken here, not through Depends: FastAPI runs a plain-function
    # dependency on the thread pool, a hand-off that costs more than the lookup.
    service = get_service(request)
    with _protocol_errors():
        operation = read_get(request.url.query)
    if operation is None:
        return service_description(service, request)
    return await _run_query(service, request, operation)


@router.post("/sparql", summary="SPARQL query or update by POST (form or direct body)")
async def sparql_post(request: Request) -> Response:
    service = get_service(request)
    body = await read_body(request, service.settings.max_query_bytes)
    with _protocol_errors():
        operation = read_post(request.headers.get("content-type"), request.url.query, body)
    if operation.kind is Kind.QUERY:
        return await _run_query(service, request, operation)
    principal = await require_registered_writer(request)
    return await _run_update(service, request, principal, operation)


@router.api_route(
    "/sparql",
    methods=["PUT", "DELETE", "PATCH"],
    include_in_schema=False,
)
async def sparql_other_method(request: Request) -> Response:
    """Reject methods the protocol does not define, naming the ones it does."""
    error = HttpError(
        405,
        "method_not_allowed",
        f"Метод {request.method} не поддерживается: запросы принимаются методами GET и POST, "
        "обновления методом POST.",
        f"The method {request.method} is not supported: queries are accepted by GET and "
        "POST, updates by POST.",
    )
    lang = get_language(request)
    return JSONResponse(
        error_body(error, lang),
        status_code=405,
        headers={"Allow": _ALLOWED_METHODS, "Content-Language": lang},
    )
