"""The per-client limit on running queries: 429 past it, other clients served, slots released.

The service runs under uvicorn on a loopback port, so requests are real concurrent HTTP
connections and a client can disconnect mid-result. Clients are distinguished by bearer
token, and anonymous ones by source address (127.0.0.1 and 127.0.0.2, both loopback). The
server-side tests run on the embedded and on the remote store.
"""

from __future__ import annotations

import asyncio
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pyoxigraph as ox
import pytest
import uvicorn
from conftest import ServiceFactory
from pydantic import ValidationError

from api.main import create_app
from vic_semantic.access import Role
from vic_semantic.analytics import named_queries
from vic_semantic.config import Settings
from vic_semantic.query_slots import ClientQuerySlots, TooManyQueriesError
from vic_semantic.service import VicService
from vic_semantic.store.base import Dataset
from vic_semantic.store.embedded import EmbeddedStore

GRAPH = "http://example.org/limits"
# 2000 triples; RUNAWAY joins them with themselves three times (8·10⁹ rows), which no store
# of this project finishes within the time limits below.
DATA = "\n".join(
    f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(2000)
).encode()
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "SELECT ?o WHERE { <http://example.org/s7> <http://example.org/p> ?o }"
# Four million rows, streamed as they are found: far more than a client reads before leaving.
ENDLESS = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f }"
_DIGITS = "{0 1 2 3 4 5 6 7 8 9}"
# 200,000 rows from VALUES clauses; past a row limit of 150,000 only after the first chunks.
ROWS_200K = (
    f"SELECT ?i WHERE {{ VALUES ?a {_DIGITS} VALUES ?b {_DIGITS} VALUES ?c {_DIGITS} "
    f"VALUES ?d {_DIGITS} VALUES ?e {_DIGITS} VALUES ?f {{0 1}} "
    "BIND(?a + 10 * ?b + 100 * ?c + 1000 * ?d + 10000 * ?e + 100000 * ?f AS ?i) }"
)
JSON = "application/sparql-results+json"
TSV = "text/tab-separated-values"
SECOND_ADDRESS = "127.0.0.2"


@pytest.fixture
def remote_server_name() -> str:
    # This server stops abandoned runaway queries after its own timeout (10 s).
    return "limits"


@dataclass
class Served:
    """A running server: its URL and the query slots of its application."""

    url: str
    slots: ClientQuerySlots

    def client(self, token: str | None = None, address: str = "127.0.0.1") -> httpx.Client:
        """Return an HTTP client that sends ``token`` (if any) from the source ``address``."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        transport = httpx.HTTPTransport(local_address=address)
        return httpx.Client(base_url=self.url, headers=headers, transport=transport, timeout=120)

    def wait_running(self, client: str, count: int, seconds: float = 10.0) -> None:
        """Wait until ``client`` has ``count`` query slots taken; fail after ``seconds``."""
        deadline = time.monotonic() + seconds
        while self.slots.running(client) != count:
            if time.monotonic() > deadline:
                running = self.slots.running(client)
                pytest.fail(f"{client} has {running} query slots taken, expected {count}")
            time.sleep(0.02)


@contextmanager
def served(service: VicService) -> Iterator[Served]:
    """Serve the app over ``service`` with uvicorn on a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    app = create_app(service.settings, service=service)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start within 10 s"
    try:
        yield Served(f"http://127.0.0.1:{sock.getsockname()[1]}", app.state.query_slots)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def limited_service(service_factory: ServiceFactory, **settings: object) -> VicService:
    service = service_factory(load_demo=False, **settings)
    service.store.replace_graph(GRAPH, DATA, ox.RdfFormat.TURTLE)
    return service


def start_workers(service: VicService, count: int) -> None:
    """Start ``count`` query workers of an embedded store, so no query waits for one to start.

    A stream keeps its worker until it is resumed after its last chunk, so ``count`` streams
    each taken to their first chunk keep ``count`` different workers busy.
    """
    store = service.store
    if not isinstance(store, EmbeddedStore):
        return
    streams = [store.stream_query("ASK {}", Dataset(), None, None, None) for _ in range(count)]
    for stream in streams:
        next(stream)
    for stream in streams:
        list(stream)


def new_token(service: VicService, role: Role, member: str | None = None) -> str:
    return service.tokens.create(role, member=member, label="query limit test")[1]


@dataclass
class Outcome:
    response: httpx.Response | None = None
    finished: float = 0.0


def in_thread(send: Callable[[], httpx.Response]) -> tuple[threading.Thread, Outcome]:
    """Run ``send`` on a thread; the outcome gets its response and the time it came."""
    outcome = Outcome()

    def run() -> None:
        outcome.response = send()
        outcome.finished = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def query(client: httpx.Client, text: str) -> httpx.Response:
    return client.get("/sparql", params={"query": text}, headers={"Accept": JSON})


def simple_value(response: httpx.Response) -> str:
    return str(response.json()["results"]["bindings"][0]["o"]["value"])


