"""Graceful shutdown: SIGTERM lets the request in progress finish, then the store is closed."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from served_app import ServedApp, cli_command

from vic_semantic.store.embedded import EmbeddedStore

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not cli_command().is_file(), reason="the vic-semantic script is not installed"
    ),
]

ADMIN_TOKEN = "shutdown-admin-token"
GRAPH = "http://example.org/shutdown"
SUBJECTS = 300
CLEAN_EXIT = (0, -signal.SIGTERM)
# Joins the graph with itself three times: 300³ = 27·10⁶ rows to count, a few seconds.
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _load(server: ServedApp) -> None:
    data = "\n".join(
        f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(SUBJECTS)
    )
    response = httpx.put(
        server.url + "/graphs",
        params={"graph": GRAPH},
        content=data,
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "text/turtle"},
        timeout=30,
    )
    assert response.status_code == 201, response.text


def test_sigterm_finishes_slow_request(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ServedApp(data_dir, ADMIN_TOKEN, VIC_QUERY_TIMEOUT_SECONDS="120")
    _load(server)
    answers: list[httpx.Response] = []

    def query() -> None:
        answers.append(httpx.get(server.url + "/sparql", params={"query": SLOW_QUERY}, timeout=120))

    thread = threading.Thread(target=query)
    thread.start()
    time.sleep(1.0)  # the query is running, in a worker process started for it
    sent_at = time.monotonic()
    exit_code = server.terminate()
    thread.join(timeout=120)

    # uvicorn 0.29 and later re-raise the signal once shutdown is complete.
    assert exit_code in CLEAN_EXIT, server.log_tail()
    assert len(answers) == 1
    assert answers[0].status_code == 200, answers[0].text
    count = answers[0].json()["results"]["bindings"][0]["n"]["value"]
    assert int(count) == SUBJECTS**3
    assert time.monotonic() - sent_at > 0.1  # the server waited for the query
    messages = [
        json.loads(line).get("message", "")
        for line in server.log.read_text().splitlines()
        if line.startswith("{")
    ]
    assert "store closed and query workers stopped" in messages

    store = EmbeddedStore(data_dir / "store")  # the lock was released
    try:
        assert store.has_graph(GRAPH)
    finally:
        store.close()


def test_sigterm_refuses_new_connections(tmp_path: Path) -> None:
    server = ServedApp(tmp_path / "data", ADMIN_TOKEN)

    assert server.terminate() in CLEAN_EXIT
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url + "/health", timeout=2)
