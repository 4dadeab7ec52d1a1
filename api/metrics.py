"""Prometheus metrics of one application: requests, query timeouts, validations, store size.

Each application gets its own registry, so tests that build many applications in one
process do not register a metric twice. The store's size is read when Prometheus scrapes
``/metrics`` and cached for ``STORE_SAMPLE_SECONDS``, because counting the triples of every
graph reads the whole store.
"""

from __future__ import annotations

import logging
import platform
import threading
import time
from collections import Counter as Tally
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import aclosing
from importlib.metadata import PackageNotFoundError, version

from prometheus_client import CollectorRegistry, Counter, Histogram, Info
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from vic_semantic.errors import QueryTimeoutError
from vic_semantic.namespaces import GRAPH
from vic_semantic.store.base import GraphInfo, Store
from vic_semantic.store.embedded import EmbeddedStore

logger = logging.getLogger(__name__)

STORE_SAMPLE_SECONDS = 5.0

# Seconds; API requests range from a cached page (milliseconds) to a query stopped at its
# time limit (30 s by default).
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

# Route templates of the validation endpoints; a request to one of them is a validation run.
VALIDATION_ROUTES = frozenset({"/validate", "/catalogues/validate"})

# The kind of a named graph, from the first segment of its IRI under GRAPH.
_GRAPH_KINDS = ("ontology", "shapes", "members", "inferred", "catalogue", "veterinary", "member")


def graph_kind(iri: str) -> str:
    """Return the kind of the graph ``iri``: ontology, catalogue, member, …, or other."""
    prefix = str(GRAPH)
    if not iri.startswith(prefix):
        return "other"
    first = iri[len(prefix) :].split("/", 1)[0]
    return first if first in _GRAPH_KINDS else "other"


class ServiceMetrics:
    """The metrics of one application and the registry ``/metrics`` exposes."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "vic_http_requests",
            "HTTP requests completed, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "vic_http_request_duration_seconds",
            "Time from receiving a request to sending the end of its response, in seconds.",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.query_timeouts = Counter(
            "vic_query_timeouts",
            "SPARQL queries of the API stopped at the query time limit.",
            registry=self.registry,
        )
        self.validation_runs = Counter(
            "vic_validation_runs",
            "Validation requests, by route template and status.",
            ["route", "status"],
            registry=self.registry,
        )
        build = Info(
            "vic_build", "Versions of the service and its store engine.", registry=self.registry
        )
        build.info(_build_info())
        self._store_collector: StoreSizeCollector | None = None

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one completed request and its latency."""
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)
        if route in VALIDATION_ROUTES:
            self.validation_runs.labels(route, str(status)).inc()

    def watch_store(self, store: Store) -> None:
        """Expose the size of ``store`` and count the query timeouts of its API queries."""
        if self._store_collector is None:
            self._store_collector = StoreSizeCollector(store)
            self.registry.register(self._store_collector)
        _count_timeouts(store, self.query_timeouts)


def _build_info() -> dict[str, str]:
    def installed(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "unknown"

    return {
        "version": installed("vic-semantic"),
        "pyoxigraph": installed("pyoxigraph"),
        "python": platform.python_version(),
    }


def _count_timeouts(store: Store, counter: Counter) -> None:
    """Wrap ``store.stream_query`` on this object so each QueryTimeoutError is counted.

    The embedded store's ``astream_query``, which the SPARQL endpoint uses, is wrapped too.
    Several applications may serve one store (tests do), so the wrapper counts in the
    counters of all of them. A streamed result may time out after its first chunks, so the
    error is caught while the chunks are taken. Both stores' ``run_query`` goes through
    ``stream_query``, so its timeouts are counted too.
    """
    counters: list[Counter] | None = getattr(store, "_vic_timeout_counters", None)
    if counters is None:
        counters = []
        _wrap_stream_query(store, counters)
        if isinstance(store, EmbeddedStore):
            _wrap_astream_query(store, counters)
        setattr(store, "_vic_timeout_counters", counters)  # noqa: B010
    if counter not in counters:
        counters.append(counter)


def _wrap_stream_query(store: Store, counters: list[Counter]) -> None:
    stream_query: Callable[..., Iterator[bytes]] = store.stream_query

    def counted_stream_query(*arguments: object, **keywords: object) -> Iterator[bytes]:
        try:
            yield from stream_query(*arguments, **keywords)
        except QueryTimeoutError:
            for each in counters:
                each.inc()
            raise

    setattr(store, "stream_query", counted_stream_query)  # noqa: B010


def _wrap_astream_query(store: EmbeddedStore, counters: list[Counter]) -> None:
    astream_query: Callable[..., AsyncGenerator[bytes, None]] = store.astream_query

    async def counted_astream_query(
        *arguments: object, **keywords: object
    ) -> AsyncGenerator[bytes, None]:
        try:
            async with aclosing(astream_query(*arguments, **keywords)) as chunks:
                async for chunk in chunks:
                    yield chunk
        except QueryTimeoutError:
            for each in counters:
                each.inc()
            raise

    setattr(store, "astream_query", counted_astream_query)  # noqa: B010


class StoreSizeCollector(Collector):
    """Triples and graphs of the store per graph kind, sampled at most every few seconds."""

    def __init__(self, store: Store, max_age_seconds: float = STORE_SAMPLE_SECONDS) -> None:
        self._store = store
        self._max_age = max_age_seconds
        self._lock = threading.Lock()
        self._sampled_at = float("-inf")
        self._graphs: list[GraphInfo] = []
        self._failed = False

    def collect(self) -> Iterator[Metric]:
        graphs, failed = self._sample()
        triples = GaugeMetricFamily(
            "vic_store_triples",
            "Triples in the store's named graphs, by graph kind.",
            labels=["kind"],
        )
        count = GaugeMetricFamily(
            "vic_store_graphs", "Named graphs in the store, by graph kind.", labels=["kind"]
        )
        by_kind: Tally[str] = Tally()
        graphs_by_kind: Tally[str] = Tally()
        for graph in graphs:
            by_kind[graph_kind(graph.iri)] += graph.triples
            graphs_by_kind[graph_kind(graph.iri)] += 1
        for kind in sorted(by_kind):
            triples.add_metric([kind], by_kind[kind])
            count.add_metric([kind], graphs_by_kind[kind])
        yield triples
        yield count
        up = GaugeMetricFamily(
            "vic_store_size_sample_ok", "1 when the last sample of the store's size succeeded."
        )
        up.add_metric([], 0 if failed else 1)
        yield up

    def _sample(self) -> tuple[list[GraphInfo], bool]:
        with self._lock:
            if time.monotonic() - self._sampled_at >= self._max_age:
                try:
                    self._graphs = self._store.graphs()
                    self._failed = False
                except OSError as error:
                    logger.warning("failed to count the store's triples for /metrics: %s", error)
                    self._failed = True
                self._sampled_at = time.monotonic()
            return list(self._graphs), self._failed
