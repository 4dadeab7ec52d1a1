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
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from itertools import islice

import pyoxigraph as ox

from vic_semantic.store.bulk import GraphSource, file_syntax_error, parse_source
from vic_semantic.triple_terms import TripleTermError

logger = logging.getLogger(__name__)

# Quads per bulk_load call. For the 654,005 asserted quads of the 1M benchmark, chunks of
# 100,000-200,000 quads took 3.1-3.4 s against 7.3 s for one call, and chunks of
# 10,000-30,000 took 6.9-8.2 s (bulk_extend of parsed quads, load average 1-3).
CHUNK_QUADS = 200_000
# Chunks written at once. bulk_load releases the GIL, so two calls and the parsing thread
# share the CPUs: at 1M triples on 2 CPUs the load took 6.6 s against 10.8 s with one.
LOADER_THREADS = 2
# Triples parsed and converted at a time, which bounds the memory one document takes.
_BATCH_TRIPLES = 50_000

Observer = Callable[[list[ox.Quad]], None]


class Checkpoint:
    """The chunks queued up to a point of the pass, and when the last of them was written."""

    def __init__(self, chunks: list[Future[float | None]]) -> None:
        self._chunks = chunks
        self._created_at = time.perf_counter()

    def wait(self) -> None:
        wait_futures(self._chunks)

    @property
    def finished_at(self) -> float | None:
        """The time the last chunk before the mark was written, or None until then."""
        if not all(chunk.done() for chunk in self._chunks):
            return None
        written = [
            chunk.result()
            for chunk in self._chunks
            if not chunk.cancelled() and chunk.exception() is None
        ]
        return max([self._created_at, *(at for at in written if at is not None)])


class BulkPass:
    """Queues documents and N-Triples lines for background threads that bulk-load them.

    ``EmbeddedStore.bulk_pass`` creates it and makes the pass all-or-nothing; ``finish``
    must be called once, which ends the threads.
    """

    def __init__(self, store: ox.Store) -> None:
        self._store: ox.Store | None = store
        self._loaders = ThreadPoolExecutor(LOADER_THREADS, thread_name_prefix="bulk-pass")
        # Chunks being written or waiting for a thread, which bounds the memory they take.
        self._slots = threading.BoundedSemaphore(LOADER_THREADS + 1)
        self._chunks: list[Future[float | None]] = []
        self._pending: list[str] = []
        self._pending_quads = 0
        self._cancelled = threading.Event()

    def load_now(self, source: GraphSource) -> None:
        """Load one document in this thread, for a caller that reads its graph next; call it
        before queueing anything else."""
        target = ox.NamedNode(source.graph)
        try:
            # The store is not kept in a local variable: a traceback holds the frame's
            # variables, and with them the store's lock.
            self._open_store().bulk_extend(
                ox.Quad(quad.subject, quad.predicate, quad.object, target)
                for quad in parse_source(source)
            )
        except SyntaxError as error:
            # Its traceback passes through wrappers of the pyoxigraph store (the search
            # hooks), whose frames hold the store.
            raise file_syntax_error(source.name, error) from error.with_traceback(None)
        except TripleTermError as error:
            raise error.with_traceback(None) from None

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

    def add_lines(self, graph: str, lines: Sequence[str]) -> None:
        """Queue valid N-Triples lines for ``graph``; they must have no blank node, because
        the loader would give it a new label."""
        self._send()
        target = ox.NamedNode(graph)
        for start in range(0, len(lines), CHUNK_QUADS):
            data = "\n".join(lines[start : start + CHUNK_QUADS]).encode()
            self._submit(data, ox.RdfFormat.N_TRIPLES, target)

    @property
    def chunks(self) -> int:
        """The number of chunks queued for the loaders so far."""
        return len(self._chunks)

    def checkpoint(self) -> Checkpoint:
        """Queue what is pending and return a mark for everything queued so far."""
        self._send()
        return Checkpoint(list(self._chunks))

    def wait(self) -> None:
        """Wait until everything queued is written; raise a loader's error if one failed."""
        self.checkpoint().wait()
        self._raise_error()

    def finish(self, cancel: bool) -> None:
        """End the pass and wait for the threads; a second call does nothing.

        The pending chunk is written, or with ``cancel`` every chunk not yet started is
        skipped. A loader's error is raised unless the pass is cancelled.
        """
        if self._store is None:
            return
        if cancel:
            self._cancelled.set()
        else:
            self._send()
        self._loaders.shutdown(wait=True, cancel_futures=cancel)
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
        self._submit(data, ox.RdfFormat.N_QUADS, None)

    def _submit(self, data: bytes, rdf_format: ox.RdfFormat, graph: ox.NamedNode | None) -> None:
        # Stop producing once a loader failed: the pass is dropped anyway.
        self._raise_error()
        self._slots.acquire()
        chunk = self._loaders.submit(self._load, data, rdf_format, graph)
        chunk.add_done_callback(lambda _: self._slots.release())
        self._chunks.append(chunk)

    def _raise_error(self) -> None:
        for chunk in self._chunks:
            if chunk.done() and not chunk.cancelled() and chunk.exception() is not None:
                raise chunk.exception()  # type: ignore[misc]

    def _load(
        self, data: bytes, rdf_format: ox.RdfFormat, graph: ox.NamedNode | None
    ) -> float | None:
        """Write one chunk; return when it was written, or None when the pass was cancelled."""
        if self._cancelled.is_set():
            return None
        started = time.perf_counter()
        try:
            # Lenient parsing skips some validation, of IRIs for one (pyoxigraph 0.5 docs):
            # the text was printed from terms that the parser or the store checked before.
            self._open_store().bulk_load(data, rdf_format, to_graph=graph, lenient=True)
        except Exception as error:
            logger.error("bulk loader failed: %s", error)
            # Its traceback passes through wrappers of the pyoxigraph store (the search
            # hooks), whose frames hold the store.
            raise error.with_traceback(None) from None
        finished = time.perf_counter()
        logger.debug("bulk loader wrote %d bytes in %.2f s", len(data), finished - started)
        return finished

    def _open_store(self) -> ox.Store:
        if self._store is None:
            raise RuntimeError("BulkPass was used after finish()")
        return self._store
