"""A store held by a SPARQL server (Oxigraph server, Virtuoso, GraphDB, Neptune, ...).

Queries go to the SPARQL 1.1 Query endpoint, writes to the Update endpoint, and whole-graph
reads to the Graph Store Protocol endpoint, all over HTTP with httpx. Each write is one
SPARQL Update request, which the server applies whole or not at all; replacing a graph is
``DROP SILENT GRAPH`` and ``INSERT DATA`` in that one request.

Nothing the service needs to share between processes is kept in this object, so several API
processes can serve one remote store. Their writes take turns through a lock kept in the
store (``write_lock``), because Oxigraph server 0.5.13 does not detect conflicting updates.

What the server must provide:

- a default graph that is the union of all graphs, for queries that name no dataset.
  Virtuoso, GraphDB and Neptune query the union by default. Oxigraph server 0.5 does so for
  a query sent with its ``union-default-graph`` parameter, which this store sends while
  ``RemoteEndpoints.union_parameter`` is set. Do not start Oxigraph server with
  ``--union-default-graph`` instead: that flag also overrides a query's FROM clauses;
- the Graph Store Protocol for GET, HEAD and DELETE of a graph.

Results are passed on in chunks as they arrive: as they come when the server already wrote
them in the client's format (asked for in the Accept header), else parsed and written again by
pyoxigraph on the way. Either way the client receives the same formats, and the same row
limit applies, as with the embedded store: rows are counted as TSV or N-Triples lines, and a
SELECT whose own LIMIT is within the row limit is not counted.
"""

from __future__ import annotations

import io
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pyoxigraph as ox

from vic_semantic.errors import (
    InputError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
    StoreUnavailableError,
)
from vic_semantic.namespaces import INFERRED_GRAPH
from vic_semantic.sparql.lexer import QueryForm, check_request_text, scan
from vic_semantic.sparql.query_facts import facts
from vic_semantic.store.base import (
    CustomFunction,
    CustomFunctions,
    Dataset,
    GraphInfo,
    Locate,
    QueryLimits,
)
from vic_semantic.store.execution import limit_triples
from vic_semantic.store.round_trip import round_trip
from vic_semantic.store.sinks import ChunkWriter, Emit, LimitPassed, LineLimit, as_file
from vic_semantic.store.streaming import ThreadedStream, clear_frames
from vic_semantic.store.syntax import detail, position
from vic_semantic.store.updates import in_graph, insert_data, parse_triples
from vic_semantic.store.write_lock import LOCK_GRAPH, StoreWriteLock

logger = logging.getLogger(__name__)

_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_TSV = "text/tab-separated-values"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
# Words with which servers report a query they stopped at their own time limit (Oxigraph
# server 0.5 ends a streamed result with "The SPARQL operation has been cancelled").
_TIMEOUT_WORDS = ("timeout", "timed out", "cancelled", "canceled")
_MAX_MESSAGE = 500
# The write lock's graph contains bookkeeping, not data, so dumps and graph lists leave it out.
_ALL_QUADS = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{LOCK_GRAPH}>) }}"


@dataclass(frozen=True)
class RemoteEndpoints:
    """The URLs and credentials of a SPARQL server."""

    query_url: str
    update_url: str
    gsp_url: str
    user: str | None = None
    password: str | None = None
    token: str | None = None
    # Oxigraph server's request parameter for a union default graph; None sends nothing.
    union_parameter: str | None = "union-default-graph"

    def auth(self) -> httpx.Auth | None:
        if self.user is not None:
            return httpx.BasicAuth(self.user, self.password or "")
        return None

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": "vic-semantic"}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers


