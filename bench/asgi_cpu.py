"""CPU time of the API process per /sparql request, driven in-process through the ASGI app.

Run: .venv/bin/python bench/asgi_cpu.py [--scale 100k] [--requests 2000]

The dataset is loaded by ``bench/load_vic.py``; then the app of ``create_app`` serves GET
/sparql requests of some mix queries, called directly as an ASGI app on uvloop, with no
socket and no client in the process. The query workers still run each query. Request log
lines are written to /dev/null, at the level ``vic-semantic serve`` writes them. The CPU
time of this process per request is what the API adds to a query apart from uvicorn's
HTTP handling. It is measured in ``--rounds`` alternating rounds of two apps: as
``create_app`` builds it, where ``SparqlEndpointMiddleware`` serves /sparql, and without
that middleware, where each request goes through FastAPI's routing and dependency solving.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import uvloop
from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import write_dataset
from workload import Parameters, Query, load_queries

from api.lifecycle import start_service, stop_service
from api.main import create_app
from api.sparql_middleware import SparqlEndpointMiddleware
from vic_semantic.config import Settings
from vic_semantic.logs import configure_logging

REPO = Path(__file__).resolve().parent.parent
QUERIES = ["q01-search-by-class", "q02-product-details", "q08-deliveries",
           "q09-describe-product"]
Message = MutableMapping[str, Any]
# The two apps measured, with their columns in the report (CPU µs per request).
VARIANTS = {
    "middleware": "SparqlEndpointMiddleware, µs",
    "router": "FastAPI routing, µs",
}


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="100k", help="Dataset scale of bench/generate.py.")
    parser.add_argument("--requests", type=int, default=500,
                        help="Timed requests per query and round.")
    parser.add_argument("--rounds", type=int, default=5, help="Alternating rounds.")
    return parser.parse_args()


def scope_of(query: Query, text: str) -> dict[str, Any]:
    """Return the ASGI scope of ``GET /sparql?query=TEXT`` as uvicorn passes it."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", query.accept().encode()),
               (b"user-agent", b"python-httpx/0.29.0"), (b"connection", b"keep-alive")]
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": "/sparql", "raw_path": b"/sparql",
            "query_string": urllib.parse.urlencode({"query": text}).encode(),
            "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000)}


async def cpu_per_request(app: FastAPI, scope: dict[str, Any], requests: int) -> float:
    """Return the CPU microseconds of this process per request, after 20 warm-up requests."""
    status: list[int] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    call: Callable[[], Awaitable[None]] = lambda: app({**scope, "state": {}}, receive, send)  # noqa: E731
    for _ in range(20):
        await call()
    started = time.process_time()
    for _ in range(requests):
        await call()
    spent = time.process_time() - started
    if set(status) != {200}:
        raise RuntimeError(f"a request failed with the statuses {sorted(set(status))}")
    return spent / requests * 1e6


async def measure(apps: dict[str, FastAPI], scopes: dict[str, dict[str, Any]], requests: int,
                  rounds: int) -> dict[str, dict[str, list[float]]]:
    """Measure every app on every query in each round, alternating; return the samples."""
    samples: dict[str, dict[str, list[float]]] = {name: {query: [] for query in scopes}
                                                  for name in apps}
    async with AsyncExitStack() as lifespans:
        for app in apps.values():
            await lifespans.enter_async_context(app.router.lifespan_context(app))
        for _ in range(rounds):
            for name, app in apps.items():
                for query, scope in scopes.items():
                    samples[name][query].append(await cpu_per_request(app, scope, requests))
    return samples


def main() -> None:
    args = options()
    configure_logging("text")
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    dataset = write_dataset(args.scale, 1, REPO / "var" / "bench")
    params = json.loads(dataset.with_suffix(".params.json").read_text(encoding="utf-8"))
    queries = load_queries(QUERIES)
    scopes = {query.name: scope_of(query, Parameters(params, "asgi").fill(query.template))
              for query in queries}
    with tempfile.TemporaryDirectory(dir=REPO / "var" / "bench") as work:
        data_dir = Path(work) / "vic"
        subprocess.run([sys.executable, str(REPO / "bench" / "load_vic.py"), str(dataset),
                        str(data_dir)], cwd=REPO, check=True, capture_output=True,
                       timeout=3600)
        service = start_service(Settings(data_dir=data_dir, load_demo=False))
        try:
            apps = {name: create_app(service.settings, service=service) for name in VARIANTS}
            apps["router"].user_middleware = [
                entry for entry in apps["router"].user_middleware
                if entry.cls is not SparqlEndpointMiddleware
            ]
            samples = uvloop.run(measure(apps, scopes, args.requests, args.rounds))
        finally:
            stop_service(service)

    print("| Query | " + " | ".join(VARIANTS.values()) + " |")
    print("|---|" + "---:|" * len(VARIANTS))
    for query in scopes:
        medians = [statistics.median(samples[name][query]) for name in VARIANTS]
        print(f"| {query} | " + " | ".join(f"{median:.0f}" for median in medians) + " |")


if __name__ == "__main__":
    main()
