"""Time ways to write a benchmark dataset into an on-disk pyoxigraph store, inference included.

Run: .venv/bin/python bench/load_alternatives.py [--scale 1m]

Compares, on fresh stores in var/bench: the service's ``EmbeddedStore.replace_graph`` (one
SPARQL ``INSERT DATA`` per graph, what bench/load_vic.py uses), ``EmbeddedStore.add_to_graph``
(``Store.extend`` in one transaction per graph) and pyoxigraph's ``Store.bulk_extend``
(no transaction, SST files written directly). Each is followed by ``materialise``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import write_dataset
from load_vic import split_graphs

from vic_semantic.inference import materialise
from vic_semantic.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parent.parent


def timed_load(graphs: dict[str, bytes], how: str, folder: Path) -> tuple[float, float]:
    """Load ``graphs`` one way into a new store; return seconds to load and to infer."""
    store = EmbeddedStore(folder / "store")
    started = time.perf_counter()
    for graph, data in graphs.items():
        if how == "replace_graph":
            store.replace_graph(graph, data, ox.RdfFormat.N_TRIPLES)
        elif how == "add_to_graph":
            store.add_to_graph(graph, data, ox.RdfFormat.N_TRIPLES)
        else:
            target = ox.NamedNode(graph)
            store._store.bulk_extend(  # the engine's bulk loader, which the service lacks
                ox.Quad(t.subject, t.predicate, t.object, target)
                for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
            )
    loaded = time.perf_counter()
    materialise(store)
    store.flush()
    inferred = time.perf_counter()
    store.close()
    return loaded - started, inferred - loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="1m")
    args = parser.parse_args()
    graphs = split_graphs(write_dataset(args.scale, 1, REPO / "var" / "bench"))
    print("| Way | load s | inference s | total s |")
    print("|---|---:|---:|---:|")
    for how in ("replace_graph", "add_to_graph", "bulk_extend"):
        folder = Path(tempfile.mkdtemp(prefix="vic-load-", dir=REPO / "var" / "bench"))
        try:
            load, infer = timed_load(graphs, how, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"| {how} | {load:.1f} | {infer:.1f} | {load + infer:.1f} |")


if __name__ == "__main__":
    main()