class RemoteStore:
    """A SPARQL 1.1 dataset on a server; see the module documentation for what it needs."""

    def __init__(
        self,
        endpoints: RemoteEndpoints,
        limits: QueryLimits | None = None,
        write_timeout_seconds: float = 600.0,
        embedded_only_functions: Iterable[str] = (),
    ) -> None:
        """Use the server at ``endpoints``.

        ``embedded_only_functions`` are IRIs of SPARQL extension functions that the embedded
        store runs and the server does not; a query that calls one is rejected before it is
        sent, with a message that names the function.
        """
        self.endpoints = endpoints
        self.embedded_only_functions = frozenset(embedded_only_functions)
        # Grows by one after every write this object sends, successful or not, so the
        # search index can tell that its own process changed the store.
        self.generation = 0
        self.limits = limits or QueryLimits()
        self._write_timeout = write_timeout_seconds
        # The service's own reads are not a client's: no row limit, the write time limit.
        self._internal = QueryLimits(timeout_seconds=write_timeout_seconds, max_rows=sys.maxsize)
        self._client = httpx.Client(
            auth=endpoints.auth(), headers=endpoints.headers(), follow_redirects=False
        )
        self.write_lock = StoreWriteLock(
            self.select, self._send_update, wait_seconds=write_timeout_seconds
        )
        logger.info("using remote store at %s", endpoints.query_url)

    def exclusive(self) -> AbstractContextManager[None]:
        """Hold the store's write lock: the writes of other processes wait until the end.

        Every write takes the lock by itself; a read followed by a write that depends on
        it takes it around both. Nested blocks of one thread share the lock.
        """
        return self.write_lock.held()

    # The SPARQL 1.1 Protocol.

    def run_query(
        self,
        query: str,
        dataset: Dataset,
        base_iri: str | None,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
    ) -> bytes:
        """Run a query as ``stream_query`` does and return its whole serialised result."""
        return b"".join(self.stream_query(query, dataset, base_iri, results_format, graph_format))

    def stream_query(
        self,
        query: str,
        dataset: Dataset,
        base_iri: str | None,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
    ) -> Iterator[bytes]:
        """Run a query under the SPARQL 1.1 Protocol dataset rules; yield its serialised result.

        The server's response is passed on in chunks as it arrives, as is when it already has
        the client's format, else parsed and written again on the way. QueryTimeoutError past
        ``limits.timeout_seconds`` and ResultTooLargeError past ``limits.max_rows`` solutions
        or triples may come after some chunks. Close the iterator if you stop early.
        """
        facts(query).check(query)
        limits = self.limits

        def produce(emit: Emit) -> None:
            self._stream(query, dataset, base_iri, results_format, graph_format, limits, emit)

        return ThreadedStream(produce, name="vic-remote-result")

    def run_update(self, update: str, base_iri: str | None, locate: Locate | None = None) -> None:
        """Apply a SPARQL update in one request, resolving relative IRIs on ``base_iri``."""
        check_request_text(update)
        text, shift = _with_base(update, base_iri)
        self._update(text, shift, locate)

    # The Graph Store Protocol.

    def has_graph(self, graph: str | None) -> bool:
        """Return whether a named graph exists, even empty; the default graph always does."""
        if graph is None:
            return True
        # SPARQL, not a Graph Store HEAD request: Oxigraph server 0.5.13 answers HEAD of a
        # missing graph with a body, which corrupts the next response on that connection.
        return self.ask(f"ASK {{ GRAPH {_iri(graph)} {{ }} }}")

    def serialize_graph(self, graph: str | None, rdf_format: ox.RdfFormat) -> bytes:
        """Serialise one graph (``None``: the store's default graph) in a triples format."""
        return bytes(ox.serialize(self._graph_triples(graph), format=rdf_format) or b"")

    def put_graph(self, graph: str | None, triples: Iterable[ox.Triple]) -> None:
        """Replace a graph's content in one request, creating the graph if needed."""
        if graph is None:
            operations = ["CLEAR DEFAULT"]
        else:
            name = _iri(graph)
            operations = [f"DROP SILENT GRAPH {name}", f"CREATE GRAPH {name}"]
        operations += insert_data(in_graph(triples, graph))
        self._update(" ;\n".join(operations))
        logger.info("replaced graph %s", graph or "DEFAULT")

    def post_graph(self, graph: str | None, triples: Iterable[ox.Triple]) -> None:
        """Add triples to a graph in one request, creating the graph if needed."""
        operations = [] if graph is None else [f"CREATE SILENT GRAPH {_iri(graph)}"]
        operations += insert_data(in_graph(triples, graph))
        if operations:
            self._update(" ;\n".join(operations))
        logger.info("added triples to graph %s", graph or "DEFAULT")

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads, each to the graph it names, in one request."""
        operations = insert_data(list(quads))
        if operations:
            self._update(" ;\n".join(operations))

    def delete_graph(self, graph: str | None) -> bool:
        """Drop a named graph, or empty the default graph; return False if it did not exist."""
        if graph is None:
            self._update("CLEAR DEFAULT")
            return True
        with self.exclusive():
            response = self._gsp("DELETE", graph, {})
        if response.status_code == 404:
            return False
        logger.info("dropped graph %s", graph)
        return True

    def dump(self, rdf_format: ox.RdfFormat) -> bytes:
        """Serialise the whole dataset; ``rdf_format`` must hold graphs (TriG or N-Quads).

        The named graphs come from one SELECT query, so a dump taken while someone writes
        contains each write whole or not at all on a server that evaluates a query on one
        snapshot, as Oxigraph server 0.5 does.
        """
        # NOTE: the default graph is read in a second request (Graph Store Protocol), because
        # the query's default graph is the union of all graphs; a write to the default graph
        # between the two requests may be half in the dump. The service writes named graphs.
        quads = in_graph(self._graph_triples(None), None)
        body = self._query(
            _ALL_QUADS, Dataset(), None, ox.QueryResultsFormat.TSV, None, self._internal
        )
        solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            quads.append(ox.Quad(row["s"], row["p"], row["o"], row["g"]))
        return bytes(ox.serialize(quads, format=rdf_format) or b"")

    # The library's own reads and writes.

    def query(
        self,
        query: str,
        dataset: Dataset,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
        *,
        custom_functions: dict[ox.NamedNode, CustomFunction] | None = None,
    ) -> bytes:
        """Run a query and return its results serialised in the format that fits its form."""
        _reject_functions(custom_functions)
        check_request_text(query)
        return self._query(query, dataset, None, results_format, graph_format, self._internal)

    def select(
        self,
        query: str,
        dataset: Dataset | None = None,
        *,
        custom_functions: dict[ox.NamedNode, CustomFunction] | None = None,
    ) -> list[dict[str, str]]:
        """Run a SELECT query and return each solution as variable → lexical value."""
        _reject_functions(custom_functions)
        body = self._query(
            query, dataset or Dataset(), None, ox.QueryResultsFormat.TSV, None, self._internal
        )
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() takes only SELECT queries")
        names = [variable.value for variable in result.variables]
        return [
            {name: solution[name].value for name in names if solution[name] is not None}
            for solution in result
        ]

    def ask(self, query: str) -> bool:
        body = self._query(query, Dataset(), None, ox.QueryResultsFormat.JSON, None, self._internal)
        return bool(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))

    def update(self, update: str) -> None:
        """Apply a SPARQL update in one request."""
        check_request_text(update)
        self._update(update)

    def replace_graph(self, graph: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        """Replace a named graph's content with ``data`` atomically; return the triple count."""
        triples = parse_triples(data, rdf_format)
        operations = [f"DROP SILENT GRAPH {_iri(graph)}", *insert_data(in_graph(triples, graph))]
        self._update(" ;\n".join(operations))
        logger.info("replaced graph %s with %d triples", graph, len(triples))
        return len(triples)

    def add_to_graph(self, graph: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        """Add the triples of ``data`` to a named graph atomically; return their count."""
        triples = parse_triples(data, rdf_format)
        operations = insert_data(in_graph(triples, graph))
        if operations:
            self._update(operations[0])
        logger.info("added %d triples to graph %s", len(triples), graph)
        return len(triples)

    def drop_graph(self, graph: str) -> None:
        self._update(f"DROP SILENT GRAPH {_iri(graph)}")

    def graphs(self) -> list[GraphInfo]:
        """Return every named graph that holds triples, with its triple count, sorted by IRI."""
        rows = self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(?g != <{LOCK_GRAPH}>) }} GROUP BY ?g ORDER BY ?g"
        )
        return [GraphInfo(iri=row["g"], triples=int(row["n"])) for row in rows]

    def is_empty(self) -> bool:
        """Return whether no graph holds a triple; entries of the write lock do not count."""
        return not self.ask(
            "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
            f"FILTER NOT EXISTS {{ GRAPH <{LOCK_GRAPH}> {{ ?s ?p ?o }} }} }}"
        )

    def flush(self) -> None:
        """Do nothing: the server makes each write durable before it answers."""

    def close(self) -> None:
        self._client.close()
        logger.info("closed the connection to the remote store at %s", self.endpoints.query_url)

    # HTTP.

    def _query(
        self,
        query: str,
        dataset: Dataset,
        base_iri: str | None,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
        limits: QueryLimits,
    ) -> bytes:
        chunks: list[bytes] = []
        self._stream(query, dataset, base_iri, results_format, graph_format, limits, chunks.append)
        return b"".join(chunks)

    def _stream(
        self,
        query: str,
        dataset: Dataset,
        base_iri: str | None,
        results_format: ox.QueryResultsFormat | None,
        graph_format: ox.RdfFormat | None,
        limits: QueryLimits,
        emit: Emit,
    ) -> None:
        self._require_open()
        _reject_embedded_only(query, self.embedded_only_functions, self.endpoints.query_url)
        text, shift = _with_base(query, base_iri)
        wanted = _Wanted.of(query, results_format, graph_format, limits.max_rows)
        url = self.endpoints.query_url
        deadline = time.monotonic() + limits.timeout_seconds
        request = self._client.build_request(
            "POST",
            url,
            data={"query": text, **self._dataset_params(query, dataset)},
            headers={"Accept": wanted.accept()},
            timeout=httpx.Timeout(limits.timeout_seconds),
        )
        with _transport_errors(url, limits.timeout_seconds, is_query=True):
            response = self._client.send(request, stream=True)
        try:
            if response.status_code >= 300:
                response.read()
                raise _status_error(response, url, shift, None, limits.timeout_seconds)
            reader = _DeadlineReader(response.iter_bytes(), deadline)
            with _transport_errors(url, limits.timeout_seconds, is_query=True):
                _relay(response, reader, limits, wanted, emit)
        except Exception as error:
            _drop_results(error)
            raise
        finally:
            response.close()

    def _require_open(self) -> None:
        """Raise StoreError after close(), where httpx would raise a bare RuntimeError."""
        if self._client.is_closed:
            url = self.endpoints.query_url
            raise StoreError(
                f"Соединение с хранилищем {url} уже закрыто; откройте хранилище заново.",
                f"The connection to the store at {url} is already closed; open the store again.",
            )

    def _update(self, update: str, shift: int = 0, locate: Locate | None = None) -> None:
        try:
            with self.exclusive():
                self._send_update(update, shift, locate)
        finally:
            self.generation += 1

    def _send_update(self, update: str, shift: int = 0, locate: Locate | None = None) -> None:
        """Post an update without taking the write lock."""
        self._require_open()
        url = self.endpoints.update_url
        with _transport_errors(url, self._write_timeout, is_query=False):
            response = self._client.post(
                url,
                content=update.encode(),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                timeout=httpx.Timeout(self._write_timeout),
            )
        if response.status_code >= 300:
            raise _status_error(response, url, shift, locate, None)

    def _gsp(self, method: str, graph: str | None, headers: dict[str, str]) -> httpx.Response:
        """Send a Graph Store Protocol request; a 404 is returned, other errors raised."""
        self._require_open()
        url = self.endpoints.gsp_url
        params: dict[str, str] = {"default": ""} if graph is None else {"graph": graph}
        try:
            with _transport_errors(url, self._write_timeout, is_query=False):
                response = self._client.request(
                    method,
                    url,
                    params=params,
                    headers=headers,
                    timeout=httpx.Timeout(self._write_timeout),
                )
        finally:
            if method not in ("GET", "HEAD"):
                self.generation += 1
        if response.status_code >= 300 and response.status_code != 404:
            raise _status_error(response, url, 0, None, None)
        return response

    def _graph_triples(self, graph: str | None) -> list[ox.Triple]:
        response = self._gsp("GET", graph, {"Accept": _GRAPH_ACCEPT})
        if response.status_code == 404:
            return []
        rdf_format = _rdf_format(response, self.endpoints.gsp_url)
        try:
            quads = ox.parse(response.content, format=rdf_format)
            return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        except SyntaxError as error:
            raise _invalid_answer(self.endpoints.gsp_url, str(error)) from error

    def _named_graphs(self) -> list[str]:
        rows = self.select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{LOCK_GRAPH}>) }} "
            "ORDER BY ?g"
        )
        return [row["g"] for row in rows]

    def _dataset_params(self, query: str, dataset: Dataset) -> dict[str, list[str]]:
        """Return the protocol's dataset parameters that give the embedded store's semantics.

        Without graphs in ``dataset`` the query's own FROM clauses apply, and without those
        the server's union default graph; leaving the inferences out names every asserted
        graph instead.
        """
        if dataset.default_graphs or dataset.named_graphs:
            return {
                "default-graph-uri": list(dataset.default_graphs),
                "named-graph-uri": list(dataset.named_graphs),
            }
        if facts(query).has_dataset_clause:
            return {}
        if dataset.include_inferred:
            union = self.endpoints.union_parameter
            return {union: [""]} if union else {}
        graphs = self._named_graphs()
        asserted = [graph for graph in graphs if graph != str(INFERRED_GRAPH)]
        # NOTE: a protocol request cannot name an empty default graph, so a graph IRI that
        # holds nothing stands in for it when no asserted graph exists.
        return {
            "default-graph-uri": asserted or ["urn:vic-semantic:empty-graph"],
            "named-graph-uri": graphs,
        }


