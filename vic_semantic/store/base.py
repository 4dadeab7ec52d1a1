"""What every store offers the rest of the service, whatever engine is behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pyoxigraph import QueryResultsFormat, RdfFormat


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


class Store(Protocol):
    """A SPARQL 1.1 dataset that can be queried, updated and loaded atomically."""

    def query(
        self,
        query: str,
        dataset: Dataset,
        results_format: QueryResultsFormat | None,
        graph_format: RdfFormat | None,
    ) -> bytes: ...

    def update(self, update: str) -> None: ...

    def replace_graph(self, graph: str, data: bytes, rdf_format: RdfFormat) -> int: ...

    def add_to_graph(self, graph: str, data: bytes, rdf_format: RdfFormat) -> int: ...

    def graphs(self) -> list[GraphInfo]: ...

    def dump(self, rdf_format: RdfFormat) -> bytes: ...

    def is_empty(self) -> bool: ...

    def close(self) -> None: ...
