"""Load a benchmark dataset into vic-semantic's embedded store through the service's own code.

Run: .venv/bin/python bench/load_vic.py DATASET.nq DATA_DIR

This is what ``vic-semantic load FILE.nt ...`` does with one file per graph of the dataset:
the asserted graphs, all new, go through
``vic_semantic.inference_load.bulk_load_with_inferences`` of a service opened as the CLI
opens it. That is one bulk pass, which collects the inference rules' inputs while it loads,
followed by the rules and the write of the inferred graph. The inferred graph of the file
is skipped, because the service computes its own.

NOTE: ``vic-semantic load`` of an N-Quads file loads every quad into one graph (the
``--graph`` or one named after the file), so a dataset has to be split per graph first;
splitting is timed apart from loading.

Prints one JSON object: seconds to split, load and infer, the triples loaded, the peak RSS.
``load_seconds`` is the bulk pass, collecting the rules' inputs included; ``inference_seconds``
is the rules, the write of the inferred graph and the flush.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from vic_semantic.config import Settings
from vic_semantic.inference_load import bulk_load_with_inferences
from vic_semantic.namespaces import INFERRED_GRAPH
from vic_semantic.service import VicService
from vic_semantic.store.bulk import GraphSource
from vic_semantic.store.embedded import EmbeddedStore


def split_graphs(dataset: Path) -> dict[str, bytes]:
    """Return the N-Triples of every asserted named graph of an N-Quads file."""
    triples: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in ox.parse(path=str(dataset), format=ox.RdfFormat.N_QUADS):
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode):
            raise SystemExit(f"{dataset}: a quad outside any named graph: {quad}")
        if graph.value != str(INFERRED_GRAPH):
            triples[graph.value].append(ox.Triple(quad.subject, quad.predicate, quad.object))
    return {
        graph: bytes(ox.serialize(items, format=ox.RdfFormat.N_TRIPLES) or b"")
        for graph, items in triples.items()
    }


def main() -> None:
    dataset, data_dir = Path(sys.argv[1]), Path(sys.argv[2])
    started = time.perf_counter()
    graphs = split_graphs(dataset)
    split_done = time.perf_counter()

    service = VicService.open(Settings(data_dir=data_dir, load_demo=False))
    try:
        store = service.store
        assert isinstance(store, EmbeddedStore)
        sources = [
            GraphSource(graph=graph, rdf_format=ox.RdfFormat.N_TRIPLES, data=data)
            for graph, data in graphs.items()
        ]
        load_started = time.perf_counter()
        result = bulk_load_with_inferences(store, sources)
        inference_done = time.perf_counter()
        store.flush()
        done = time.perf_counter()
    finally:
        service.close()

    # As before the one-pass load, the load step counts from the end of the split, so it
    # includes opening the service, and the inference step ends after the flush.
    open_seconds = load_started - split_done

    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "split_seconds": split_done - started,
                "load_seconds": open_seconds + result.load_seconds,
                "inference_seconds": result.inference_seconds + (done - inference_done),
                "total_seconds": done - split_done,
                "asserted_triples": sum(result.counts.values()),
                "graphs": len(graphs),
                "peak_rss_bytes": peak_kib * 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
