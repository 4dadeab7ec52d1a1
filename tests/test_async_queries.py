"""Queries of the embedded store awaited on an event loop (``astream_query``), and compaction.

The API awaits the query worker's pipe on its event loop. These tests run that path on a
real on-disk store with real worker processes, on asyncio's own loop and on uvloop, which
makes a watched descriptor non-blocking.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import uvloop

from vic_semantic.errors import QuerySyntaxError, QueryTimeoutError
from vic_semantic.store.base import Dataset, QueryLimits
from vic_semantic.store.embedded import EmbeddedStore
from vic_semantic.store.snapshots import Snapshots

GRAPH = "http://example.org/async"
DATA = "\n".join(
    f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(300)
).encode()
SELECT = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?o"
CONSTRUCT = "CONSTRUCT { ?s <http://example.org/q> ?o } WHERE { ?s <http://example.org/p> ?o }"
# Joins the 300 triples with themselves three times: 2.7·10⁷ rows to count, which takes
# the engine seconds, longer than the tests' time limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT_SECONDS = 1.0

LOOPS: dict[str, Callable[[Coroutine[Any, Any, Any]], Any]] = {
    "asyncio": asyncio.run,
    "uvloop": uvloop.run,
}


@pytest.fixture(params=list(LOOPS))
def run(request: pytest.FixtureRequest) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a coroutine to its end on a new event loop of each kind."""
    return LOOPS[request.param]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(
        tmp_path / "store", limits=QueryLimits(timeout_seconds=TIMEOUT_SECONDS), workers=1
    )
    opened.replace_graph(GRAPH, DATA, ox.RdfFormat.TURTLE)
    yield opened
    opened.close()


async def collect(chunks: AsyncGenerator[bytes, None]) -> bytes:
    return b"".join([chunk async for chunk in chunks])


def astream(
    store: EmbeddedStore,
    query: str,
    results_format: ox.QueryResultsFormat | None = ox.QueryResultsFormat.JSON,
    graph_format: ox.RdfFormat | None = None,
) -> AsyncGenerator[bytes, None]:
    return store.astream_query(query, Dataset(), None, results_format, graph_format)


def run_query(store: EmbeddedStore, query: str) -> bytes:
    return store.run_query(query, Dataset(), None, ox.QueryResultsFormat.JSON, None)


def test_astream_select_matches_run_query(store: EmbeddedStore, run: Callable[..., Any]) -> None:
    streamed = run(collect(astream(store, SELECT)))

    assert streamed == run_query(store, SELECT)
    assert len(json.loads(streamed)["results"]["bindings"]) == 300


def test_astream_construct_matches_run_query(store: EmbeddedStore, run: Callable[..., Any]) -> None:
    streamed = run(collect(astream(store, CONSTRUCT, None, ox.RdfFormat.N_TRIPLES)))
    whole = store.run_query(CONSTRUCT, Dataset(), None, None, ox.RdfFormat.N_TRIPLES)

    assert streamed == whole
    assert streamed.count(b"\n") == 300


def test_astream_in_memory_store(run: Callable[..., Any]) -> None:
    memory = EmbeddedStore(None)
    memory.replace_graph(GRAPH, DATA, ox.RdfFormat.TURTLE)

    streamed = run(collect(astream(memory, SELECT)))

    assert len(json.loads(streamed)["results"]["bindings"]) == 300


def test_astream_syntax_error(store: EmbeddedStore, run: Callable[..., Any]) -> None:
    with pytest.raises(QuerySyntaxError):
        run(collect(astream(store, "SELECT ?s WHERE { ?s")))

    # The worker that reported the error serves the next query.
    assert json.loads(run_query(store, "ASK {}"))["boolean"] is True


def test_astream_sees_the_latest_write(store: EmbeddedStore, run: Callable[..., Any]) -> None:
    ask = "ASK { <http://example.org/new> <http://example.org/p> 1 }"
    assert json.loads(run(collect(astream(store, ask))))["boolean"] is False

    store.add_to_graph(
        GRAPH, b"<http://example.org/new> <http://example.org/p> 1 .", ox.RdfFormat.TURTLE
    )

    assert json.loads(run(collect(astream(store, ask))))["boolean"] is True


