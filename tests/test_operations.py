"""Readiness, Prometheus metrics, request ids, request logs and the audit log of writes."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ServiceFactory, register_member
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.logs import JsonFormatter
from vic_semantic.namespaces import GRAPH
from vic_semantic.service import VicService
from vic_semantic.write_audit import AUDIT_FILE, read_audit_file

ADMIN_TOKEN = "ops-admin-token"
BASE_URL = "http://testserver"
MEMBER = "molochnyj-zavod-1"
MEMBER_GRAPH = str(GRAPH[f"member/{MEMBER}/ops-test"])
TURTLE = b"<http://example.org/s> <http://example.org/p> 1, 2, 3 ."


@pytest.fixture
def service(service_factory: ServiceFactory) -> VicService:
    return service_factory(load_demo=False, admin_token=ADMIN_TOKEN, base_url=BASE_URL)


@pytest.fixture
def client(service: VicService) -> Iterator[TestClient]:
    with TestClient(create_app(service.settings, service=service), base_url=BASE_URL) as test:
        yield test


def _admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _audit(service: VicService) -> list[dict[str, object]]:
    return read_audit_file(service.settings.data_dir / AUDIT_FILE)


# Readiness


def test_ready_with_ontology(client_with_ontology: TestClient) -> None:
    response = client_with_ontology.get("/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


@pytest.fixture
def client_with_ontology(client: TestClient) -> TestClient:
    """A client of a service whose ontology graph contains one triple."""
    response = client.put(
        "/graphs",
        params={"graph": "https://w3id.org/vic-semantic/graph/ontology"},
        content=b"<https://w3id.org/vic-semantic/ontology> a "
        b"<http://www.w3.org/2002/07/owl#Ontology> .",
        headers={**_admin(), "Content-Type": "text/turtle"},
    )
    assert response.status_code in {201, 204}, response.text
    return client


def test_ready_without_ontology_is_503(client: TestClient) -> None:
    response = client.get("/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["check"] == "ontology"
    assert "онтологии" in body["message_ru"]
    assert "ontology graph" in body["message_en"]


def test_ready_with_closed_store_is_503(service: VicService, client: TestClient) -> None:
    service.store.close()

    response = client.get("/ready")

    assert response.status_code == 503
    assert response.json()["check"] == "store"


def test_health_stays_liveness_only(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


# Metrics


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/health")
    client.get("/graphs/some/graph")  # a direct graph IRI that does not exist: 404
    client.get("/no/such/page")

    samples = _samples(client)

    health = (("method", "GET"), ("route", "/health"), ("status", "200"))
    graph = (("method", "GET"), ("route", "/graphs/{graph_path:path}"), ("status", "404"))
    unmatched = (("method", "GET"), ("route", "<unmatched>"), ("status", "404"))
    assert samples[("vic_http_requests_total", health)] == 1
    assert samples[("vic_http_requests_total", graph)] == 1
    assert samples[("vic_http_requests_total", unmatched)] == 1
    assert samples[("vic_http_request_duration_seconds_count", health)] == 1


def test_metrics_store_size_by_graph_kind(client: TestClient) -> None:
    response = client.put(
        "/graphs",
        params={"graph": MEMBER_GRAPH},
        content=TURTLE,
        headers={**_admin(), "Content-Type": "text/turtle"},
    )
    assert response.status_code == 201

    samples = _samples(client)

    assert samples[("vic_store_triples", (("kind", "member"),))] == 3
    assert samples[("vic_store_graphs", (("kind", "member"),))] == 1
    assert samples[("vic_store_size_sample_ok", ())] == 1


def test_metrics_build_info(client: TestClient) -> None:
    samples = _samples(client)

    build = [labels for name, labels in samples if name == "vic_build_info"]
    assert len(build) == 1
    labels = dict(build[0])
    assert labels["pyoxigraph"].startswith("0.5")
    assert labels["version"]


def test_metrics_count_validation_runs(client: TestClient) -> None:
    response = client.post("/validate", content=TURTLE, headers={"Content-Type": "text/turtle"})

    samples = _samples(client)

    labels = (("route", "/validate"), ("status", str(response.status_code)))
    assert samples[("vic_validation_runs_total", labels)] == 1


def test_metrics_count_query_timeouts(service_factory: ServiceFactory) -> None:
    service = service_factory(load_demo=False, query_timeout_seconds=1.0)
    data = "\n".join(f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(500))
    service.store.replace_graph("http://example.org/t", data.encode(), ox.RdfFormat.TURTLE)
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

    with TestClient(create_app(service.settings, service=service)) as client:
        stopped = client.get("/sparql", params={"query": runaway})
        samples = _samples(client)

    assert stopped.status_code == 503
    assert samples[("vic_query_timeouts_total", ())] == 1


# Request ids and request logs


def test_request_id_echoed_when_sane(client: TestClient) -> None:
    response = client.get("/health", headers={"X-Request-ID": "abc-123.x:y"})

    assert response.headers["x-request-id"] == "abc-123.x:y"


@pytest.mark.parametrize("sent", ["", "has space", "x" * 129, "ünïcode", "a\tb"])
def test_request_id_replaced_when_insane(client: TestClient, sent: str) -> None:
    response = client.get("/health", headers={b"X-Request-ID": sent.encode("utf-8")})

    returned = response.headers["x-request-id"]
    assert returned != sent
    assert len(returned) == 32


def test_request_id_generated_when_missing(client: TestClient) -> None:
    first = client.get("/health").headers["x-request-id"]
    second = client.get("/health").headers["x-request-id"]

    assert first != second


def test_request_log_line_names_principal(
    client: TestClient, service: VicService, caplog: pytest.LogCaptureFixture
) -> None:
    registry = TokenRegistry(service.settings.data_dir / "tokens.json")
    _, secret = registry.create(Role.MEMBER, member=MEMBER)
    caplog.set_level(logging.INFO, logger="api.request_log")

    client.get("/health", headers={"Authorization": f"Bearer {secret}", "X-Request-ID": "r-1"})

    records = [r for r in caplog.records if r.name == "api.request_log"]
    assert len(records) == 1
    fields = records[0].fields  # type: ignore[attr-defined]
    assert fields["request_id"] == "r-1"
    assert fields["route"] == "/health"
    assert fields["status"] == 200
    assert fields["role"] == "member"
    assert fields["member"] == MEMBER
    assert secret not in caplog.text


def test_json_formatter_one_object_per_line() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("there",), None)
    record.fields = {"request_id": "r-2", "status": 204}

    line = JsonFormatter().format(record)

    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "hello there"
    assert parsed["request_id"] == "r-2"
    assert parsed["status"] == 204
    assert parsed["level"] == "INFO"


# Audit log


def test_audit_of_graph_store_put(client: TestClient, service: VicService) -> None:
    response = client.put(
        "/graphs",
        params={"graph": MEMBER_GRAPH},
        content=TURTLE,
        headers={**_admin(), "Content-Type": "text/turtle", "X-Request-ID": "put-1"},
    )
    assert response.status_code == 201

    records = _audit(service)

    assert len(records) == 1
    record = records[0]
    assert record["operation"] == "graph_put"
    assert record["graphs"] == [MEMBER_GRAPH]
    assert record["triples"] == 3
    assert record["role"] == "admin"
    assert record["token_id"] == "environment"
    assert record["request_id"] == "put-1"
    assert record["outcome"] == "ok"
    text = (service.settings.data_dir / AUDIT_FILE).read_text()
    assert ADMIN_TOKEN not in text


def test_audit_of_member_update(client: TestClient, service: VicService) -> None:
    registry = TokenRegistry(service.settings.data_dir / "tokens.json")
    token_id, secret = registry.create(Role.MEMBER, member=MEMBER)
    # A member writes only while the members graph describes it; this store has no demo.
    register_member(service, MEMBER)
    update = (
        f"INSERT DATA {{ GRAPH <{MEMBER_GRAPH}> {{ <http://example.org/a> "
        "<http://example.org/p> 1, 2 . } }"
    )

    response = client.post(
        "/sparql",
        content=update,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 204, response.text

    record = _audit(service)[-1]
    assert record["operation"] == "sparql_update"
    assert record["graphs"] == [f"<{MEMBER_GRAPH}>"]
    assert record["triples"] == 2
    assert record["role"] == "member"
    assert record["member"] == MEMBER
    assert record["token_id"] == token_id
    assert record["request_id"] == response.headers["x-request-id"]
    assert secret not in (service.settings.data_dir / AUDIT_FILE).read_text()


def test_audit_of_delete_counts_removed(client: TestClient, service: VicService) -> None:
    headers = {**_admin(), "Content-Type": "text/turtle"}
    client.put("/graphs", params={"graph": MEMBER_GRAPH}, content=TURTLE, headers=headers)

    response = client.delete("/graphs", params={"graph": MEMBER_GRAPH}, headers=_admin())
    assert response.status_code == 204

    record = _audit(service)[-1]
    assert record["operation"] == "graph_delete"
    assert record["triples"] == 3


def test_audit_of_failed_update(client: TestClient, service: VicService) -> None:
    response = client.post(
        "/sparql",
        content="INSERT DATA { GRAPH <http://example.org/g> { <a> <b> } }",
        headers={**_admin(), "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 400

    record = _audit(service)[-1]
    assert record["outcome"] == "failed"
    assert record["error"] == "QuerySyntaxError"
    assert record["role"] == "admin"


def test_audit_goes_to_audit_logger(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="vic_semantic.audit")

    client.put(
        "/graphs",
        params={"graph": MEMBER_GRAPH},
        content=TURTLE,
        headers={**_admin(), "Content-Type": "text/turtle"},
    )

    records = [r for r in caplog.records if r.name == "vic_semantic.audit"]
    assert len(records) == 1
    assert records[0].fields["operation"] == "graph_put"  # type: ignore[attr-defined]


def test_audit_of_local_load(service: VicService, tmp_path: Path) -> None:
    service.store.replace_graph(MEMBER_GRAPH, TURTLE, ox.RdfFormat.TURTLE)

    record = _audit(service)[-1]
    assert record["operation"] == "graph_replace"
    assert record["role"] == "local"
    assert record["request_id"] is None
    assert record["triples"] == 3
