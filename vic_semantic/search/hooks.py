"""Default SPARQL extension functions for every query of a store, and a count of its writes.

``EmbeddedStore`` runs queries through several methods (``query``, ``select``,
``run_query``), and only some of them take extension functions as an argument. Wrapping
the pyoxigraph store it holds gives every query the search functions, whichever method
runs it. The same wrapper counts writes, which tells the search index when to rebuild.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from vic_semantic.store.base import Store
from vic_semantic.store.embedded import EmbeddedStore
from vic_semantic.store.remote import RemoteStore

logger = logging.getLogger(__name__)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
CustomFunction = Callable[..., Term | None]
CustomFunctions = Mapping[ox.NamedNode, CustomFunction]

# The methods of pyoxigraph 0.5's Store that change its content.
_WRITES = frozenset(
    {
        "add",
        "add_graph",
        "bulk_extend",
        "bulk_load",
        "clear",
        "clear_graph",
        "extend",
        "load",
        "remove",
        "remove_graph",
        "update",
    }
)


class ObservedStore:
    """A pyoxigraph store that adds default extension functions to queries and counts writes.

    ``generation`` grows by one after every write, successful or not, so a reader that saw
    generation N has seen every write before it.
    """

    def __init__(self, inner: ox.Store, functions: CustomFunctions) -> None:
        self._inner = inner
        self.functions = dict(functions)
        self.generation = 0

    def query(self, query: str, **arguments: Any) -> Any:
        """Run a query with the default functions plus any the caller passes (theirs win)."""
        given = arguments.get("custom_functions") or {}
        arguments["custom_functions"] = {**self.functions, **given}
        return self._inner.query(query, **arguments)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name in _WRITES:
            return self._counted(attribute)
        return attribute

    def _counted(self, write: Callable[..., Any]) -> Callable[..., Any]:
        def counted_write(*arguments: Any, **keywords: Any) -> Any:
            try:
                return write(*arguments, **keywords)
            finally:
                # Counted after the write lands: a reader that sees the new generation
                # then also sees the new data.
                self.generation += 1

        return counted_write

    def __len__(self) -> int:
        return len(self._inner)

    def __iter__(self) -> Iterator[ox.Quad]:
        return iter(self._inner)

    def __contains__(self, quad: object) -> bool:
        return quad in self._inner


def install_functions(store: EmbeddedStore, functions: CustomFunctions) -> ObservedStore:
    """Make ``functions`` available to every query of ``store`` and start counting writes."""
    inner = store._store
    if isinstance(inner, ObservedStore):
        inner.functions.update(functions)
        return inner
    observed = ObservedStore(inner, functions)
    # NOTE: replaces a private attribute of EmbeddedStore; a ``custom_functions`` argument
    # on EmbeddedStore.run_query would make this unnecessary.
    setattr(store, "_store", observed)  # noqa: B010
    logger.info("SPARQL extension functions installed: %s", ", ".join(map(str, functions)))
    return observed


def store_version(store: Store) -> object:
    """Return a value that changes whenever the content of ``store`` changes.

    With the wrapper installed this is the write count. A remote store counts the writes it
    sends, and the triple count of each graph is added, because other processes may write
    to the same server. Without either, the triple counts alone stand in.
    """
    inner = getattr(store, "_store", None)
    if isinstance(inner, ObservedStore):
        return inner.generation
    counts = tuple((graph.iri, graph.triples) for graph in store.graphs())
    if isinstance(store, RemoteStore):
        # NOTE: a write by another process that replaces triples one for one changes
        # neither part, so the index misses it until this process makes the next write.
        return store.generation, counts
    return counts
