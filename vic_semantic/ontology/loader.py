"""Load the ontology: every Turtle file of the ontology folder, merged into one graph."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from vic_semantic.config import REPO_ROOT
from vic_semantic.namespaces import PREFIXES
from vic_semantic.ontology.errors import OntologyNotFoundError, OntologySyntaxError

logger = logging.getLogger(__name__)

ONTOLOGY_DIR_ENV = "VIC_ONTOLOGY_DIR"


def ontology_dir() -> Path:
    """Return the ontology folder: $VIC_ONTOLOGY_DIR if set, else ``ontology/`` of the repo."""
    configured = os.environ.get(ONTOLOGY_DIR_ENV)
    if configured:
        return Path(configured)
    return REPO_ROOT / "ontology"


def load_ontology_graph(directory: Path | None = None) -> Graph:
    """Parse every ``*.ttl`` file of ``directory`` (default: ``ontology_dir()``) into one graph.

    Raises OntologyNotFoundError when the folder contains no Turtle file, and
    OntologySyntaxError, naming the file, line and column, when a file does not parse.
    """
    folder = directory if directory is not None else ontology_dir()
    paths = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
    if not paths:
        raise OntologyNotFoundError(folder)

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)

    for path in paths:
        _parse_file(graph, path)

    logger.info("loaded ontology: %d triples from %d files in %s", len(graph), len(paths), folder)
    return graph


def _parse_file(graph: Graph, path: Path) -> None:
    try:
        graph.parse(path, format="turtle")
    except BadSyntax as error:
        line, column = _error_position(error)
        raise OntologySyntaxError(path, line, column, _error_reason(error)) from error


def _error_position(error: BadSyntax) -> tuple[int | None, int | None]:
    # BadSyntax keeps the parsed text and the character offset of the error only in private
    # attributes (rdflib 7.x); without them the position stays unknown.
    text: bytes | None = getattr(error, "_str", None)
    offset: int | None = getattr(error, "_i", None)
    lines: int | None = getattr(error, "lines", None)
    if text is None or offset is None or lines is None:
        return None, None

    before = text.decode("utf-8")[:offset]
    column = offset - (before.rfind("\n") + 1) + 1
    return lines + 1, column


def _error_reason(error: BadSyntax) -> str:
    reason: str | None = getattr(error, "_why", None)
    return reason if reason else str(error)
