"""The embedded store: pyoxigraph on disk (or in memory for tests and one-off runs)."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypedDict, cast

import pyoxigraph as ox

from vic_semantic.errors import QuerySyntaxError, RdfSyntaxError, StoreError
from vic_semantic.namespaces import INFERRED_GRAPH
from vic_semantic.sparql.lexer import has_dataset_clause, reject_fetching_operations
from vic_semantic.store.base import Dataset, GraphInfo

logger = logging.getLogger(__name__)


class _DatasetArguments(TypedDict, total=False):
    """The dataset keyword arguments of pyoxigraph's ``Store.query``."""

    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
    named_graphs: list[ox.NamedNode | ox.BlankNode]
    use_default_graph_as_union: bool


# Maps a syntax error's line and column in the text the engine ran back to the client's text.
Locate = Callable[[int, int], tuple[int, int]]

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
        *,
        custom_functions: dict[
            ox.NamedNode, Callable[..., ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]
        ]
        | None = None,
    ) -> bytes:
        """Run a query and return its results serialised in the format that fits its form.

        ``custom_functions`` maps extension function IRIs to Python callables (pyoxigraph).
        """
        reject_fetching_operations(query)
        try:
            result = self._store.query(
                query, custom_functions=custom_functions, **self._dataset_arguments(dataset)
            )
        except SyntaxError as error:
            line, column = _position(error)
            raise QuerySyntaxError(_detail(error), line, column) from error

        if isinstance(result, ox.QueryTriples):
            return bytes(result.serialize(format=graph_format or ox.RdfFormat.TURTLE))
        return bytes(result.serialize(format=results_format or ox.QueryResultsFormat.JSON))

    def select(
        self,
        query: str,
        dataset: Dataset | None = None,
        *,
        custom_functions: dict[
            ox.NamedNode, Callable[..., ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]
        ]
        | None = None,
    ) -> list[dict[str, str]]:
        """Run a SELECT query and return each solution as variable → lexical value."""
        result = self._store.query(
            query,
            custom_functions=custom_functions,
            **self._dataset_arguments(dataset or Dataset()),
        )
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

    def run_query(
        self,
        query: str,
        dataset: Dataset,
        base_iri: str | None,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
    ) -> bytes:
        """Run a query under the SPARQL 1.1 Protocol dataset rules; return serialised results.

        Graphs in ``dataset`` replace any FROM or FROM NAMED of the query, and the side left
        empty is empty (no default graph, or no named graphs). With no graphs in ``dataset``
        the query's own FROM clauses apply, and without those the service default.
        Relative IRIs in the query resolve against ``base_iri``.
        """
        reject_fetching_operations(query)
        arguments = self._protocol_dataset_arguments(query, dataset)
        try:
            result = self._store.query(query, base_iri=base_iri, **arguments)
        except SyntaxError as error:
            line, column = _position(error)
            raise QuerySyntaxError(_detail(error), line, column) from error

        if isinstance(result, ox.QueryTriples):
            return result.serialize(format=graph_format or ox.RdfFormat.TURTLE) or b""
        return result.serialize(format=results_format or ox.QueryResultsFormat.JSON) or b""

    def run_update(self, update: str, base_iri: str | None, locate: Locate | None = None) -> None:
        """Apply a SPARQL update in one transaction, resolving relative IRIs on ``base_iri``.

        ``locate`` maps a syntax error's position when ``update`` was rewritten from the
        client's text, so the error points into the text the client sent.
        """
        reject_fetching_operations(update)
        try:
            self._store.update(update, base_iri=base_iri)
        except SyntaxError as error:
            line, column = _position(error)
            if locate is not None and line is not None and column is not None:
                line, column = locate(line, column)
            raise QuerySyntaxError(_detail(error), line, column) from error

    def has_graph(self, graph: str | None) -> bool:
        """Return whether a named graph exists, even empty; the default graph always does."""
        if graph is None:
            return True
        return bool(self._store.contains_named_graph(ox.NamedNode(graph)))

    def serialize_graph(self, graph: str | None, rdf_format: ox.RdfFormat) -> bytes:
        """Serialise one graph (``None``: the store's default graph) in a triples format."""
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        triples = [
            ox.Triple(quad.subject, quad.predicate, quad.object)
            for quad in self._store.quads_for_pattern(None, None, None, name)
        ]
        return bytes(ox.serialize(triples, format=rdf_format) or b"")

    def put_graph(self, graph: str | None, triples: Iterable[ox.Triple]) -> None:
        """Replace a graph's content in one transaction, creating the graph if needed.

        ``None`` is the store's default graph. An empty ``triples`` leaves an empty graph.
        """
        if graph is None:
            operations = ["CLEAR DEFAULT"]
        else:
            operations = [f"DROP SILENT GRAPH <{graph}>", f"CREATE GRAPH <{graph}>"]
        operations += _insert_data(_in_graph(triples, graph))
        self._store.update(" ;\n".join(operations))
        logger.info("replaced graph %s", graph or "DEFAULT")

    def post_graph(self, graph: str | None, triples: Iterable[ox.Triple]) -> None:
        """Add triples to a graph in one transaction, creating the graph if needed."""
        operations = [] if graph is None else [f"CREATE SILENT GRAPH <{graph}>"]
        operations += _insert_data(_in_graph(triples, graph))
        if operations:
            self._store.update(" ;\n".join(operations))
        logger.info("added triples to graph %s", graph or "DEFAULT")

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads, each to the graph it names, in one transaction."""
        operations = _insert_data(list(quads))
        if operations:
            self._store.update(" ;\n".join(operations))

    def delete_graph(self, graph: str | None) -> bool:
        """Drop a named graph, or empty the default graph; return False if it did not exist."""
        if graph is None:
            self._store.update("CLEAR DEFAULT")
            return True
        if not self.has_graph(graph):
            return False
        self._store.update(f"DROP GRAPH <{graph}>")
        logger.info("dropped graph %s", graph)
        return True

    def _protocol_dataset_arguments(self, query: str, dataset: Dataset) -> _DatasetArguments:
        if dataset.default_graphs or dataset.named_graphs:
            return {
                "default_graph": [ox.NamedNode(iri) for iri in dataset.default_graphs],
                "named_graphs": [ox.NamedNode(iri) for iri in dataset.named_graphs],
            }
        if has_dataset_clause(query):
            return {}
        return cast(_DatasetArguments, self._dataset_arguments(dataset))

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


def _in_graph(triples: Iterable[ox.Triple], graph: str | None) -> list[ox.Quad]:
    name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]


def _insert_data(quads: list[ox.Quad]) -> list[str]:
    """Return the INSERT DATA operation that writes ``quads``, or none when there are none.

    Terms are written by pyoxigraph in N-Triples syntax, which SPARQL accepts as is, so no
    value can break out of the operation.
    """
    if not quads:
        return []
    by_graph: dict[str, list[str]] = defaultdict(list)
    for quad in quads:
        key = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
        by_graph[key].append(f"{quad.subject} {quad.predicate} {quad.object} .")
    blocks = []
    for key, lines in by_graph.items():
        body = "\n".join(lines)
        blocks.append(body if not key else f"GRAPH {key} {{\n{body}\n}}")
    return ["INSERT DATA {\n" + "\n".join(blocks) + "\n}"]
