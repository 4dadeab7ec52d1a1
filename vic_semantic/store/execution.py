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

import contextlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, cast

import pyoxigraph as ox

from vic_semantic.errors import ResultTooLargeError
from vic_semantic.store.base import CustomFunction
from vic_semantic.store.streaming import clear_frames

# Size of the pieces a result is written in: big enough that the per-chunk costs (a pipe
# message, a thread hand-off, an HTTP chunk) stay small, small enough to bound memory.
CHUNK_BYTES = 64 * 1024

Emit = Callable[[bytes], None]


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


def write_limited_tsv(
    solutions: ox.QuerySolutions,
    max_rows: int,
    out: Any,
    results_format: ox.QueryResultsFormat = ox.QueryResultsFormat.TSV,
) -> None:
    """Write ``solutions`` as TSV to ``out``, raising ResultTooLargeError past ``max_rows``.

    Each solution is exactly one TSV line (a line break inside a literal is escaped as
    ``\\n``), so counting lines counts solutions and stops the query's evaluation as soon as
    the limit is passed.
    """
    if results_format != ox.QueryResultsFormat.TSV:
        # Reached only for a SELECT whose form the lexer missed: its rows are not counted.
        solutions.serialize(as_file(out), format=results_format)
        return
    try:
        limited = LineLimit(out, max_rows + 1)
        solutions.serialize(as_file(limited), format=ox.QueryResultsFormat.TSV)
    except LimitPassed:
        raise ResultTooLargeError(max_rows) from None


def round_trip(
    solutions: Callable[[], ox.QuerySolutions],
    max_rows: int,
    results_format: ox.QueryResultsFormat,
    emit: Emit,
) -> None:
    """Write the solutions that ``solutions()`` gives in ``results_format``, rows counted.

    A thread writes them as TSV, counting lines, into a pipe; this thread reads the TSV back
    and writes the requested format as it goes. TSV keeps every RDF term exactly, so nothing
    is lost on the way. pyoxigraph's results must stay on the thread that made them, so the
    query itself runs on the producing thread.
    """
    read_end, write_end = os.pipe()
    failures: list[BaseException] = []
    producer = threading.Thread(
        target=_produce_tsv,
        args=(solutions, max_rows, write_end, failures),
        name="vic-tsv-producer",
        daemon=True,
    )
    producer.start()
    out = ChunkWriter(emit)
    consumer_error: BaseException | None = None
    try:
        with open(read_end, "rb") as tsv:
            parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
            parsed.serialize(as_file(out), format=results_format)
            del parsed
    except BaseException as error:  # re-raised below, once the producer has ended
        clear_frames(error)
        consumer_error = error
    # Closing the read end above makes a producer still writing fail with a broken pipe,
    # which is then a consequence of the consumer's error, not a cause.
    producer.join()
    if failures and not isinstance(failures[0], BrokenPipeError):
        raise failures[0]
    if consumer_error is not None:
        raise consumer_error
    if failures:
        raise failures[0]
    out.finish()


def _produce_tsv(
    solutions: Callable[[], ox.QuerySolutions],
    max_rows: int,
    write_end: int,
    failures: list[BaseException],
) -> None:
    pipe = open(write_end, "wb")  # noqa: SIM115 - closed below, whatever happens
    try:
        write_limited_tsv(solutions(), max_rows, pipe)
    except BaseException as error:  # handed to the consuming thread
        clear_frames(error)
        failures.append(error)
        # A line no TSV reader accepts, so the consumer stops before it writes the end of a
        # document that would look complete.
        with contextlib.suppress(OSError):
            pipe.write(b"\x00\n")
    finally:
        with contextlib.suppress(OSError):
            pipe.close()


def as_file(sink: object) -> IO[bytes]:
    """Type a sink with ``write`` and ``flush`` as the binary file pyoxigraph's stubs ask for."""
    return cast(IO[bytes], sink)


class ChunkWriter:
    """A file-like sink for pyoxigraph that passes on what it gets in ``CHUNK_BYTES`` pieces."""

    def __init__(self, emit: Emit, chunk_bytes: int = CHUNK_BYTES) -> None:
        self._emit = emit
        self._chunk_bytes = chunk_bytes
        self._buffer = bytearray()

    def write(self, data: Any) -> int:
        self._buffer += data
        if len(self._buffer) >= self._chunk_bytes:
            chunk = bytes(self._buffer)
            self._buffer.clear()
            self._emit(chunk)
        return len(data)

    def flush(self) -> None:
        """Do nothing: pyoxigraph flushes after each write, and chunks are sent when full."""

    def finish(self) -> None:
        """Pass on what is left; call once, after the result is complete."""
        if self._buffer:
            chunk = bytes(self._buffer)
            self._buffer.clear()
            self._emit(chunk)


class LimitPassed(Exception):
    """More lines were written than a ``LineLimit`` allows."""


class LineLimit:
    """A file-like wrapper that raises ``LimitPassed`` once more than ``max_lines`` lines pass."""

    def __init__(self, out: Any, max_lines: int) -> None:
        self._out = out
        self._max_lines = max_lines
        self._lines = 0

    def write(self, data: Any) -> int:
        self._lines += bytes(data).count(b"\n")
        if self._lines > self._max_lines:
            raise LimitPassed
        return int(self._out.write(data))

    def flush(self) -> None:
        """Do nothing; the wrapped sink decides when its data leaves."""


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
