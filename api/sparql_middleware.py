"""Send /sparql requests straight to their endpoint functions, ahead of FastAPI's router.

Through FastAPI, every SPARQL query passes its exception middleware, its routing and its
dependency solving. The routing tries the routers in turn, and the dependency solving
decodes the whole URL query string, which the endpoint decodes again. Together that cost
about 0.2 ms of CPU per query on the benchmark machine (docs/benchmarks.md). This
middleware calls the same endpoint functions of ``api.routers.sparql`` for GET and POST,
with the same read check and the same error responses. Other methods, and paths under a
``root_path``, go on to the router, whose /sparql routes also keep their place in the
OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from api.dependencies import require_read
from api.errors import handle_vic_error
from api.routers import sparql
from vic_semantic.errors import VicError

ENDPOINT_PATH = "/sparql"

Endpoint = Callable[[Request], Awaitable[Response]]

_ENDPOINTS: dict[str, Endpoint] = {"GET": sparql.sparql_get, "POST": sparql.sparql_post}


class SparqlEndpointMiddleware:
    """Serve GET and POST /sparql without FastAPI's routing, and pass other requests on.

    Add it as the innermost middleware, so that the request log, the metrics and CORS
    still wrap each query.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The request log and the metrics label a request with its route's path template.
        self._routes = {
            method: route
            for route in sparql.router.routes
            if isinstance(route, APIRoute) and route.path == ENDPOINT_PATH
            for method in route.methods or ()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = None
        if scope["type"] == "http" and scope["path"] == ENDPOINT_PATH:
            endpoint = _ENDPOINTS.get(scope["method"])
        if endpoint is None:
            await self.app(scope, receive, send)
            return

        scope["route"] = self._routes[scope["method"]]
        request = Request(scope, receive)
        try:
            await require_read(request)
            response = await endpoint(request)
        except VicError as error:
            response = await handle_vic_error(request, error)
        await response(scope, receive, send)
