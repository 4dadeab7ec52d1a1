"""Query time and size limits of the SPARQL endpoint, on the embedded and the remote store."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pyoxigraph as ox
import pytest
from conftest import ServiceFactory
from fastapi.testclient import TestClient

from api.main import create_app

TIMEOUT_SECONDS = 3.0
MAX_ROWS = 10
GRAPH = "http://example.org/limits"
# 2000 triples; the query below joins them with themselves three times (8·10⁹ rows), which
# no store of this project finishes within the timeout.
DATA = "\n".join(
    f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(2000)
).encode()
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "SELECT ?o WHERE { <http://example.org/s7> <http://example.org/p> ?o }"


@pytest.fixture
def remote_server_name() -> str:
    # This server stops abandoned runaway queries after its own timeout (10 s).
    return "limits"


@pytest.fixture
def client(service_factory: ServiceFactory) -> Iterator[TestClient]:
    service = service_factory(
        load_demo=False, query_timeout_seconds=TIMEOUT_SECONDS, max_result_rows=MAX_ROWS
    )
    service.store.replace_graph(GRAPH, DATA, ox.RdfFormat.TURTLE)
    with TestClient(create_app(service.settings, service=service)) as test_client:
        yield test_client


@dataclass
class Answer:
    response: httpx.Response
    finished: float


def _query_in_thread(client: TestClient, query: str, answers: dict[str, Answer], key: str):
    def send() -> None:
        response = client.get("/sparql", params={"query": query})
        answers[key] = Answer(response, time.monotonic())

    thread = threading.Thread(target=send)
    thread.start()
    return thread


def _simple_value(response: httpx.Response) -> str:
    bindings = response.json()["results"]["bindings"]
    return str(bindings[0]["o"]["value"])


def test_runaway_stopped_while_simple_answers(client: TestClient) -> None:
    # Two queries at once first, so that two embedded workers are already running.
    warm: dict[str, Answer] = {}
    for thread in [_query_in_thread(client, SIMPLE, warm, key) for key in ("a", "b")]:
        thread.join()
    assert [warm[key].response.status_code for key in ("a", "b")] == [200, 200]

    answers: dict[str, Answer] = {}
    runaway = _query_in_thread(client, RUNAWAY, answers, "runaway")
    time.sleep(0.5)
    simple = _query_in_thread(client, SIMPLE, answers, "simple")
    simple.join()
    runaway.join()

    assert answers["simple"].response.status_code == 200, answers["simple"].response.text
    assert _simple_value(answers["simple"].response) == "7"
    stopped = answers["runaway"].response
    assert stopped.status_code == 503, stopped.text
    assert stopped.json()["error"] == "query_timeout"
    assert answers["simple"].finished < answers["runaway"].finished


def test_timeout_message_names_limit(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": RUNAWAY}, headers={"Accept-Language": "en"})

    assert response.status_code == 503, response.text
    message = response.json()["message"]
    assert f"{TIMEOUT_SECONDS:g} s" in message
    assert "VIC_QUERY_TIMEOUT_SECONDS" in message
    assert "LIMIT" in message


def test_query_after_timeout_answers(client: TestClient) -> None:
    stopped = client.get("/sparql", params={"query": RUNAWAY})
    after = client.get("/sparql", params={"query": SIMPLE})

    assert stopped.status_code == 503, stopped.text
    assert after.status_code == 200, after.text
    assert _simple_value(after) == "7"


def test_too_many_rows_is_400(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o }"},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "result_too_large"
    assert f"{MAX_ROWS} rows" in body["message"]
    assert "LIMIT and OFFSET" in body["message"]


def test_rows_up_to_limit_answer(client: TestClient) -> None:
    query = f"SELECT ?s WHERE {{ ?s ?p ?o }} ORDER BY ?s LIMIT {MAX_ROWS}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})

    assert response.status_code == 200, response.text
    lines = response.text.strip().splitlines()
    assert lines[0] == "s"
    assert len(lines) == MAX_ROWS + 1


def test_too_many_triples_is_400(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "text/turtle"},
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "result_too_large"


def test_literal_line_breaks_count_once(client: TestClient) -> None:
    # Ten solutions whose literals hold line breaks and tabs: still ten rows, not more.
    values = " ".join(f'"line\\n{i}\\tend"' for i in range(MAX_ROWS))
    query = f"SELECT ?v WHERE {{ VALUES ?v {{ {values} }} }}"
    response = client.get("/sparql", params={"query": query})

    assert response.status_code == 200, response.text
    found = [b["v"]["value"] for b in response.json()["results"]["bindings"]]
    assert found == [f"line\n{i}\tend" for i in range(MAX_ROWS)]