def _drop_results(error: BaseException) -> None:
    """Free the pyoxigraph results that the frames of ``error``'s traceback still hold.

    pyoxigraph's result objects must be dropped on the thread that made them, and the API
    handles the error on another thread.
    """
    clear_frames(error)


@dataclass(frozen=True)
class _Wanted:
    """Formats the client requested, and so the formats to request from the server."""

    form: QueryForm | None
    results: ox.QueryResultsFormat
    graph: ox.RdfFormat
    # A SELECT whose own LIMIT keeps it within the row limit: its rows need no counting.
    within_limit: bool

    @classmethod
    def of(
        cls,
        query: str,
        results: ox.QueryResultsFormat | None,
        graph: ox.RdfFormat | None,
        max_rows: int,
    ) -> _Wanted:
        known = facts(query)
        return cls(
            known.form,
            results or ox.QueryResultsFormat.JSON,
            graph or ox.RdfFormat.TURTLE,
            known.select_within(max_rows),
        )

    @property
    def graph_form(self) -> bool:
        return self.form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)

    def accept(self) -> str:
        """Return the Accept header: a format that can be passed on, or whose rows count."""
        if self.graph_form:
            return _GRAPH_ACCEPT
        if self.form is QueryForm.SELECT:
            first = self.results.media_type if self.within_limit else _TSV
            return f"{first}, {_RESULTS_ACCEPT};q=0.9"
        return _RESULTS_ACCEPT


