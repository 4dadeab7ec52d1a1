"""The index of a store kept current by one background thread, so searches rarely wait for it.

A search reads the newest complete index. When the store has changed since that index was
built, the search still gets it at once and starts a rebuild in a background thread; later
searches read the old index until the new one replaces it whole. Only the very first
search of a store waits, because there is no older index to serve.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable

from vic_semantic.search.hooks import store_version
from vic_semantic.search.index import SearchIndex
from vic_semantic.store.base import Store

logger = logging.getLogger(__name__)

Build = Callable[[Store], SearchIndex]


class LiveIndex:
    """A search index of one store, rebuilt in the background when the store's version changes.

    At most one rebuild runs at a time. Searches that find the index stale while a rebuild
    runs start no other, because the rebuild checks the store's version when it ends and
    builds once more if writes landed meanwhile: any number of writes cost one more build.
    """

    def __init__(self, store: Store, build: Build = SearchIndex.from_store) -> None:
        """Follow ``store``; ``build`` makes an index and must record the version it read."""
        self._store = store
        self._build = build
        self._index: SearchIndex | None = None
        # invalidate() counts up; the index is stale while it was built before the last one.
        self._invalidations = 0
        self._index_invalidations = 0
        self._rebuilding = False
        self._failed_builds = 0
        self._error: BaseException | None = None
        self._changed = threading.Condition()

    def current(self) -> SearchIndex:
        """Return the newest complete index, starting a rebuild if the store has changed.

        Returns without waiting when an index exists, even a stale one. Calls made before the
        first index exists wait for the first build, and raise its error if it fails.
        """
        version = store_version(self._store)
        with self._changed:
            index = self._index
            if index is not None:
                if index.version != version or self._is_invalidated():
                    self._start_rebuild()
                return index
            return self._wait(lambda: self._index is not None, timeout=None)

    def wait_current(self, timeout: float) -> SearchIndex:
        """Wait until the index matches the store's current version, and return it.

        For callers that must see their own writes, such as tests and batch jobs. Raises
        TimeoutError after ``timeout`` seconds, or the error of a rebuild that fails.
        """
        version = store_version(self._store)

        def matches() -> bool:
            index = self._index
            return index is not None and index.version == version and not self._is_invalidated()

        with self._changed:
            return self._wait(matches, timeout)

    def invalidate(self) -> None:
        """Mark the index stale, so the next ``current()`` starts a rebuild whatever the version."""
        with self._changed:
            self._invalidations += 1

    @property
    def rebuilding(self) -> bool:
        """Whether a rebuild is running now."""
        with self._changed:
            return self._rebuilding

    def _is_invalidated(self) -> bool:
        return self._index_invalidations != self._invalidations

    def _wait(self, ready: Callable[[], bool], timeout: float | None) -> SearchIndex:
        """Wait under ``self._changed`` until ``ready()``; raise if a rebuild fails first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        failures_before = self._failed_builds
        while not ready():
            if self._failed_builds > failures_before and self._error is not None:
                raise self._error
            self._start_rebuild()
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError(
                    f"Индекс поиска не перестроен за {timeout} с. / "
                    f"The search index was not rebuilt within {timeout} s."
                )
            self._changed.wait(remaining)
        assert self._index is not None
        return self._index

    def _start_rebuild(self) -> None:
        """Start the rebuild thread unless one runs; call with ``self._changed`` held."""
        if self._rebuilding:
            return
        self._rebuilding = True
        thread = threading.Thread(target=self._rebuild, name="search-index-rebuild", daemon=True)
        thread.start()

    def _rebuild(self) -> None:
        """Build until the index matches the store's version, publishing each complete one."""
        while True:
            with self._changed:
                invalidations = self._invalidations
            try:
                index = self._build(self._store)
            except Exception as error:
                self._finish_failed(error)
                return

            with self._changed:
                self._index = index
                self._index_invalidations = invalidations
                self._changed.notify_all()
            if not self._changed_since(index):
                return

    def _changed_since(self, index: SearchIndex) -> bool:
        """Return whether writes landed after ``index`` was read; if not, end the rebuild.

        The check and the end of the rebuild happen under one lock, so a search that finds
        the index stale after this returns False starts a new rebuild.
        """
        try:
            version = store_version(self._store)
        except Exception as error:
            self._finish_failed(error)
            return False
        with self._changed:
            if version != index.version or self._is_invalidated():
                return True
            self._rebuilding = False
            self._changed.notify_all()
            return False

    def _finish_failed(self, error: Exception) -> None:
        # Searches keep the old index, and the next stale search tries again.
        logger.exception(
            "rebuilding the search index failed, searches keep the previous one: %s", error
        )
        with self._changed:
            self._error = error
            self._failed_builds += 1
            self._rebuilding = False
            self._changed.notify_all()


_live: weakref.WeakKeyDictionary[Store, LiveIndex] = weakref.WeakKeyDictionary()
_live_lock = threading.Lock()


def live_index(store: Store) -> LiveIndex:
    """Return the one ``LiveIndex`` of ``store``, creating it on first use."""
    with _live_lock:
        live = _live.get(store)
        if live is None:
            live = LiveIndex(store)
            _live[store] = live
        return live
