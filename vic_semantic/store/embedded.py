"""The embedded store: pyoxigraph on disk (or in memory for tests and one-off runs)."""

from __future__ import annotations

import asyncio
import logging
import pickle
import threading
import time
from collections.abc import AsyncGenerator, Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, aclosing, contextmanager
from pathlib import Path
from typing import TypedDict, cast

import pyoxigraph as ox

from vic_semantic.errors import QuerySyntaxError, StoreError
from vic_semantic.namespaces import INFERRED_GRAPH
from vic_semantic.sparql.lexer import QueryForm, check_request_text
from vic_semantic.sparql.query_facts import QueryFacts, facts
from vic_semantic.sparql.update_scan import named_graphs_written
from vic_semantic.store.base import (
    CustomFunction,
    CustomFunctions,
    Dataset,
    GraphInfo,
    Locate,
    QueryLimits,
)
from vic_semantic.store.bulk import GraphSource, RdfFileSyntaxError
from vic_semantic.store.bulk_pass import BulkPass
from vic_semantic.store.changes import ChangeLog, GraphChange
from vic_semantic.store.execution import Emit, QueryTask
from vic_semantic.store.execution import stream as execution_stream
from vic_semantic.store.journal import StoreJournal
from vic_semantic.store.snapshots import Snapshots, checkpoint
from vic_semantic.store.streaming import ThreadedStream, chunks_on_threads
from vic_semantic.store.syntax import detail, parse_error, position
from vic_semantic.store.updates import in_graph as _in_graph
from vic_semantic.store.updates import insert_data as _insert_data
from vic_semantic.store.updates import parse_triples as _parse_triples
from vic_semantic.store.workers import QueryPool, shared_pool
from vic_semantic.triple_terms import TripleTermError

logger = logging.getLogger(__name__)

# The largest named graph whose triples a write compares before and after, to record what
# it changed for the inference step. A write to a larger graph makes the next inference
# step recompute everything. NOTE: an estimate. Reading 16,978 triples took 0.5-0.7 s at a
# load average of 5.6, so twice 100,000 may cost a few seconds, as the full step does.
_COMPARED_TRIPLES = 100_000

# The maximum number of quads the inference step changes in one transaction. pyoxigraph's
# transactions keep every change in memory and took about 30 µs per quad at 1M triples on
# the benchmark machine (docs/benchmarks.md).
_TRANSACTION_QUADS = 20_000

__all__ = ["EmbeddedStore", "Locate", "parse_error"]


class _DatasetArguments(TypedDict, total=False):
    """The dataset keyword arguments of pyoxigraph's ``Store.query``."""

    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
    named_graphs: list[ox.NamedNode | ox.BlankNode]
    use_default_graph_as_union: bool


def _position(error: SyntaxError) -> tuple[int | None, int | None]:
    """Return the line and column pyoxigraph reports in ``error at L:C: ...`` messages."""
    return position(str(error))


def _detail(error: SyntaxError) -> str:
    return detail(str(error))


