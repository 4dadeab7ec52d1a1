"""Build the FastAPI application from settings; ``create_app`` is the only entry point."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api.dependencies import require_read
from api.errors import install_error_handlers
from api.lifecycle import start_service, stop_service
from api.metrics import ServiceMetrics
from api.request_log import RequestLogMiddleware
from api.routers import (
    cluster,
    graph_store,
    home,
    mapping,
    ontology,
    operations,
    portal,
    reconcile,
    search,
    sparql,
    validation,
    veterinary,
)
from api.sparql_middleware import SparqlEndpointMiddleware
from vic_semantic.config import Settings, get_settings
from vic_semantic.query_slots import ClientQuerySlots
from vic_semantic.service import VicService

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None, service: VicService | None = None) -> FastAPI:
    """Return the application; it opens the store at start-up unless ``service`` is given."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = service is None
        app.state.service = service or start_service(settings)
        metrics.watch_store(app.state.service.store)
        logger.info("vic-semantic ready")
        yield
        if owned:
            stop_service(app.state.service)
        logger.info("vic-semantic stopped")

    app = FastAPI(
        title="vic-semantic",
        summary="Семантическая совместимость ВИК «Гомель–Москва» / "
        "Semantic interoperability of the Gomel–Moscow cluster",
        version="0.1.0",
        lifespan=lifespan,
        # Every route reads at least: anonymous requests get 401 here when reading is closed.
        # Writes check their graphs again in the routers.
        dependencies=[Depends(require_read)],
    )
    # One count of running queries per client for this process (api.query_slots).
    app.state.query_slots = ClientQuerySlots(
        settings.client_query_limit, settings.query_timeout_seconds
    )
    # Added first, so it is the innermost: SPARQL queries skip FastAPI's routing, but not
    # CORS, the request log or the metrics.
    app.add_middleware(SparqlEndpointMiddleware)
    # Browsers may read and query from any origin, but never with credentials: a page of
    # another site must not act with a member's token.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
    )
    # Added last, so it wraps the others and sees every response, errors of CORS included.
    metrics = ServiceMetrics()
    app.state.metrics = metrics
    app.add_middleware(RequestLogMiddleware, metrics=metrics)
    install_error_handlers(app)
    app.include_router(home.router)
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(validation.router)
    app.include_router(ontology.router)
    app.include_router(search.router)
    app.include_router(reconcile.router)
    app.include_router(cluster.router)
    app.include_router(portal.router)
    app.include_router(operations.router)
    app.include_router(mapping.router)
    app.include_router(veterinary.router)
    # The portal's stylesheet and the vendored SPARQL editor (scripts/vendor-js.sh): the
    # machines the portal runs on may be offline, so nothing is loaded from a CDN.
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
