"""Operations endpoints: readiness, Prometheus metrics, and an online backup for the administrator.

``/health`` (in ``home``) reports only that the process serves HTTP. ``/ready`` reports
whether the service can do its work: the store is open and runs a query, and the ontology
graph is loaded. Load balancers should route requests only to a ready instance.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tarfile
import tempfile
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.background import BackgroundTask

from api.dependencies import require_admin
from api.metrics import ServiceMetrics
from vic_semantic.access import Principal
from vic_semantic.backup import backup
from vic_semantic.namespaces import ONTOLOGY_GRAPH
from vic_semantic.service import VicService

logger = logging.getLogger(__name__)

router = APIRouter(tags=["Operations"])

# A store that takes longer than this to answer ASK {} is not ready for requests.
READY_TIMEOUT_SECONDS = 5.0


def _not_ready(check: str, message_ru: str, message_en: str) -> JSONResponse:
    logger.warning("not ready: %s: %s", check, message_en)
    return JSONResponse(
        {"status": "not_ready", "check": check, "message_ru": message_ru, "message_en": message_en},
        status_code=503,
    )


@router.get("/ready", summary="Readiness: the store answers and the ontology is loaded")
async def ready(request: Request) -> Response:
    service: VicService | None = getattr(request.app.state, "service", None)
    if service is None:
        return _not_ready(
            "service",
            "Сервис ещё запускается или уже остановлен.",
            "The service is starting or has stopped.",
        )
    try:
        await asyncio.wait_for(
            run_in_threadpool(service.store.ask, "ASK {}"), READY_TIMEOUT_SECONDS
        )
        ontology = await asyncio.wait_for(
            run_in_threadpool(
                service.store.ask, f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
            ),
            READY_TIMEOUT_SECONDS,
        )
    except TimeoutError:
        return _not_ready(
            "store",
            f"Хранилище не ответило на простой запрос за {READY_TIMEOUT_SECONDS:g} с.",
            f"The store did not answer a trivial query within {READY_TIMEOUT_SECONDS:g} s.",
        )
    except OSError as error:
        return _not_ready(
            "store",
            f"Хранилище не отвечает: {error}.",
            f"The store does not answer: {error}.",
        )
    if not ontology:
        return _not_ready(
            "ontology",
            f"Граф онтологии <{ONTOLOGY_GRAPH}> пуст: перезапустите сервер с "
            "VIC_LOAD_DEMO=true (он восстановит графы онтологии и форм SHACL из файлов) или, "
            f"остановив сервер, загрузите её: vic-semantic load --graph {ONTOLOGY_GRAPH} "
            "ontology/*.ttl.",
            f"The ontology graph <{ONTOLOGY_GRAPH}> is empty: restart the server with "
            "VIC_LOAD_DEMO=true (which restores the ontology and SHACL shapes graphs from the "
            f"files), or stop the server and load it: vic-semantic load --graph {ONTOLOGY_GRAPH} "
            "ontology/*.ttl.",
        )
    return JSONResponse({"status": "ready"})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    registry = _metrics(request).registry
    body = await run_in_threadpool(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _metrics(request: Request) -> ServiceMetrics:
    found: ServiceMetrics = request.app.state.metrics
    return found


@router.get(
    "/admin/backup",
    summary="Online backup of the store as a tar archive (administrator only)",
    response_class=FileResponse,
)
async def admin_backup(
    request: Request, principal: Annotated[Principal, Depends(require_admin)]
) -> Response:
    """Make a consistent backup while writes go on, and send it as an uncompressed tar.

    The backup is made beside the store, so a checkpoint hard-links the store's files, and
    both the folder and the archive are deleted once the response is sent.
    """
    service: VicService = request.app.state.service
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=service.settings.data_dir))
    folder = work / "backup"
    archive = work / "backup.tar"
    try:
        manifest = await run_in_threadpool(backup, service.store, service.settings.data_dir, folder)
        await run_in_threadpool(_tar, folder, archive)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    logger.info(
        "online backup of %d triples sent to token %s", manifest.triples, principal.token_id
    )
    return FileResponse(
        archive,
        media_type="application/x-tar",
        filename=f"vic-semantic-backup-{uuid.uuid4().hex[:8]}.tar",
        background=BackgroundTask(shutil.rmtree, work, ignore_errors=True),
    )


def _tar(folder: Path, archive: Path) -> None:
    with tarfile.open(archive, "w") as tar:
        tar.add(folder, arcname=".")
