"""The clients of the load test: what each request kind sends and what the clients record.

Every client runs a closed loop (the next request starts when the last response arrived)
until the phase's deadline. A client that owns a member (the first ``members`` clients) also sends
that member's catalogue submissions and SPARQL updates, so each member's writes come from
one client in order and the last acknowledged submission is the catalogue the store must
hold at the end. The runaway client sends only a query that runs past the query timeout.
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
ANALYST_DIR = REPO / "vic_semantic" / "analytics" / "queries"
DEMO_FILES = REPO / "demo" / "catalogues"
GRAPH = "https://w3id.org/vic-semantic/graph/"
LOAD_PREDICATE = "https://w3id.org/vic-semantic/ontology/loadTestValue"
SEARCH_WORDS = ["кефир", "молоко", "сыр", "колбаса", "мороженое", "сметана", "творог",
                "масло", "говядина", "йогурт", "kefir", "milk", "cheese", "sausage"]
# Columns and rows of the demo dairy plant's catalogue (demo/catalogues), which validate
# without violations; each submission gives them its own codes and barcodes.
CATALOGUE_HEADER = ["Код", "Наименование", "Ед. изм.", "Штрихкод", "Массовая доля жира, %",
                    "Объем/масса нетто", "Нормативный документ", "Код ТН ВЭД",
                    "Срок годности, сут", "Температура хранения, °C"]
CATALOGUE_ROWS = [
    ["Молоко питьевое пастеризованное 3,2% 900 мл пл/бут", "шт", "3,2", "900 мл",
     "ГОСТ 31450-2013", "0401 20 910", "7", "+2...+6"],
    ["Молоко питьевое ультрапастеризованное 2,5% 1 л т/п", "шт", "2,5", "1 л",
     "ГОСТ 31450-2013", "0401 20 110", "180", "+2...+25"],
]
# Three cross-joined triple patterns over the demo store: far past any query timeout.
RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# Relative weights of the request kinds. A client that owns a member sends about half
# writes, so the lost-writes check has enough acknowledged writes to look for.
READ_WEIGHTS = {"analyst": 40, "term": 20, "search": 20, "validate": 8}
WRITE_WEIGHTS = {"submit": 30, "update": 60}


def member_slug(index: int) -> str:
    return f"load-member-{index + 1:02d}"


def member_graph(slug: str) -> str:
    """Return the member's own graph for load-test updates (``graph/member/{slug}/...``)."""
    return f"{GRAPH}member/{slug}/load"


@dataclass
class Acknowledged:
    """The writes the service acknowledged to one member's client, in order."""

    versions: dict[int, list[str]] = field(default_factory=dict)  # version → product codes
    values: list[str] = field(default_factory=list)  # update values inserted


@dataclass
class Recorder:
    """Kind, status and latency of every completed request of a phase, and acknowledged writes."""

    elapsed: float = 0.0
    requests: list[tuple[str, int, float, bool]] = field(default_factory=list)  # runaway flag
    transport_errors: dict[str, int] = field(default_factory=dict)
    acknowledged: dict[str, Acknowledged] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    # Each 5xx but the runaway query's: method, path, status, request id and the body's
    # start, so its line in the server log can be found by the id.
    server_errors: list[str] = field(default_factory=list)

    def note(self, kind: str, status: int, seconds: float, runaway: bool = False) -> None:
        self.requests.append((kind, status, seconds, runaway))

    def failed(self, kind: str, error: Exception) -> None:
        key = f"{kind}: {type(error).__name__}"
        self.transport_errors[key] = self.transport_errors.get(key, 0) + 1

    async def note_server_error(self, response: httpx.Response) -> None:
        """Keep the details of a 5xx response; an httpx response event hook."""
        request = response.request
        if response.status_code < 500 or request.url.params.get("query") == RUNAWAY_QUERY:
            return
        body = (await response.aread())[:300].decode("utf-8", errors="replace")
        self.server_errors.append(
            f"{request.method} {request.url.path} {response.status_code} "
            f"id={response.headers.get('x-request-id', '-')}: {body}"
        )


@dataclass(frozen=True)
class Setup:
    """Inputs shared by every client: the service URL, the member tokens and the payloads."""

    url: str
    member_tokens: dict[str, str]
    terms: list[str]
    analyst_queries: list[str]
    demo_files: list[tuple[str, bytes]]


