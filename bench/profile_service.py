"""Split the latency of API queries into the layers they pass, to see where vic-semantic loses.

Run: .venv/bin/python bench/profile_service.py [--scale 100k] [--runs 200] [--py-spy]

For fixed instances of some mix queries it times, as medians of ``--runs`` calls:

1. the engine alone: pyoxigraph's ``Store.query`` and serialisation, in this process, on the
   store bench/load_vic.py wrote (what Oxigraph server does, minus HTTP);
2. ``execute``: the same with the service's row limit (TSV first, then the requested format);
3. ``EmbeddedStore.run_query``: the same through a query worker process and a snapshot;
4. the whole HTTP request to ``vic-semantic serve`` and to ``oxigraph serve`` on the same data.

The differences between the steps are what each layer costs. With ``--py-spy`` it also
records the serving process (and its workers) under one client for 10 s per query with
py-spy, and writes the collapsed stacks to var/bench/profile-QUERY.raw.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import write_dataset
from servers import BIN, start_oxigraph, start_vic, stop_all
from workload import Parameters, load_queries, run_once

from vic_semantic.config import Settings
from vic_semantic.service import VicService
from vic_semantic.store.base import Dataset
from vic_semantic.store.embedded import EmbeddedStore
from vic_semantic.store.execution import QueryTask, execute

REPO = Path(__file__).resolve().parent.parent
PROFILED = ["q01-search-by-class", "q02-product-details", "q09-describe-product",
            "q12-construct-catalogue", "catalogue-sizes"]


def median_ms(call: Callable[[], object], runs: int) -> float:
    call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="100k")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--py-spy", action="store_true", help="Also record with py-spy.")
    args = parser.parse_args()

    dataset = write_dataset(args.scale, 1, REPO / "var" / "bench")
    params = __import__("json").loads(dataset.with_suffix(".params.json").read_text())
    queries = {q.name: q for q in load_queries(PROFILED)}
    texts = {name: Parameters(params, f"profile:{name}").fill(q.template)
             for name, q in queries.items()}
    work = Path(tempfile.mkdtemp(prefix="vic-profile-", dir=REPO / "var" / "bench"))
    try:
        vic = start_vic(dataset, work, 600)
        oxigraph = start_oxigraph(dataset, work, 600)
        http = {}
        with httpx.Client(timeout=60) as client:
            for name, text in texts.items():
                query = queries[name]
                http[name] = (
                    median_ms(lambda q=query, t=text: run_once(client, vic.query_url, q, t),
                              args.runs),
                    median_ms(lambda q=query, t=text: run_once(client, oxigraph.query_url, q, t),
                              args.runs),
                )
        if args.py_spy:
            record(vic.process.pid if vic.process else 0, vic.query_url, queries, texts)
        vic.stop()  # the in-process layers below open the same store folder
        oxigraph.stop()
        layers = in_process(work / "vic", queries, texts, args.runs)
    finally:
        stop_all()
    print("| Query | engine | + row limit (TSV) | + worker process | HTTP vic-semantic | "
          "HTTP oxigraph serve |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in texts:
        engine, limited, worker = layers[name]
        print(f"| {name} | {engine:.2f} | {limited:.2f} | {worker:.2f} | {http[name][0]:.2f} | "
              f"{http[name][1]:.2f} |")
    shutil.rmtree(work, ignore_errors=True)


def in_process(data_dir: Path, queries: dict, texts: dict[str, str],
               runs: int) -> dict[str, tuple[float, float, float]]:
    service = VicService.open(Settings(data_dir=data_dir, load_demo=False))
    store = service.store
    assert isinstance(store, EmbeddedStore)
    engine = store._store  # the pyoxigraph store itself: the engine alone, as Oxigraph runs it
    layers = {}
    for name, text in texts.items():
        graph = queries[name].returns_graph
        media = "application/n-triples" if graph else "application/sparql-results+json"
        task = QueryTask(text, None, None if graph else media, media if graph else None,
                         10**9, use_default_graph_as_union=True)

        def direct(t: str = text, g: bool = graph) -> bytes:
            result = engine.query(t, use_default_graph_as_union=True)
            if g:
                return bytes(result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"")
            return bytes(result.serialize(format=ox.QueryResultsFormat.JSON) or b"")

        results_format = None if graph else ox.QueryResultsFormat.JSON
        graph_format = ox.RdfFormat.N_TRIPLES if graph else None
        layers[name] = (
            median_ms(direct, runs),
            median_ms(lambda t=task: execute(engine, t), runs),
            median_ms(lambda t=text, r=results_format, f=graph_format:
                      store.run_query(t, Dataset(), None, r, f), runs),
        )
    service.close()
    return layers


def record(pid: int, url: str, queries: dict, texts: dict[str, str]) -> None:
    """Record the server under one client for 10 s per query with py-spy."""
    for name, text in texts.items():
        out = REPO / "var" / "bench" / f"profile-{name}.txt"
        spy = subprocess.Popen(
            [str(BIN / "py-spy"), "record", "--pid", str(pid), "--subprocesses", "--idle",
             "--duration", "10", "--format", "raw", "--output", str(out.with_suffix(".raw"))],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.perf_counter() + 10
        with httpx.Client(timeout=60) as client:
            while time.perf_counter() < deadline:
                run_once(client, url, queries[name], text)
        spy.wait(timeout=60)


if __name__ == "__main__":
    main()
