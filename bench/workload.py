"""The query mix and how it is timed over HTTP.

Templates in ``bench/queries/*.rq`` hold ``%Name%`` parameters, filled from the dataset's
``params.json`` by a random generator seeded per query and client, so every server gets the
same sequence of queries. The analyst queries are read from where the service keeps them.
"""

from __future__ import annotations

import random
import re
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
QUERY_DIR = REPO / "bench" / "queries"
# Named analyst queries of the service, run as they are (read-only, not copied).
ANALYST_QUERIES = [
    "vic_semantic/analytics/queries/catalogue-sizes.rq",
    "vic_semantic/analytics/queries/standards-per-plant.rq",
    "vic_semantic/analytics/queries/who-makes-what.rq",
    "vic_semantic/analytics/queries/milk-under-withdrawal.rq",
]
VIC = "https://w3id.org/vic-semantic/ontology/"
ID = "https://w3id.org/vic-semantic/id/"
GRAPH = "https://w3id.org/vic-semantic/graph/"
FAT_RANGES = [(0.5, 2.5), (2.5, 4.0), (10.0, 20.0), (20.0, 50.0), (45.0, 85.0)]
GRAPH_FORMS = re.compile(r"^\s*(CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Query:
    name: str
    template: str
    in_mix: bool

    @property
    def returns_graph(self) -> bool:
        body = "\n".join(
            line for line in self.template.splitlines() if not line.lstrip().startswith("#")
        )
        return bool(GRAPH_FORMS.search(body.split("PREFIX")[-1]))

    def accept(self) -> str:
        return "application/n-triples" if self.returns_graph else "application/sparql-results+json"


def load_queries(names: list[str] | None = None) -> list[Query]:
    """Return the explore mix, then the analyst queries; ``names`` keeps only those."""
    queries = [Query(p.stem, p.read_text(encoding="utf-8"), True)
               for p in sorted(QUERY_DIR.glob("*.rq"))]
    queries += [Query(Path(p).stem, (REPO / p).read_text(encoding="utf-8"), False)
                for p in ANALYST_QUERIES]
    if names:
        queries = [q for q in queries if q.name in names]
    return queries


class Parameters:
    """Draws the values of ``%Name%`` parameters from the dataset's parameter lists."""

    def __init__(self, params: dict[str, object], seed: str) -> None:
        self.params = params
        self.rng = random.Random(seed)

    def fill(self, template: str) -> str:
        values = self._draw()
        return re.sub(r"%(\w+)%", lambda m: values[m.group(1)], template)

    def _draw(self) -> dict[str, str]:
        rng, p = self.rng, self.params
        fat_min, fat_max = rng.choice(FAT_RANGES)
        month = rng.randrange(1, 13)
        year = int(str(p["year"]))
        plant = rng.choice(list(p["plants"]))  # type: ignore[call-overload]
        return {
            "Product": f"<{rng.choice(list(p['products']))}>",  # type: ignore[call-overload]
            "DairyClass": f"<{VIC}{rng.choice(list(p['dairy_classes']))}>",  # type: ignore[call-overload]
            "MeatClass": f"<{VIC}{rng.choice(list(p['meat_classes']))}>",  # type: ignore[call-overload]
            "FatMin": str(fat_min),
            "FatMax": str(fat_max),
            "Word": rng.choice(list(p["words"])),  # type: ignore[call-overload]
            "Catalogue": f"<{GRAPH}catalogue/{plant}>",
            "DairyPlant": f"<{ID}member/{rng.choice(list(p['dairy_plants']))}>",  # type: ignore[call-overload]
            "DateFrom": f"{year}-{month:02d}-01",
            "DateTo": f"{year + month // 12}-{month % 12 + 1:02d}-01",
        }


@dataclass
class Sample:
    """Latencies of one measurement, in seconds, and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: list[str] = field(default_factory=list)
    skipped: str | None = None
    timed_out: bool = False

    @property
    def median(self) -> float | None:
        return statistics.median(self.latencies) if self.latencies else None

    @property
    def p95(self) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def qps(self) -> float | None:
        return len(self.latencies) / self.elapsed if self.latencies and self.elapsed else None


def count_results(query: Query, response: httpx.Response) -> int:
    """Return the solutions or triples of a response (ASK: 1 for true, 0 for false)."""
    if query.returns_graph:
        return sum(1 for line in response.text.splitlines() if line.strip())
    body = response.json()
    if "boolean" in body:
        return int(bool(body["boolean"]))
    return len(body["results"]["bindings"])


def run_once(client: httpx.Client, url: str, query: Query, text: str) -> httpx.Response:
    response = client.get(url, params={"query": text}, headers={"Accept": query.accept()})
    response.read()
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
    return response


def measure(
    url: str,
    run: Callable[[httpx.Client, Parameters], None],
    params: dict[str, object],
    seed: str,
    clients: int,
    duration: float,
    timeout: float,
    min_calls: int = 0,
) -> Sample:
    """Call ``run`` from ``clients`` threads until ``duration`` seconds pass and each thread
    has made ``min_calls`` calls.

    Each thread finishes the call it is in, so a slow query may overrun ``duration`` by up
    to ``timeout``. Every call is timed; a failed call is counted as an error, not a latency.
    A call that times out stops the measurement: a server that runs queries one at a time
    (rdflib-endpoint) keeps working on it, and later calls would only queue behind it.
    """
    sample = Sample()
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def client_loop(index: int) -> None:
        parameters = Parameters(params, f"{seed}:{index}")
        calls = 0
        with httpx.Client(timeout=timeout) as client:
            while (time.perf_counter() < deadline or calls < min_calls) and not sample.timed_out:
                calls += 1
                started = time.perf_counter()
                try:
                    run(client, parameters)
                except httpx.TimeoutException:
                    with lock:
                        sample.errors.append(f"timed out after {timeout:g} s")
                        sample.timed_out = True
                    return
                except (httpx.HTTPError, RuntimeError, ValueError, KeyError) as error:
                    with lock:
                        sample.errors.append(f"{type(error).__name__}: {error}"[:300])
                    continue
                with lock:
                    sample.latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client_loop, range(clients)))
    sample.elapsed = time.perf_counter() - started
    return sample


def query_runner(url: str, query: Query) -> Callable[[httpx.Client, Parameters], None]:
    def run(client: httpx.Client, parameters: Parameters) -> None:
        run_once(client, url, query, parameters.fill(query.template))

    return run


def mix_runner(
    url: str, queries: list[Query], mix_latencies: list[float]
) -> Callable[[httpx.Client, Parameters], None]:
    """Return a run that sends each query of the mix once, in order (one query mix).

    Each query's own latency is appended to ``mix_latencies``; the sample records whole mixes.
    """
    lock = threading.Lock()

    def run(client: httpx.Client, parameters: Parameters) -> None:
        for query in queries:
            started = time.perf_counter()
            run_once(client, url, query, parameters.fill(query.template))
            with lock:
                mix_latencies.append(time.perf_counter() - started)

    return run
