"""Request ids, one log line per request, and the request metrics, as ASGI middleware.

A client may send its own ``X-Request-ID`` (1 to 128 characters out of letters, digits and
``-_.:``); any other value is replaced by a new UUID. The id comes back in the response's
``X-Request-ID`` header, in the request's log line and in the audit records of its writes.

The principal in the log line is the one the access-control dependencies stored in
``request.state.principal``; without it, the middleware authenticates the bearer token
itself. The token is never logged.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.metrics import ServiceMetrics
from vic_semantic.access import ANONYMOUS, Principal
from vic_semantic.request_context import RequestContext, enter_request, leave_request

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
UNMATCHED_ROUTE = "<unmatched>"


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """Return the client's request id when it is sane, else a new UUID."""
    for name, value in headers:
        if name.lower() == REQUEST_ID_HEADER.encode():
            text = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Assign the request id, log each HTTP request once, and observe its metrics."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = request_id_from(scope.get("headers", []))
        context = RequestContext(request_id, lambda: _principal(scope))
        token = enter_request(context)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = _route_template(scope)
            self.metrics.observe_request(scope["method"], route, status, seconds)
            _log_request(scope, route, status, seconds, context)
            leave_request(token)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


def _principal(scope: Scope) -> Principal | None:
    """Return the principal the access dependencies found, or authenticate the token here."""
    state: dict[str, Any] = scope.get("state") or {}
    found = state.get("principal")
    if isinstance(found, Principal):
        return found

    header = ""
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            header = value.decode("latin-1")
    if not header:
        return ANONYMOUS
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    service = getattr(scope["app"].state, "service", None)
    if service is None:
        return None
    principal: Principal | None = service.tokens.authenticate(secret.strip())
    return principal


def _log_request(
    scope: Scope, route: str, status: int, seconds: float, context: RequestContext
) -> None:
    principal = context.principal
    fields = {
        "request_id": context.request_id,
        "method": scope["method"],
        "route": route,
        "path": scope.get("path", ""),
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        "role": principal.role.value if principal else "unknown",
        "member": principal.member if principal else None,
    }
    logger.info(
        "%s %s %d %.1f ms role=%s member=%s id=%s",
        fields["method"],
        fields["path"],
        status,
        fields["duration_ms"],
        fields["role"],
        fields["member"] or "-",
        context.request_id,
        extra={"fields": fields},
    )
