"""Converting RDF terms between rdflib and pyoxigraph, and writing them into SPARQL text."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OxSubject = ox.NamedNode | ox.BlankNode
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class TermMap:
    """Converts rdflib terms to pyoxigraph terms and back, keeping blank nodes' identity.

    pyoxigraph accepts only some blank node labels, so each rdflib blank node gets a fresh
    pyoxigraph one and the pair is remembered for converting results back.
    """

    def __init__(self) -> None:
        self._to_ox: dict[BNode, ox.BlankNode] = {}
        self._to_rdflib: dict[str, BNode] = {}

    def to_ox(self, node: Node) -> OxTerm:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            found = self._to_ox.get(node)
            if found is None:
                found = ox.BlankNode()
                self._to_ox[node] = found
                self._to_rdflib[found.value] = node
            return found
        if isinstance(node, Literal):
            if node.language:
                return ox.Literal(str(node), language=node.language)
            if node.datatype:
                return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
            return ox.Literal(str(node))
        raise TypeError(f"not an RDF term: {node!r}")

    def to_rdflib(self, term: OxTerm) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            found = self._to_rdflib.get(term.value)
            if found is None:
                found = BNode(term.value)
                self._to_rdflib[term.value] = found
                self._to_ox[found] = term
            return found
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))

    def quads(self, graph: Graph) -> Iterable[ox.Quad]:
        """Yield the graph's triples as quads of the store's default graph."""
        for s, p, o in graph:
            subject = self.to_ox(s)
            assert not isinstance(subject, ox.Literal)
            yield ox.Quad(subject, ox.NamedNode(str(p)), self.to_ox(o))


def sparql_term(node: Node) -> str:
    """Return ``node`` (an IRI or a literal of the shapes graph) as SPARQL text."""
    if isinstance(node, URIRef | Literal):
        return str(node.n3())
    raise ValueError(f"a blank node cannot be written into SPARQL text: {node!r}")
