"""Read-only snapshots of the on-disk embedded store, for the query worker processes.

pyoxigraph 0.5 can open a store read-only (``Store.read_only``), but its documentation calls
that undefined behaviour while another process writes the same database, and a read-only
handle never sees writes made after it opened. So workers never open the live store: they
open a snapshot, a RocksDB checkpoint made by ``Store.backup``, which nobody writes.

A snapshot is made on the first API query after a write and reused until the next write.
A checkpoint hard-links the store's immutable files, so on the demo it takes tens of
milliseconds (see docs/benchmarks.md). A snapshot is deleted once no query uses it; a
worker that still holds it open keeps reading its files, which Linux keeps until closed.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from vic_semantic.errors import StoreError

logger = logging.getLogger(__name__)


# pyoxigraph 0.5.13's Store.backup (a RocksDB checkpoint) fails now and then while other
# threads write and flush the store, with RuntimeError "Corruption: File smaller than
# expected for copy: …/000732.log expecting 40227 more bytes after 738": the checkpoint
# expected more of the live write-ahead log than the file held at that moment. The store
# itself stays intact and another attempt succeeds, so a checkpoint is tried this many times.
_CHECKPOINT_ATTEMPTS = 4


class _BackupSource(Protocol):
    def backup(self, target_directory: str) -> None: ...


def checkpoint(source: _BackupSource, target: Path) -> None:
    """Make a RocksDB checkpoint of ``source`` in the new folder ``target``.

    A checkpoint that failed as it raced with a write is made again. Raises StoreError when
    every attempt fails, or at once for an OSError (for example, ``target`` exists or the
    disk is full).
    """
    if target.exists():
        # Checked here, so the clean-up between attempts never removes a folder it did not
        # make.
        raise _checkpoint_error(target, FileExistsError("the folder already exists"))
    for attempt in range(1, _CHECKPOINT_ATTEMPTS + 1):
        try:
            source.backup(str(target))
            return
        except OSError as error:
            raise _checkpoint_error(target, error) from error
        except RuntimeError as error:
            if attempt == _CHECKPOINT_ATTEMPTS:
                raise _checkpoint_error(target, error) from error
            logger.warning(
                "checkpoint to %s failed (attempt %d of %d), trying again: %s",
                target,
                attempt,
                _CHECKPOINT_ATTEMPTS,
                error,
            )
            # RocksDB removes its staging folder itself; this clears anything it left.
            shutil.rmtree(target, ignore_errors=True)


def _checkpoint_error(target: Path, error: Exception) -> StoreError:
    return StoreError(
        f"Не удалось создать копию хранилища в {target}: {error}. Проверьте свободное место "
        "на диске и права на папку.",
        f"Failed to create a copy of the store in {target}: {error}. Check the free disk "
        "space and the folder's permissions.",
    )


class Snapshots:
    """Snapshots of one store under ``folder``, one per write generation of the store."""

    def __init__(self, source: _BackupSource, folder: Path) -> None:
        # Snapshots left by an earlier run are stale; the store's lock means no other
        # process can be using this folder.
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self._source = source
        self._folder = folder
        self._lock = threading.Lock()
        self._current: tuple[int, Path] | None = None
        self._users: Counter[Path] = Counter()

    @contextmanager
    def use(self, generation: int) -> Iterator[Path]:
        """Yield a snapshot holding at least every write up to ``generation``.

        The snapshot stays on disk while the ``with`` block runs.
        """
        path = self.acquire(generation)
        try:
            yield path
        finally:
            self.release(path)

    def acquire(self, generation: int) -> Path:
        """Return a snapshot holding every write up to ``generation``, making it if needed.

        The snapshot stays on disk until ``release`` is called with the returned path.
        """
        with self._lock:
            if self._current is None or self._current[0] != generation:
                self._replace(generation)
            assert self._current is not None
            path = self._current[1]
            self._users[path] += 1
            return path

    def acquire_made(self, generation: int) -> Path | None:
        """Return the snapshot of ``generation`` as ``acquire`` does if it exists, else None.

        Never waits: None also means that another thread holds the lock, perhaps while it
        makes a snapshot. An event loop then calls ``acquire`` on a thread.
        """
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if self._current is None or self._current[0] != generation:
                return None
            path = self._current[1]
            self._users[path] += 1
            return path
        finally:
            self._lock.release()

    def release(self, path: Path) -> None:
        """End one use of ``path`` begun by ``acquire`` or ``acquire_made``."""
        with self._lock:
            self._users[path] -= 1
            self._delete_if_unused(path)

    def close(self) -> None:
        """Delete every snapshot; queries still running keep their open files."""
        with self._lock:
            self._current = None
            shutil.rmtree(self._folder, ignore_errors=True)

    def _replace(self, generation: int) -> None:
        path = self._folder / f"generation-{generation}-{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        checkpoint(self._source, path)
        logger.info(
            "snapshot of write generation %d made in %.3f s",
            generation,
            time.perf_counter() - started,
        )
        previous = self._current
        self._current = (generation, path)
        if previous is not None:
            self._delete_if_unused(previous[1])

    def _delete_if_unused(self, path: Path) -> None:
        """Delete ``path`` unless it is current or a query uses it; call with the lock held."""
        if self._users[path] > 0 or (self._current is not None and self._current[1] == path):
            return
        del self._users[path]
        shutil.rmtree(path, ignore_errors=True)
