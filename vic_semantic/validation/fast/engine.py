"""Validating a data graph with the fast engine: load, find focus nodes, run every shape."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from vic_semantic.validation.fast.evaluator import (
    WORKERS,
    ClassFocusSet,
    Evaluator,
    FocusSet,
    ValidationTimeoutError,
)
from vic_semantic.validation.fast.results import FastResult, report_graph
from vic_semantic.validation.fast.shapes import ShaclFailure, ShapesGraph, UnsupportedShapes
from vic_semantic.validation.fast.sparql_constraints import SHAPES_GRAPH, uses_shapes_graph
from vic_semantic.validation.fast.terms import (
    REWRITTEN_DATATYPES,
    OxTerm,
    TermMap,
    sparql_term,
)

logger = logging.getLogger(__name__)

__all__ = [
    "FastReport",
    "FastResult",
    "ShaclFailure",
    "UnsupportedShapes",
    "ValidationTimeoutError",
    "validate_fast",
]


@dataclass(frozen=True)
class FastReport:
    """Fast engine outcome: conformance, results and the sh:ValidationReport graph.

    The graph is built on first use, because building it in rdflib took about 0.5 s for
    3,000 results, which callers that read ``results`` only need not pay.
    """

    conforms: bool
    results: tuple[FastResult, ...]
    shapes: Graph = field(repr=False, compare=False)

    @cached_property
    def graph(self) -> Graph:
        _, graph = report_graph(self.results, self.shapes)
        graph.set(
            (
                next(graph.subjects(RDF.type, SH.ValidationReport)),
                SH.conforms,
                Literal(self.conforms),
            )
        )
        return graph


def load_graph(graph: Graph, terms: TermMap) -> ox.Store:
    """Return a new in-memory store holding ``graph`` in its default graph.

    A literal of ``terms.REWRITTEN_DATATYPES`` is stored as its proxy.
    """
    store = ox.Store()
    store.extend(terms.quads(graph))
    return store


def _rewritten_literals(shapes: Graph) -> set[URIRef]:
    """Return the REWRITTEN_DATATYPES of the shapes graph's literals."""
    return {
        URIRef(str(node.datatype))
        for node in shapes.objects()
        if isinstance(node, Literal) and node.datatype in REWRITTEN_DATATYPES
    }


def _check_literal_proxies(data: Graph | ox.Store, shapes: ShapesGraph, terms: TermMap) -> bool:
    """Return whether the store or the shapes use proxies of literals (see ``terms``).

    Raises UnsupportedShapes where proxies would give a wrong result: for a store given as
    data, in which pyoxigraph keeps xsd:byte, xsd:dateTimeStamp and the like as xsd:integer
    and xsd:dateTime, and for SPARQL constraints, whose queries would see the proxies.
    """
    rewritten = _rewritten_literals(shapes.graph)
    if isinstance(data, ox.Store):
        # A datatype that sh:datatype names counts too: the store has no proxies to check.
        rewritten |= {
            URIRef(str(datatype))
            for datatype in shapes.graph.objects(None, SH.datatype)
            if datatype in REWRITTEN_DATATYPES
        }
        if rewritten:
            raise UnsupportedShapes(
                f"the shapes use {min(rewritten)}, whose literals a pyoxigraph store keeps "
                "as another datatype; pass the data as an rdflib graph"
            )
    proxies = terms.proxied or bool(rewritten)
    if proxies and shapes.uses_sparql():
        raise UnsupportedShapes(
            "SPARQL constraints would see the proxies of literals of xsd:byte, xsd:int and "
            "the other datatypes that pyoxigraph rewrites"
        )
    return proxies


