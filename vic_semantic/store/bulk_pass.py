"""One pass of pyoxigraph's bulk loader over several RDF documents, each into its own graph.

This thread parses the documents and turns their triples into N-Quads text in chunks, and a
background thread hands each chunk to ``Store.bulk_load``, which parses it again in Rust and
releases the GIL while it writes. So Python work on the triples (the inference step's
input collection) runs while the loader writes, and the store gets a few large index files
instead of one set per document.

Each ``bulk_load`` call gives blank nodes new labels, so the quads of a document that has a
blank node are never split between two calls.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from itertools import islice

import pyoxigraph as ox

from vic_semantic.store.bulk import GraphSource, file_syntax_error, parse_source

logger = logging.getLogger(__name__)

# Quads per bulk_load call. pyoxigraph 0.5.13 sorts each call's quads in memory before it
# writes them: 100,000-200,000 quads per call took about half the time of one call with
# 654,005 quads, and 10,000-30,000 took longer again (docs/benchmarks.md).
CHUNK_QUADS = 200_000
# Triples parsed and converted at a time, which bounds the memory one document takes.
_BATCH_TRIPLES = 50_000

Observer = Callable[[list[ox.Triple]], None]


class Checkpoint:
    """A mark in the loader's queue, set once everything queued before it is written."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.finished_at: float | None = None

    def set(self) -> None:
        self.finished_at = time.perf_counter()
        self.done.set()


class BulkPass:
    """Queues documents and N-Triples lines for a background thread that bulk-loads them.

    ``EmbeddedStore.bulk_pass`` creates it and makes the pass all-or-nothing; ``finish``
    must be called once, which ends the thread.
    """

    def __init__(self, store: ox.Store) -> None:
        self._store: ox.Store | None = store
        self._queue: queue.Queue[bytes | Checkpoint | None] = queue.Queue(maxsize=2)
        self._pending: list[str] = []
        self._pending_quads = 0
        self._error: BaseException | None = None
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bulk-pass", daemon=True)
        self._thread.start()

    def load_now(self, source: GraphSource) -> None:
        """Load one document in this thread, for a caller that reads its graph next; call it
        before queueing anything else."""
        target = ox.NamedNode(source.graph)
        try:
            # The store is not kept in a local variable: a traceback holds the frame's
            # variables, and with them the store's lock.
            if source.path is not None:
                self._open_store().bulk_load(
                    path=source.path, format=source.rdf_format, to_graph=target
                )
            else:
                self._open_store().bulk_load(source.data or b"", source.rdf_format, to_graph=target)
        except SyntaxError as error:
            # Its traceback passes through wrappers of the pyoxigraph store (the search
            # hooks), whose frames hold the store.
            raise file_syntax_error(source.name, error) from error.with_traceback(None)

    def add_source(self, source: GraphSource, observe: Observer | None = None) -> None:
        """Parse one document here and queue its triples for its graph, passing each batch
        of parsed triples to ``observe``; raise RdfFileSyntaxError naming the document."""
        suffix = f" <{source.graph}> .\n"
        parser = parse_source(source)
        # Until the document shows a blank node, its quads may go to several loader calls.
        splittable = True
        try:
            while batch := list(islice(parser, _BATCH_TRIPLES)):
                text = "".join([f"{triple}{suffix}" for triple in batch])
                if observe is not None:
                    observe(batch)
                splittable = splittable and "_:" not in text
                self._pending.append(text)
                self._pending_quads += len(batch)
                if splittable and self._pending_quads >= CHUNK_QUADS:
                    self._send()
        except SyntaxError as error:
            raise file_syntax_error(source.name, error) from error
        if self._pending_quads >= CHUNK_QUADS:
            self._send()

    def add_lines(self, graph: str, lines: Iterable[str]) -> None:
        """Queue N-Triples lines for ``graph``; they must have no blank node, because the
        loader would give it a new label."""
        suffix = f" <{graph}> .\n"
        for line in lines:
            self._pending.append(line.removesuffix(".").rstrip() + suffix)
            self._pending_quads += 1
            if self._pending_quads >= CHUNK_QUADS:
                self._send()

    def checkpoint(self) -> Checkpoint:
        """Queue what is pending and return a mark the loader sets once it is written."""
        self._send()
        mark = Checkpoint()
        self._put(mark)
        return mark

    def wait(self) -> None:
        """Wait until everything queued is written; raise the loader's error if it failed."""
        self.checkpoint().done.wait()
        self._raise_error()

    def finish(self, cancel: bool) -> None:
        """End the pass: write what is pending, or with ``cancel`` skip what is not yet
        written, and wait for the thread; raise the loader's error unless cancelled. A
        second call does nothing."""
        if self._store is None:
            return
        if cancel:
            self._cancelled.set()
        else:
            self._send()
        self._queue.put(None)
        self._thread.join()
        # A traceback that reaches this object must not keep the store, and its lock,
        # alive after the store is closed.
        self._store = None
        if not cancel:
            self._raise_error()

    def _send(self) -> None:
        if not self._pending:
            return
        data = "".join(self._pending).encode()
        self._pending = []
        self._pending_quads = 0
        self._put(data)

    def _put(self, item: bytes | Checkpoint) -> None:
        # Stop producing once the loader failed: the pass is dropped anyway.
        self._raise_error()
        self._queue.put(item)

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        # Always drains the queue, after an error too, so the producer never blocks on it.
        while (item := self._queue.get()) is not None:
            if isinstance(item, Checkpoint):
                item.set()
            elif self._error is None and not self._cancelled.is_set():
                self._load(item)

    def _load(self, data: bytes) -> None:
        started = time.perf_counter()
        try:
            self._open_store().bulk_load(data, ox.RdfFormat.N_QUADS)
        except Exception as error:
            # Raised again in the producing thread, which then drops the pass.
            logger.error("bulk loader failed: %s", error)
            self._error = error.with_traceback(None)
            return
        seconds = time.perf_counter() - started
        logger.debug("bulk loader wrote %d bytes in %.2f s", len(data), seconds)

    def _open_store(self) -> ox.Store:
        if self._store is None:
            raise RuntimeError("BulkPass was used after finish()")
        return self._store
