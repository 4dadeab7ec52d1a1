"""File-like sinks that pyoxigraph writes results into, and what they do with the bytes."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any, cast

# Size of the pieces a result is written in: big enough that the per-chunk costs (a pipe
# message, a thread hand-off, an HTTP chunk) stay small, small enough to bound memory.
CHUNK_BYTES = 64 * 1024

Emit = Callable[[bytes], None]


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
