"""The graphs a SPARQL 1.1 Update writes, found with rdflib's update parser.

An update writes the graphs of its INSERT and DELETE templates (GRAPH blocks, else the WITH
graph, else the default graph), the target of LOAD, CLEAR, DROP and CREATE (a graph, or
DEFAULT, NAMED or ALL), the destination of ADD, COPY and MOVE, and the source of MOVE, which
MOVE empties. A template graph may be a variable, known only when the update runs.

The text is parsed with ``rdflib.plugins.sparql.parser.parseUpdate`` and
``rdflib.plugins.sparql.algebra.translateUpdate``, which resolve prefixed names and relative
IRIs against BASE and the base IRI the way the engine does. rdflib 7.6 drops a GRAPH block
with no triples from the algebra; pyoxigraph 0.5 writes nothing for such a block either.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pyparsing import ParseBaseException
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from vic_semantic.errors import QuerySyntaxError
from vic_semantic.sparql.parser_lock import RDFLIB_SPARQL_PARSER

logger = logging.getLogger(__name__)


class TargetKind(StrEnum):
    GRAPH = "GRAPH"
    DEFAULT = "DEFAULT"
    NAMED = "NAMED"
    ALL = "ALL"
    VARIABLE = "VARIABLE"


@dataclass(frozen=True)
class WrittenGraph:
    """One graph, or set of graphs, an update operation may change.

    ``name`` is the IRI for GRAPH and the variable's name for VARIABLE, else empty.
    """

    kind: TargetKind
    name: str = ""

    def __str__(self) -> str:
        if self.kind is TargetKind.GRAPH:
            return f"<{self.name}>"
        if self.kind is TargetKind.VARIABLE:
            return f"GRAPH ?{self.name}"
        return str(self.kind)


DEFAULT_GRAPH = WrittenGraph(TargetKind.DEFAULT)


def written_graphs(update: str, base_iri: str | None) -> list[WrittenGraph]:
    """Return every graph ``update`` may write, in order of first mention, without repeats.

    Raises QuerySyntaxError when rdflib cannot parse the update.
    """
    try:
        with RDFLIB_SPARQL_PARSER:
            algebra = translateUpdate(parseUpdate(update), base=base_iri)
    except ParseBaseException as error:
        raise QuerySyntaxError(error.msg, error.lineno, error.col) from error
    except Exception as error:
        # translateUpdate raises a bare Exception for what it cannot translate, such as an
        # undeclared prefix.
        raise QuerySyntaxError(str(error), None, None) from error

    found: dict[WrittenGraph, None] = {}
    for operation in algebra.algebra:
        for target in _operation_targets(operation):
            found.setdefault(target, None)
    return list(found)


def _operation_targets(operation: CompValue) -> Iterator[WrittenGraph]:
    name = operation.name
    if name in {"InsertData", "DeleteData", "DeleteWhere"}:
        yield from _template_targets(operation, default=DEFAULT_GRAPH)
    elif name == "Modify":
        with_graph = _field(operation, "withClause")
        default = _graph_target(with_graph) if with_graph is not None else DEFAULT_GRAPH
        for clause in (_field(operation, "delete"), _field(operation, "insert")):
            if clause is not None:
                yield from _template_targets(clause, default=default)
    elif name in {"Clear", "Drop", "Create"}:
        yield _graph_target(operation["graphiri"])
    elif name == "Load":
        target = _field(operation, "graphiri")
        yield _graph_target(target) if target is not None else DEFAULT_GRAPH
    elif name in {"Add", "Copy", "Move"}:
        source, destination = operation["graph"]
        yield _graph_target(destination)
        if name == "Move":
            yield _graph_target(source)
    else:
        # Fail closed: an operation this module does not know may write anything.
        logger.warning("unknown SPARQL update operation %s; treated as writing ALL", name)
        yield WrittenGraph(TargetKind.ALL)


def _template_targets(clause: CompValue, default: WrittenGraph) -> Iterator[WrittenGraph]:
    if _field(clause, "triples"):
        yield default
    quads: Mapping[object, Iterable[object]] = _field(clause, "quads") or {}
    for graph, triples in quads.items():
        if triples:
            yield _graph_target(graph)


def _field(value: CompValue, key: str) -> Any:
    """Return a field of an algebra node, or None when absent.

    ``CompValue.get`` returns the key itself for a missing key, so the plain dict lookup of
    its base class is used.
    """
    return dict.get(value, key)


def _graph_target(graph: object) -> WrittenGraph:
    """Map a graph term of the rdflib algebra (an IRI, a variable or a keyword) to a target."""
    if isinstance(graph, Variable):
        return WrittenGraph(TargetKind.VARIABLE, str(graph))
    if isinstance(graph, URIRef):
        return WrittenGraph(TargetKind.GRAPH, str(graph))
    keyword = str(graph).upper()
    if keyword in {"DEFAULT", "NAMED", "ALL"}:
        return WrittenGraph(TargetKind(keyword))
    # Fail closed on anything else the parser might hand back.
    return WrittenGraph(TargetKind.ALL)
