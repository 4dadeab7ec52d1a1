"""A bulk load that computes the inferred graph while it loads.

``EmbeddedStore.bulk_load_graphs`` followed by ``inference.materialise`` writes the
asserted triples and then reads them back through queries for the rules. Here this thread
parses each document once, collects the rules' inputs from its triples and queues them as
N-Quads for the bulk pass's background loader (``store.bulk_pass``). When the documents
are parsed the rules run, while the loader may still be writing, and the inferred triples
go through the same loader. Nothing loaded is read back, except what the collector cannot
read: the ontology graph, graphs that were in the store before, and loaded graphs whose
rule inputs contain a blank node (the parser and the loader label blank nodes
differently). The result is the inferred graph ``materialise`` computes for the same
store.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pyoxigraph as ox

from vic_semantic.inference import write_inferred
from vic_semantic.inference_inputs import TripleCollector, read_inputs
from vic_semantic.inference_rules import Closure, RuleInputs, Schema, Statements, read_schema
from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from vic_semantic.store.bulk import GraphSource
from vic_semantic.store.bulk_pass import BulkPass, Checkpoint
from vic_semantic.store.embedded import EmbeddedStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadResult:
    """The triple count of each loaded graph and the seconds each step took.

    ``load_seconds`` runs until the loader has written the last asserted quad. Parsing and
    collecting the rules' inputs are part of it, and so are the rules when they finish
    before the loader. ``inference_seconds`` runs from then until the inferred graph is
    written, the store compacted (``EmbeddedStore.bulk_pass``), and the data flushed and
    recorded in the state file.
    """

    counts: dict[str, int]
    load_seconds: float
    inference_seconds: float


def bulk_load_with_inferences(store: EmbeddedStore, sources: Sequence[GraphSource]) -> LoadResult:
    """Fill empty or new named graphs in one bulk pass and bring the inferred graph up to date.

    The load is all-or-nothing as ``EmbeddedStore.bulk_pass`` describes, and raises what
    ``bulk_load_graphs`` raises. A source for ``ONTOLOGY_GRAPH`` is loaded first, because
    the schema the collector needs is read from the store.
    """
    started = time.perf_counter()
    # The write lock first, as every writer takes it, then the inference step's lock.
    with store.exclusive(), store.inference_lock:
        # The rules below read all the data written so far, so the changes recorded until
        # now need not be applied. Writes from now on are recorded as usual.
        store.take_changes()
        try:
            with _garbage_collection_paused():
                counts, asserted = _load_and_infer(store, sources)
        except BaseException:
            store.forget_changes()
            raise
    inferred = time.perf_counter()

    loaded = asserted.finished_at or inferred
    logger.info(
        "bulk-loaded %d graphs in %.2f s, inferred graph done %.2f s later",
        len(counts),
        loaded - started,
        inferred - loaded,
    )
    return LoadResult(counts, loaded - started, inferred - loaded)


@contextmanager
def _garbage_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector in the block, if it runs.

    Collecting the rule inputs allocates millions of tuples that live until the rules
    have run, so collection passes free nothing. Pausing them saved 0.25-0.35 s of the
    main thread's 4 s at 1M triples (load average 3.5).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_and_infer(
    store: EmbeddedStore, sources: Sequence[GraphSource]
) -> tuple[dict[str, int], Checkpoint]:
    """Load ``sources`` and write the inferred graph; return the triple count of each graph
    and the mark set when the asserted triples were written."""
    ontology = [source for source in sources if source.graph == str(ONTOLOGY_GRAPH)]
    others = [source for source in sources if source.graph != str(ONTOLOGY_GRAPH)]
    # An empty inferred graph is filled in the same pass; otherwise only the difference is
    # written after it.
    fill_inferred = not store.has_graph_content(str(INFERRED_GRAPH))

    with store.bulk_pass(
        sources, [str(INFERRED_GRAPH)] if fill_inferred else [], computes_inferences=True
    ) as bulk:
        # Taken after the pass counted itself as a data write: a later write leaves the
        # inferred graph stale, because the collector did not see it.
        basis = store.inference_basis()
        for source in ontology:
            bulk.load_now(source)
        schema = read_schema(store)
        # The other graphs of the pass are still empty, so this reads the graphs that were
        # in the store before and the ontology.
        inputs = read_inputs(store, schema)
        unread = _queue_and_collect(bulk, schema, others, inputs)
        asserted = bulk.checkpoint()
        if unread:
            bulk.wait()
            inputs.update(read_inputs(store, schema, unread))
        statements = Closure(schema, inputs).run()
        blank = _queue_inferred(bulk, statements) if fill_inferred else []
    counts = store.count_graphs(sources)

    if fill_inferred:
        store.change_graph(str(INFERRED_GRAPH), (), blank)
    else:
        write_inferred(store, statements)
    store.mark_inferences_current(basis)
    logger.info("loaded graphs read back for the rules: %d", len(ontology) + len(unread))
    return counts, asserted


def _queue_and_collect(
    bulk: BulkPass, schema: Schema, sources: Sequence[GraphSource], inputs: RuleInputs
) -> list[str]:
    """Queue ``sources`` and add their rule inputs to ``inputs``; return the graphs whose
    inputs must be read from the store instead, because they contain a blank node."""
    collector = TripleCollector(schema)
    unread = []
    for source in sources:
        found = _SourceInputs(collector)
        bulk.add_source(source, found.observe)
        if found.inputs is None:
            unread.append(source.graph)
        else:
            inputs.update(found.inputs)
    return unread


class _SourceInputs:
    """The rule inputs of one source, collected batch by batch, or None once a batch
    contains a blank node."""

    def __init__(self, collector: TripleCollector) -> None:
        self._collector = collector
        self.inputs: RuleInputs | None = RuleInputs()

    def observe(self, batch: list[ox.Quad]) -> None:
        if self.inputs is None:
            return
        part = self._collector.collect(batch)
        if part is None:
            self.inputs = None
        else:
            self.inputs.update(part)


def _queue_inferred(bulk: BulkPass, statements: Statements) -> list[str]:
    """Queue the inferred triples for the inferred graph, except those with a blank node;
    return those, as N-Triples lines.

    The loader would give a blank node a new label, so those lines are written apart, with
    the labels the store uses.
    """
    lines = [
        f"{subject} {predicate} {obj} ."
        for predicate, pairs in statements.items()
        for subject, obj in pairs
    ]
    blank = [line for line in lines if "_:" in line]
    bulk.add_lines(str(INFERRED_GRAPH), [line for line in lines if "_:" not in line])
    return blank
