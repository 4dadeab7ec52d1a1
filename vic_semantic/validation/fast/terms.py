"""Converting RDF terms between rdflib and pyoxigraph, and writing them into SPARQL text."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OxSubject = ox.NamedNode | ox.BlankNode
_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = f"{_XSD}string"

# Datatypes that pyoxigraph 0.5 stores as another one: "5"^^xsd:int comes back as
# "5"^^xsd:integer (even "300"^^xsd:byte, which is no byte), and xsd:dateTimeStamp as
# xsd:dateTime. A query could then neither check sh:datatype nor return the data's term.
REWRITTEN_DATATYPES = frozenset(
    URIRef(_XSD + name)
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
# The store keeps a literal of those datatypes as a proxy: the same lexical form with this
# prefix before the datatype IRI, which pyoxigraph leaves as it is.
PROXY_PREFIX = "urn:vic-fast:lexical:"


def proxy_datatype(datatype: str) -> str:
    """Return the datatype IRI of the proxies of ``datatype``'s literals."""
    return PROXY_PREFIX + datatype


class TermMap:
    """Converts rdflib terms to pyoxigraph terms and back, keeping blank nodes' identity.

    pyoxigraph accepts only some blank node labels, so each rdflib blank node gets a fresh
    pyoxigraph one and the pair is remembered for converting results back. A literal of
    REWRITTEN_DATATYPES becomes its proxy, and ``proxied`` records that one was made.
    """

    def __init__(self) -> None:
        self._to_ox: dict[BNode, ox.BlankNode] = {}
        self._to_rdflib: dict[str, BNode] = {}
        self.proxied = False

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
                datatype = str(node.datatype)
                if node.datatype in REWRITTEN_DATATYPES:
                    self.proxied = True
                    datatype = proxy_datatype(datatype)
                return ox.Literal(str(node), datatype=ox.NamedNode(datatype))
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
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        if datatype.startswith(PROXY_PREFIX):
            # Not normalised, so the result names the data's literal as it was given.
            original = URIRef(datatype.removeprefix(PROXY_PREFIX))
            return Literal(term.value, datatype=original, normalize=False)
        return Literal(term.value, datatype=URIRef(datatype))

    def quads(self, graph: Graph) -> Iterable[ox.Quad]:
        """Yield the graph's triples as quads of the store's default graph."""
        for s, p, o in graph:
            subject = self.to_ox(s)
            assert not isinstance(subject, ox.Literal)
            yield ox.Quad(subject, ox.NamedNode(str(p)), self.to_ox(o))


def sparql_term(node: Node) -> str:
    """Return ``node`` (an IRI or a literal of the shapes graph) as SPARQL text.

    The text names the term as the store keeps it, a proxy for REWRITTEN_DATATYPES, so
    sameTerm and joins with the data match. Write a bound of a comparison with sparql_value.
    """
    if isinstance(node, Literal) and node.datatype in REWRITTEN_DATATYPES:
        proxy = ox.NamedNode(proxy_datatype(str(node.datatype)))
        return str(ox.Literal(str(node), datatype=proxy))
    return sparql_value(node)


def sparql_value(node: Node) -> str:
    """Return ``node`` (an IRI or a literal of the shapes graph) as SPARQL text of its value.

    pyoxigraph reads "5"^^xsd:byte in query text as the integer 5, which comparisons need.
    """
    if isinstance(node, URIRef | Literal):
        return str(node.n3())
    raise ValueError(f"a blank node cannot be written into SPARQL text: {node!r}")
