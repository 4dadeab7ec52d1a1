"""Query worker processes: API queries of the embedded store run here so they can be stopped.

pyoxigraph (0.5) has no query timeout, and a running query cannot be interrupted from
Python. A worker process that passes its deadline is therefore killed and a new one is
started when next needed. Each worker opens the snapshot it is sent (a read-only copy of
the store, see ``snapshots``) and keeps it open until a task names a newer one.

Workers are started with the "spawn" method: forking a process that holds an open RocksDB
store and running threads would copy locks in whatever state they were in. As with any
"spawn" child, the worker imports the parent's main module, so a script that runs API
queries of an embedded store needs the ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import AsyncGenerator, Iterable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

import pyoxigraph as ox

from vic_semantic.errors import (
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
    StoreUnavailableError,
)
from vic_semantic.store.execution import QueryTask, stream
from vic_semantic.store.syntax import syntax_error

logger = logging.getLogger(__name__)

# Starting a worker imports pyoxigraph and the extension functions' modules (the search
# functions load pymorphy3's dictionaries); a worker not ready by then is broken.
_STARTUP_SECONDS = 120.0
_SPAWN = multiprocessing.get_context("spawn")

# Messages of a worker for one task: any number of ("chunk", bytes), the result as it is
# written, then one outcome: ("end", the last chunk or None), ("syntax", message),
# ("too_large", max_rows), ("store", message) or ("error", message). Exceptions are not
# sent as such, because the library's errors take two messages and so cannot be unpickled.
Outcome = tuple[str, object]


def _serve(connection: Connection, preload: tuple[str, ...]) -> None:
    """Run tasks from ``connection`` until it closes; the entry point of a worker process."""
    for module in preload:
        importlib.import_module(module)
    connection.send(("ready", None))

    opened_path: str | None = None
    store: ox.Store | None = None
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        path, task = message
        if store is None or opened_path != path:
            store = None  # close the older snapshot before opening the new one
            try:
                store = ox.Store.read_only(path)
                opened_path = path
            except OSError as error:
                connection.send(("store", f"{path}: {error}"))
                continue
        connection.send(_outcome(store, task, connection))


def _outcome(store: ox.Store, task: QueryTask, connection: Connection) -> Outcome:
    # Each chunk waits until the next one comes, so the last one travels with "end" and a
    # small result is one message.
    pending: list[bytes] = []

    def send_chunk(chunk: bytes) -> None:
        if pending:
            connection.send(("chunk", pending.pop()))
        pending.append(chunk)

    try:
        stream(store, task, send_chunk)
        return "end", pending[0] if pending else None
    except SyntaxError as error:
        return "syntax", str(error)
    except ResultTooLargeError as error:
        return "too_large", error.max_rows
    except OSError as error:
        return "store", str(error)
    except Exception as error:  # an extension function may raise anything
        return "error", f"{type(error).__name__}: {error}"


class _Worker:
    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection

    def stop(self) -> None:
        """Kill the process and wait for it, so no query of it keeps running."""
        self.process.kill()
        self.process.join(timeout=10)
        self.connection.close()


class QueryPool:
    """Up to ``size`` worker processes, started on demand, each running one query at a time."""

    def __init__(self, size: int, preload: Iterable[str] = ()) -> None:
        self.size = size
        self._preload = set(preload)
        self._idle: list[_Worker] = []
        self._started = 0
        self._condition = threading.Condition()
        self._closed = False

    def preload(self, modules: Iterable[str]) -> None:
        """Make workers started from now on import ``modules`` before their first task."""
        with self._condition:
            self._preload.update(modules)

    def run(self, snapshot: str, task: QueryTask, timeout: float) -> bytes:
        """Run ``task`` and return its whole result; see ``stream``."""
        return b"".join(self.stream(snapshot, task, timeout))

    def stream(self, snapshot: str, task: QueryTask, timeout: float) -> Iterator[bytes]:
        """Run ``task`` on the snapshot at ``snapshot``; yield its result in chunks.

        The worker is killed once ``timeout`` seconds have passed since the task was sent,
        whether it is still computing or waiting for the consumer to take its chunks. Waiting
        for a free worker may take up to ``timeout`` seconds more. Raises QueryTimeoutError,
        StoreUnavailableError when every worker stays busy, and the errors of the query
        itself (QuerySyntaxError, ResultTooLargeError, StoreError), possibly after chunks.
        Closing the iterator before its end kills the worker, whose result is unfinished.
        """
        worker = self._acquire(timeout)
        started = time.monotonic()
        finished = False
        try:
            worker.connection.send((snapshot, task))
            while True:
                kind, payload = self._receive(worker, task, started, timeout)
                if kind != "chunk":
                    finished = True
                    if kind != "end":
                        _raise(kind, payload)
                if isinstance(payload, bytes):
                    yield payload
                if finished:
                    return
        finally:
            if finished:
                self._release(worker)
            else:
                self._discard(worker)

    async def astream(
        self, snapshot: str, task: QueryTask, timeout: float
    ) -> AsyncGenerator[bytes, None]:
        """Run ``task`` as ``stream`` does, with its limits and errors, on the running loop.

        The loop watches the worker's end of the pipe, so no thread waits while the query
        runs. An event loop that used ``stream`` would hand each query to a thread. Only
        waiting for a worker while all are busy, and starting one, run on a thread.
        Closing the generator before its end kills the worker, whose result is unfinished.
        """
        worker = self._take_idle() or await self._acquire_on_thread(timeout)
        started = time.monotonic()
        finished = False
        try:
            worker.connection.send((snapshot, task))
            while True:
                kind, payload = await self._areceive(worker, task, started, timeout)
                if kind != "chunk":
                    finished = True
                    if kind != "end":
                        _raise(kind, payload)
                if isinstance(payload, bytes):
                    yield payload
                if finished:
                    return
        finally:
            if finished:
                self._release(worker)
            else:
                self._discard_off_loop(worker)

    async def _acquire_on_thread(self, timeout: float) -> _Worker:
        acquiring = asyncio.ensure_future(asyncio.to_thread(self._acquire, timeout))
        try:
            return await asyncio.shield(acquiring)
        except asyncio.CancelledError:
            # The thread may still get a worker, which must then go back to the pool.
            acquiring.add_done_callback(self._release_acquired)
            raise

    def _release_acquired(self, acquiring: asyncio.Future[_Worker]) -> None:
        if not acquiring.cancelled() and acquiring.exception() is None:
            self._release(acquiring.result())

    def _discard_off_loop(self, worker: _Worker) -> None:
        """Kill ``worker`` now and wait for its end on a thread, so the loop goes on."""
        worker.process.kill()
        try:
            asyncio.get_running_loop().run_in_executor(None, self._discard, worker)
        except RuntimeError:  # no running loop: the generator was finalised outside one
            self._discard(worker)

    async def _areceive(
        self, worker: _Worker, task: QueryTask, started: float, timeout: float
    ) -> Outcome:
        remaining = started + timeout - time.monotonic()
        try:
            if remaining > 0 and await _readable(worker.connection, remaining):
                # NOTE: ``recv`` reads a whole message, so one larger than the socket buffer
                # keeps the loop waiting until the worker has written the rest.
                message: Outcome = worker.connection.recv()
                return message
        except (EOFError, OSError) as error:
            raise _worker_failed(error) from error
        raise _timed_out(task, started, timeout)

    def _receive(self, worker: _Worker, task: QueryTask, started: float, timeout: float) -> Outcome:
        remaining = started + timeout - time.monotonic()
        try:
            if remaining > 0 and worker.connection.poll(remaining):
                message: Outcome = worker.connection.recv()
                return message
        except (EOFError, OSError) as error:
            raise _worker_failed(error) from error
        raise _timed_out(task, started, timeout)

    def close(self) -> None:
        """Stop the idle workers now; busy ones stop when their query ends."""
        with self._condition:
            self._closed = True
            idle, self._idle = self._idle, []
            self._condition.notify_all()
        for worker in idle:
            worker.stop()

    def _take_idle(self) -> _Worker | None:
        """Return an idle worker, or None at once when there is none."""
        with self._condition:
            if self._idle and not self._closed:
                return self._idle.pop()
            return None

    def _acquire(self, timeout: float) -> _Worker:
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                if self._closed:
                    raise StoreError(
                        "Хранилище закрыто: запросы больше не принимаются.",
                        "The store is closed: no more queries are accepted.",
                    )
                if self._idle:
                    return self._idle.pop()
                if self._started < self.size:
                    self._started += 1
                    preload = tuple(sorted(self._preload))
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _busy(self.size, timeout)
                self._condition.wait(remaining)

        try:
            return _start(preload)
        except BaseException:
            with self._condition:
                self._started -= 1
                self._condition.notify()
            raise

    def _release(self, worker: _Worker) -> None:
        with self._condition:
            if not self._closed:
                self._idle.append(worker)
                self._condition.notify()
                return
        worker.stop()

    def _discard(self, worker: _Worker) -> None:
        worker.stop()
        with self._condition:
            self._started -= 1
            self._condition.notify()


def _start(preload: tuple[str, ...]) -> _Worker:
    """Start a worker process and wait until it has imported ``preload``."""
    parent, child = _SPAWN.Pipe()
    process = _SPAWN.Process(
        target=_serve, args=(child, preload), name="vic-query-worker", daemon=True
    )
    process.start()
    child.close()
    worker = _Worker(process, parent)
    try:
        ready = parent.poll(_STARTUP_SECONDS) and parent.recv()[0] == "ready"
    except (EOFError, OSError):
        ready = False
    if not ready:
        worker.stop()
        raise StoreError(
            f"Процесс выполнения запросов не запустился (код выхода {process.exitcode}). "
            "Проверьте журнал сервиса; скрипт, запускающий хранилище, должен вызывать его "
            'под if __name__ == "__main__":, иначе новый процесс выполнит скрипт заново.',
            f"The query worker process did not start (exit code {process.exitcode}). Check "
            "the service log; a script that opens the store must do so under "
            'if __name__ == "__main__":, or the new process runs the script again.',
        )
    logger.info("started query worker process %s", process.pid)
    return worker


async def _readable(connection: Connection, seconds: float) -> bool:
    """Wait on the running loop until ``connection`` has data; False after ``seconds``."""
    if connection.poll(0):
        return True
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[bool] = loop.create_future()

    def wake(value: bool) -> None:
        if not ready.done():
            ready.set_result(value)

    descriptor = connection.fileno()
    loop.add_reader(descriptor, wake, True)
    timer = loop.call_later(seconds, wake, False)
    try:
        return await ready
    finally:
        timer.cancel()
        loop.remove_reader(descriptor)
        # uvloop makes a watched descriptor non-blocking, but ``Connection.recv`` reads a
        # whole message and fails with EAGAIN on a non-blocking one.
        os.set_blocking(descriptor, True)


def _worker_failed(error: BaseException) -> StoreError:
    return StoreError(
        f"Процесс выполнения запросов завершился аварийно ({error}). Повторите запрос; "
        "если ошибка повторяется, проверьте журнал сервиса и свободную память.",
        f"The query worker process ended unexpectedly ({error}). Retry the query; if "
        "this repeats, check the service log and free memory.",
    )


def _timed_out(task: QueryTask, started: float, timeout: float) -> QueryTimeoutError:
    logger.warning(
        "stopped a query after %.1f s (limit %g s): %.200s",
        time.monotonic() - started,
        timeout,
        task.query,
    )
    return QueryTimeoutError(timeout, "встроенное хранилище", "embedded store")


def _raise(kind: str, payload: object) -> None:
    """Raise the library's error for a worker's outcome other than "end"."""
    if kind == "syntax":
        raise syntax_error(str(payload))
    if kind == "too_large" and isinstance(payload, int):
        raise ResultTooLargeError(payload)
    raise StoreError(
        f"Встроенное хранилище не выполнило запрос: {payload}",
        f"The embedded store failed to run the query: {payload}",
    )


def _busy(size: int, timeout: float) -> StoreUnavailableError:
    return StoreUnavailableError(
        f"Все {size} процессов выполнения запросов заняты дольше {timeout:g} с. Повторите "
        "запрос позже или увеличьте query_workers.",
        f"All {size} query worker processes stayed busy for more than {timeout:g} s. Retry "
        "later, or raise query_workers.",
    )


_shared: QueryPool | None = None
_shared_lock = threading.Lock()


def shared_pool(size: int) -> QueryPool:
    """Return this process's one query pool, growing it to ``size`` workers if smaller.

    Every embedded store of a process shares the pool, so tests that open many stores do
    not start workers for each.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = QueryPool(size)
            atexit.register(_shared.close)
        else:
            _shared.size = max(_shared.size, size)
        return _shared


def close_shared_pool() -> None:
    """Stop this process's query pool, if any; a later ``shared_pool`` call starts a new one."""
    global _shared
    with _shared_lock:
        pool, _shared = _shared, None
    if pool is not None:
        pool.close()
