"""Validating a data graph with the fast engine: load, find focus nodes, run every shape."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import OWL, SH, XSD
from rdflib.term import Node

from vic_semantic.validation.fast.evaluator import Evaluator, ValidationTimeoutError
from vic_semantic.validation.fast.results import FastResult, report_graph
from vic_semantic.validation.fast.shapes import ShapesGraph, UnsupportedShapes
from vic_semantic.validation.fast.terms import OxTerm, TermMap, sparql_term

logger = logging.getLogger(__name__)

__all__ = [
    "FastReport",
    "FastResult",
    "UnsupportedShapes",
    "ValidationTimeoutError",
    "validate_fast",
]


# Datatypes that pyoxigraph 0.5 stores as another datatype ("5"^^xsd:int comes back as
# xsd:integer), so sh:datatype could not be checked on them.
LOSSY_DATATYPES = frozenset(
    XSD[name]
    for name in (
        "int",
        "long",
        "short",
        "byte",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "dateTimeStamp",
    )
)


@dataclass(frozen=True)
class FastReport:
    """What the fast engine found: conformance, results and the sh:ValidationReport graph."""

    conforms: bool
    results: tuple[FastResult, ...]
    graph: Graph


def load_graph(graph: Graph, terms: TermMap) -> ox.Store:
    """Return a new in-memory store holding ``graph`` in its default graph.

    Raises UnsupportedShapes when a literal has a datatype pyoxigraph does not keep.
    """
    for literal in graph.objects():
        if isinstance(literal, Literal) and literal.datatype in LOSSY_DATATYPES:
            raise UnsupportedShapes(f"the data uses {literal.datatype}, which the store rewrites")
    store = ox.Store()
    store.extend(terms.quads(graph))
    return store


def _target_query(shapes: ShapesGraph, shape: Node) -> str | None:
    graph = shapes.graph
    branches = []
    classes = list(graph.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in graph or (shape, RDF.type, OWL.Class) in graph:
        classes.append(shape)
    for cls in classes:
        branches.append(f"{{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* {sparql_term(cls)} }}")
    for predicate in graph.objects(shape, SH.targetSubjectsOf):
        branches.append(f"{{ ?this {sparql_term(predicate)} ?object }}")
    for predicate in graph.objects(shape, SH.targetObjectsOf):
        branches.append(f"{{ ?subject {sparql_term(predicate)} ?this }}")
    if not branches:
        return None
    return "SELECT DISTINCT ?this WHERE { " + " UNION ".join(branches) + " }"


def focus_nodes(evaluator: Evaluator, shape: Node) -> list[OxTerm]:
    """Return the focus nodes of a shape's targets, sh:targetNode values first."""
    graph = evaluator.shapes.graph
    nodes: dict[OxTerm, None] = {}
    for node in graph.objects(shape, SH.targetNode):
        if isinstance(node, URIRef | Literal):
            nodes[evaluator.terms.to_ox(node)] = None
    query = _target_query(evaluator.shapes, shape)
    if query is not None:
        for row in evaluator.select(query):
            nodes[row["this"]] = None
    return list(nodes)


def validate_fast(
    data: Graph | ox.Store,
    shapes: Graph,
    *,
    allow_warnings: bool = True,
    terms: TermMap | None = None,
    deadline: float | None = None,
) -> FastReport:
    """Validate ``data`` against ``shapes``; raise UnsupportedShapes for what is not covered.

    A pyoxigraph store given as ``data`` must hold the data in its default graph, and gets
    scratch named graphs added: pass a store made for this call. With ``allow_warnings``
    only violations make the data non-conforming, as with pySHACL's option of that name.
    """
    started = time.perf_counter()
    shapes_graph = ShapesGraph(shapes)
    terms = terms or TermMap()
    store = data if isinstance(data, ox.Store) else load_graph(data, terms)
    loaded = time.perf_counter()

    evaluator = Evaluator(store, shapes_graph, terms, deadline)
    results: list[FastResult] = []
    for shape in shapes_graph.targeted_shapes():
        results += evaluator.validate(shape, focus_nodes(evaluator, shape))
    unique = tuple(results)

    conforms, graph = report_graph(unique, shapes)
    if not allow_warnings:
        conforms = not unique
        graph.set(
            (next(graph.subjects(RDF.type, SH.ValidationReport)), SH.conforms, Literal(conforms))
        )
    logger.info(
        "Fast validation: loaded in %.2f s, validated in %.2f s, %d results",
        loaded - started,
        time.perf_counter() - loaded,
        len(unique),
    )
    return FastReport(conforms, unique, graph)