class EmbeddedStore:
    """A pyoxigraph store; every write is one transaction that lands whole or not at all.

    API queries (``run_query``) of an on-disk store run in worker processes on a read-only
    snapshot, so one that passes ``limits.timeout_seconds`` can be killed while the others
    go on. Every write must go through this class's methods, which count write generations:
    a write that bypasses them is not seen by API queries until the next counted write.
    """

    def __init__(
        self,
        path: Path | None,
        *,
        limits: QueryLimits | None = None,
        workers: int = 4,
        custom_functions: CustomFunctions | None = None,
    ) -> None:
        """Open the store at ``path``, creating it if needed; ``None`` keeps it in memory.

        ``workers`` is the most API queries that run at once, each in its own process.
        ``custom_functions`` are SPARQL extension functions for API queries; each must be a
        module-level function, because it is sent to the workers by reference.
        """
        try:
            if path is None:
                self._store = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as error:
            raise StoreError(
                f"Не удалось открыть хранилище {path}: {error}. Проверьте права на папку и "
                "что её не использует другой процесс.",
                f"Failed to open the store at {path}: {error}. Check the folder's permissions "
                "and that no other process holds it.",
            ) from error
        self.path = path
        self.limits = limits or QueryLimits()
        self._workers = workers
        self._functions = _picklable(custom_functions or {})
        self._generation = 0
        self._generation_lock = threading.Lock()
        # Data writes (not the inference step's own) since this object opened the store.
        self._data_version = 0
        self._state_lock = threading.Lock()
        # Held by the inference step from its reads to its writes: two steps at once would
        # each write a difference against the same old inferred graph.
        self.inference_lock = threading.Lock()
        # Held by every write but the inference step's. pyoxigraph runs each update on a
        # snapshot taken when it starts and does not detect conflicts, so two replacements
        # of one graph at once would leave the union of both.
        self._exclusive = threading.RLock()
        self._pool: QueryPool | None = None
        self._snapshots: Snapshots | None = None
        self._journal: StoreJournal | None = None
        self._current_at_open: bool | None = None
        if path is not None:
            self._snapshots = Snapshots(self._store, path.with_name(path.name + "-snapshots"))
            self._journal = StoreJournal(path)
            self._undo_interrupted_load()
        # Writes record what they change only while the inferred graph is known to match
        # the data: a new in-memory store is empty, and an on-disk one has the state file.
        self._changes = ChangeLog(self._read_compared_graph, self._opened_current())
        logger.info("opened embedded store at %s", path or "memory")

    def exclusive(self) -> AbstractContextManager[object]:
        """Hold the write lock around a read and the write that depends on it.

        Every write takes the lock by itself, and nested blocks of one thread share it. Only
        one process opens the embedded store, so a lock in this process is enough. The
        inference step's own writes (``change_graph``) take ``inference_lock`` instead.
        """
        return self._exclusive

    def query(
        self,
        query: str,
        dataset: Dataset,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
        *,
        custom_functions: dict[
            ox.NamedNode, Callable[..., ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]
        ]
        | None = None,
    ) -> bytes:
        """Run a query and return its results serialised in the format that fits its form.

        ``custom_functions`` maps extension function IRIs to Python callables (pyoxigraph).
        """
        check_request_text(query)
        try:
            result = self._store.query(
                query, custom_functions=custom_functions, **self._dataset_arguments(dataset)
            )
        except SyntaxError as error:
            line, column = _position(error)
            raise QuerySyntaxError(_detail(error), line, column) from error

        if isinstance(result, ox.QueryTriples):
            return bytes(result.serialize(format=graph_format or ox.RdfFormat.TURTLE) or b"")
        return bytes(result.serialize(format=results_format or ox.QueryResultsFormat.JSON) or b"")

    def select(
        self,
        query: str,
        dataset: Dataset | None = None,
        *,
        custom_functions: dict[
            ox.NamedNode, Callable[..., ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]
        ]
        | None = None,
    ) -> list[dict[str, str]]:
        """Run a SELECT query and return each solution as variable → lexical value."""
        result = self._store.query(
            query,
            custom_functions=custom_functions,
            **self._dataset_arguments(dataset or Dataset()),
        )
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() takes only SELECT queries")
        names = [variable.value for variable in result.variables]
        return [
            {name: solution[name].value for name in names if solution[name] is not None}
            for solution in result
        ]

    def ask(self, query: str) -> bool:
        result = self._store.query(query, use_default_graph_as_union=True)
        return bool(result)

    def update(self, update: str) -> None:
        """Apply a SPARQL update in one transaction."""
        check_request_text(update)
        try:
            with self._recorded(named_graphs_written(update)):
                self._write(update)
        except SyntaxError as error:
            line, column = _position(error)
            raise QuerySyntaxError(_detail(error), line, column) from error

    def replace_graph(self, graph: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        """Replace a named graph's content with ``data`` atomically; return the triple count.

        An empty or new graph is filled by pyoxigraph's bulk loader, which parses in Rust and
        writes index files directly. ``_bulk_load`` explains how that stays all-or-nothing.
        """
        with self._recorded([graph]):
            if not rdf_format.supports_datasets and self._graph_is_empty(graph):
                return self._bulk_load(graph, data, rdf_format)
            triples = _parse_triples(data, rdf_format)
            body = " .\n".join(str(triple) for triple in triples)
            self._write(
                f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"
            )
        logger.info("replaced graph %s with %d triples", graph, len(triples))
        return len(triples)

    def add_to_graph(self, graph: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        """Add the triples of ``data`` to a named graph atomically; return their count."""
        triples = _parse_triples(data, rdf_format)
        target = ox.NamedNode(graph)
        with self._recorded([graph]):
            self._before_data_write()
            try:
                self._store.extend(
                    ox.Quad(t.subject, t.predicate, t.object, target) for t in triples
                )
            finally:
                self._count_write()
        logger.info("added %d triples to graph %s", len(triples), graph)
        return len(triples)

    def drop_graph(self, graph: str) -> None:
        with self._recorded([graph]):
            self._write(f"DROP SILENT GRAPH <{graph}>")

    @contextmanager
    def _recorded(self, graphs: Collection[str] | None) -> Iterator[None]:
        """Hold the write lock and record the changes the write in the block makes to the
        named ``graphs`` (``ChangeLog.recording``).

        The write lock is always taken first, so a writer holding it never waits for the
        change log's lock while another holds that and waits for the write lock.
        """
        with self._exclusive, self._changes.recording(graphs):
            yield

    def graphs(self) -> list[GraphInfo]:
        """Return every named graph with its triple count, empty graphs included, by IRI."""
        rows = self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        counts = {row["g"]: int(row["n"]) for row in rows}
        for node in self._store.named_graphs():
            if isinstance(node, ox.NamedNode):
                counts.setdefault(node.value, 0)
        return [GraphInfo(iri=iri, triples=counts[iri]) for iri in sorted(counts)]

    def dump(self, rdf_format: ox.RdfFormat) -> bytes:
        """Serialise the whole dataset; ``rdf_format`` must hold graphs (TriG or N-Quads)."""
        return bytes(self._store.dump(format=rdf_format) or b"")

    def is_empty(self) -> bool:
        return len(self._store) == 0

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def optimize(self) -> None:
        """Compact the on-disk store, so that each index is one sorted run of files.

        A bulk load and the inference step's writes after it leave several overlapping files
        per index, and a lookup reads each of them. On the benchmark cluster the explore mix
        took about a fifth less engine CPU time after this call, at 100k and at 1M triples,
        and the call took 0.2 to 0.7 s and 1.7 to 3.8 s (``bench/compaction.py``,
        docs/benchmarks.md). On a store compacted before, it returns at once. Queries and
        writes may run meanwhile. An in-memory store has nothing to compact.
        """
        if self.path is None:
            return
        started = time.perf_counter()
        try:
            self._store.optimize()
        except OSError as error:
            raise StoreError(
                f"Не удалось уплотнить хранилище {self.path}: {error}. Проверьте свободное "
                "место на диске.",
                f"Failed to compact the store at {self.path}: {error}. Check the free disk "
                "space.",
            ) from error
        logger.info("compacted the store at %s in %.2f s", self.path, time.perf_counter() - started)

    def backup(self, directory: Path) -> None:
        """Write a consistent copy of the store to the new folder ``directory``.

        A RocksDB checkpoint: writes may go on meanwhile, and the copy contains every write
        committed before it began and none after. On the same file system the store's
        immutable files are hard-linked, not copied. Raises StoreError when the copy fails.
        """
        if self.path is None:
            raise StoreError(
                "Хранилище в памяти нельзя скопировать; выгрузите его командой dump.",
                "An in-memory store cannot be backed up; export it with the dump command.",
            )
        checkpoint(self._store, directory)

    def close(self) -> None:
        """Flush and release the store, so another process or handle can open the folder.

        pyoxigraph closes RocksDB only when the last reference to its Store goes, so the
        reference is replaced; a traceback that still holds this object keeps no lock.
        Closing twice does nothing.
        """
        if isinstance(self._store, _ClosedStore):
            return
        self.flush()
        if self._snapshots is not None:
            self._snapshots.close()
            self._snapshots = None
        self._store = _ClosedStore(self.path)  # type: ignore[assignment]
        logger.info("closed embedded store at %s", self.path or "memory")

    def run_query(
        self,
        query: str,
        dataset: Dataset,
        base_iri: str | None,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
    ) -> bytes:
        """Run a query as ``stream_query`` does and return its whole serialised result."""
        return b"".join(self.stream_query(query, dataset, base_iri, results_format, graph_format))

    def stream_query(
        self,
        query: str,
        dataset: Dataset,
        base_iri: str | None,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
    ) -> Iterator[bytes]:
        """Run a query under the SPARQL 1.1 Protocol dataset rules; yield its serialised result.

        Graphs in ``dataset`` replace any FROM or FROM NAMED of the query, and the side left
        empty is empty (no default graph, or no named graphs). With no graphs in ``dataset``
        the query's own FROM clauses apply, and without those the service default.
        Relative IRIs in the query resolve against ``base_iri``.

        The result comes in chunks of about ``execution.CHUNK_BYTES`` as it is computed. The
        row limit and the time limit hold for the whole iteration, so QueryTimeoutError or
        ResultTooLargeError may come after some chunks. Close the iterator if you stop early.
        """
        task = self._query_task(query, dataset, base_iri, results_format, graph_format)
        if self.path is None:
            return self._stream_here(task)
        return self._stream_in_worker(task)

    async def astream_query(
        self,
        query: str,
        dataset: Dataset,
        base_iri: str | None,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
    ) -> AsyncGenerator[bytes, None]:
        """Run a query as ``stream_query`` does, yielding its chunks on the running loop.

        An on-disk store awaits its query worker on the loop, so no thread waits while the
        query runs. Close the generator (``aclose``) if you stop early.
        """
        task = self._query_task(query, dataset, base_iri, results_format, graph_format)
        if self.path is None:
            chunks = chunks_on_threads(self._stream_here(task))
        else:
            chunks = self._astream_in_worker(task)
        async with aclosing(chunks):
            async for chunk in chunks:
                yield chunk

    def _query_task(
        self,
        query: str,
        dataset: Dataset,
        base_iri: str | None,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
    ) -> QueryTask:
        known = facts(query)
        known.check(query)
        return _task(
            query,
            known,
            base_iri,
            self._protocol_dataset_arguments(known, dataset),
            results_format,
            graph_format,
            self.limits.max_rows,
            self._functions,
        )

    def _stream_in_worker(self, task: QueryTask) -> Iterator[bytes]:
        assert self._snapshots is not None
        pool = self._query_pool()
        with self._snapshots.use(self._generation) as snapshot:
            yield from pool.stream(str(snapshot), task, self.limits.timeout_seconds)

    async def _astream_in_worker(self, task: QueryTask) -> AsyncGenerator[bytes, None]:
        snapshots = self._snapshots
        assert snapshots is not None
        pool = self._query_pool()
        generation = self._generation
        # The snapshot of the current generation is taken on the loop. Making one after a
        # write can take seconds, so that is left to a thread.
        snapshot = snapshots.acquire_made(generation)
        if snapshot is None:
            snapshot = await _acquire_on_thread(snapshots, generation)
        try:
            chunks = pool.astream(str(snapshot), task, self.limits.timeout_seconds)
            async with aclosing(chunks):
                async for chunk in chunks:
                    yield chunk
        finally:
            snapshots.release(snapshot)

    def _query_pool(self) -> QueryPool:
        if self._pool is None:
            self._pool = shared_pool(self._workers)
            self._pool.preload(function.__module__ for function in self._functions.values())
        return self._pool

    def _stream_here(self, task: QueryTask) -> Iterator[bytes]:
        # NOTE: an in-memory store cannot be snapshotted for the workers, so its queries run
        # in this process, on a thread of their own, with the row limit but no time limit.
        # It serves tests and one-off runs; a service uses the on-disk store.
        store = self._store

        def produce(emit: Emit) -> None:
            try:
                execution_stream(store, task, emit)
            except SyntaxError as error:
                line, column = _position(error)
                raise QuerySyntaxError(_detail(error), line, column) from None

        return ThreadedStream(produce)

    def _write(self, update: str, base_iri: str | None = None) -> None:
        """Apply one SPARQL update in one transaction and count it as a write generation."""
        with self._exclusive:
            self._before_data_write()
            try:
                self._store.update(update, base_iri=base_iri)
            finally:
                self._count_write()

    def _count_write(self) -> None:
        # Counted after the write, whether it landed or not: a snapshot made for a later
        # generation is then sure to contain it.
        with self._generation_lock:
            self._generation += 1

    def _before_data_write(self) -> None:
        # Marked before the write, so a process killed during or after it finds the
        # inferences stale at the next start.
        with self._state_lock:
            if self._journal is not None:
                self._journal.mark_stale()
            self._data_version += 1

    def _graph_is_empty(self, graph: str) -> bool:
        quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        return next(iter(quads), None) is None

    def _bulk_load(self, graph: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        """Fill the empty graph ``graph`` with ``data`` through pyoxigraph's bulk loader.

        The bulk loader writes outside a transaction, so a syntax error part-way through
        leaves some triples behind; the graph was empty, so dropping it undoes the load. A
        process killed during the load leaves the graph in the journal, and the next open
        of the store drops it.
        """
        target = ox.NamedNode(graph)
        with self._bulk_write([target]):
            try:
                self._store.bulk_load(data, rdf_format, to_graph=target)
            except SyntaxError as error:
                raise parse_error(error) from error
            # The bulk loader takes triple terms, which no other write path stores.
            if self._store.query(f"ASK {{ GRAPH {target} {{ ?s ?p ?o FILTER isTRIPLE(?o) }} }}"):
                raise TripleTermError()

        count = self._count_triples(target)
        logger.info("loaded graph %s with %d triples", graph, count)
        return count

    def bulk_load_graphs(self, sources: Sequence[GraphSource]) -> dict[str, int]:
        """Fill several empty or new named graphs in one bulk pass; return the triple count
        of each graph.

        One pass writes a few sets of index files, not one per graph: the 62 graphs of the
        1M benchmark left 29 RocksDB table files, where one load per graph left over 250
        (docs/benchmarks.md). The pass is all-or-nothing as ``bulk_pass`` describes.
        """
        with self.bulk_pass(sources) as bulk:
            for source in sources:
                bulk.add_source(source)
        return self.count_graphs(sources)

    @contextmanager
    def bulk_pass(
        self,
        sources: Sequence[GraphSource],
        also: Sequence[str] = (),
        computes_inferences: bool = False,
    ) -> Iterator[BulkPass]:
        """Open a bulk pass that fills the empty or new graphs of ``sources`` and ``also``.

        The pass's changes are not recorded for the inference step, which then recomputes
        everything, unless the caller ``computes_inferences`` from all the data itself.

        The caller queues the sources, and N-Triples lines for the ``also`` graphs, on the
        returned ``BulkPass``, and the block's end waits until all is written and, when
        the pass wrote several chunks, compacts the store (``_compact``). The pass is
        all-or-nothing like ``_bulk_load``. An error in the block, or a syntax error in any
        source (RdfFileSyntaxError, naming it), stops the loader and drops every graph of
        the pass again. A process killed during the pass leaves them all in the journal
        for the next open to drop. Raises ValueError when a graph has content (a
        failed load would drop it), a graph is named twice, or a source's format contains
        datasets.
        """
        _check_bulk_sources(sources)
        targets = [ox.NamedNode(graph) for graph in (*(s.graph for s in sources), *also)]
        with self._exclusive:
            filled = [t.value for t in targets if not self._graph_is_empty(t.value)]
            if filled:
                raise ValueError(
                    f"bulk_load_graphs() fills only empty graphs; these have content: {filled}"
                )

            if not computes_inferences:
                self._changes.record_unknown()
            with self._bulk_write(targets):
                bulk = BulkPass(self._store)
                try:
                    yield bulk
                    bulk.finish(cancel=False)
                except (RdfFileSyntaxError, TripleTermError) as error:
                    bulk.finish(cancel=True)
                    # Its traceback passes through frames that hold the pyoxigraph store, so
                    # a caller keeping the error would keep the store's lock after close().
                    raise error.with_traceback(None) from error.__cause__
                except BaseException:
                    bulk.finish(cancel=True)
                    raise
            if bulk.chunks > 1:
                self._compact()

    def _compact(self) -> None:
        """Merge the index files that the chunks of a bulk pass left.

        Each chunk writes its own files, and their key ranges overlap, so a query reads
        several files where one would do. After the 1M load, compaction took 1.0 s on a
        quiet machine, and four benchmark queries then ran 28-45 % faster than before it
        (docs/benchmarks.md).
        """
        started = time.perf_counter()
        self._store.optimize()
        logger.info("compacted the store in %.2f s", time.perf_counter() - started)

    def count_graphs(self, sources: Sequence[GraphSource]) -> dict[str, int]:
        """Return the triple count of each source's graph, and log the total."""
        counts = {
            source.graph: self._count_triples(ox.NamedNode(source.graph)) for source in sources
        }
        logger.info(
            "bulk-loaded %d graphs with %d triples in one pass", len(counts), sum(counts.values())
        )
        return counts

    def has_graph_content(self, graph: str) -> bool:
        """Return whether the named graph ``graph`` contains a triple."""
        return not self._graph_is_empty(graph)

    @contextmanager
    def _bulk_write(self, targets: Sequence[ox.NamedNode]) -> Iterator[None]:
        """Journal a bulk write into the empty graphs ``targets``, and drop them again if it
        fails; an empty graph that existed before is kept, empty."""
        existed = [target for target in targets if self._store.contains_named_graph(target)]
        self._before_data_write()
        if self._journal is not None:
            self._journal.begin_load([target.value for target in targets])
        try:
            yield
        except BaseException:
            for target in targets:
                self._store.remove_graph(target)
            for target in existed:
                self._store.add_graph(target)
            if self._journal is not None:
                self._journal.end_load()
            raise
        finally:
            self._count_write()
        if self._journal is not None:
            self._journal.end_load()

    def _count_triples(self, graph: ox.NamedNode) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        result = self._store.query(query)
        assert isinstance(result, ox.QuerySolutions)
        count = next(iter(result))[0]
        return int(count.value) if count is not None else 0

    def _undo_interrupted_load(self) -> None:
        assert self._journal is not None
        graphs = self._journal.loading()
        for graph in graphs:
            logger.warning(
                "dropping graph %s: its bulk load was interrupted, so it is incomplete", graph
            )
            self._store.remove_graph(ox.NamedNode(graph))
        if graphs:
            self._journal.end_load()

    # Reads and writes of the inference step (``vic_semantic.inference``).

    def construct_terms(self, query: str) -> Iterator[tuple[str, str, str]]:
        """Run a library CONSTRUCT query; yield each triple as the N-Triples text of its terms.

        The engine serialises the triples, so no Python term objects are made. One term
        always has the same text, so comparing texts compares the terms.
        """
        result = self._store.query(query)
        if not isinstance(result, ox.QueryTriples):
            raise TypeError("construct_terms() takes only CONSTRUCT queries")
        text = bytes(result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"").decode()
        for line in text.splitlines():
            # N-Triples puts one triple on a line, and only a literal, always last, may
            # contain spaces (a line break inside one is escaped).
            # NOTE: RDF 1.2 triple terms contain spaces too; a triple with one as its
            # subject is skipped, so the rules do not apply to it.
            if line.startswith("<<"):
                continue
            subject, predicate, rest = line.split(" ", 2)
            yield subject, predicate, rest.removesuffix(" .")

    def triples_for_terms(
        self, subject: str | None, predicate: str | None, obj: str | None, *, inferred: bool
    ) -> Iterator[tuple[str, str, str]]:
        """Yield the triples that match N-Triples terms (None matches any) as N-Triples
        terms: those of the inferred graph, or with ``inferred`` False those of every other
        named graph. Unlike a query, it can name a blank node by its label."""
        inferred_name = ox.NamedNode(str(INFERRED_GRAPH))
        quads = self._store.quads_for_pattern(
            None if subject is None else _term(subject),
            None if predicate is None else ox.NamedNode(predicate[1:-1]),
            None if obj is None else _term(obj),
            inferred_name if inferred else None,
        )
        for quad in quads:
            name = quad.graph_name
            # The rules read every named graph but the inferred one, and no default graph.
            if not inferred and (isinstance(name, ox.DefaultGraph) or name == inferred_name):
                continue
            yield str(quad.subject), str(quad.predicate), str(quad.object)

    def take_changes(self) -> list[GraphChange] | None:
        """Return the triples data writes changed since the last call, by graph, and start
        recording anew; None when a write's changes are not known.

        The caller is the inference step, which must then bring the inferred graph up to
        date with the data, or call ``forget_changes`` if it cannot.
        """
        return self._changes.take()

    def forget_changes(self) -> None:
        """Record that the inferred graph must be recomputed whole, as after an unknown write."""
        self._changes.record_unknown()

    def _read_compared_graph(self, graph: str) -> set[tuple[str, str, str]] | None:
        if self._count_triples(ox.NamedNode(graph)) > _COMPARED_TRIPLES:
            return None
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return set(self.construct_terms(query))

    def _opened_current(self) -> bool:
        if self._journal is None:
            return True
        # Counting the quads took 0.16 s at 982,079 quads, so it runs only when it may pass,
        # and start-up's own check reuses the answer (``inferences_current``).
        current = self._journal.records_current() and self.inferences_current()
        self._current_at_open = current
        return current

    def inference_basis(self) -> int:
        """Return a token of the data as it is now, for ``mark_inferences_current``."""
        return self._data_version

    def inferences_current(self) -> bool:
        """Return whether the state file records the inferred graph as matching the data.

        An in-memory store has no state file, so its inferences are never known current.
        """
        if self._journal is None:
            return False
        if self._current_at_open is not None and self._generation == 0:
            # Nothing was written since the store was opened and checked.
            return self._current_at_open
        return self._journal.inferences_current(len(self._store))

    def mark_inferences_current(self, basis: int) -> None:
        """Record that the inferred graph matches the data, unless a data write happened
        since ``basis`` was taken (its own inference step follows it)."""
        with self._state_lock:
            if self._journal is None or basis != self._data_version:
                return
            # Flushed first: pyoxigraph does not fsync its write-ahead log, so after a power
            # loss the state file must not claim inferences that the store lost.
            self._store.flush()
            self._journal.mark_current(len(self._store))

    def change_graph(self, graph: str, removed: Collection[str], added: Collection[str]) -> None:
        """Remove and add triples, given as N-Triples lines, in the inference step's graph.

        Up to ``_TRANSACTION_QUADS`` triples in all without blank nodes are one transaction.
        More are written by the bulk loader, several times faster but outside a transaction:
        additions first, so a query meanwhile gets stale inferences rather than missing ones.
        """
        if self._journal is not None:
            self._journal.mark_stale()  # until the caller marks the inferences current
        target = f"<{graph}>"
        try:
            small = len(removed) + len(added) <= _TRANSACTION_QUADS
            if small and not any("_:" in line for line in (*removed, *added)):
                operations = [
                    f"{keyword} DATA {{ GRAPH {target} {{\n" + "\n".join(lines) + "\n} }"
                    for keyword, lines in (("DELETE", removed), ("INSERT", added))
                    if lines
                ]
                if operations:
                    self._store.update(" ;\n".join(operations))
                return
            # NOTE: this write is not atomic; a crash part-way leaves the state file stale,
            # so the next start recomputes the inferred graph.
            self._bulk_add_lines(ox.NamedNode(graph), added)
            for quad in _quads(removed, ox.NamedNode(graph)):
                self._store.remove(quad)
        finally:
            self._count_write()

    def _bulk_add_lines(self, graph: ox.NamedNode, lines: Collection[str]) -> None:
        data = "\n".join(lines).encode()
        if b"_:" in data:
            # The bulk loader gives blank nodes new labels; the parser keeps them.
            self._store.bulk_extend(_quads(lines, graph))
        elif data:
            self._store.bulk_load(data, ox.RdfFormat.N_TRIPLES, to_graph=graph)

    def run_update(self, update: str, base_iri: str | None, locate: Locate | None = None) -> None:
        """Apply a SPARQL update in one transaction, resolving relative IRIs on ``base_iri``.

        ``locate`` maps a syntax error's position when ``update`` was rewritten from the
        client's text, so the error points into the text the client sent.
        """
        check_request_text(update)
        try:
            with self._recorded(named_graphs_written(update)):
                self._write(update, base_iri)
        except SyntaxError as error:
            line, column = _position(error)
            if locate is not None and line is not None and column is not None:
                line, column = locate(line, column)
            raise QuerySyntaxError(_detail(error), line, column) from error

    def has_graph(self, graph: str | None) -> bool:
        """Return whether a named graph exists, even empty; the default graph always does."""
        if graph is None:
            return True
        return bool(self._store.contains_named_graph(ox.NamedNode(graph)))

    def serialize_graph(self, graph: str | None, rdf_format: ox.RdfFormat) -> bytes:
        """Serialise one graph (``None``: the store's default graph) in a triples format."""
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        triples = [
            ox.Triple(quad.subject, quad.predicate, quad.object)
            for quad in self._store.quads_for_pattern(None, None, None, name)
        ]
        return bytes(ox.serialize(triples, format=rdf_format) or b"")

    def put_graph(self, graph: str | None, triples: Iterable[ox.Triple]) -> None:
        """Replace a graph's content in one transaction, creating the graph if needed.

        ``None`` is the store's default graph. An empty ``triples`` leaves an empty graph.
        """
        if graph is None:
            operations = ["CLEAR DEFAULT"]
        else:
            operations = [f"DROP SILENT GRAPH <{graph}>", f"CREATE GRAPH <{graph}>"]
        operations += _insert_data(_in_graph(triples, graph))
        with self._recorded(_named(graph)):
            self._write(" ;\n".join(operations))
        logger.info("replaced graph %s", graph or "DEFAULT")

    def post_graph(self, graph: str | None, triples: Iterable[ox.Triple]) -> None:
        """Add triples to a graph in one transaction, creating the graph if needed."""
        operations = [] if graph is None else [f"CREATE SILENT GRAPH <{graph}>"]
        operations += _insert_data(_in_graph(triples, graph))
        if operations:
            with self._recorded(_named(graph)):
                self._write(" ;\n".join(operations))
        logger.info("added triples to graph %s", graph or "DEFAULT")

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads, each to the graph it names, in one transaction."""
        listed = list(quads)
        operations = _insert_data(listed)
        if operations:
            with self._recorded(_quad_graphs(listed)):
                self._write(" ;\n".join(operations))

    def delete_graph(self, graph: str | None) -> bool:
        """Drop a named graph, or empty the default graph; return False if it did not exist."""
        if graph is None:
            self._write("CLEAR DEFAULT")
            return True
        with self._exclusive:
            if not self.has_graph(graph):
                return False
            with self._recorded([graph]):
                self._write(f"DROP GRAPH <{graph}>")
        logger.info("dropped graph %s", graph)
        return True

    def _protocol_dataset_arguments(self, known: QueryFacts, dataset: Dataset) -> _DatasetArguments:
        if dataset.default_graphs or dataset.named_graphs:
            return {
                "default_graph": [ox.NamedNode(iri) for iri in dataset.default_graphs],
                "named_graphs": [ox.NamedNode(iri) for iri in dataset.named_graphs],
            }
        if known.has_dataset_clause:
            return {}
        return self._dataset_arguments(dataset)

    def _dataset_arguments(self, dataset: Dataset) -> _DatasetArguments:
        arguments: _DatasetArguments
        if dataset.default_graphs:
            arguments = {"default_graph": [ox.NamedNode(iri) for iri in dataset.default_graphs]}
        elif not dataset.include_inferred:
            asserted: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
                ox.NamedNode(node.value)
                for node in self._store.named_graphs()
                if node.value != str(INFERRED_GRAPH)
            ]
            arguments = {"default_graph": asserted}
        else:
            arguments = {"use_default_graph_as_union": True}

        if dataset.named_graphs:
            arguments["named_graphs"] = [ox.NamedNode(iri) for iri in dataset.named_graphs]
        return arguments


def _check_bulk_sources(sources: Sequence[GraphSource]) -> None:
    graphs = [source.graph for source in sources]
    repeated = sorted({graph for graph in graphs if graphs.count(graph) > 1})
    if repeated:
        raise ValueError(f"bulk_load_graphs() fills each graph once; named twice: {repeated}")
    datasets = [source.name for source in sources if source.rdf_format.supports_datasets]
    if datasets:
        raise ValueError(f"bulk_load_graphs() takes only triple formats, not datasets: {datasets}")


async def _acquire_on_thread(snapshots: Snapshots, generation: int) -> Path:
    acquiring = asyncio.ensure_future(asyncio.to_thread(snapshots.acquire, generation))
    try:
        return await asyncio.shield(acquiring)
    except asyncio.CancelledError:
        # The thread may still take the snapshot, whose use must then end.
        acquiring.add_done_callback(lambda done: _release_acquired(snapshots, done))
        raise


def _release_acquired(snapshots: Snapshots, acquiring: asyncio.Future[Path]) -> None:
    if not acquiring.cancelled() and acquiring.exception() is None:
        snapshots.release(acquiring.result())


def _term(text: str) -> ox.NamedNode | ox.BlankNode:
    """Return the IRI or blank node an N-Triples term names."""
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    if text.startswith("<") and text.endswith(">"):
        return ox.NamedNode(text[1:-1])
    raise ValueError(f"not an N-Triples IRI or blank node: {text!r}")


def _named(graph: str | None) -> list[str]:
    """Return the named graphs a write to ``graph`` changes: none for the default graph,
    which the inference rules do not read."""
    return [] if graph is None else [graph]


def _quad_graphs(quads: Iterable[ox.Quad]) -> set[str] | None:
    """Return the named graphs of ``quads``, or None when one is a blank node, which a
    query cannot name to compare its triples."""
    graphs = set()
    for quad in quads:
        name = quad.graph_name
        if isinstance(name, ox.BlankNode):
            return None
        if isinstance(name, ox.NamedNode):
            graphs.add(name.value)
    return graphs


def _quads(lines: Collection[str], graph: ox.NamedNode) -> list[ox.Quad]:
    """Parse N-Triples ``lines`` into quads of ``graph``, keeping blank node labels."""
    triples = ox.parse("\n".join(lines), ox.RdfFormat.N_TRIPLES)
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]


def _task(
    query: str,
    known: QueryFacts,
    base_iri: str | None,
    arguments: _DatasetArguments,
    results_format: ox.QueryResultsFormat | None,
    graph_format: ox.RdfFormat | None,
    max_rows: int,
    functions: dict[str, CustomFunction],
) -> QueryTask:
    select = known.form in (QueryForm.SELECT, None)
    default_graph = arguments.get("default_graph")
    named_graphs = arguments.get("named_graphs")
    return QueryTask(
        query=query,
        base_iri=base_iri,
        results_media_type=results_format.media_type if results_format else None,
        graph_media_type=graph_format.media_type if graph_format else None,
        max_rows=max_rows,
        default_graph=None if default_graph is None else _iris(default_graph),
        named_graphs=None if named_graphs is None else _iris(named_graphs),
        use_default_graph_as_union=arguments.get("use_default_graph_as_union", False),
        functions=functions,
        select=select,
        within_limit=known.select_within(max_rows),
    )


def _iris(graphs: Iterable[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]) -> tuple[str, ...]:
    # The dataset arguments built in this module name graphs by IRI only.
    return tuple(cast(ox.NamedNode, graph).value for graph in graphs)


def _picklable(functions: CustomFunctions) -> dict[str, CustomFunction]:
    """Return ``functions`` by IRI, checking that each can be sent to a worker process."""
    by_iri: dict[str, CustomFunction] = {}
    for iri, function in functions.items():
        try:
            pickle.dumps(function)
        except (pickle.PicklingError, AttributeError, TypeError) as error:
            raise TypeError(
                f"SPARQL extension function {iri.value} ({function!r}) cannot be sent to the "
                "query workers; define it as a module-level function."
            ) from error
        by_iri[iri.value] = function
    return by_iri


class _ClosedStore:
    """Stands in for a closed pyoxigraph store and raises StoreError on any use."""

    def __init__(self, path: Path | None) -> None:
        self._path = path

    def __getattr__(self, name: str) -> object:
        raise StoreError(
            f"Хранилище {self._path or 'в памяти'} уже закрыто; откройте его заново.",
            f"The store at {self._path or 'memory'} is already closed; open it again.",
        )

    def __len__(self) -> int:
        raise StoreError(
            f"Хранилище {self._path or 'в памяти'} уже закрыто; откройте его заново.",
            f"The store at {self._path or 'memory'} is already closed; open it again.",
        )
