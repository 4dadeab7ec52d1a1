"""What every store offers the rest of the service, whatever engine is behind it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    Triple,
)


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query runs against (SPARQL 1.1 Protocol dataset parameters).

    With no default graphs given, the default graph is the union of all named graphs.
    ``include_inferred`` False leaves the materialised inferences out of that union.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    include_inferred: bool = True


@dataclass(frozen=True)
class GraphResult:
    """Serialised output of a query, with the media type it is written in."""

    body: bytes
    media_type: str


@dataclass
class GraphInfo:
    """One named graph and its size in triples."""

    iri: str
    triples: int = field(default=0)


# Maps a syntax error's line and column in the text the engine ran back to the client's text.
Locate = Callable[[int, int], tuple[int, int]]

# A SPARQL extension function as pyoxigraph calls it: RDF terms in, one RDF term or None out.
CustomFunction = Callable[..., NamedNode | BlankNode | Literal | Triple | None]
CustomFunctions = Mapping[NamedNode, CustomFunction]


@dataclass(frozen=True)
class QueryLimits:
    """How long one query of the API may run, and how many rows it may return."""

    timeout_seconds: float = 30.0
    max_rows: int = 100_000


class Store(Protocol):
    """A SPARQL 1.1 dataset that can be queried, updated and loaded atomically.

    Two implementations exist: ``EmbeddedStore`` (pyoxigraph in this process) and
    ``RemoteStore`` (any server speaking the SPARQL 1.1 Protocol and Graph Store Protocol).
    Every write method lands whole or not at all.
    """

    # The SPARQL 1.1 Protocol, as the /sparql endpoint needs it. Queries here are bounded
    # by the store's QueryLimits: they raise QueryTimeoutError or ResultTooLargeError.
    # ``stream_query`` yields the result in chunks as it is computed (the limits may then
    # be passed after some chunks); ``run_query`` returns it whole.

    def run_query(
        self,
        query: str,
        dataset: Dataset,
        base_iri: str | None,
        results_format: QueryResultsFormat | None,
        graph_format: RdfFormat | None,
    ) -> bytes: ...

    def stream_query(
        self,
        query: str,
        dataset: Dataset,
        base_iri: str | None,
        results_format: QueryResultsFormat | None,
        graph_format: RdfFormat | None,
    ) -> Iterator[bytes]: ...

    def run_update(
        self, update: str, base_iri: str | None, locate: Locate | None = None
    ) -> None: ...

    # The Graph Store Protocol, as /graphs needs it; ``None`` is the store's default graph.

    def has_graph(self, graph: str | None) -> bool: ...

    def serialize_graph(self, graph: str | None, rdf_format: RdfFormat) -> bytes: ...

    def put_graph(self, graph: str | None, triples: Iterable[Triple]) -> None: ...

    def post_graph(self, graph: str | None, triples: Iterable[Triple]) -> None: ...

    def add_quads(self, quads: Iterable[Quad]) -> None: ...

    def delete_graph(self, graph: str | None) -> bool: ...

    def dump(self, rdf_format: RdfFormat) -> bytes: ...

    # The library's own reads and writes (demo, loading, inference, search, reconciliation).
    # They have no time or size limit: their queries are the service's, not a client's.

    def query(
        self,
        query: str,
        dataset: Dataset,
        results_format: QueryResultsFormat | None,
        graph_format: RdfFormat | None,
        *,
        custom_functions: dict[NamedNode, CustomFunction] | None = None,
    ) -> bytes: ...

    def select(
        self,
        query: str,
        dataset: Dataset | None = None,
        *,
        custom_functions: dict[NamedNode, CustomFunction] | None = None,
    ) -> list[dict[str, str]]: ...

    def ask(self, query: str) -> bool: ...

    def update(self, update: str) -> None: ...

    # Held around a read and the write that depends on it (for example, the next version
    # number and the version stored under it), so no other writer of the store comes
    # between them. Nested blocks of one thread share the lock.
    def exclusive(self) -> AbstractContextManager[object]: ...

    def replace_graph(self, graph: str, data: bytes, rdf_format: RdfFormat) -> int: ...

    def add_to_graph(self, graph: str, data: bytes, rdf_format: RdfFormat) -> int: ...

    def drop_graph(self, graph: str) -> None: ...

    def graphs(self) -> list[GraphInfo]: ...

    def is_empty(self) -> bool: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...
