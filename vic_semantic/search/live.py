"""The index of a store kept current: rebuilt on the first search after the store changes."""

from __future__ import annotations

import logging
import threading
import weakref

from vic_semantic.search.hooks import store_version
from vic_semantic.search.index import SearchIndex
from vic_semantic.store.embedded import EmbeddedStore

logger = logging.getLogger(__name__)


class LiveIndex:
    """A search index of one store that rebuilds itself when the store's version changes."""

    def __init__(self, store: EmbeddedStore) -> None:
        self._store = store
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()

    def current(self) -> SearchIndex:
        """Return an index of the store as it is now, rebuilding it if the store changed."""
        with self._lock:
            index = self._index
            if index is None or index.version != store_version(self._store):
                index = SearchIndex.from_store(self._store)
                self._index = index
            return index

    def invalidate(self) -> None:
        """Drop the index, so the next ``current()`` rebuilds it whatever the version says."""
        with self._lock:
            self._index = None


_live: weakref.WeakKeyDictionary[EmbeddedStore, LiveIndex] = weakref.WeakKeyDictionary()
_live_lock = threading.Lock()


def live_index(store: EmbeddedStore) -> LiveIndex:
    """Return the one ``LiveIndex`` of ``store``, creating it on first use."""
    with _live_lock:
        live = _live.get(store)
        if live is None:
            live = LiveIndex(store)
            _live[store] = live
        return live