def _relay(
    response: httpx.Response,
    reader: _DeadlineReader,
    limits: QueryLimits,
    wanted: _Wanted,
    emit: Emit,
) -> None:
    """Pass the server's results to ``emit`` in the client's format as they stream in."""
    media_type = _media_type(response)
    results = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
    graph = ox.RdfFormat.from_media_type(media_type) if media_type and not results else None
    url = str(response.request.url)
    if results is None and graph is None:
        raise _invalid_answer(url, f"unexpected Content-Type {media_type or 'none'}")

    out = ChunkWriter(emit)
    try:
        if graph is not None:
            _relay_graph(reader, graph, limits.max_rows, wanted, out)
        else:
            assert results is not None
            _relay_results(reader, results, limits.max_rows, wanted, out, emit)
    except (SyntaxError, OSError, _DeadlinePassed, LimitPassed) as error:
        if reader.failure is not None:
            raise reader.failure from error
        if isinstance(error, LimitPassed) or reader.limit_passed:
            raise ResultTooLargeError(limits.max_rows) from None
        if reader.deadline_passed:
            raise QueryTimeoutError(limits.timeout_seconds, url, url) from error
        if any(word in reader.tail.lower() for word in _TIMEOUT_WORDS):
            raise QueryTimeoutError(limits.timeout_seconds, url, url) from error
        raise _invalid_answer(url, str(error)) from error
    out.finish()


