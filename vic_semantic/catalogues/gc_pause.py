"""Pausing Python's cyclic garbage collector while a whole file is read or mapped.

Reading and mapping a catalogue allocates millions of small objects (cells, rows, decisions)
that stay alive until the run ends. Each allocation burst triggers a collection, and the
oldest generation scans every object of the process, the loaded ontology included, so at
100,000 rows the collector took about 40 % of the run's CPU time (bench/mapping_bench.py,
CPython 3.11). Cells, rows and decisions form no reference cycles, so reference counting
frees them while the collector is paused. Cyclic garbage, such as an openpyxl workbook's,
waits until the pause ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block and restore its state after.

    Nested and concurrent blocks are counted, so the collector resumes when the last one
    ends. NOTE: the switch is process-wide, so other threads of a server also run without
    cyclic collection while a block is open.
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
