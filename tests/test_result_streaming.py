"""/sparql streams large results: complete when they fit the limits, visibly broken when not.

The app runs under uvicorn on a loopback port, so the responses are real chunked HTTP.
Results of 200,000 rows come from VALUES clauses (10 × 10 × 10 × 10 × 10 × 2 solutions), so no
data needs loading. Each test runs on the embedded and on the remote store.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from xml.etree import ElementTree

import httpx
import pyoxigraph as ox
import pytest
import uvicorn
from conftest import ServiceFactory

from api.main import create_app
from vic_semantic.service import VicService
from vic_semantic.store.base import Dataset
from vic_semantic.store.execution import CHUNK_BYTES

ROWS = 200_000
_DIGITS = "{0 1 2 3 4 5 6 7 8 9}"
_VALUES = (
    f"VALUES ?a {_DIGITS} VALUES ?b {_DIGITS} VALUES ?c {_DIGITS} VALUES ?d {_DIGITS} "
    f"VALUES ?e {_DIGITS} VALUES ?f {{0 1}} "
    "BIND(?a + 10 * ?b + 100 * ?c + 1000 * ?d + 10000 * ?e + 100000 * ?f AS ?i)"
)
SELECT_ROWS = f"SELECT ?i WHERE {{ {_VALUES} }}"
CONSTRUCT_TRIPLES = (
    "CONSTRUCT { ?s <https://example.org/n> ?i } "
    f'WHERE {{ {_VALUES} BIND(IRI(CONCAT("https://example.org/s", STR(?i))) AS ?s) }}'
)
JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


@contextmanager
def served(service: VicService) -> Iterator[httpx.Client]:
    """Serve the app over ``service`` with uvicorn on a free loopback port; yield a client."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(service.settings, service=service), log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start within 10 s"
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        with httpx.Client(base_url=base_url, timeout=120) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def big_service(service_factory: ServiceFactory) -> VicService:
    """A service with no data whose row limit lets 200,000 rows through."""
    return service_factory(load_demo=False, max_result_rows=ROWS + 50_000)


def fetch(client: httpx.Client, query: str, accept: str) -> httpx.Response:
    """POST ``query`` and read the whole body; assert it came as a chunked stream."""
    with client.stream(
        "POST",
        "/sparql",
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
    ) as response:
        response.read()
    assert response.status_code == 200, response.text[:500]
    assert "content-length" not in response.headers
    assert response.headers.get("transfer-encoding") == "chunked"
    return response


def count_rows(body: bytes, accept: str) -> int:
    if accept == JSON:
        return len(json.loads(body)["results"]["bindings"])
    if accept == XML:
        root = ElementTree.fromstring(body)
        return len(root.findall(f"{RESULTS_NS}results/{RESULTS_NS}result"))
    if accept == CSV:
        return body.count(b"\r\n") - 1
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    return sum(1 for _ in solutions)


@pytest.mark.parametrize("accept", [JSON, XML, CSV, TSV])
def test_large_select_arrives_complete(big_service: VicService, accept: str) -> None:
    with served(big_service) as client:
        response = fetch(client, SELECT_ROWS, accept)

    assert count_rows(response.content, accept) == ROWS


@pytest.mark.parametrize(
    "accept",
    ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"],
)
def test_large_construct_arrives_complete(big_service: VicService, accept: str) -> None:
    with served(big_service) as client:
        response = fetch(client, CONSTRUCT_TRIPLES, accept)

    rdf_format = ox.RdfFormat.from_media_type(accept)
    assert rdf_format is not None
    assert sum(1 for _ in ox.parse(response.content, format=rdf_format)) == ROWS


def test_small_result_sent_whole(big_service: VicService) -> None:
    with served(big_service) as client:
        response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})

    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(response.content))
    assert response.json()["boolean"] is True


@pytest.mark.parametrize("accept", [JSON, TSV, "application/n-triples"])
def test_limit_passed_mid_stream_breaks_response(
    service_factory: ServiceFactory, accept: str
) -> None:
    """Past the row limit after the first bytes went out, the client sees a broken transfer.

    The limit (150,000) is passed only near the end of the 200,000 rows, so a 200 status and
    the first chunks before it show that the result was sent while the query still ran.
    """
    service = service_factory(load_demo=False, max_result_rows=150_000)
    query = CONSTRUCT_TRIPLES if accept.startswith("application/n") else SELECT_ROWS
    received = bytearray()

    with served(service) as client:
        with client.stream(
            "POST",
            "/sparql",
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": accept},
        ) as response:
            status = response.status_code
            with pytest.raises(httpx.RemoteProtocolError):
                for chunk in response.iter_raw():
                    received += chunk
        after = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})

    assert status == 200
    assert len(received) > CHUNK_BYTES
    assert b"result is incomplete" in received[-2000:]
    assert b"150000" in received[-2000:]
    with pytest.raises(SyntaxError):
        if accept == "application/n-triples":
            list(ox.parse(bytes(received), format=ox.RdfFormat.N_TRIPLES))
        else:
            results_format = ox.QueryResultsFormat.from_media_type(accept)
            assert results_format is not None
            list(ox.parse_query_results(bytes(received), format=results_format))
    assert after.status_code == 200, "the service answers the next query"


def test_store_holds_one_chunk_at_a_time(big_service: VicService) -> None:
    """The store hands the result over in bounded chunks, never as one piece."""
    chunks = big_service.store.stream_query(
        SELECT_ROWS, Dataset(), None, ox.QueryResultsFormat.JSON, None
    )
    sizes = [len(chunk) for chunk in chunks]

    # A chunk is cut once it reaches CHUNK_BYTES, so it contains at most one more write.
    assert max(sizes) <= 2 * CHUNK_BYTES
    assert len(sizes) > 100
    assert sum(sizes) > 100 * CHUNK_BYTES


def test_stream_closed_early_frees_the_store(big_service: VicService) -> None:
    """A client that goes away stops its query; the next queries still succeed."""
    chunks = big_service.store.stream_query(
        SELECT_ROWS, Dataset(), None, ox.QueryResultsFormat.TSV, None
    )
    first = next(chunks)
    getattr(chunks, "close")()  # noqa: B009 - the Store protocol types it as an Iterator

    for _ in range(3):
        answer = big_service.store.run_query(
            "ASK {}", Dataset(), None, ox.QueryResultsFormat.JSON, None
        )
        assert json.loads(answer)["boolean"] is True
    assert first.startswith(b"?i\n")


def test_client_gone_frees_the_worker(service_factory: ServiceFactory) -> None:
    """A client that disconnects mid-result frees the one worker for the next query."""
    # Two queries per client, so that the next query waits for the worker instead of
    # racing the server's release of the client's query slot (tested in
    # test_client_query_limit.py).
    service = service_factory(
        load_demo=False,
        max_result_rows=ROWS + 50_000,
        query_workers=1,
        queries_per_client=2,
        query_timeout_seconds=20,
    )

    with served(service) as client:
        with client.stream(
            "POST",
            "/sparql",
            content=SELECT_ROWS.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": TSV},
        ) as response:
            first = next(response.iter_raw())
        # A worker still held by the abandoned result would make this wait 20 s, then 503.
        after = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})

    assert first.startswith(b"?i\n")
    assert after.status_code == 200, after.text
