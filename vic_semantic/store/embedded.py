"""The embedded store: pyoxigraph on disk (or in memory for tests and one-off runs)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pyoxigraph as ox

from vic_semantic.errors import QuerySyntaxError, RdfSyntaxError, StoreError
from vic_semantic.namespaces import INFERRED_GRAPH
from vic_semantic.sparql.lexer import reject_fetching_operations
from vic_semantic.store.base import Dataset, GraphInfo

logger = logging.getLogger(__name__)

# pyoxigraph writes "error at 3:2: ..." for SPARQL and "... at line 1 column 23: ..." for RDF.
_POSITION = re.compile(r"(?:error at |line )(\d+)(?::| column )(\d+)")


def _position(error: SyntaxError) -> tuple[int | None, int | None]:
    """Return the line and column pyoxigraph reports in ``error at L:C: ...`` messages."""
    match = _POSITION.search(str(error))
    if match is None:
        return None, None
    return int(match.group(1)), int(match.group(2))


def _detail(error: SyntaxError) -> str:
    text = re.sub(r"^error at \d+:\d+(-\d+:\d+)?: ", "", str(error))
    return re.sub(r"^Parser error at line \d+ column \d+: ", "", text)


class EmbeddedStore:
    """A pyoxigraph store; every write is one transaction that lands whole or not at all."""

    def __init__(self, path: Path | None) -> None:
        """Open the store at ``path``, creating it if needed; ``None`` keeps it in memory."""
        try:
            if path is None:
                self._store = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as error:
            raise StoreError(
                f"Не удалось открыть хранилище {path}: {error}. Проверьте права на папку и "
                "что её не использует другой процесс.",
                f"Failed to open the store at {path}: {error}. Check the folder's permissions "
                "and that no other process holds it.",
            ) from error
        self.path = path
        logger.info("opened embedded store at %s", path or "memory")

    def query(
        self,
        query: str,
        dataset: Dataset,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
    ) -> bytes:
        """Run a query and return its results serialised in the format that fits its form."""
        reject_fetching_operations(query)
        try:
            result = self._store.query(query, **self._dataset_arguments(dataset))
        except SyntaxError as error:
            line, column = _position(error)
            raise QuerySyntaxError(_detail(error), line, column) from error

        if isinstance(result, ox.QueryTriples):
            return bytes(result.serialize(format=graph_format or ox.RdfFormat.TURTLE))
        return bytes(result.serialize(format=results_format or ox.QueryResultsFormat.JSON))

    def select(self, query: str, dataset: Dataset | None = None) -> list[dict[str, str]]:
        """Run a SELECT query and return each solution as variable → lexical value."""
        result = self._store.query(query, **self._dataset_arguments(dataset or Dataset()))
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() takes only SELECT queries")
        names = [variable.value for variable in result.variables]
        return [
            {name: solution[name].value for name in names if solution[name] is not None}
            for solution in result
        ]

    def ask(self, query: str) -> bool:
        result = self._store.query(query, use_default_graph_as_union=True)
        return bool(result)

    def update(self, update: str) -> None:
        """Apply a SPARQL update in one transaction."""
        reject_fetching_operations(update)
        try:
            self._store.update(update)
        except SyntaxError as error:
            line, column = _position(error)
            raise QuerySyntaxError(_detail(error), line, column) from error

    def replace_graph(self, graph: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        """Replace a named graph's content with ``data`` atomically; return the triple count."""
        triples = _parse_triples(data, rdf_format)
        body = " .\n".join(str(triple) for triple in triples)
        self._store.update(
            f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"
        )
        logger.info("replaced graph %s with %d triples", graph, len(triples))
        return len(triples)

    def add_to_graph(self, graph: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        """Add the triples of ``data`` to a named graph atomically; return their count."""
        triples = _parse_triples(data, rdf_format)
        target = ox.NamedNode(graph)
        self._store.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
        logger.info("added %d triples to graph %s", len(triples), graph)
        return len(triples)

    def drop_graph(self, graph: str) -> None:
        self._store.update(f"DROP SILENT GRAPH <{graph}>")

    def graphs(self) -> list[GraphInfo]:
        """Return every named graph with its triple count, sorted by IRI."""
        rows = self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        return [GraphInfo(iri=row["g"], triples=int(row["n"])) for row in rows]

    def dump(self, rdf_format: ox.RdfFormat) -> bytes:
        """Serialise the whole dataset; ``rdf_format`` must hold graphs (TriG or N-Quads)."""
        return bytes(self._store.dump(format=rdf_format))

    def is_empty(self) -> bool:
        return len(self._store) == 0

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def close(self) -> None:
        self.flush()
        logger.info("closed embedded store at %s", self.path or "memory")

    def _dataset_arguments(self, dataset: Dataset) -> dict[str, object]:
        if dataset.default_graphs:
            arguments: dict[str, object] = {
                "default_graph": [ox.NamedNode(iri) for iri in dataset.default_graphs]
            }
        elif not dataset.include_inferred:
            asserted = [
                ox.NamedNode(node.value)
                for node in self._store.named_graphs()
                if node.value != str(INFERRED_GRAPH)
            ]
            arguments = {"default_graph": asserted}
        else:
            arguments = {"use_default_graph_as_union": True}

        if dataset.named_graphs:
            arguments["named_graphs"] = [ox.NamedNode(iri) for iri in dataset.named_graphs]
        return arguments


def parse_error(error: SyntaxError) -> RdfSyntaxError:
    """Return the RdfSyntaxError, with line and column, for a pyoxigraph parse failure."""
    line, column = _position(error)
    return RdfSyntaxError(_detail(error), line, column)


def _parse_triples(data: bytes, rdf_format: ox.RdfFormat) -> list[ox.Triple]:
    """Parse ``data`` fully before any write, so a syntax error leaves the store untouched."""
    try:
        quads = list(ox.parse(data, format=rdf_format))
    except SyntaxError as error:
        raise parse_error(error) from error
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
