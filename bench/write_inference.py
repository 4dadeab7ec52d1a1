"""Time one small write and the inference step after it on a loaded store, with peak RSS.

Run: .venv/bin/python bench/write_inference.py DATA_DIR/store

This is what the API process does after each client write (the Graph Store and SPARQL
Update routes call ``materialise`` after the write), so its peak RSS is the serving
process's peak while writes come in. The store is changed: one graph
``http://example.org/bench-write`` is replaced. Prints one JSON object.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import psutil
import pyoxigraph as ox

from vic_semantic.inference import materialise
from vic_semantic.store import EmbeddedStore

KEFIR = b"<http://example.org/k1> a <https://w3id.org/vic-semantic/ontology/Kefir> ."


def main() -> None:
    store = EmbeddedStore(Path(sys.argv[1]))
    try:
        opened_rss = psutil.Process().memory_info().rss
        started = time.perf_counter()
        store.replace_graph("http://example.org/bench-write", KEFIR, ox.RdfFormat.TURTLE)
        written = time.perf_counter()
        materialise(store)
        inferred = time.perf_counter()
    finally:
        store.close()

    print(
        json.dumps(
            {
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
