"""The triples that data writes changed since the inference step last read them.

The embedded store records, for each write, the triples it removed from and added to each
named graph, as N-Triples terms, so the inference step can recompute only what those
triples can change. A write whose changes are not known (a SPARQL update whose graphs a
scan cannot name, a bulk load, a graph too large to compare) makes the log incomplete, and
the next inference step then recomputes everything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

Triple = tuple[str, str, str]
# Reads one named graph's triples, or returns None when it is too large to compare.
GraphReader = Callable[[str], set[Triple] | None]


@dataclass(frozen=True)
class GraphChange:
    """The triples one write removed from and added to one named graph."""

    graph: str
    removed: frozenset[Triple]
    added: frozenset[Triple]


class ChangeLog:
    """The changes recorded since the last ``take``, or None for "not all known"."""

    def __init__(self, read_graph: GraphReader, complete: bool) -> None:
        self._read_graph = read_graph
        self._lock = threading.Lock()
        # Held from the snapshot before a write to the snapshot after it, so that the
        # difference is the write's own.
        self._write_lock = threading.RLock()
        self._changes: list[GraphChange] | None = [] if complete else None

    @contextmanager
    def recording(self, graphs: Collection[str] | None) -> Iterator[None]:
        """Record the changes the write in the block makes to the named ``graphs``; None
        means the graphs are not known. Writes to other graphs must not happen in it."""
        with self._write_lock:
            before = self._snapshot(graphs)
            try:
                yield
            finally:
                after = self._snapshot(graphs) if before is not None else None
                self.record(before, after)

    def _snapshot(self, graphs: Collection[str] | None) -> dict[str, set[Triple]] | None:
        if graphs is None:
            return None
        snapshot = {}
        for graph in graphs:
            triples = self._read_graph(graph)
            if triples is None:
                return None
            snapshot[graph] = triples
        return snapshot

    def record(
        self, before: Mapping[str, set[Triple]] | None, after: Mapping[str, set[Triple]] | None
    ) -> None:
        """Record the difference between two snapshots of the same graphs; None for either
        snapshot means the change is not known."""
        with self._lock:
            if self._changes is None:
                return
            if before is None or after is None:
                self._changes = None
                return
            for graph, old in before.items():
                new = after.get(graph, set())
                if old != new:
                    self._changes.append(
                        GraphChange(graph, frozenset(old - new), frozenset(new - old))
                    )

    def record_unknown(self) -> None:
        """Record a write whose changes are not known."""
        with self._lock:
            self._changes = None

    def take(self) -> list[GraphChange] | None:
        """Return the changes recorded so far and start a new, complete log; None when some
        change is not known."""
        with self._lock:
            changes = self._changes
            self._changes = []
            return changes
