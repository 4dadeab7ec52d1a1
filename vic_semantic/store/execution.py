"""Running one API query against a pyoxigraph store, with its result size bounded.

The same code runs in a query worker process (``workers``) and, for an in-memory store, in
this process. A ``QueryTask`` is picklable: formats travel as media types and extension
functions by IRI, because pyoxigraph's own objects for them cannot be pickled.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from vic_semantic.errors import ResultTooLargeError
from vic_semantic.store.base import CustomFunction


@dataclass(frozen=True)
class QueryTask:
    """A query with its dataset, output formats and row limit.

    ``default_graph`` and ``named_graphs`` are graph IRIs, or None for pyoxigraph's default.
    """

    query: str
    base_iri: str | None
    results_media_type: str | None
    graph_media_type: str | None
    max_rows: int
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    use_default_graph_as_union: bool = False
    functions: Mapping[str, CustomFunction] = field(default_factory=dict)

    def arguments(self) -> dict[str, Any]:
        """Return the keyword arguments of ``pyoxigraph.Store.query`` for this task."""
        arguments: dict[str, Any] = {"base_iri": self.base_iri}
        if self.default_graph is not None:
            arguments["default_graph"] = [ox.NamedNode(iri) for iri in self.default_graph]
        if self.named_graphs is not None:
            arguments["named_graphs"] = [ox.NamedNode(iri) for iri in self.named_graphs]
        if self.use_default_graph_as_union:
            arguments["use_default_graph_as_union"] = True
        if self.functions:
            arguments["custom_functions"] = {
                ox.NamedNode(iri): function for iri, function in self.functions.items()
            }
        return arguments


def execute(store: ox.Store, task: QueryTask) -> bytes:
    """Run ``task`` on ``store`` and return its serialised result.

    Raises SyntaxError for a query that does not parse (pyoxigraph's own error) and
    ResultTooLargeError past ``task.max_rows`` solutions or triples.
    """
    result = store.query(task.query, **task.arguments())
    if isinstance(result, ox.QueryTriples):
        graph_format = _rdf_format(task.graph_media_type)
        return serialize_triples(result, task.max_rows, graph_format)
    results_format = _results_format(task.results_media_type)
    if isinstance(result, ox.QuerySolutions):
        return serialize_solutions(result, task.max_rows, results_format)
    return bytes(result.serialize(format=results_format) or b"")


def serialize_triples(triples: Any, max_rows: int, rdf_format: ox.RdfFormat) -> bytes:
    """Serialise an iterable of triples, raising ResultTooLargeError past ``max_rows``."""
    kept = list(itertools.islice(triples, max_rows + 1))
    if len(kept) > max_rows:
        raise ResultTooLargeError(max_rows)
    return bytes(ox.serialize(kept, format=rdf_format) or b"")


def serialize_solutions(
    solutions: ox.QuerySolutions, max_rows: int, results_format: ox.QueryResultsFormat
) -> bytes:
    """Serialise query solutions, raising ResultTooLargeError past ``max_rows`` of them.

    Solutions are first written as TSV, where each solution is exactly one line (a line
    break inside a literal is escaped as ``\\n``), so counting lines counts solutions and
    stops the query's evaluation as soon as the limit is passed. The TSV is then read back
    and written in the requested format; TSV keeps every RDF term exactly, so nothing is
    lost on the way.
    """
    counter = _LineLimit(max_rows + 1)  # the header line, then one line per solution
    try:
        solutions.serialize(counter, format=ox.QueryResultsFormat.TSV)
    except _LimitPassed:
        raise ResultTooLargeError(max_rows) from None
    tsv = counter.getvalue()
    if results_format == ox.QueryResultsFormat.TSV:
        return tsv
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return bytes(parsed.serialize(format=results_format) or b"")


class _LimitPassed(Exception):
    pass


class _LineLimit(io.BytesIO):
    """A byte buffer that raises ``_LimitPassed`` once it contains more than ``max_lines`` lines."""

    def __init__(self, max_lines: int) -> None:
        super().__init__()
        self._max_lines = max_lines
        self._lines = 0

    def write(self, data: Any) -> int:
        self._lines += bytes(data).count(b"\n")
        if self._lines > self._max_lines:
            raise _LimitPassed
        return super().write(data)


def _results_format(media_type: str | None) -> ox.QueryResultsFormat:
    if media_type is None:
        return ox.QueryResultsFormat.JSON
    found = ox.QueryResultsFormat.from_media_type(media_type)
    if found is None:
        raise ValueError(f"no SPARQL results format has the media type {media_type}")
    return found


def _rdf_format(media_type: str | None) -> ox.RdfFormat:
    if media_type is None:
        return ox.RdfFormat.TURTLE
    found = ox.RdfFormat.from_media_type(media_type)
    if found is None:
        raise ValueError(f"no RDF format has the media type {media_type}")
    return found