def test_client_over_limit_gets_429(service_factory: ServiceFactory) -> None:
    timeout = 5.0
    service = limited_service(
        service_factory, query_workers=3, queries_per_client=2, query_timeout_seconds=timeout
    )
    heavy_token = new_token(service, Role.MEMBER, "heavy")
    other_token = new_token(service, Role.ANALYST)
    start_workers(service, 3)

    with (
        served(service) as server,
        server.client(heavy_token) as heavy,
        server.client(other_token) as other,
    ):
        runaways = [in_thread(lambda: query(heavy, RUNAWAY)) for _ in range(2)]
        server.wait_running("member:heavy", 2)

        started = time.monotonic()
        rejected = query(heavy, RUNAWAY)
        rejected_seconds = time.monotonic() - started
        rejected_en = heavy.get(
            "/sparql", params={"query": RUNAWAY}, headers={"Accept-Language": "en"}
        )

        started = time.monotonic()
        served_other = query(other, SIMPLE)
        other_finished = time.monotonic()

        for thread, _ in runaways:
            thread.join()
        server.wait_running("member:heavy", 0)
        after = query(heavy, SIMPLE)

    assert rejected.status_code == 429, rejected.text
    assert rejected_seconds < 2.0, "the rejection must not wait for a worker"
    assert rejected.json()["error"] == "too_many_queries"
    assert 1 <= int(rejected.headers["Retry-After"]) <= math.ceil(timeout)
    assert rejected.headers["Content-Language"] == "ru"
    message_ru = rejected.json()["message"]
    assert "member:heavy" in message_ru
    assert "запросов: 2" in message_ru
    assert "не больше 2" in message_ru
    assert "VIC_QUERIES_PER_CLIENT" in message_ru
    assert rejected.json()["details"] == {"client": "member:heavy", "running": 2, "limit": 2}

    assert rejected_en.status_code == 429
    message_en = rejected_en.json()["message"]
    assert "already runs 2 queries" in message_en
    assert "at most 2 may run at once" in message_en
    assert "Wait for your queries to finish" in message_en
    assert "raise VIC_QUERIES_PER_CLIENT" in message_en

    assert served_other.status_code == 200, served_other.text
    assert simple_value(served_other) == "7"
    assert other_finished - started < timeout / 2, "the other client waited for a worker"
    for _, outcome in runaways:
        assert outcome.response is not None
        assert outcome.response.status_code == 503, outcome.response.text
        assert outcome.response.json()["error"] == "query_timeout"
        assert other_finished < outcome.finished
    assert after.status_code == 200, after.text
    assert server.slots.total_running() == 0


def test_client_identity_token_or_address(service_factory: ServiceFactory) -> None:
    """Anonymous clients count by address, and a member's tokens count together.

    An analyst's token from the same address as a limited anonymous client is its own client.
    """
    service = limited_service(
        service_factory, query_workers=3, queries_per_client=1, query_timeout_seconds=4.0
    )
    member_first = new_token(service, Role.MEMBER, "dairy")
    member_second = new_token(service, Role.MEMBER, "dairy")
    analyst = new_token(service, Role.ANALYST)
    named = f"/api/cluster/queries/{named_queries()[0].id}"
    start_workers(service, 3)

    with (
        served(service) as server,
        server.client() as anonymous,
        server.client(member_first) as first,
        server.client(member_second) as second,
        server.client(analyst) as analyst_client,
        server.client(address=SECOND_ADDRESS) as elsewhere,
    ):
        runaways = [
            in_thread(lambda: query(anonymous, RUNAWAY)),
            in_thread(lambda: query(first, RUNAWAY)),
        ]
        server.wait_running("address:127.0.0.1", 1)
        server.wait_running("member:dairy", 1)

        anonymous_query = query(anonymous, SIMPLE)
        anonymous_named = anonymous.get(named, headers={"Accept": JSON})
        second_token = query(second, SIMPLE)
        other_address = query(elsewhere, SIMPLE)
        analyst_query = query(analyst_client, SIMPLE)

        for thread, _ in runaways:
            thread.join()
        named_after = anonymous.get(named, headers={"Accept": JSON})
        second_after = query(second, SIMPLE)

    assert anonymous_query.status_code == 429, anonymous_query.text
    assert anonymous_named.status_code == 429, anonymous_named.text
    assert anonymous_named.json()["details"]["client"] == "address:127.0.0.1"
    assert second_token.status_code == 429, second_token.text
    assert second_token.json()["details"]["client"] == "member:dairy"
    assert other_address.status_code == 200, other_address.text
    assert analyst_query.status_code == 200, analyst_query.text
    for _, outcome in runaways:
        assert outcome.response is not None
        assert outcome.response.status_code == 503, outcome.response.text
    assert named_after.status_code == 200, named_after.text
    assert second_after.status_code == 200, second_after.text
    assert server.slots.total_running() == 0


