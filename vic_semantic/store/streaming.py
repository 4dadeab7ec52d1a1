"""Results produced on a thread of their own and consumed as an iterator of chunks.

pyoxigraph writes a result by calling ``write`` on a file-like object until it is done, but
an HTTP response pulls chunks one at a time. So a thread runs the writer and hands the
chunks over through a queue of a few chunks. The writer waits while the consumer is behind,
so at most that much of a result is in memory, whatever its size.

pyoxigraph's result objects must stay on the thread that made them, and a consumer such as
the API takes each chunk on whichever thread is free, so the producing thread does all the
pyoxigraph work and only bytes cross between threads.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import traceback
from collections.abc import AsyncGenerator, Callable, Iterator
from functools import partial

logger = logging.getLogger(__name__)

Emit = Callable[[bytes], None]

# Chunks that may wait between the producer and the consumer.
QUEUE_CHUNKS = 2
# How often a producer waiting for room checks whether the consumer has gone.
_POLL_SECONDS = 0.1


def clear_frames(error: BaseException) -> None:
    """Free the locals of the finished frames that ``error`` and its causes still hold.

    pyoxigraph's result objects must be dropped on the thread that made them, but an error
    is often handled on another thread. Its traceback, and those of the errors it was raised
    from, would keep them alive until then.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__


class _End:
    """Put on the queue after the last chunk."""


class _Closed(Exception):
    """Raised in the producer when the consumer closed the stream early."""


class ThreadedStream(Iterator[bytes]):
    """The chunks that ``produce(emit)`` passes to ``emit``, produced on a thread of its own.

    An exception of ``produce`` is raised by ``__next__`` after the chunks emitted before it.
    ``close`` stops the producer at its next chunk.
    """

    def __init__(self, produce: Callable[[Emit], None], name: str = "vic-result-stream") -> None:
        self._queue: queue.Queue[bytes | BaseException | _End] = queue.Queue(QUEUE_CHUNKS)
        self._closed = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._run, args=(produce,), name=name, daemon=True)
        self._thread.start()

    def __iter__(self) -> ThreadedStream:
        return self

    def __next__(self) -> bytes:
        if self._done:
            raise StopIteration
        item = self._queue.get()
        if isinstance(item, bytes):
            return item
        self._done = True
        if isinstance(item, BaseException):
            raise item
        raise StopIteration

    def close(self) -> None:
        """Stop the producer at its next chunk and drop what it has queued."""
        self._done = True
        self._closed.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _run(self, produce: Callable[[Emit], None]) -> None:
        final: BaseException | _End = _End()
        try:
            produce(self._put)
        except _Closed:
            return
        except BaseException as error:  # handed to the consumer
            clear_frames(error)
            final = error
        try:
            self._put(final)
        except _Closed:
            logger.debug("a result stream was closed before its end was taken")

    def _put(self, item: bytes | BaseException | _End) -> None:
        while True:
            if self._closed.is_set():
                raise _Closed
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue


async def chunks_on_threads(chunks: Iterator[bytes]) -> AsyncGenerator[bytes, None]:
    """Yield the chunks of a blocking iterator on the running loop, taking each on a thread.

    Each step runs in a copy of the caller's context (``asyncio.to_thread``), so the
    producer sees the request's context variables. Closing the generator closes ``chunks``,
    at once or, when a step is still running on its thread, as soon as that step returns.
    """
    step: asyncio.Future[bytes | None] | None = None
    try:
        while True:
            # Shielded, so a cancelled consumer leaves the step running to its end: a
            # generator cannot be closed while another thread is inside it.
            step = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
            chunk = await asyncio.shield(step)
            if chunk is None:
                return
            yield chunk
    finally:
        if step is not None and not step.done():
            step.add_done_callback(partial(_close_after_step, chunks))
        else:
            close_chunks(chunks)


def _close_after_step(chunks: Iterator[bytes], step: asyncio.Future[bytes | None]) -> None:
    if not step.cancelled() and step.exception() is not None:
        # The consumer has gone, so the error is only logged here; retrieving it also keeps
        # asyncio from reporting it as never retrieved.
        logger.debug("a result stream failed after it was closed: %s", step.exception())
    close_chunks(chunks)


def close_chunks(chunks: Iterator[bytes]) -> None:
    """Close ``chunks`` if it can be closed, so that its producer stops."""
    close = getattr(chunks, "close", None)
    if close is None:
        return
    try:
        close()
    except ValueError:
        # The generator is still running on another thread, and it ends with its query.
        logger.debug("a result stream was still running when closed")
