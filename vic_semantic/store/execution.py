"""Running one API query against a pyoxigraph store, with its result size bounded.

The same code runs in a query worker process (``workers``) and, for an in-memory store, in
this process. A ``QueryTask`` is picklable: formats travel as media types and extension
functions by IRI, because pyoxigraph's own objects for them cannot be pickled.

Results are written as they are computed, in chunks of about ``CHUNK_BYTES``, to a function
the caller gives (``stream``): nothing holds the whole result. The row limit is checked on
the way, so a result that passes it fails after some chunks may already have been written;
the caller decides what the client then sees (see ``api.routers.sparql``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from vic_semantic.errors import ResultTooLargeError
from vic_semantic.store.base import CustomFunction
from vic_semantic.store.round_trip import round_trip, write_limited_tsv
from vic_semantic.store.sinks import CHUNK_BYTES, ChunkWriter, Emit, as_file

__all__ = ["CHUNK_BYTES", "Emit", "QueryTask", "execute", "limit_triples", "stream"]


@dataclass(frozen=True)
class QueryTask:
    """A query with its dataset, output formats and row limit.

    ``default_graph`` and ``named_graphs`` are graph IRIs, or None for pyoxigraph's default.
    ``select`` says the query is a SELECT (the API knows its form before it runs), and
    ``within_limit`` that its own LIMIT keeps it at or under ``max_rows``, so its rows need
    not be counted.
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
    select: bool = False
    within_limit: bool = False

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
    """Run ``task`` on ``store`` and return its whole serialised result.

    Raises SyntaxError for a query that does not parse (pyoxigraph's own error) and
    ResultTooLargeError past ``task.max_rows`` solutions or triples.
    """
    chunks: list[bytes] = []
    stream(store, task, chunks.append)
    return b"".join(chunks)


def stream(store: ox.Store, task: QueryTask, emit: Emit) -> None:
    """Run ``task`` on ``store`` and pass its serialised result to ``emit`` chunk by chunk.

    Raises as ``execute`` does; chunks emitted before the error stay emitted.
    """
    results_format = _results_format(task.results_media_type)
    if task.select and not task.within_limit and results_format != ox.QueryResultsFormat.TSV:
        # Only TSV rows can be counted as they are written, so other formats go through TSV.
        round_trip(lambda: _solutions(store, task), task.max_rows, results_format, emit)
        return

    result = store.query(task.query, **task.arguments())
    out = ChunkWriter(emit)
    if isinstance(result, ox.QueryTriples):
        counted = limit_triples(result, task.max_rows)
        ox.serialize(counted, as_file(out), format=_rdf_format(task.graph_media_type))
    elif isinstance(result, ox.QuerySolutions) and not task.within_limit:
        write_limited_tsv(result, task.max_rows, out, results_format)
    else:
        result.serialize(as_file(out), format=results_format)
    out.finish()


def _solutions(store: ox.Store, task: QueryTask) -> ox.QuerySolutions:
    result = store.query(task.query, **task.arguments())
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(
            f"expected SELECT solutions from a query the lexer read as SELECT, got "
            f"{type(result).__name__}"
        )
    return result


def limit_triples(triples: Iterable[ox.Triple], max_rows: int) -> Iterator[ox.Triple]:
    """Yield ``triples``, raising ResultTooLargeError when a triple past ``max_rows`` comes."""
    for count, triple in enumerate(triples, start=1):
        if count > max_rows:
            raise ResultTooLargeError(max_rows)
        yield triple


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
