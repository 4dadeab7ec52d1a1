"""Named analyst queries run under the same time and row limits as the /sparql endpoint."""

from __future__ import annotations

from conftest import ServiceFactory
from fastapi.testclient import TestClient

from api.main import create_app

MAX_ROWS = 3
# Far below the 0.3 s that tnved-mismatch takes on the demo data, so it cannot finish in time.
TINY_TIMEOUT_SECONDS = 0.001


def test_rows_past_limit_are_400(service_factory: ServiceFactory) -> None:
    service = service_factory(max_result_rows=MAX_ROWS)

    with TestClient(create_app(service.settings, service=service)) as client:
        # who-makes-what returns 23 rows on the demo data.
        response = client.get(
            "/api/cluster/queries/who-makes-what",
            headers={"Accept": "application/sparql-results+json", "Accept-Language": "en"},
        )

    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "result_too_large"
    assert f"{MAX_ROWS} rows" in body["message"]


def test_rows_up_to_limit_answer(service_factory: ServiceFactory) -> None:
    service = service_factory(max_result_rows=MAX_ROWS)

    with TestClient(create_app(service.settings, service=service)) as client:
        # Exactly three rows on the demo data.
        response = client.get("/api/cluster/queries/tnved-mismatch", headers={"Accept": "text/csv"})

    assert response.status_code == 200, response.text
    lines = response.text.strip().splitlines()
    assert lines[0] == "product,sourceFile,sourceRow,code"
    assert len(lines) == MAX_ROWS + 1


def test_query_past_timeout_is_503(service_factory: ServiceFactory) -> None:
    service = service_factory(query_timeout_seconds=TINY_TIMEOUT_SECONDS)

    with TestClient(create_app(service.settings, service=service)) as client:
        response = client.get(
            "/api/cluster/queries/tnved-mismatch",
            headers={"Accept": "application/sparql-results+json", "Accept-Language": "en"},
        )

    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"] == "query_timeout"
    assert "VIC_QUERY_TIMEOUT_SECONDS" in body["message"]