def _relay_graph(
    reader: _DeadlineReader,
    graph: ox.RdfFormat,
    max_rows: int,
    wanted: _Wanted,
    out: ChunkWriter,
) -> None:
    if graph == wanted.graph == ox.RdfFormat.N_TRIPLES:
        # One triple per line: passed on as is, lines counted.
        _copy(reader, LineLimit(out, max_rows))
        return
    quads = ox.parse(io.BufferedReader(reader), format=graph)
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    ox.serialize(limit_triples(triples, max_rows), as_file(out), format=wanted.graph)


def _relay_results(
    reader: _DeadlineReader,
    results: ox.QueryResultsFormat,
    max_rows: int,
    wanted: _Wanted,
    out: ChunkWriter,
    emit: Emit,
) -> None:
    if results == wanted.results and (wanted.within_limit or wanted.form is not QueryForm.SELECT):
        _copy(reader, out)
        return
    if results == ox.QueryResultsFormat.TSV:
        # One solution per line after the header: passed on or read back, lines counted.
        reader.max_lines = max_rows + 1
        if wanted.results == ox.QueryResultsFormat.TSV:
            _copy(reader, out)
            return
    elif not wanted.within_limit and wanted.form is QueryForm.SELECT:
        parse = lambda: ox.parse_query_results(io.BufferedReader(reader), format=results)  # noqa: E731
        round_trip(parse, max_rows, wanted.results, emit)  # type: ignore[arg-type]
        return
    parsed = ox.parse_query_results(io.BufferedReader(reader), format=results)
    parsed.serialize(as_file(out), format=wanted.results)


