"""Time one write and the inference step after it on a loaded store, with peak RSS.

Run: .venv/bin/python bench/write_inference.py DATA_DIR/store [--copy GRAPH]

This is what the API process does after each client write (the Graph Store and SPARQL
Update routes call ``materialise`` after the write), so its peak RSS is the serving
process's peak while writes come in. The store is changed: one graph
``http://example.org/bench-write`` is replaced, by default with one typed product. With
``--copy GRAPH`` it gets a copy of that graph (a member's catalogue, say) in which every IRI
under ``https://w3id.org/vic-semantic/id/`` is renamed, as a new member's catalogue of the
same size would be. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import psutil
import pyoxigraph as ox

from vic_semantic.inference import materialise
from vic_semantic.store import EmbeddedStore

KEFIR = b"<http://example.org/k1> a <https://w3id.org/vic-semantic/ontology/Kefir> ."
ID_NAMESPACE = b"<https://w3id.org/vic-semantic/id/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="folder of a loaded embedded store")
    parser.add_argument("--copy", metavar="GRAPH", help="write a renamed copy of this graph")
    args = parser.parse_args()

    store = EmbeddedStore(args.store)
    try:
        data, rdf_format = KEFIR, ox.RdfFormat.TURTLE
        if args.copy:
            original = store.serialize_graph(args.copy, ox.RdfFormat.N_TRIPLES)
            data = original.replace(ID_NAMESPACE, ID_NAMESPACE + b"bench-copy/")
            rdf_format = ox.RdfFormat.N_TRIPLES
        opened_rss = psutil.Process().memory_info().rss
        started = time.perf_counter()
        store.replace_graph("http://example.org/bench-write", data, rdf_format)
        written = time.perf_counter()
        materialise(store)
        inferred = time.perf_counter()
    finally:
        store.close()

    print(
        json.dumps(
            {
                "triples_written": data.count(b"\n") if args.copy else 1,
                "write_seconds": written - started,
                "inference_seconds": inferred - written,
                "rss_after_open_bytes": opened_rss,
                "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "load_average": list(psutil.getloadavg()),
            }
        )
    )


if __name__ == "__main__":
    main()
