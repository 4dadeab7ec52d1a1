"""How the remote store reports the server's errors: syntax, server down, server timeout."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from remote_server import OxigraphServer, OxigraphServers

from api.main import create_app
from vic_semantic.config import Settings
from vic_semantic.errors import QuerySyntaxError, StoreUnavailableError
from vic_semantic.service import VicService
from vic_semantic.store.base import Dataset
from vic_semantic.store.embedded import EmbeddedStore

BAD_QUERY = "SELECT ?s WHERE {\n  ?s ?p \n}"


def _client(settings: Settings) -> Iterator[TestClient]:
    service = VicService.open(settings)
    try:
        with TestClient(create_app(settings, service=service)) as client:
            yield client
    finally:
        service.close()


@pytest.fixture
def scratch(oxigraph_servers: OxigraphServers) -> OxigraphServer:
    server = oxigraph_servers.get("scratch")
    server.clear()
    return server


@pytest.fixture
def remote_client(scratch: OxigraphServer, tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(Settings(data_dir=tmp_path, load_demo=False, **scratch.settings))


@pytest.fixture
def down_client(tmp_path: Path) -> Iterator[TestClient]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port once the probe is closed.
    base = f"http://127.0.0.1:{port}"
    settings = Settings(
        data_dir=tmp_path,
        load_demo=False,
        store_url=f"{base}/query",
        store_update_url=f"{base}/update",
        store_gsp_url=f"{base}/store",
    )
    yield from _client(settings)


def test_syntax_error_keeps_client_position(remote_client: TestClient) -> None:
    response = remote_client.get("/sparql", params={"query": BAD_QUERY})

    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "query_syntax"
    # The store sends a BASE line first; the position still points into the client's text,
    # where the embedded store reports it too.
    assert (body["line"], body["column"]) == (3, 2)
    assert "/query" in body["message"]


def test_syntax_error_in_update_keeps_position(remote_client: TestClient) -> None:
    update = "INSERT DATA {\n <http://a> <http://b> \n}"
    service: VicService = remote_client.app.state.service  # type: ignore[attr-defined]
    with pytest.raises(QuerySyntaxError) as remote:
        service.store.run_update(update, "http://vic.test/")
    with pytest.raises(QuerySyntaxError) as embedded:
        EmbeddedStore(None).run_update(update, "http://vic.test/")

    assert remote.value.line == 3
    assert (remote.value.line, remote.value.column) == (embedded.value.line, embedded.value.column)


def test_server_down_is_503_naming_url(down_client: TestClient) -> None:
    response = down_client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Accept-Language": "en"}
    )

    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"] == "store_unavailable"
    url = down_client.app.state.service.settings.store_url  # type: ignore[attr-defined]
    assert url in body["message"]
    assert "store_url" in body["message"]


def test_server_down_graph_read_is_503(down_client: TestClient) -> None:
    response = down_client.get("/graphs", params={"graph": "http://example.org/g"})

    assert response.status_code == 503, response.text


def test_server_timeout_is_query_timeout(oxigraph_servers: OxigraphServers, tmp_path: Path) -> None:
    # The server's own 1 s limit runs out long before the service's 30 s one.
    server = oxigraph_servers.get("short-timeout", 1)
    server.clear()
    settings = Settings(data_dir=tmp_path, load_demo=False, **server.settings)
    service = VicService.open(settings)
    try:
        triples = " ".join(f"<http://s{i}> <http://p> {i} ." for i in range(2000))
        service.store.update(f"INSERT DATA {{ GRAPH <http://g> {{ {triples} }} }}")
        with pytest.raises(StoreUnavailableError) as raised:
            service.store.run_query(
                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                Dataset(),
                None,
                None,
                None,
            )
    finally:
        service.close()

    assert "VIC_QUERY_TIMEOUT_SECONDS" in raised.value.message_en
    assert server.base in raised.value.message_en
