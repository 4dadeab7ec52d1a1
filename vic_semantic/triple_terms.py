"""Rejecting RDF 1.2 triple terms (RDF-star ``<< … >>``), which the service does not store.

pyoxigraph 0.5 parses ``<< s p o >> :q v .`` into a reifier node with ``rdf:reifies`` and a
triple term as object. The service keeps RDF 1.1 data: SHACL validation, inference and the
SPARQL Update text that writes a graph all take plain triples, so a triple term would fail
later with a 500 or be lost. Every entry point checks parsed RDF here before it writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

import pyoxigraph as ox

from vic_semantic.errors import UnsupportedFormatError

Statement = TypeVar("Statement", ox.Quad, ox.Triple)


class TripleTermError(UnsupportedFormatError):
    """The RDF contains a triple term (RDF-star / RDF 1.2), which the service does not store."""

    def __init__(self, where: str = "") -> None:
        place = f" ({where})" if where else ""
        super().__init__(
            f"RDF-star / RDF 1.2: тройки в роли узлов (<< … >>, <<( … )>>) не поддерживаются"
            f"{place}; ничего не записано. Запишите утверждение о тройке через реификацию "
            "RDF 1.1: узел rdf:Statement со свойствами rdf:subject, rdf:predicate, rdf:object.",
            f"RDF-star / RDF 1.2 triple terms (<< … >>, <<( … )>>) are not supported{place}; "
            "nothing was written. Write the statement about a triple with RDF 1.1 reification: "
            "an rdf:Statement node with rdf:subject, rdf:predicate and rdf:object.",
        )


def has_triple_term(statement: ox.Quad | ox.Triple) -> bool:
    """Return whether the subject or object of ``statement`` is a triple term."""
    return isinstance(statement.subject, ox.Triple) or isinstance(statement.object, ox.Triple)


def reject_triple_terms(statements: Iterable[Statement], where: str = "") -> Iterator[Statement]:
    """Yield ``statements`` unchanged, raising TripleTermError at the first triple term."""
    for statement in statements:
        if has_triple_term(statement):
            raise TripleTermError(where)
        yield statement
