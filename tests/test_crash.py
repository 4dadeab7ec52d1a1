"""Crash safety: a server killed with SIGKILL loses no acknowledged write and keeps no partial one.

Clients write small graphs, each with a unique id and a checksum triple over the other
triples, by Graph Store PUT and by SPARQL Update. The server is killed at random moments
and, in every other round, right after it acknowledged a write. After each restart every
acknowledged graph must be there whole, and every graph in the store must be whole.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from served_app import ServedApp, cli_command

from vic_semantic.store.embedded import EmbeddedStore

pytestmark = pytest.mark.slow

ADMIN_TOKEN = "crash-admin-token"
ROUNDS = 20
CLIENTS = 2
PREFIX = "http://example.org/crash/"
ITEM = "<http://example.org/item>"
CHECKSUM = "<http://example.org/checksum>"
TRIPLES_PER_WRITE = 5


def _item_lines(write_id: str) -> list[str]:
    return [
        f'<{PREFIX}{write_id}/s{k}> {ITEM} "{write_id}-{k}" .' for k in range(TRIPLES_PER_WRITE)
    ]


def _checksum(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def _body(write_id: str) -> str:
    lines = _item_lines(write_id)
    return "\n".join([*lines, f'<{PREFIX}{write_id}> {CHECKSUM} "{_checksum(lines)}" .'])


@dataclass
class Round:
    """Writes acknowledged in one server lifetime, and the id acknowledged just before a kill."""

    acknowledged: set[str] = field(default_factory=set)
    last_before_kill: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    acked_event: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)


def _send(client: httpx.Client, url: str, write_id: str, use_update: bool) -> httpx.Response:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    graph = f"{PREFIX}{write_id}"
    if use_update:
        update = f"INSERT DATA {{ GRAPH <{graph}> {{\n{_body(write_id)}\n}} }}"
        headers["Content-Type"] = "application/sparql-update"
        return client.post(url + "/sparql", content=update, headers=headers)
    headers["Content-Type"] = "application/n-triples"
    return client.put(
        url + "/graphs", params={"graph": graph}, content=_body(write_id), headers=headers
    )


def _client_loop(url: str, state: Round, seed: int) -> None:
    chooser = random.Random(seed)
    with httpx.Client(timeout=10) as client:
        while not state.stop.is_set():
            write_id = uuid.uuid4().hex
            try:
                response = _send(client, url, write_id, chooser.random() < 0.5)
            except httpx.TransportError:
                return  # the server is gone
            if response.is_success:
                with state.lock:
                    state.acknowledged.add(write_id)
                    if not state.acked_event.is_set():
                        state.last_before_kill = write_id
                        state.acked_event.set()
            elif response.status_code < 500:
                raise AssertionError(f"write rejected: {response.status_code} {response.text}")


def _graphs(quads: list[ox.Quad]) -> dict[str, set[str]]:
    by_graph: dict[str, set[str]] = defaultdict(set)
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value.startswith(PREFIX):
            triple = ox.Triple(quad.subject, quad.predicate, quad.object)
            by_graph[quad.graph_name.value[len(PREFIX) :]].add(f"{triple} .")
    return by_graph


def _problems(by_graph: dict[str, set[str]], acknowledged: set[str]) -> list[str]:
    """Return every acknowledged write that is missing and every graph that is not whole."""
    problems = [f"acknowledged write {i} is missing" for i in acknowledged if i not in by_graph]
    for write_id, lines in by_graph.items():
        expected = set(_body(write_id).splitlines())
        if lines != expected:
            problems.append(f"graph {write_id} is partial: {len(lines)} of {len(expected)} triples")
    return problems


def _dataset_over_http(url: str) -> list[ox.Quad]:
    response = httpx.get(url + "/graphs", headers={"Accept": "application/n-quads"}, timeout=30)
    assert response.status_code == 200, response.text
    return list(ox.parse(response.content, format=ox.RdfFormat.N_QUADS))


def _run_round(server: ServedApp, kill_after_ack: bool, chooser: random.Random) -> Round:
    state = Round()
    clients = [
        threading.Thread(
            target=_client_loop, args=(server.url, state, chooser.random()), daemon=True
        )
        for _ in range(CLIENTS)
    ]
    for client in clients:
        client.start()

    if kill_after_ack:
        # Kill as soon as the first write is acknowledged: its data must have been durable
        # before the response went out.
        assert state.acked_event.wait(30), server.log_tail()
        server.kill()
    else:
        state.acked_event.wait(30)
        time.sleep(chooser.uniform(0.0, 0.6))
        server.kill()
    state.stop.set()
    for client in clients:
        client.join(timeout=30)
    return state


@pytest.mark.skipif(not cli_command().is_file(), reason="the vic-semantic script is not installed")
def test_kill_loses_no_acknowledged_write(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    chooser = random.Random(20240611)
    acknowledged: set[str] = set()
    after_ack: list[str] = []

    server = ServedApp(data_dir, ADMIN_TOKEN)
    for number in range(ROUNDS):
        state = _run_round(server, kill_after_ack=number % 2 == 0, chooser=chooser)
        acknowledged |= state.acknowledged
        if number % 2 == 0 and state.last_before_kill:
            after_ack.append(state.last_before_kill)

        server = ServedApp(data_dir, ADMIN_TOKEN)
        by_graph = _graphs(_dataset_over_http(server.url))
        assert _problems(by_graph, acknowledged) == [], f"round {number}:\n{server.log_tail()}"
        for write_id in after_ack:
            assert write_id in by_graph, f"write {write_id}, acknowledged right before a kill"
    server.kill()

    # The store opens cleanly in this process too, and contains the same.
    store = EmbeddedStore(data_dir / "store")
    try:
        by_graph = _graphs(list(store._store))
    finally:
        store.close()
    assert _problems(by_graph, acknowledged) == []
    assert len(acknowledged) >= ROUNDS  # each round acknowledged at least one write
    assert len(after_ack) == ROUNDS // 2
