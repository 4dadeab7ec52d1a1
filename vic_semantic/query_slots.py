"""A per-client limit on the API queries running at once, so one client cannot take every worker.

Each running query takes a slot of its client before it starts and gives it back when it
ends: finished, failed, stopped at its time limit, or abandoned by its client. A query of a
client that already has ``limit`` slots is rejected at once with ``TooManyQueriesError``
instead of waiting for a worker, so other clients' queries still find free workers.

The counts are kept in this process. ``acquire`` never waits, so the event loop and worker
threads may both call it and ``QuerySlot.release``. A lock keeps the counts exact.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field

from vic_semantic.errors import VicError

logger = logging.getLogger(__name__)


class TooManyQueriesError(VicError):
    """Raised when a client already runs its maximum number of queries (429 in the API)."""

    def __init__(self, client: str, running: int, limit: int, retry_after_seconds: int) -> None:
        super().__init__(
            f"Клиент «{client}» уже выполняет запросов: {running}, а одновременно допускается "
            f"не больше {limit} (VIC_QUERIES_PER_CLIENT). Дождитесь завершения своих запросов "
            f"(повторите через {retry_after_seconds} с) или попросите администратора увеличить "
            "VIC_QUERIES_PER_CLIENT.",
            f"The client '{client}' already runs {running} queries, and at most {limit} may run "
            f"at once (VIC_QUERIES_PER_CLIENT). Wait for your queries to finish (retry in "
            f"{retry_after_seconds} s), or ask the administrator to raise "
            "VIC_QUERIES_PER_CLIENT.",
        )
        self.client = client
        self.running = running
        self.limit = limit
        self.retry_after_seconds = retry_after_seconds
        # The API puts these in the error body, so a program need not parse the message.
        self.details = {"client": client, "running": running, "limit": limit}


@dataclass
class QuerySlot:
    """The slot of one running query of ``client``, given back by ``release``."""

    client: str
    started: float
    _slots: ClientQuerySlots = field(repr=False)
    released: bool = False

    def release(self) -> None:
        """Give the slot back. Later calls do nothing, so every exit path may call it."""
        self._slots._release(self)


class ClientQuerySlots:
    """The running queries of each client in this process, at most ``limit`` per client.

    ``timeout_seconds`` is the query time limit, used only for the Retry-After estimate.
    """

    def __init__(self, limit: int, timeout_seconds: float) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        self.limit = limit
        self.timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._running: dict[str, list[QuerySlot]] = {}

    def acquire(self, client: str) -> QuerySlot:
        """Take a slot of ``client``, or raise TooManyQueriesError at once when none is left."""
        now = time.monotonic()
        with self._lock:
            taken = self._running.setdefault(client, [])
            if len(taken) >= self.limit:
                retry_after = self._retry_after(taken, now)
                raise TooManyQueriesError(client, len(taken), self.limit, retry_after)
            slot = QuerySlot(client, now, self)
            taken.append(slot)
            return slot

    def running(self, client: str) -> int:
        """Return how many queries ``client`` runs now."""
        with self._lock:
            return len(self._running.get(client, ()))

    def total_running(self) -> int:
        """Return how many queries all clients run now."""
        with self._lock:
            return sum(len(taken) for taken in self._running.values())

    def _release(self, slot: QuerySlot) -> None:
        with self._lock:
            if slot.released:
                return
            slot.released = True
            taken = self._running[slot.client]
            taken.remove(slot)
            # Clients come and go (one per remote address), so empty entries are dropped.
            if not taken:
                del self._running[slot.client]
        logger.debug("released a query slot of %s", slot.client)

    def _retry_after(self, taken: list[QuerySlot], now: float) -> int:
        """Return whole seconds until the client's oldest query reaches the time limit.

        By then that query has usually ended or been stopped. It may run longer when it first
        waited for a worker, or when its client still reads a streamed result, so the value
        is an estimate, at least 1 s.
        """
        oldest = min(slot.started for slot in taken)
        remaining = self.timeout_seconds - (now - oldest)
        return max(1, math.ceil(remaining))
