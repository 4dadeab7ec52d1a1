"""A small state file beside the on-disk store: whether the inferred graph is current, and
which graphs a bulk load was filling.

Re-materialising the inferences of a large store at every start-up costs minutes and most
of the service's peak memory, so start-up skips it when this file records that the inferred
graph was computed from the data as it is. The file records "stale" from just before any
write until the inference step after it has finished, so a process killed in between leaves
it "stale".

A bulk load writes outside a transaction (``Store.bulk_load``, much faster at this size), so
it lists its target graphs here first, all of them when one load fills several. They were
empty before the load, so a load that was interrupted is undone by dropping them when the
store is next opened.

The file lives beside the store's folder, not in it, because RocksDB owns that folder. A
restore that replaces the store's folder leaves this file behind, so the file also keeps the
store's quad count; start-up recomputes the inferences when the count differs.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Collection
from pathlib import Path

logger = logging.getLogger(__name__)

CURRENT = "current"
STALE = "stale"


class StoreJournal:
    """The state file ``<store folder>-state.json`` of one on-disk store."""

    def __init__(self, store_path: Path) -> None:
        self.path = store_path.with_name(store_path.name + "-state.json")
        self._lock = threading.Lock()
        self._state = self._read()

    def _read(self) -> dict[str, object]:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"inferences": STALE, "loading": []}
        except (OSError, ValueError) as error:
            logger.warning(
                "store state file %s is unreadable (%s); treating it as stale", self.path, error
            )
            return {"inferences": STALE, "loading": []}
        if not isinstance(state, dict):
            return {"inferences": STALE, "loading": []}
        return state

    def _write(self) -> None:
        # Written to a new file and renamed, so a crash leaves the old or the new state.
        partial = self.path.with_name(self.path.name + ".partial")
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(self._state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(self.path)

    def inferences_current(self, quad_count: int) -> bool:
        """Return whether the inferred graph was computed from a store of ``quad_count`` quads
        and no write has begun since."""
        with self._lock:
            return (
                self._state.get("inferences") == CURRENT
                and self._state.get("quads") == quad_count
                and not self._state.get("loading")
            )

    def records_current(self) -> bool:
        """Return whether the file records the inferred graph as current, before the quad
        count is compared (``inferences_current``)."""
        with self._lock:
            return self._state.get("inferences") == CURRENT and not self._state.get("loading")

    def mark_stale(self) -> None:
        """Record that a write is about to change the data; call before every write."""
        with self._lock:
            if self._state.get("inferences") == STALE:
                return
            self._state["inferences"] = STALE
            self._state.pop("quads", None)
            self._write()

    def mark_current(self, quad_count: int) -> None:
        """Record that the inferred graph now matches a store of ``quad_count`` quads."""
        with self._lock:
            self._state["inferences"] = CURRENT
            self._state["quads"] = quad_count
            self._write()

    def loading(self) -> list[str]:
        """Return the graphs of a bulk load that began and did not finish."""
        with self._lock:
            graphs = self._state.get("loading")
            return [str(graph) for graph in graphs] if isinstance(graphs, list) else []

    def begin_load(self, graphs: Collection[str]) -> None:
        """Record that a bulk load is about to fill ``graphs``, all empty or new."""
        with self._lock:
            self._state["inferences"] = STALE
            self._state.pop("quads", None)
            self._state["loading"] = list(graphs)
            self._write()

    def end_load(self) -> None:
        """Record that the bulk load finished, or that its graphs were dropped."""
        with self._lock:
            self._state["loading"] = []
            self._write()
