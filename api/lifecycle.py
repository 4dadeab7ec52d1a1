"""Start-up and shutdown of the service that an application owns (``vic-semantic serve``)."""

from __future__ import annotations

import logging

from vic_semantic.config import Settings
from vic_semantic.inference import ensure_materialised
from vic_semantic.service import VicService
from vic_semantic.store.embedded import EmbeddedStore
from vic_semantic.store.workers import close_shared_pool

logger = logging.getLogger(__name__)


def start_service(settings: Settings) -> VicService:
    """Open the store, recompute the inferred graph if it may be behind, and compact it.

    A process killed between a write and the inference step after it leaves the inferred
    graph behind the data; recomputing it at start-up repairs that. The embedded store
    records when its inferred graph is current, and then start-up skips the recomputation.
    An embedded store is compacted before the first query, because queries on the files a
    load leaves behind take about a quarter longer (``EmbeddedStore.optimize``).
    """
    service = VicService.open(settings)
    ensure_materialised(service.store)
    if isinstance(service.store, EmbeddedStore):
        # NOTE: the files that API writes add later are merged only by RocksDB's own
        # compaction, so after many writes a lookup may read several files per index again
        # until the next start.
        service.store.optimize()
    return service


def stop_service(service: VicService) -> None:
    """Flush and close the store, then stop the query worker processes.

    Runs after the server has finished the requests in progress, so no query still needs
    a worker.
    """
    service.close()
    close_shared_pool()
    logger.info("store closed and query workers stopped")
