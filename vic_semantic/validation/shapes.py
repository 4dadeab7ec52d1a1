"""Loading the SHACL shapes of ``shapes/`` (one Turtle file per concern).

The files are parsed with their literals kept as written (``parse_turtle_exact``), because
SHACL reads ``"1"^^xsd:boolean`` as a different parameter value than ``true``.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from vic_semantic.config import REPO_ROOT
from vic_semantic.namespaces import PREFIXES
from vic_semantic.validation.exact_turtle import parse_turtle_exact

logger = logging.getLogger(__name__)

SHAPES_DIR = REPO_ROOT / "shapes"


@lru_cache(maxsize=4)
def _parsed_shapes(shapes_dir: Path) -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"No shapes (*.ttl) found in {shapes_dir}")
    for path in files:
        parse_turtle_exact(path, graph)
    logger.info("Loaded %d shape triples from %d files in %s", len(graph), len(files), shapes_dir)
    return graph


def load_shapes_graph(shapes_dir: Path | None = None) -> Graph:
    """Return a new graph holding every shape file of ``shapes_dir`` (default: ``shapes/``).

    The files are parsed once per process. Each call gets its own copy, so a caller that
    changes its graph changes no other caller's.
    """
    cached = _parsed_shapes((shapes_dir or SHAPES_DIR).resolve())
    copy = Graph()
    for prefix, namespace in cached.namespaces():
        copy.bind(prefix, namespace)
    copy += cached
    return copy
