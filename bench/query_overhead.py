"""Measure what the query worker processes add to each API query of the embedded store.

Run: .venv/bin/python bench/query_overhead.py

It builds the demo cluster in a temporary folder and times three queries 50 times each
(medians): directly on pyoxigraph, with the row limit in this process, and through a worker.
It then times the first query after a write, which makes a new snapshot for the workers.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from api.routers.home import EXAMPLE_QUERY
from vic_semantic.config import Settings
from vic_semantic.service import VicService
from vic_semantic.store.base import Dataset
from vic_semantic.store.embedded import EmbeddedStore
from vic_semantic.store.execution import QueryTask, execute

QUERIES = {
    "ASK": "ASK { ?s ?p ?o }",
    "README query": EXAMPLE_QUERY,
    "1000 rows": "SELECT * WHERE { ?s ?p ?o } LIMIT 1000",
}
RUNS = 50


def median_ms(run: Callable[[], object], runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def first_query_after_write_ms(store: EmbeddedStore) -> float:
    store.update("INSERT DATA { GRAPH <http://bench.test/g> { <http://a> <http://b> 1 } }")
    started = time.perf_counter()
    store.run_query("ASK {}", Dataset(), None, None, None)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    service = VicService.open(Settings(data_dir=Path(tempfile.mkdtemp())))
    store = service.store
    assert isinstance(store, EmbeddedStore)
    engine = store._store
    store.run_query("ASK {}", Dataset(), None, None, None)  # start a worker, make a snapshot

    print(f"{'query':14} {'direct':>9} {'row limit':>10} {'worker':>9}  (median ms)")
    for name, query in QUERIES.items():
        task = QueryTask(query, None, None, None, 10**9, use_default_graph_as_union=True)
        direct = median_ms(
            lambda q=query: engine.query(q, use_default_graph_as_union=True).serialize(
                format=ox.QueryResultsFormat.JSON
            )
        )
        limited = median_ms(lambda t=task: execute(engine, t))
        pooled = median_ms(lambda q=query: store.run_query(q, Dataset(), None, None, None))
        print(f"{name:14} {direct:9.2f} {limited:10.2f} {pooled:9.2f}")

    after_write = statistics.median(first_query_after_write_ms(store) for _ in range(10))
    print(f"first query after a write: {after_write:.1f} ms (median of 10)")
    service.close()


if __name__ == "__main__":
    main()
