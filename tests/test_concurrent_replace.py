"""Replacements of one graph at the same moment leave exactly one of them, on both stores.

pyoxigraph 0.5.13 and Oxigraph server 0.5.13 run each update on a snapshot taken when it
starts and do not detect conflicting writes, so without the stores' write locks two
concurrent "drop the graph, then insert" updates leave the union of both.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from remote_server import OxigraphServers

from vic_semantic.store.base import Store
from vic_semantic.store.embedded import EmbeddedStore
from vic_semantic.store.remote import RemoteEndpoints, RemoteStore

WRITERS = 4
ROUNDS = 10
TRIPLES = 2000
PREDICATE = "http://example.org/replace/p"


@pytest.fixture(params=["embedded", "remote"])
def stores(
    request: pytest.FixtureRequest, tmp_path: Path, oxigraph_servers: OxigraphServers
) -> Iterator[list[Store]]:
    """One store object per writer: the same embedded store, or separate remote clients."""
    if request.param == "embedded":
        embedded = EmbeddedStore(tmp_path / "store")
        yield [embedded] * WRITERS
        embedded.close()
        return
    server = oxigraph_servers.get("write-lock")
    server.clear()
    base = server.base
    endpoints = RemoteEndpoints(f"{base}/query", f"{base}/update", f"{base}/store")
    remote = [RemoteStore(endpoints) for _ in range(WRITERS)]
    yield list(remote)
    for store in remote:
        store.close()


def _replacement(graph: str, writer: int) -> str:
    data = "\n".join(
        f"<http://example.org/replace/w{writer}/s{i}> <{PREDICATE}> {i} ." for i in range(TRIPLES)
    )
    return f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{data}\n}} }}"


def test_simultaneous_replacements_keep_one(stores: list[Store]) -> None:
    for round_number in range(ROUNDS):
        graph = f"http://example.org/replace/g{round_number}"
        start = threading.Barrier(WRITERS)

        def replace(
            store: Store, writer: int, graph: str = graph, start: threading.Barrier = start
        ) -> None:
            update = _replacement(graph, writer)
            start.wait()
            store.update(update)

        threads = [
            threading.Thread(target=replace, args=(store, writer))
            for writer, store in enumerate(stores)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        rows = stores[0].select(
            f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT STRBEFORE(STRAFTER(STR(?s), "
            f'"/replace/"), "/")) AS ?writers) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}'
        )
        assert int(rows[0]["writers"]) == 1, f"round {round_number}: replacements merged"
        assert int(rows[0]["n"]) == TRIPLES