def _target_classes(shapes: ShapesGraph, shape: Node) -> list[Node]:
    graph = shapes.graph
    classes = list(graph.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in graph or (shape, RDF.type, OWL.Class) in graph:
        classes.append(shape)
    return classes


def _target_pattern(shapes: ShapesGraph, shape: Node) -> str | None:
    """Return the pattern of the sh:targetSubjectsOf and sh:targetObjectsOf focus nodes."""
    graph = shapes.graph
    branches = []
    for predicate in graph.objects(shape, SH.targetSubjectsOf):
        branches.append(f"{{ ?this {sparql_term(predicate)} ?object }}")
    for predicate in graph.objects(shape, SH.targetObjectsOf):
        branches.append(f"{{ ?subject {sparql_term(predicate)} ?this }}")
    if not branches:
        return None
    return " UNION ".join(branches)


def _subclasses(evaluator: Evaluator, cls: Node) -> list[OxTerm]:
    """Return ``cls`` and its subclasses: the classes whose instances are SHACL instances of it.

    The instances are then read from the rdf:type index, which took half the time of the
    path rdf:type/rdfs:subClassOf* over 100,000 products.
    """
    rows = evaluator.select(
        f"SELECT DISTINCT ?class WHERE {{ ?class <{RDFS.subClassOf}>* {sparql_term(cls)} }}"
    )
    return [row["class"] for row in rows]


def _instances(evaluator: Evaluator, classes: list[OxTerm]) -> Iterator[OxTerm]:
    rdf_type = ox.NamedNode(str(RDF.type))
    for cls in classes:
        for quad in evaluator.store.quads_for_pattern(None, rdf_type, cls, ox.DefaultGraph()):
            if isinstance(quad.subject, ox.NamedNode | ox.BlankNode):
                yield quad.subject


def target_set(evaluator: Evaluator, shape: Node) -> FocusSet:
    """Return the focus nodes of a shape's targets as a set in the evaluator's store.

    A shape targeting classes only gets a ClassFocusSet, which reads the rdf:type triples
    in place of a copy of its nodes.
    """
    graph = evaluator.shapes.graph
    nodes = [
        evaluator.terms.to_ox(node)
        for node in graph.objects(shape, SH.targetNode)
        if isinstance(node, URIRef | Literal)
    ]
    classes = [
        subclass
        for cls in _target_classes(evaluator.shapes, shape)
        for subclass in _subclasses(evaluator, cls)
    ]
    pattern = _target_pattern(evaluator.shapes, shape)
    named = [cls for cls in classes if not isinstance(cls, ox.BlankNode)]
    # A blank node class cannot be written into the set's VALUES clause, but a literal can.
    if not nodes and pattern is None and len(named) == len(classes):
        return ClassFocusSet(evaluator.store, named)
    nodes.extend(_instances(evaluator, classes))
    return evaluator.focus_set_where(nodes, pattern)


def _validate_targeted(evaluator: Evaluator, shapes: list[Node]) -> list[FastResult]:
    """Return the results of the shapes with targets, in the order of ``shapes``.

    The shapes run on one thread per core, as the property shapes of each node shape do
    (Evaluator.validate_children), so a core left idle by the last long query of one node
    shape takes the next node shape.
    """

    def validate_one(shape: Node) -> list[FastResult]:
        return evaluator.validate_set(shape, target_set(evaluator, shape))

    if WORKERS < 2 or len(shapes) < 2:
        return [result for shape in shapes for result in validate_one(shape)]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        batches = list(pool.map(validate_one, shapes))
    return [result for batch in batches for result in batch]


def validate_fast(
    data: Graph | ox.Store,
    shapes: Graph,
    *,
    allow_warnings: bool = True,
    terms: TermMap | None = None,
    deadline: float | None = None,
) -> FastReport:
    """Validate ``data`` against ``shapes``; raise UnsupportedShapes for what is not covered.

    Raises ShaclFailure for a SPARQL constraint that SHACL-SPARQL does not allow.

    A pyoxigraph store given as ``data`` must hold the data in its default graph, and gets
    scratch named graphs added: pass a store made for this call. With ``allow_warnings``
    only violations make the data non-conforming, as with pySHACL's option of that name.
    """
    started = time.perf_counter()
    shapes_graph = ShapesGraph(shapes)
    terms = terms or TermMap()
    store = data if isinstance(data, ox.Store) else load_graph(data, terms)
    proxies = _check_literal_proxies(data, shapes_graph, terms)
    queries = [*shapes.objects(None, SH.select), *shapes.objects(None, SH.ask)]
    if any(uses_shapes_graph(str(query)) for query in queries):
        shapes_graph_name = ox.NamedNode(SHAPES_GRAPH)
        store.extend(
            ox.Quad(quad.subject, quad.predicate, quad.object, shapes_graph_name)
            for quad in terms.quads(shapes)
        )
    loaded = time.perf_counter()

    evaluator = Evaluator(store, shapes_graph, terms, deadline, proxies=proxies)
    unique = tuple(_validate_targeted(evaluator, shapes_graph.targeted_shapes()))

    if allow_warnings:
        conforms = all(result.severity != SH.Violation for result in unique)
    else:
        conforms = not unique
    logger.info(
        "Fast validation: loaded in %.2f s, validated in %.2f s, %d results",
        loaded - started,
        time.perf_counter() - loaded,
        len(unique),
    )
    return FastReport(conforms, unique, shapes)
