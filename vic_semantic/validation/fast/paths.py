"""SHACL property paths written as SPARQL 1.1 property paths."""

from __future__ import annotations

from rdflib import RDF, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

_UNARY = {
    SH.inversePath: ("^(", ")"),
    SH.zeroOrMorePath: ("(", ")*"),
    SH.oneOrMorePath: ("(", ")+"),
    SH.zeroOrOnePath: ("(", ")?"),
}


class UnsupportedPath(ValueError):
    """A path node that is no well-formed SHACL property path."""


def sparql_path(path: Node, shapes: Graph) -> str:
    """Return the SPARQL property path of a SHACL path node."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in shapes:
        members = list(Collection(shapes, path))
        if len(members) < 2:
            raise UnsupportedPath(f"a sequence path needs two or more members: {path}")
        return "(" + "/".join(sparql_path(member, shapes) for member in members) + ")"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        members = list(Collection(shapes, alternatives))
        return "(" + "|".join(sparql_path(member, shapes) for member in members) + ")"
    for predicate, (opening, closing) in _UNARY.items():
        inner = shapes.value(path, predicate)
        if inner is not None:
            return opening + sparql_path(inner, shapes) + closing
    raise UnsupportedPath(f"not a SHACL property path: {path}")


def path_key(path: Node | None, shapes: Graph) -> str | None:
    """Return a text that is equal for equal paths, whatever their blank nodes are called."""
    if path is None:
        return None
    try:
        return sparql_path(path, shapes)
    except UnsupportedPath:
        return str(path)
