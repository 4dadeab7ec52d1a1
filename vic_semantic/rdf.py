"""Parsing RDF safely and moving it between pyoxigraph and rdflib.

All untrusted RDF is parsed by pyoxigraph: its JSON-LD parser loads no remote context and
its RDF/XML parser expands no external entity, so parsing never makes the server fetch a URL.
rdflib is used afterwards, on the parsed triples, where pyshacl needs an rdflib graph.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from vic_semantic.errors import RdfSyntaxError, UnsupportedFormatError
from vic_semantic.sparql.formats import READABLE_RDF_FORMATS
from vic_semantic.store.embedded import parse_error
from vic_semantic.triple_terms import TripleTermError, reject_triple_terms


def format_for_media_type(media_type: str) -> ox.RdfFormat:
    """Return the RDF format of a Content-Type, raising UnsupportedFormatError otherwise."""
    bare = media_type.split(";")[0].strip().lower()
    rdf_format = READABLE_RDF_FORMATS.get(bare)
    if rdf_format is None:
        accepted = ", ".join(READABLE_RDF_FORMATS)
        raise UnsupportedFormatError(
            f"Формат «{bare or 'не указан'}» не поддерживается. Допустимые: {accepted}.",
            f"Format '{bare or 'missing'}' is not supported. Accepted: {accepted}.",
        )
    return rdf_format


def reject_entity_declarations(data: bytes, rdf_format: ox.RdfFormat) -> None:
    """Raise RdfSyntaxError for RDF/XML that declares XML entities.

    pyoxigraph 0.5.13 expands internal entities without a limit, so an 800-byte document of
    nested entities ("billion laughs") becomes gigabytes in memory. RDF/XML needs no entities:
    write the IRIs and values out in full instead.
    """
    if rdf_format == ox.RdfFormat.RDF_XML and b"<!ENTITY" in data:
        raise RdfSyntaxError(
            "RDF/XML declares XML entities (<!ENTITY>), which the service does not expand; "
            "write the values out in full"
        )


def parse_rdf(data: bytes, rdf_format: ox.RdfFormat) -> list[ox.Quad]:
    """Parse a whole document, raising RdfSyntaxError with the line and column of an error."""
    reject_entity_declarations(data, rdf_format)
    try:
        return list(reject_triple_terms(ox.parse(data, format=rdf_format)))
    except TripleTermError:
        raise
    except SyntaxError as error:
        raise parse_error(error) from error
    except ValueError as error:
        raise RdfSyntaxError(str(error)) from error


def _to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TripleTermError()


def to_rdflib(quads: list[ox.Quad]) -> Graph:
    """Return an rdflib graph of the quads' triples (graph names are dropped)."""
    graph = Graph()
    for quad in quads:
        graph.add(
            (
                _to_rdflib_term(quad.subject),
                _to_rdflib_term(quad.predicate),
                _to_rdflib_term(quad.object),
            )
        )
    return graph