def test_slot_released_after_errors(service_factory: ServiceFactory) -> None:
    """With a limit of one, each next query succeeds only if the failed one gave its slot back."""
    service = limited_service(
        service_factory,
        query_workers=2,
        queries_per_client=1,
        query_timeout_seconds=2.0,
        max_result_rows=150_000,
    )
    token = new_token(service, Role.MEMBER, "careless")
    named = f"/api/cluster/queries/{named_queries()[0].id}"

    with served(service) as server, server.client(token) as client:
        syntax = query(client, "SELECT ?s WHERE { ?s ")
        after_syntax = query(client, SIMPLE)

        timed_out = query(client, RUNAWAY)
        after_timeout = query(client, SIMPLE)

        with client.stream(
            "POST",
            "/sparql",
            content=ROWS_200K.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": TSV},
        ) as broken:
            broken_status = broken.status_code
            with pytest.raises(httpx.RemoteProtocolError):
                for _ in broken.iter_raw():
                    pass
        server.wait_running("member:careless", 0)
        after_broken = query(client, SIMPLE)

        named_response = client.get(named, headers={"Accept": JSON})
        after_named = query(client, SIMPLE)

    assert syntax.status_code == 400, syntax.text
    assert after_syntax.status_code == 200, after_syntax.text
    assert timed_out.status_code == 503, timed_out.text
    assert after_timeout.status_code == 200, after_timeout.text
    assert broken_status == 200, "the row limit must be passed after the stream began"
    assert after_broken.status_code == 200, after_broken.text
    assert named_response.status_code == 200, named_response.text
    assert after_named.status_code == 200, after_named.text
    assert server.slots.total_running() == 0


def test_slot_released_on_disconnect(service_factory: ServiceFactory) -> None:
    """A client that leaves mid-result gets its slot back long before the time limit."""
    timeout = 30.0
    service = limited_service(
        service_factory,
        query_workers=2,
        queries_per_client=1,
        query_timeout_seconds=timeout,
        max_result_rows=10_000_000,
    )
    token = new_token(service, Role.MEMBER, "impatient")

    with served(service) as server, server.client(token) as client:
        with client.stream(
            "POST",
            "/sparql",
            content=ENDLESS.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": TSV},
        ) as response:
            status = response.status_code
            first = next(response.iter_raw())
            left = time.monotonic()
        server.wait_running("member:impatient", 0, seconds=timeout / 3)
        released = time.monotonic() - left
        after = query(client, SIMPLE)

    assert status == 200
    assert first.startswith(b"?a\t?d\n")
    assert released < timeout / 3
    assert after.status_code == 200, after.text


def test_settings_default_limit_is_half_the_workers() -> None:
    expected = {1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 8: 4}
    found = {workers: Settings(query_workers=workers).client_query_limit for workers in expected}

    assert found == expected


def test_settings_limit_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIC_QUERIES_PER_CLIENT", "3")
    settings = Settings(query_workers=4)

    assert settings.queries_per_client == 3
    assert settings.client_query_limit == 3


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_settings_limit_rejects_invalid(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("VIC_QUERIES_PER_CLIENT", value)

    with pytest.raises(ValidationError) as raised:
        Settings()

    assert "queries_per_client" in str(raised.value)


def test_settings_limit_above_workers_allowed() -> None:
    settings = Settings(query_workers=2, queries_per_client=8)

    assert settings.client_query_limit == 8


def test_slots_reject_past_limit() -> None:
    slots = ClientQuerySlots(limit=2, timeout_seconds=30)
    first = slots.acquire("a")
    slots.acquire("a")
    other = slots.acquire("b")

    with pytest.raises(TooManyQueriesError) as raised:
        slots.acquire("a")
    first.release()
    again = slots.acquire("a")

    assert raised.value.running == 2
    assert raised.value.limit == 2
    assert 29 <= raised.value.retry_after_seconds <= 30
    assert slots.running("a") == 2
    assert slots.running("b") == 1
    assert again.client == "a"
    assert other.client == "b"


def test_slot_double_release_frees_one() -> None:
    slots = ClientQuerySlots(limit=2, timeout_seconds=30)
    first = slots.acquire("a")
    slots.acquire("a")

    first.release()
    first.release()
    slots.acquire("a")

    assert slots.running("a") == 2
    with pytest.raises(TooManyQueriesError):
        slots.acquire("a")


def test_slots_exact_under_threads() -> None:
    limit = 3
    slots = ClientQuerySlots(limit=limit, timeout_seconds=30)
    lock = threading.Lock()
    inside = [0]
    peak = [0]
    granted = [0]

    def run() -> None:
        for _ in range(300):
            try:
                slot = slots.acquire("shared")
            except TooManyQueriesError:
                continue
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
                granted[0] += 1
            time.sleep(0)
            with lock:
                inside[0] -= 1
            slot.release()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert peak[0] <= limit
    assert granted[0] > 0
    assert slots.total_running() == 0


def test_slots_exact_under_asyncio() -> None:
    slots = ClientQuerySlots(limit=3, timeout_seconds=30)

    async def one() -> bool:
        try:
            slot = slots.acquire("loop")
        except TooManyQueriesError:
            return False
        try:
            await asyncio.sleep(0.01)
        finally:
            slot.release()
        return True

    async def many() -> list[bool]:
        return list(await asyncio.gather(*(one() for _ in range(50))))

    outcomes = asyncio.run(many())

    # Every task takes its slot before any sleep ends, so exactly the first three get one.
    assert outcomes.count(True) == 3
    assert slots.total_running() == 0
