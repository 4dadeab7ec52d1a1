"""Time the explore mix in pyoxigraph on the store as loaded, and after ``Store.optimize``.

Run: .venv/bin/python bench/compaction.py [--scale 100k] [--draws 20] [--repeats 3]

The store is loaded by ``bench/load_vic.py`` as the benchmark loads it, and each layout is
opened read-only from a checkpoint, as the query workers open their snapshots. For
reference, the same queries also run on the store that ``oxigraph load`` writes. Every
query of the mix is drawn ``--draws`` times, and each draw runs ``--repeats`` times after
one warm-up run. The table gives the median CPU time per query in ms, engine and
serialisation only (no HTTP, no worker process). CPU time is used because it depends far
less than wall-clock time on other jobs of a shared machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import write_dataset
from servers import BIN
from workload import Parameters, Query, load_queries

REPO = Path(__file__).resolve().parent.parent


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="100k", help="Dataset scale of bench/generate.py.")
    parser.add_argument("--draws", type=int, default=20, help="Parameter draws per query.")
    parser.add_argument("--repeats", type=int, default=3, help="Timed runs of each draw.")
    return parser.parse_args()


def prepare(dataset: Path, work: Path) -> dict[str, Path]:
    """Write the three layouts under ``work``; return their checkpoint folders by name."""
    loaded = work / "vic"
    subprocess.run([sys.executable, str(REPO / "bench" / "load_vic.py"), str(dataset),
                    str(loaded)], cwd=REPO, check=True, capture_output=True, timeout=3600)
    store = ox.Store(str(loaded / "store"))
    store.backup(str(work / "as-loaded"))
    started = time.perf_counter()
    store.optimize()
    print(f"Store.optimize took {time.perf_counter() - started:.2f} s")
    store.backup(str(work / "compacted"))
    del store  # releases the RocksDB lock

    subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(work / "oxigraph"),
                    "--file", str(dataset)], check=True, capture_output=True, timeout=3600)
    return {name: work / name for name in ("as-loaded", "compacted", "oxigraph")}


def run(store: ox.Store, query: Query, text: str) -> bytes:
    result = store.query(text, use_default_graph_as_union=True)
    if query.returns_graph:
        return bytes(result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"")
    return bytes(result.serialize(format=ox.QueryResultsFormat.JSON) or b"")


def median_ms(store: ox.Store, query: Query, texts: list[str], repeats: int) -> float:
    for text in texts:
        run(store, query, text)
    samples = []
    for _ in range(repeats):
        for text in texts:
            started = time.process_time()
            run(store, query, text)
            samples.append(time.process_time() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    args = options()
    dataset = write_dataset(args.scale, 1, REPO / "var" / "bench")
    params = json.loads(dataset.with_suffix(".params.json").read_text(encoding="utf-8"))
    queries = [query for query in load_queries() if query.in_mix]
    texts = {query.name: [Parameters(params, f"compaction:{query.name}").fill(query.template)
                          for _ in range(args.draws)] for query in queries}
    work = Path(tempfile.mkdtemp(prefix="vic-compaction-", dir=REPO / "var" / "bench"))
    try:
        layouts = {name: ox.Store.read_only(str(path))
                   for name, path in prepare(dataset, work).items()}
        medians = {name: {query.name: median_ms(store, query, texts[query.name], args.repeats)
                          for query in queries} for name, store in layouts.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    names = list(medians)
    print("| Query | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for query in queries:
        print(f"| {query.name} | "
              + " | ".join(f"{medians[name][query.name]:.2f}" for name in names) + " |")
    print("| sum of the medians | "
          + " | ".join(f"{sum(medians[name].values()):.2f}" for name in names) + " |")


if __name__ == "__main__":
    main()