def _copy(reader: _DeadlineReader, out: ChunkWriter | LineLimit) -> None:
    for chunk in reader.chunks():
        out.write(chunk)


class _DeadlinePassed(Exception):
    pass


class _DeadlineReader(io.RawIOBase):
    """A readable stream of a response body that stops at a deadline.

    httpx's read timeout bounds each wait for data, not the whole transfer, so a server
    that keeps streaming would never time out without this check.
    """

    def __init__(self, chunks: Iterator[bytes], deadline: float) -> None:
        super().__init__()
        self._chunks = chunks
        self._deadline = deadline
        self._pending = b""
        self.deadline_passed = False
        # An httpx error met while reading, which pyoxigraph may pass on as another error.
        self.failure: httpx.TransportError | None = None
        # The last bytes read, where a server that gave up mid-stream writes why.
        self.tail = ""
        # Past this many lines read, LimitPassed is raised (for TSV: rows plus the header).
        self.max_lines: int | None = None
        self.limit_passed = False
        self._lines = 0

    def readable(self) -> bool:
        return True

    def chunks(self) -> Iterator[bytes]:
        """Yield the body's chunks as they arrive, with the checks of ``readinto``."""
        while True:
            chunk = self._pending or self._next()
            self._pending = b""
            if not chunk:
                return
            yield chunk

    def readinto(self, buffer: Any) -> int:
        if not self._pending:
            self._pending = self._next()
            if not self._pending:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _next(self) -> bytes:
        if time.monotonic() > self._deadline:
            self.deadline_passed = True
            raise _DeadlinePassed
        try:
            chunk = next(self._chunks, b"")
        except httpx.TransportError as error:
            self.failure = error
            raise
        self.tail = (self.tail + chunk[-200:].decode("utf-8", "replace"))[-200:]
        if self.max_lines is not None:
            self._lines += chunk.count(b"\n")
            if self._lines > self.max_lines:
                self.limit_passed = True
                raise LimitPassed
        return chunk


@contextmanager
def _transport_errors(url: str, seconds: float, *, is_query: bool) -> Iterator[None]:
    """Map httpx's transport errors to the library's errors, naming the URL."""
    try:
        yield
    except httpx.TimeoutException as error:
        if is_query:
            raise QueryTimeoutError(seconds, url, url) from error
        raise StoreUnavailableError(
            f"Хранилище {url} не ответило за {seconds:g} с. Повторите позже или увеличьте "
            "store_write_timeout_seconds.",
            f"The store at {url} did not answer within {seconds:g} s. Retry later or raise "
            "store_write_timeout_seconds.",
        ) from error
    except httpx.TransportError as error:
        raise StoreUnavailableError(
            f"Хранилище {url} недоступно ({type(error).__name__}: {error}). Проверьте, что "
            "сервер SPARQL запущен и адрес в настройках store_url указан верно.",
            f"The store at {url} is unreachable ({type(error).__name__}: {error}). Check "
            "that the SPARQL server is running and that the store_url setting is right.",
        ) from error


