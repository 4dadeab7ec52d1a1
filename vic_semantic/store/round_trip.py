"""Writing SELECT solutions in any results format while counting them, through TSV.

Only TSV rows can be counted as they are written: each solution is exactly one line. So
solutions that must be counted are written as TSV, counted by lines, read back and written
in the requested format. TSV keeps every RDF term exactly, so nothing is lost on the way.

A small result is converted in memory. Once the TSV passes ``CHUNK_BYTES``, a thread starts
that reads it back from a pipe and writes the requested format as it goes, so a large result
streams and is never held whole. pyoxigraph's result objects must stay on the thread that
made them: the solutions stay on the calling thread, the re-parsed ones on the converting
thread.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import IO, Any

import pyoxigraph as ox

from vic_semantic.errors import ResultTooLargeError
from vic_semantic.store.sinks import (
    CHUNK_BYTES,
    ChunkWriter,
    Emit,
    LimitPassed,
    LineLimit,
    as_file,
)
from vic_semantic.store.streaming import clear_frames

# A line no TSV reader accepts. Written when the solutions fail, it makes the converting
# thread fail too, before it writes the end of a document that would look complete.
_BROKEN_LINE = b"\x00\n"


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

    Raises ResultTooLargeError past ``max_rows`` solutions, possibly after some chunks.
    """
    sink = _TsvSink(results_format, emit)
    try:
        write_limited_tsv(solutions(), max_rows, sink)
    except BaseException as error:
        clear_frames(error)
        converter_error = sink.abort()
        # A converter that failed first (its consumer went away) makes the writes here fail
        # with a broken pipe; its own error is the cause.
        if converter_error is not None and isinstance(error, OSError):
            raise converter_error from None
        raise
    sink.finish()


class _TsvSink:
    """Receives TSV; converts it in memory, or on a thread once it passes ``CHUNK_BYTES``."""

    def __init__(self, results_format: ox.QueryResultsFormat, emit: Emit) -> None:
        self._results_format = results_format
        self._emit = emit
        self._buffer = bytearray()
        self._pipe: IO[bytes] | None = None
        self._converter: threading.Thread | None = None
        self._failures: list[BaseException] = []

    def write(self, data: Any) -> int:
        if self._pipe is None:
            self._buffer += data
            if len(self._buffer) > CHUNK_BYTES:
                self._start_converter()
        else:
            self._pipe.write(data)
        return len(data)

    def flush(self) -> None:
        """Do nothing: the pipe is flushed as it fills, and closed at the end."""

    def finish(self) -> None:
        """Write the rest of the result; raise the converter's error, if any."""
        if self._pipe is None:
            out = ChunkWriter(self._emit)
            parsed = ox.parse_query_results(bytes(self._buffer), format=ox.QueryResultsFormat.TSV)
            parsed.serialize(as_file(out), format=self._results_format)
            out.finish()
            return
        self._stop_converter()
        if self._failures:
            raise self._failures[0]

    def abort(self) -> BaseException | None:
        """Make the converter stop without completing its document; return its error."""
        if self._pipe is None:
            return None
        with contextlib.suppress(OSError):
            self._pipe.write(_BROKEN_LINE)
        self._stop_converter()
        return self._failures[0] if self._failures else None

    def _start_converter(self) -> None:
        read_end, write_end = os.pipe()
        self._pipe = open(write_end, "wb")  # noqa: SIM115 - closed in _stop_converter
        self._converter = threading.Thread(
            target=_convert,
            args=(read_end, self._results_format, self._emit, self._failures),
            name="vic-tsv-converter",
            daemon=True,
        )
        self._converter.start()
        self._pipe.write(bytes(self._buffer))
        self._buffer.clear()

    def _stop_converter(self) -> None:
        assert self._pipe is not None and self._converter is not None
        with contextlib.suppress(OSError):
            self._pipe.close()
        self._converter.join()


def _convert(
    read_end: int,
    results_format: ox.QueryResultsFormat,
    emit: Emit,
    failures: list[BaseException],
) -> None:
    """Read TSV from the pipe and write it in ``results_format``; the converter thread."""
    out = ChunkWriter(emit)
    try:
        _convert_pipe(read_end, results_format, out)
        out.finish()
    except BaseException as error:  # handed to the calling thread
        # The frame of _convert_pipe has ended, so this drops its results on this thread.
        clear_frames(error)
        failures.append(error)


def _convert_pipe(read_end: int, results_format: ox.QueryResultsFormat, out: ChunkWriter) -> None:
    with open(read_end, "rb") as tsv:
        parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        parsed.serialize(as_file(out), format=results_format)
