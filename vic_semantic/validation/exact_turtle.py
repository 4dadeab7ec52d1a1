"""Parsing Turtle into an rdflib graph with every literal kept as written.

rdflib 7.6 rewrites a literal into the canonical form of its value when it parses it, so
``"1"^^xsd:boolean`` becomes ``"true"^^xsd:boolean``. SHACL distinguishes the two terms, so
``sh:uniqueLang "1"^^xsd:boolean`` does not switch the constraint on (W3C SHACL test
uniqueLang-002). pyoxigraph's Turtle parser keeps the lexical form, so the file is parsed
with it and each literal is built with rdflib's normalisation off. The process-wide switch
``rdflib.NORMALIZE_LITERALS`` stays on, because other code compares parsed literals with
literals built from Python values, which only normalisation makes equal.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _literal(term: ox.Literal) -> Literal:
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        # rdflib parses a plain literal without a datatype, so equal graphs stay equal.
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def parse_turtle_exact(path: Path, graph: Graph | None = None) -> Graph:
    """Parse the Turtle file ``path`` into ``graph`` (default: a new graph) and return it.

    Relative IRIs resolve against the file's URI, as rdflib resolves them. Language tags
    come out in lower case, because pyoxigraph 0.5 writes them so. Raises SyntaxError
    naming the file and pyoxigraph's position of the error.
    """
    graph = graph if graph is not None else Graph()
    blank_nodes: dict[str, BNode] = {}

    def convert(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return blank_nodes.setdefault(term.value, BNode())
        if isinstance(term, ox.Literal):
            return _literal(term)
        raise SyntaxError(f"{path}: RDF 1.2 triple terms are not supported: {term}")

    base = Path(os.path.abspath(path)).as_uri()
    parser = ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=base)
    try:
        for quad in parser:
            graph.add((convert(quad.subject), URIRef(quad.predicate.value), convert(quad.object)))
    except SyntaxError as error:
        raise SyntaxError(f"{path}: invalid Turtle, fix the file: {error}") from error
    for prefix, namespace in parser.prefixes.items():
        graph.bind(prefix, namespace)
    return graph
