"""SPARQL Update text that writes parsed RDF, shared by the embedded and the remote store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from vic_semantic.store.syntax import parse_error
from vic_semantic.triple_terms import reject_triple_terms


def parse_triples(data: bytes, rdf_format: ox.RdfFormat) -> list[ox.Triple]:
    """Parse ``data`` fully before any write, so a syntax error leaves the store untouched."""
    try:
        quads = list(reject_triple_terms(ox.parse(data, format=rdf_format)))
    except SyntaxError as error:
        raise parse_error(error) from error
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def in_graph(triples: Iterable[ox.Triple], graph: str | None) -> list[ox.Quad]:
    name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]


def insert_data(quads: list[ox.Quad]) -> list[str]:
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
