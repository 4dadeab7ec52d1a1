"""Reading uploaded member files and returning validation reports, for the routers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from api.errors import HttpError
from api.negotiation import choose_media_type
from vic_semantic.service import VicService
from vic_semantic.validation import ValidationReport
from vic_semantic.validation.fast import ValidationTimeoutError
from vic_semantic.validation.html_report import render_html

T = TypeVar("T")

_REPORT_TYPES = ["application/json", "text/turtle", "application/ld+json", "text/html"]


def report_response(
    report: ValidationReport,
    request: Request,
    lang: str,
    status_code: int = 200,
    extra: dict[str, object] | None = None,
) -> Response:
    """Return the report in the format the Accept header requests, or raise 406.

    ``extra`` fields are added to the JSON body (for example the stored version).
    """
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
            report.to_turtle(),
            status_code=status_code,
            media_type="text/turtle; charset=utf-8",
            headers=headers,
        )
    if media_type == "application/ld+json":
        return Response(
            report.to_jsonld(),
            status_code=status_code,
            media_type="application/ld+json",
            headers=headers,
        )
    if media_type == "text/html":
        return HTMLResponse(render_html(report, lang), status_code=status_code, headers=headers)
    return JSONResponse({**report.to_json(lang), **(extra or {})}, status_code, headers)


async def run_validation(service: VicService, function: Callable[[], T]) -> T:
    """Run a validation in a worker thread, raising 503 past the configured time limit.

    NOTE: a thread cannot be stopped, so the conversion of a large file, or pySHACL (used
    for shapes the fast engine does not cover), may run on after the 503; the fast engine
    and the submission pipeline stop at their own deadlines. The thread keeps its slot
    until it ends, so abandoned validations cannot pile up.
    """
    limit = service.settings.validation_timeout_seconds
    slots = service.validation_slots
    if not await _acquire(slots):
        raise _busy(service.settings.validation_slots)

    def run_and_release() -> T:
        try:
            return function()
        finally:
            slots.release()

    try:
        return await asyncio.wait_for(run_in_threadpool(run_and_release), timeout=limit)
    except (TimeoutError, ValidationTimeoutError) as error:
        raise HttpError(
            503,
            "validation_timeout",
            f"Проверка не уложилась в {limit:g} с; ничего не записано. Отправьте файлы по "
            "частям, с меньшим числом строк.",
            f"The validation did not finish within {limit:g} s; nothing was stored. Send "
            "the files in parts with fewer rows.",
        ) from error


# Seconds a validation waits for a free slot before the 503: writes of several clients at
# once then queue briefly instead of failing.
_SLOT_WAIT_SECONDS = 30.0


async def _acquire(slots: threading.BoundedSemaphore) -> bool:
    """Take a validation slot, waiting up to ``_SLOT_WAIT_SECONDS`` in a worker thread."""
    if slots.acquire(blocking=False):
        return True
    waiting = asyncio.ensure_future(
        asyncio.to_thread(slots.acquire, True, _SLOT_WAIT_SECONDS)
    )
    try:
        return await asyncio.shield(waiting)
    except asyncio.CancelledError:
        # The thread may still take the slot after the request is gone; give it back then.
        waiting.add_done_callback(lambda done: _release_if_taken(slots, done))
        raise


def _release_if_taken(slots: threading.BoundedSemaphore, waiting: asyncio.Future[bool]) -> None:
    if not waiting.cancelled() and waiting.exception() is None and waiting.result():
        slots.release()


def _busy(slots: int) -> HttpError:
    return HttpError(
        503,
        "validation_busy",
        f"Все {slots} мест для проверок (VIC_VALIDATION_SLOTS) заняты дольше "
        f"{_SLOT_WAIT_SECONDS:g} с. Повторите запрос через минуту.",
        f"All {slots} validation slots (VIC_VALIDATION_SLOTS) stayed busy for over "
        f"{_SLOT_WAIT_SECONDS:g} s. Send the request again in a minute.",
        retry_after_seconds=60,
    )
