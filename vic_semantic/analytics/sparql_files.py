"""Read the SPARQL files the analytics run, so analysts can run the same text themselves."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Protocol

MEASURES_DIR = Path(__file__).resolve().parent / "measures"


class SelectStore(Protocol):
    """The one store operation the analytics need: a SELECT returning lexical values."""

    def select(self, query: str) -> list[dict[str, str]]: ...


@cache
def measure_query(name: str) -> str:
    """Return the text of ``measures/{name}.rq``; raise FileNotFoundError naming the path."""
    path = MEASURES_DIR / f"{name}.rq"
    if not path.is_file():
        raise FileNotFoundError(f"analytics query {path} is missing from the package")
    return path.read_text(encoding="utf-8")


def run_measure(store: SelectStore, name: str) -> list[dict[str, str]]:
    """Run the measure query ``name`` over the store's default (union) graph."""
    return store.select(measure_query(name))