def test_loop_runs_while_worker_computes(store: EmbeddedStore, run: Callable[..., Any]) -> None:
    """Other coroutines go on while a query runs; a blocked loop would tick only at its end."""

    async def ticks_during_query() -> tuple[int, float]:
        ticks = 0
        query = asyncio.ensure_future(collect(astream(store, SLOW)))
        started = time.monotonic()
        while not query.done():
            await asyncio.sleep(0.01)
            ticks += 1
        with pytest.raises(QueryTimeoutError):
            query.result()
        return ticks, time.monotonic() - started

    ticks, seconds = run(ticks_during_query())

    assert seconds >= TIMEOUT_SECONDS * 0.9
    assert ticks >= 20


def test_astream_timeout_then_next_query(store: EmbeddedStore, run: Callable[..., Any]) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError):
        run(collect(astream(store, SLOW)))
    waited = time.monotonic() - started

    assert waited < TIMEOUT_SECONDS + 5
    assert json.loads(run_query(store, "ASK {}"))["boolean"] is True


def test_cancelled_query_frees_the_worker(store: EmbeddedStore, run: Callable[..., Any]) -> None:
    """A client gone while its query runs must not keep the pool's only worker."""

    async def cancel_then_ask() -> bytes:
        query = asyncio.ensure_future(collect(astream(store, SLOW)))
        await asyncio.sleep(0.3)
        query.cancel()
        with pytest.raises(asyncio.CancelledError):
            await query
        return await collect(astream(store, "ASK {}"))

    started = time.monotonic()
    answer = run(cancel_then_ask())

    # Waiting for a busy worker would take the whole time limit and then fail.
    assert time.monotonic() - started < TIMEOUT_SECONDS
    assert json.loads(answer)["boolean"] is True


def test_closed_early_frees_the_worker(store: EmbeddedStore, run: Callable[..., Any]) -> None:
    digits = "{0 1 2 3 4 5 6 7 8 9}"
    big = (
        f"SELECT ?i WHERE {{ VALUES ?a {digits} VALUES ?b {digits} VALUES ?c {digits} "
        f"VALUES ?d {digits} BIND(?a + 10 * ?b + 100 * ?c + 1000 * ?d AS ?i) }}"
    )
    store.limits = QueryLimits(timeout_seconds=TIMEOUT_SECONDS, max_rows=20_000)

    async def first_chunk_then_ask() -> tuple[bytes, bytes]:
        chunks = astream(store, big, ox.QueryResultsFormat.TSV)
        first = await anext(chunks)
        await chunks.aclose()
        return first, await collect(astream(store, "ASK {}"))

    first, answer = run(first_chunk_then_ask())

    assert first.startswith(b"?i\n")
    assert json.loads(answer)["boolean"] is True


def test_snapshot_acquire_made(tmp_path: Path) -> None:
    source = ox.Store(str(tmp_path / "store"))
    snapshots = Snapshots(source, tmp_path / "snapshots")

    assert snapshots.acquire_made(0) is None
    snapshot = snapshots.acquire(0)
    again = snapshots.acquire_made(0)
    assert again == snapshot
    assert snapshots.acquire_made(1) is None

    snapshots.release(snapshot)
    assert again is not None
    snapshots.release(again)
    assert snapshot.is_dir(), "the current snapshot stays after its last use"
    newer = snapshots.acquire(1)
    snapshots.release(newer)
    assert not snapshot.exists(), "an unused older snapshot is deleted"
    snapshots.close()


def test_optimize_keeps_the_data(store: EmbeddedStore) -> None:
    before = run_query(store, SELECT)

    store.optimize()

    assert run_query(store, SELECT) == before
    assert len(json.loads(before)["results"]["bindings"]) == 300


def test_optimize_in_memory_does_nothing() -> None:
    memory = EmbeddedStore(None)
    memory.replace_graph(GRAPH, DATA, ox.RdfFormat.TURTLE)

    memory.optimize()

    assert len(json.loads(run_query(memory, SELECT))["results"]["bindings"]) == 300