def _status_error(
    response: httpx.Response,
    url: str,
    shift: int,
    locate: Locate | None,
    query_seconds: float | None,
) -> StoreError | QuerySyntaxError:
    """Return the error for a non-success answer; ``shift`` lines were added before the text."""
    status = response.status_code
    message = response.text.strip()[:_MAX_MESSAGE] or response.reason_phrase
    if status == 400:
        line, column = position(message)
        if line is not None and column is not None:
            line = max(line - shift, 1)
            if locate is not None:
                line, column = locate(line, column)
        return QuerySyntaxError(detail(message), line, column, source=url)
    lowered = message.lower()
    if query_seconds is not None and any(word in lowered for word in _TIMEOUT_WORDS):
        return QueryTimeoutError(query_seconds, url, url)
    if status in (502, 503, 504):
        return StoreUnavailableError(
            f"Хранилище {url} временно недоступно (HTTP {status}): {message}",
            f"The store at {url} is unavailable for now (HTTP {status}): {message}",
        )
    if status in (401, 403):
        return StoreError(
            f"Хранилище {url} отклонило учётные данные сервиса (HTTP {status}): {message}. "
            "Проверьте store_user, store_password или store_token.",
            f"The store at {url} rejected the service's credentials (HTTP {status}): "
            f"{message}. Check store_user, store_password or store_token.",
        )
    return StoreError(
        f"Хранилище {url} ответило ошибкой HTTP {status}: {message}",
        f"The store at {url} answered with HTTP {status}: {message}",
    )


def _invalid_answer(url: str, problem: str) -> StoreError:
    return StoreError(
        f"Хранилище {url} прислало ответ, который не удалось прочитать: {problem}",
        f"The store at {url} sent an answer that could not be read: {problem}",
    )


def _media_type(response: httpx.Response) -> str | None:
    content_type = str(response.headers.get("content-type", ""))
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower()


def _rdf_format(response: httpx.Response, url: str) -> ox.RdfFormat:
    media_type = _media_type(response)
    found = ox.RdfFormat.from_media_type(media_type) if media_type else None
    if found is None:
        raise _invalid_answer(url, f"unexpected Content-Type {media_type or 'none'}")
    return found


def _with_base(text: str, base_iri: str | None) -> tuple[str, int]:
    """Return ``text`` with a BASE declaration for ``base_iri`` first, and the lines added.

    The protocol has no base IRI parameter, and a later BASE in the client's own prologue
    still overrides this one.
    """
    if base_iri is None:
        return text, 0
    return f"BASE {_iri(base_iri)}\n{text}", 1


def _iri(iri: str) -> str:
    """Return ``iri`` written for SPARQL; ox.NamedNode rejects what would break out of <>."""
    return str(ox.NamedNode(iri))


def _reject_functions(functions: CustomFunctions | None) -> None:
    if functions:
        names = ", ".join(sorted(iri.value for iri in functions))
        raise StoreError(
            f"Функции расширения SPARQL ({names}) выполняются только во встроенном хранилище; "
            "удалённый сервер SPARQL их не знает.",
            f"SPARQL extension functions ({names}) run only in the embedded store; a remote "
            "SPARQL server does not know them.",
        )


def _reject_embedded_only(query: str, functions: frozenset[str], url: str) -> None:
    """Raise InputError when ``query`` calls one of ``functions`` by full or prefixed IRI."""
    if not functions:
        return
    prefixes: dict[str, str] = {}
    tokens = [token.text for token in scan(query) if not token.is_comment]
    for number, text in enumerate(tokens):
        if text.upper() == "PREFIX" and number + 2 < len(tokens):
            prefixes[tokens[number + 1]] = tokens[number + 2].strip("<>")
            continue
        iri = _expand(text, prefixes)
        if iri in functions:
            raise InputError(
                f"Функция SPARQL <{iri}> выполняется только во встроенном хранилище, а сервис "
                f"работает с удалённым сервером SPARQL {url}, который её не знает. Уберите её "
                "из запроса; для полнотекстового поиска есть /api/search.",
                f"The SPARQL function <{iri}> runs only in the embedded store, and this service "
                f"uses the remote SPARQL server {url}, which does not know it. Remove it from "
                "the query; /api/search offers full-text search.",
            )


def _expand(token: str, prefixes: dict[str, str]) -> str | None:
    """Return the IRI a token names: ``<iri>`` or ``prefix:local``; None for anything else."""
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1]
    prefix, colon, local = token.partition(":")
    if not colon or token[0] in "\"'":
        return None
    namespace = prefixes.get(prefix + ":")
    return None if namespace is None else namespace + local