class Client:
    """One simulated client; ``member`` is the slug it writes for, or None."""

    def __init__(self, index: int, setup: Setup, recorder: Recorder, seed: int) -> None:
        self.index = index
        self.setup = setup
        self.recorder = recorder
        self.rng = random.Random(f"{seed}:{index}")
        slugs = sorted(setup.member_tokens)
        self.member = slugs[index] if index < len(slugs) else None
        weights = {**READ_WEIGHTS, **(WRITE_WEIGHTS if self.member else {})}
        self.kinds, self.weights = list(weights), list(weights.values())
        self.sent = 0

    async def run(self, http: httpx.AsyncClient, deadline: float) -> None:
        while time.perf_counter() < deadline:
            kind = self.rng.choices(self.kinds, self.weights)[0]
            started = time.perf_counter()
            try:
                status = await getattr(self, f"_{kind}")(http)
            except httpx.HTTPError as error:
                self.recorder.failed(kind, error)
                continue
            self.recorder.note(kind, status, time.perf_counter() - started)

    async def _analyst(self, http: httpx.AsyncClient) -> int:
        name = self.rng.choice(self.setup.analyst_queries)
        response = await http.get(f"/api/cluster/queries/{name}",
                                  headers={"Accept": "application/sparql-results+json"})
        return response.status_code

    async def _term(self, http: httpx.AsyncClient) -> int:
        term = self.rng.choice(self.setup.terms)
        accept = self.rng.choice(["text/html", "text/turtle"])
        response = await http.get(f"/ontology/{term}", headers={"Accept": accept})
        return response.status_code

    async def _search(self, http: httpx.AsyncClient) -> int:
        response = await http.get("/api/search", params={"q": self.rng.choice(SEARCH_WORDS)})
        return response.status_code

    async def _validate(self, http: httpx.AsyncClient) -> int:
        name, data = self.rng.choice(self.setup.demo_files)
        files = [("file", (name, data))]
        response = await http.post("/catalogues/validate", files=files)
        return response.status_code

    async def _submit(self, http: httpx.AsyncClient) -> int:
        assert self.member is not None
        self.sent += 1
        codes = [f"L{self.index:02d}-{self.sent:05d}-{k}" for k in range(1, 4)]
        numbers = [gtin13(self.index, self.sent, k) for k in range(1, 4)]
        body = catalogue_csv(codes, numbers, self.rng)
        response = await http.post("/catalogues", headers=self._auth(),
                                   files=[("file", ("catalogue.csv", body, "text/csv"))])
        if response.status_code == 201:
            version = int(response.json()["version"])
            self._acknowledged().versions[version] = codes
        elif response.status_code < 500:
            self.recorder.unexpected.append(f"submit {response.status_code}: {response.text[:200]}")
        return response.status_code

    async def _update(self, http: httpx.AsyncClient) -> int:
        assert self.member is not None
        self.sent += 1
        value = f"{self.member}/{self.sent}"
        subject = f"https://w3id.org/vic-semantic/id/load/{self.member}"
        update = (f'INSERT DATA {{ GRAPH <{member_graph(self.member)}> '
                  f'{{ <{subject}> <{LOAD_PREDICATE}> "{value}" }} }}')
        response = await http.post(
            "/sparql", content=update.encode(),
            headers={"Content-Type": "application/sparql-update", **self._auth()},
        )
        if response.status_code == 204:
            self._acknowledged().values.append(value)
        elif response.status_code < 500:
            self.recorder.unexpected.append(f"update {response.status_code}: {response.text[:200]}")
        return response.status_code

    def _auth(self) -> dict[str, str]:
        assert self.member is not None
        return {"Authorization": f"Bearer {self.setup.member_tokens[self.member]}"}

    def _acknowledged(self) -> Acknowledged:
        assert self.member is not None
        return self.recorder.acknowledged.setdefault(self.member, Acknowledged())


def catalogue_csv(codes: list[str], numbers: list[str], rng: random.Random) -> bytes:
    """Return a small product catalogue with no violations, one demo row per code."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(CATALOGUE_HEADER)
    for code, number in zip(codes, numbers, strict=True):
        name, unit, *rest = rng.choice(CATALOGUE_ROWS)
        writer.writerow([code, name, unit, number, *rest])
    return buffer.getvalue().encode()


def gtin13(client: int, sent: int, row: int) -> str:
    """Return a GTIN-13 with GS1's demonstration prefix 952 and a valid check digit.

    GS1 keeps prefix 952 for examples, so no real product has it (bench/generate.py uses
    it too).
    """
    body = f"952{client % 100:02d}{sent % 10**6:06d}{row % 10}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


async def runaway_loop(http: httpx.AsyncClient, recorder: Recorder, deadline: float) -> None:
    """Send the runaway query again and again until the deadline."""
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            response = await http.get("/sparql", params={"query": RUNAWAY_QUERY},
                                      headers={"Accept": "application/sparql-results+json"})
        except httpx.HTTPError as error:
            recorder.failed("runaway", error)
            continue
        recorder.note("runaway", response.status_code, time.perf_counter() - started, True)


async def run_phase(setup: Setup, clients: int, duration: float, request_timeout: float,
                    seed: int, runaway: bool) -> Recorder:
    """Run ``clients`` clients (and the runaway client) for ``duration`` seconds.

    Clients finish the request they are in after the deadline, bounded by
    ``request_timeout``; the runaway client is cancelled at the deadline instead.
    """
    recorder = Recorder()
    started = time.perf_counter()
    deadline = started + duration
    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    hooks = {"response": [recorder.note_server_error]}
    async with httpx.AsyncClient(base_url=setup.url, timeout=request_timeout,
                                 limits=limits, event_hooks=hooks) as http:
        loops = [Client(i, setup, recorder, seed).run(http, deadline) for i in range(clients)]
        stray = asyncio.create_task(runaway_loop(http, recorder, deadline)) if runaway else None
        await asyncio.gather(*loops)
        if stray is not None:
            stray.cancel()
            await asyncio.gather(stray, return_exceptions=True)
    recorder.elapsed = time.perf_counter() - started
    return recorder


def analyst_query_names() -> list[str]:
    return sorted(path.stem for path in ANALYST_DIR.glob("*.rq"))


def demo_files() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(DEMO_FILES.iterdir()) if p.is_file()]
