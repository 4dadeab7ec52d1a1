"""A write lock that the processes sharing one remote store take in turn.

Oxigraph server 0.5.13 runs each SPARQL update on a snapshot taken when the update starts
and does not detect conflicting writes: its transactions are "repeatable read". Two updates
that both find "version 3 does not exist yet" therefore both store version 3, and two
concurrent replacements of one graph leave the union of both. No SPARQL update can serve
as a compare-and-set, so the processes serialise their writes with this lock instead.

The lock is Lamport's bakery algorithm (1974), which needs only writes that land whole and
reads that see every write committed before them. Each contender is one resource in
``LOCK_GRAPH``:

1. it announces that it is choosing a ticket;
2. it takes a ticket one higher than any ticket it reads, and stops choosing;
3. it waits until no other contender is choosing and none holds a lower ticket (equal
   tickets are ordered by the contenders' IRIs);
4. it writes, then deletes its resource.

A contender that waits or holds the lock renews its ``renewed`` time, the server's NOW(),
every quarter of the lease. A resource whose time is older than the lease belongs to a
process that died: the others skip and delete it, so a killed process blocks them for at
most the lease. All times come from the server's clock, so the clocks of the hosts that run
the service need not agree.

NOTE: a process stalled for longer than the lease (a paused virtual machine, for example)
loses the lock without noticing, and its next write may then run beside another one.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from vic_semantic.errors import StoreError
from vic_semantic.namespaces import BASE, GRAPH

logger = logging.getLogger(__name__)

LOCK_GRAPH = str(GRAPH["write-lock"])
_TERMS = BASE + "write-lock#"
_CHOOSING = f"<{_TERMS}choosing>"
_TICKET = f"<{_TERMS}ticket>"
_RENEWED = f"<{_TERMS}renewed>"

# A query that returns rows of variable bindings, and an update; both bypass the lock.
Select = Callable[[str], list[dict[str, str]]]
Update = Callable[[str], None]

_FIRST_POLL_SECONDS = 0.005
_MAX_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class _Contender:
    iri: str
    ticket: int | None
    choosing: bool
    age_seconds: float


class StoreWriteLock:
    """A lock held in the store itself, re-entrant within one thread.

    ``lease_seconds`` is how long a contender that stopped renewing still counts, and
    ``wait_seconds`` how long ``held`` waits for its turn before it raises StoreError.
    """

    def __init__(
        self,
        select: Select,
        update: Update,
        *,
        lease_seconds: float = 30.0,
        wait_seconds: float = 600.0,
    ) -> None:
        self._select = select
        self._update = update
        self.lease_seconds = lease_seconds
        self.wait_seconds = wait_seconds
        # Threads of one process queue here, so at most one of them contends in the store.
        self._local = threading.RLock()
        self._depth = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the duration of the ``with`` block; nested blocks share it."""
        with self._local:
            self._depth += 1
            try:
                if self._depth > 1:
                    yield
                else:
                    with self._contend():
                        yield
            finally:
                self._depth -= 1

    @contextmanager
    def _contend(self) -> Iterator[None]:
        iri = f"urn:uuid:{uuid.uuid4()}"
        renewal: _Renewal | None = None
        try:
            self._announce(iri)
            ticket = self._take_ticket(iri)
            renewal = _Renewal(self, iri)
            self._wait_for_turn(iri, ticket)
            yield
        finally:
            if renewal is not None:
                renewal.stop()
            self._leave(iri)

    def _announce(self, iri: str) -> None:
        self._update(
            f"INSERT {{ GRAPH <{LOCK_GRAPH}> {{ <{iri}> {_CHOOSING} true ; {_RENEWED} ?now }} }} "
            "WHERE { BIND(NOW() AS ?now) }"
        )

    def _take_ticket(self, iri: str) -> int:
        rows = self._select(
            f"SELECT (MAX(?ticket) AS ?highest) WHERE {{ GRAPH <{LOCK_GRAPH}> {{ "
            f"?contender {_TICKET} ?ticket }} }}"
        )
        highest = rows[0].get("highest") if rows else None
        ticket = int(highest) + 1 if highest else 1
        # One request, so no other contender sees this one neither choosing nor ticketed.
        self._update(
            f"DELETE WHERE {{ GRAPH <{LOCK_GRAPH}> {{ <{iri}> ?p ?o }} }} ;\n"
            f"INSERT {{ GRAPH <{LOCK_GRAPH}> {{ <{iri}> {_TICKET} {ticket} ; "
            f"{_RENEWED} ?now }} }} WHERE {{ BIND(NOW() AS ?now) }}"
        )
        return ticket

    def _wait_for_turn(self, iri: str, ticket: int) -> None:
        deadline = time.monotonic() + self.wait_seconds
        pause = _FIRST_POLL_SECONDS
        while True:
            blocking = self._blocking(iri, ticket)
            if blocking is None:
                return
            if time.monotonic() > deadline:
                raise StoreError(
                    f"Запись в хранилище ждала очереди дольше {self.wait_seconds:g} с: "
                    f"запись другого процесса ({blocking}) не закончилась. Повторите позже.",
                    f"The write waited for its turn longer than {self.wait_seconds:g} s: "
                    f"another process's write ({blocking}) has not finished. Try again "
                    "later.",
                )
            time.sleep(pause)
            pause = min(pause * 2, _MAX_POLL_SECONDS)

    def _blocking(self, iri: str, ticket: int) -> str | None:
        """Return the IRI of a live contender that goes first, or None when this one may."""
        for other in self._contenders():
            if other.iri == iri:
                continue
            if other.age_seconds > self.lease_seconds:
                logger.warning(
                    "removing the write lock entry %s, not renewed for %.0f s; its process "
                    "has probably stopped",
                    other.iri,
                    other.age_seconds,
                )
                self._leave(other.iri)
                continue
            if other.choosing:
                return other.iri
            if other.ticket is not None and (other.ticket, other.iri) < (ticket, iri):
                return other.iri
        return None

    def _contenders(self) -> list[_Contender]:
        rows = self._select(
            "SELECT ?contender (MAX(?renewed) AS ?latest) (MAX(?ticket) AS ?number) "
            "(COUNT(?choosing) AS ?choices) (NOW() AS ?now) WHERE { "
            f"GRAPH <{LOCK_GRAPH}> {{ ?contender {_RENEWED} ?renewed . "
            f"OPTIONAL {{ ?contender {_TICKET} ?ticket }} "
            f"OPTIONAL {{ ?contender {_CHOOSING} ?choosing }} }} }} GROUP BY ?contender"
        )
        contenders = []
        for row in rows:
            age = _parse_time(row["now"]) - _parse_time(row["latest"])
            contenders.append(
                _Contender(
                    iri=row["contender"],
                    ticket=int(row["number"]) if row.get("number") else None,
                    choosing=int(row["choices"]) > 0,
                    age_seconds=age.total_seconds(),
                )
            )
        return contenders

    def _leave(self, iri: str) -> None:
        try:
            self._update(f"DELETE WHERE {{ GRAPH <{LOCK_GRAPH}> {{ <{iri}> ?p ?o }} }}")
        except StoreError as error:
            logger.warning(
                "could not remove the write lock entry %s (%s); other processes skip it "
                "once it is %.0f s old",
                iri,
                error,
                self.lease_seconds,
            )

    def renew(self, iri: str) -> None:
        """Set the entry's renewal time to the server's NOW(), if the entry still exists."""
        self._update(
            f"DELETE {{ GRAPH <{LOCK_GRAPH}> {{ <{iri}> {_RENEWED} ?old }} }} "
            f"INSERT {{ GRAPH <{LOCK_GRAPH}> {{ <{iri}> {_RENEWED} ?now }} }} "
            f"WHERE {{ GRAPH <{LOCK_GRAPH}> {{ <{iri}> {_RENEWED} ?old }} BIND(NOW() AS ?now) }}"
        )


class _Renewal:
    """A thread that renews one entry every quarter of the lease until stopped."""

    def __init__(self, lock: StoreWriteLock, iri: str) -> None:
        self._lock = lock
        self._iri = iri
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="write-lock-renewal", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self._lock.lease_seconds / 4):
            try:
                self._lock.renew(self._iri)
            except StoreError as error:
                logger.warning("could not renew the write lock entry %s: %s", self._iri, error)

    def stop(self) -> None:
        # Joined before the entry is deleted, so a late renewal cannot write it back.
        self._stopped.set()
        self._thread.join()


def _parse_time(value: str) -> dt.datetime:
    """Parse an xsd:dateTime; fractions beyond microseconds are dropped."""
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        # NOTE: a server that returns NOW() without a time zone is taken to mean UTC.
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed
