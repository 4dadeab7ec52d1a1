"""The remote store's write lock, against a real Oxigraph server.

Each RemoteStore object below shares nothing with the others but the server, as separate
service processes do.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from remote_server import OxigraphServer, OxigraphServers

from vic_semantic.errors import StoreError
from vic_semantic.store.remote import RemoteEndpoints, RemoteStore
from vic_semantic.store.write_lock import LOCK_GRAPH

COUNTER = "http://example.org/lock-test/counter"
VALUE = "http://example.org/lock-test/value"
TICKET = "<https://w3id.org/vic-semantic/write-lock#ticket>"
CHOOSING = "<https://w3id.org/vic-semantic/write-lock#choosing>"
RENEWED = "<https://w3id.org/vic-semantic/write-lock#renewed>"
XSD_DATETIME = "<http://www.w3.org/2001/XMLSchema#dateTime>"


@pytest.fixture
def server(oxigraph_servers: OxigraphServers) -> OxigraphServer:
    remote = oxigraph_servers.get("write-lock")
    remote.clear()
    return remote


@pytest.fixture
def stores(server: OxigraphServer) -> Iterator[list[RemoteStore]]:
    endpoints = RemoteEndpoints(
        f"{server.base}/query", f"{server.base}/update", f"{server.base}/store"
    )
    opened = [RemoteStore(endpoints) for _ in range(4)]
    yield opened
    for store in opened:
        store.close()


def _counter(store: RemoteStore) -> int:
    rows = store.select(f"SELECT ?v WHERE {{ GRAPH <{COUNTER}> {{ <{COUNTER}> <{VALUE}> ?v }} }}")
    return int(rows[0]["v"]) if rows else 0


def _increment(store: RemoteStore) -> None:
    """Read the counter, then write it plus one: a lost update without the lock."""
    value = _counter(store)
    store.update(
        f"DELETE WHERE {{ GRAPH <{COUNTER}> {{ <{COUNTER}> <{VALUE}> ?v }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{COUNTER}> {{ <{COUNTER}> <{VALUE}> {value + 1} }} }}"
    )


def _run_increments(stores: list[RemoteStore], rounds: int, locked: bool) -> None:
    start = threading.Barrier(len(stores))

    def run(store: RemoteStore) -> None:
        start.wait()
        for _ in range(rounds):
            if locked:
                with store.exclusive():
                    _increment(store)
            else:
                _increment(store)

    threads = [threading.Thread(target=run, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_unlocked_increments_lose_updates(stores: list[RemoteStore]) -> None:
    # Shows that the server itself does not serialise a read and the write after it, so the
    # test below can tell the lock from luck.
    _run_increments(stores, rounds=15, locked=False)

    assert _counter(stores[0]) < len(stores) * 15


def test_locked_increments_all_count(stores: list[RemoteStore]) -> None:
    _run_increments(stores, rounds=15, locked=True)

    assert _counter(stores[0]) == len(stores) * 15


def test_lock_released_after_block(stores: list[RemoteStore]) -> None:
    with stores[0].exclusive():
        stores[0].update(f"INSERT DATA {{ GRAPH <{COUNTER}> {{ <{COUNTER}> <{VALUE}> 1 }} }}")

    rows = stores[0].select(f"SELECT * WHERE {{ GRAPH <{LOCK_GRAPH}> {{ ?s ?p ?o }} }}")
    assert rows == []


def test_nested_blocks_share_lock(stores: list[RemoteStore]) -> None:
    finished = threading.Event()

    def nested() -> None:
        with stores[0].exclusive(), stores[0].exclusive():
            stores[0].update(f"INSERT DATA {{ GRAPH <{COUNTER}> {{ <{COUNTER}> <{VALUE}> 1 }} }}")
        finished.set()

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()

    assert finished.wait(30), "a nested block waited for the lock its own thread holds"


def _add_entry(store: RemoteStore, iri: str, renewed: str | None, choosing: bool) -> None:
    state = f"{CHOOSING} true" if choosing else f"{TICKET} 1"
    time_value = f'"{renewed}"^^{XSD_DATETIME}' if renewed else "?now"
    store.update(
        f"INSERT {{ GRAPH <{LOCK_GRAPH}> {{ <{iri}> {state} ; {RENEWED} {time_value} }} }} "
        "WHERE { BIND(NOW() AS ?now) }"
    )


def test_dead_entry_skipped_and_removed(stores: list[RemoteStore]) -> None:
    dead = "urn:uuid:00000000-0000-0000-0000-000000000001"
    _add_entry(stores[1], dead, "2000-01-01T00:00:00Z", choosing=False)
    started = time.monotonic()

    with stores[0].exclusive():
        waited = time.monotonic() - started

    assert waited < 10, f"a dead entry held the lock for {waited:.1f} s"
    rows = stores[0].select(f"SELECT ?p WHERE {{ GRAPH <{LOCK_GRAPH}> {{ <{dead}> ?p ?o }} }}")
    assert rows == [], "the dead entry was not removed"


@pytest.mark.parametrize("choosing", [True, False], ids=["choosing", "ticket"])
def test_live_entry_blocks_until_timeout(stores: list[RemoteStore], choosing: bool) -> None:
    live = "urn:uuid:00000000-0000-0000-0000-000000000002"
    _add_entry(stores[1], live, None, choosing)
    stores[0].write_lock.wait_seconds = 0.5

    with pytest.raises(StoreError, match="waited for its turn"), stores[0].exclusive():
        pass

    rows = stores[0].select(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{LOCK_GRAPH}> {{ ?s ?p ?o }} }}")
    assert [row["s"] for row in rows] == [live], "the entry of the write that gave up is left"


def test_unrenewed_entry_expires_after_lease(stores: list[RemoteStore]) -> None:
    _add_entry(stores[1], "urn:uuid:00000000-0000-0000-0000-000000000003", None, False)
    stores[0].write_lock.lease_seconds = 1.0
    started = time.monotonic()

    with stores[0].exclusive():
        waited = time.monotonic() - started

    assert 0.9 <= waited < 10


def test_holder_renews_its_entry(stores: list[RemoteStore]) -> None:
    # A holder that works longer than the lease keeps the lock: others must still wait.
    for store in stores[:2]:
        store.write_lock.lease_seconds = 1.0
    stores[1].write_lock.wait_seconds = 0.5
    with stores[0].exclusive():
        time.sleep(2.0)
        with pytest.raises(StoreError, match="waited for its turn"), stores[1].exclusive():
            pass


def test_lock_graph_not_in_graphs_or_dump(stores: list[RemoteStore]) -> None:
    stores[0].update(f"INSERT DATA {{ GRAPH <{COUNTER}> {{ <{COUNTER}> <{VALUE}> 1 }} }}")
    with stores[0].exclusive():
        graphs = [graph.iri for graph in stores[1].graphs()]
        dump = stores[1].dump(ox.RdfFormat.N_QUADS).decode()

    assert graphs == [COUNTER]
    assert LOCK_GRAPH not in dump
    assert COUNTER in dump


def test_store_with_lock_entry_only_is_empty(stores: list[RemoteStore]) -> None:
    # An entry left by a killed process must not keep the demo from loading into a new store.
    _add_entry(
        stores[1], "urn:uuid:00000000-0000-0000-0000-000000000004", "2000-01-01T00:00:00Z", False
    )

    assert stores[0].is_empty()
    stores[0].update(f"INSERT DATA {{ GRAPH <{COUNTER}> {{ <{COUNTER}> <{VALUE}> 1 }} }}")
    assert not stores[0].is_empty()
