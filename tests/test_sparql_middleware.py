"""/sparql served by ``SparqlEndpointMiddleware`` keeps what FastAPI's route gave it.

The middleware calls the endpoint functions itself, so these tests check what FastAPI's
routing used to add. That is the route label of the metrics and the request log, the read
check, CORS and the error responses. Other methods must still reach the router.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from conftest import ServiceFactory
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.main import create_app
from vic_semantic.service import VicService

ADMIN_TOKEN = "middleware-admin-token"
JSON = "application/sparql-results+json"


@pytest.fixture
def service(service_factory: ServiceFactory) -> VicService:
    return service_factory(load_demo=False, admin_token=ADMIN_TOKEN)


@pytest.fixture
def client(service: VicService) -> Iterator[TestClient]:
    with TestClient(create_app(service.settings, service=service)) as test_client:
        yield test_client


@pytest.fixture
def closed_client(service_factory: ServiceFactory) -> Iterator[TestClient]:
    """A client of a service that reads nothing without a token."""
    closed = service_factory(load_demo=False, admin_token=ADMIN_TOKEN, allow_anonymous_read=False)
    with TestClient(create_app(closed.settings, service=closed)) as test_client:
        yield test_client


def _request_count(client: TestClient, method: str, status: str) -> float:
    wanted = {"method": method, "route": "/sparql", "status": status}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == "vic_http_requests_total" and sample.labels == wanted:
                return sample.value
    return 0.0


def test_metrics_label_sparql_route(client: TestClient) -> None:
    client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})
    client.post(
        "/sparql",
        content=b"ASK {}",
        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
    )
    client.get("/sparql", params={"query": "ASK {"}, headers={"Accept": JSON})

    assert _request_count(client, "GET", "200") == 1
    assert _request_count(client, "POST", "200") == 1
    assert _request_count(client, "GET", "400") == 1


def test_log_line_names_route_and_principal(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="api.request_log"):
        response = client.get(
            "/sparql",
            params={"query": "ASK {}"},
            headers={"Accept": JSON, "Authorization": f"Bearer {ADMIN_TOKEN}"},
        )

    assert response.status_code == 200
    fields = [record.fields for record in caplog.records if hasattr(record, "fields")]
    assert len(fields) == 1
    assert fields[0]["route"] == "/sparql"
    assert fields[0]["role"] == "admin"
    assert fields[0]["request_id"] == response.headers["x-request-id"]


def test_cors_header_on_query(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "ASK {}"},
        headers={"Accept": JSON, "Origin": "https://portal.example.org"},
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json() == {"head": {}, "boolean": True}


def test_anonymous_query_rejected_when_closed(closed_client: TestClient) -> None:
    response = closed_client.get(
        "/sparql",
        params={"query": "ASK {}"},
        headers={"Accept": JSON, "Accept-Language": "en"},
    )

    assert response.status_code == 401
    assert response.headers["content-language"] == "en"
    assert response.json()["error"] == "unauthenticated"


def test_token_query_allowed_when_closed(closed_client: TestClient) -> None:
    response = closed_client.get(
        "/sparql",
        params={"query": "ASK {}"},
        headers={"Accept": JSON, "Authorization": f"Bearer {ADMIN_TOKEN}"},
    )

    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_unknown_token_rejected(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "ASK {}"},
        headers={"Accept": JSON, "Authorization": "Bearer no-such-token"},
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_syntax_error_body_in_russian(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "SELECT ?s WHERE { ?s"},
        headers={"Accept": JSON, "Accept-Language": "ru"},
    )

    body = response.json()
    assert response.status_code == 400
    assert response.headers["content-language"] == "ru"
    assert body["error"] == "query_syntax"
    assert body["line"] == 1


def test_put_left_to_the_router(client: TestClient) -> None:
    response = client.put("/sparql", content=b"ASK {}")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


def test_sparql_keeps_openapi_operations(client: TestClient) -> None:
    operations = client.get("/openapi.json").json()["paths"]["/sparql"]

    assert set(operations) == {"get", "post"}
