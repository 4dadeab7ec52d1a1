"""Graph Store and SPARQL Update writes that land only when a checked graph has no violations.

A member's veterinary graph is shared data that other members rely on, so a direct write to
it is first computed on a scratch in-memory pyoxigraph store. The resulting graph is
validated against the shapes together with the ontology, which is all the context the
veterinary shapes read. Only a result without violations is applied to the real store, in one
update, while the graph's lock keeps other writes of this process to it waiting.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence

import pyoxigraph as ox
from rdflib import Graph

from vic_semantic.member_graphs import (
    ForeignStatementsError,
    foreign_subjects,
    working_graph_member,
)
from vic_semantic.sparql.lexer import check_request_text
from vic_semantic.store.base import Locate, Store
from vic_semantic.store.syntax import syntax_error
from vic_semantic.store.updates import in_graph, insert_data
from vic_semantic.validation.engine import default_ontology, validate_graph
from vic_semantic.validation.report import ValidationReport

logger = logging.getLogger(__name__)

# Graph locks order this process's validated writes to one graph without blocking other graphs.
# The store's write lock, taken inside them, keeps other threads and processes from writing
# between the copy and the apply.
_GRAPH_LOCKS: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)


def graph_lock(graph: str) -> threading.Lock:
    """Return the lock that orders this process's validated writes to ``graph``."""
    return _GRAPH_LOCKS[graph]


def _graph_triples(scratch: ox.Store, graph: str) -> list[ox.Triple]:
    name = ox.NamedNode(graph)
    return [
        ox.Triple(quad.subject, quad.predicate, quad.object)
        for quad in scratch.quads_for_pattern(None, None, None, name)
    ]


def _as_rdflib(triples: list[ox.Triple]) -> Graph:
    data = Graph()
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    if text:
        data.parse(data=bytes(text).decode("utf-8"), format="nt")
    return data


def _validate(
    scratch: ox.Store, checked: Sequence[str], lang: str, timeout_seconds: float | None
) -> ValidationReport:
    """Validate the union of the checked graphs as one data graph."""
    triples = [triple for graph in checked for triple in _graph_triples(scratch, graph)]
    return validate_graph(
        _as_rdflib(triples),
        lang,
        ontology=default_ontology(),
        engine="fast",
        timeout_seconds=timeout_seconds,
    )


def _check_working_graphs(scratch: ox.Store, written: Sequence[str]) -> None:
    """Raise ForeignStatementsError when a written member working graph would state things
    about resources that are not its member's."""
    for graph in written:
        slug = working_graph_member(graph)
        if slug is None:
            continue
        foreign = foreign_subjects(_graph_triples(scratch, graph), slug)
        if foreign:
            raise ForeignStatementsError(graph, slug, foreign)


def _replacement(scratch: ox.Store, written: Sequence[str]) -> str:
    """Return one update that gives every written graph its content in ``scratch``.

    One INSERT DATA contains all graphs, because a blank node label may not be shared by two
    operations of one request.
    """
    operations = []
    quads: list[ox.Quad] = []
    for graph in written:
        operations.append(f"DROP SILENT GRAPH <{graph}>")
        if scratch.contains_named_graph(ox.NamedNode(graph)):
            operations.append(f"CREATE SILENT GRAPH <{graph}>")
        quads += in_graph(_graph_triples(scratch, graph), graph)
    return " ;\n".join(operations + insert_data(quads))


def _checked_write(
    store: Store,
    fill: Callable[[ox.Store], None],
    written: Sequence[str],
    checked: Sequence[str],
    lang: str,
    timeout_seconds: float | None,
) -> ValidationReport:
    """Compute the write with ``fill`` on a scratch store and apply it when ``checked`` conform."""
    locks = [graph_lock(graph) for graph in sorted(checked)]
    for lock in locks:
        lock.acquire()
    try:
        with store.exclusive():
            scratch = ox.Store()
            fill(scratch)
            _check_working_graphs(scratch, written)
            shapes_checked = [graph for graph in checked if working_graph_member(graph) is None]
            report = _validate(scratch, shapes_checked, lang, timeout_seconds)
            if not report.conforms:
                logger.info(
                    "rejected a write to %s: %d violations",
                    ", ".join(checked),
                    len(report.violations),
                )
                return report
            # run_update, not update: the write audit records client-facing writes.
            store.run_update(_replacement(scratch, written), None)
        logger.info("applied a validated write to %s", ", ".join(written))
        return report
    finally:
        for lock in reversed(locks):
            lock.release()


def write_graph_checked(
    store: Store,
    graph: str,
    triples: list[ox.Triple],
    *,
    replace: bool,
    lang: str = "ru",
    timeout_seconds: float | None = None,
) -> ValidationReport:
    """Replace (PUT) or extend (POST) ``graph`` with ``triples`` unless the result has violations.

    Returns the validation report of the resulting graph; the store changed only if it conforms.
    """
    quads = in_graph(triples, graph)
    if replace:
        fill = _filled_with(store, [], quads)
        return _checked_write(store, fill, [graph], [graph], lang, timeout_seconds)
    return add_quads_checked(store, quads, [graph], lang=lang, timeout_seconds=timeout_seconds)


def add_quads_checked(
    store: Store,
    quads: list[ox.Quad],
    checked: Sequence[str],
    *,
    lang: str = "ru",
    timeout_seconds: float | None = None,
) -> ValidationReport:
    """Add ``quads``, all in named graphs, unless a graph of ``checked`` then has violations."""
    named = {quad.graph_name.value for quad in quads if isinstance(quad.graph_name, ox.NamedNode)}
    written = sorted(named | set(checked))
    fill = _filled_with(store, written, quads)
    return _checked_write(store, fill, written, checked, lang, timeout_seconds)


def _filled_with(
    store: Store, current: Sequence[str], quads: list[ox.Quad]
) -> Callable[[ox.Store], None]:
    """Return a filler that copies the ``current`` graphs of ``store`` and adds ``quads``."""

    def fill(scratch: ox.Store) -> None:
        for graph in current:
            if store.has_graph(graph):
                data = store.serialize_graph(graph, ox.RdfFormat.N_TRIPLES)
                scratch.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        for quad in quads:
            if isinstance(quad.graph_name, ox.NamedNode):
                scratch.add_graph(quad.graph_name)
        scratch.extend(quads)

    return fill


def run_update_checked(
    store: Store,
    update: str,
    base_iri: str | None,
    written: Sequence[str],
    checked: Sequence[str],
    *,
    lang: str = "ru",
    timeout_seconds: float | None = None,
    locate: Locate | None = None,
) -> ValidationReport:
    """Apply ``update`` unless it leaves a graph of ``checked`` with violations.

    ``written`` lists every graph the update writes, all of them named graphs. The update runs
    on a scratch copy of the whole dataset, because its WHERE clause and the sources of ADD,
    COPY and MOVE may read any graph. The written graphs are then replaced by their results.
    ``locate`` maps a syntax error's position back to the client's text when ``update`` was
    rewritten from it.
    """
    # NOTE: the copy costs time and memory in proportion to the whole dataset; members'
    # updates are small, but the store may not be.
    # The scratch store is a plain pyoxigraph store, which would fetch the URL of a LOAD or
    # SERVICE, so the update gets the same checks as one the service's store runs.
    check_request_text(update)

    def fill(scratch: ox.Store) -> None:
        scratch.load(store.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
        try:
            scratch.update(update, base_iri=base_iri)
        except SyntaxError as error:
            raise syntax_error(str(error), locate) from error

    return _checked_write(store, fill, written, checked, lang, timeout_seconds)
