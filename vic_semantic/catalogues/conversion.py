"""The result of converting member files: an RDF graph and where each value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.term import Node

from vic_semantic.catalogues.headers import KIND_FIELDS, match_columns
from vic_semantic.catalogues.slug import slugify
from vic_semantic.catalogues.table import Cell, Row, Table
from vic_semantic.namespaces import PREFIXES, VIC

# (subject IRI, predicate IRI) → the cell the value was read from, or where it was missing.
Provenance = dict[tuple[URIRef, URIRef], Cell]


def new_graph() -> Graph:
    """Return an empty graph with the project's prefixes bound."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


@dataclass
class Conversion:
    """A data graph and the provenance index the validation report uses to name cells."""

    graph: Graph = field(default_factory=new_graph)
    provenance: Provenance = field(default_factory=dict)

    def merge(self, other: Conversion) -> None:
        """Add the other conversion's triples and provenance to this one."""
        self.graph += other.graph
        self.provenance.update(other.provenance)


def default_owner_slug(table: Table) -> str:
    """Return the slug used for a file's owner when the caller names none: the file's stem."""
    return slugify(PurePath(table.file_name).stem) or "file"


class RowWriter:
    """Writes one table's triples and records the cell behind each (subject, predicate)."""

    def __init__(self, table: Table, conversion: Conversion) -> None:
        self.table = table
        self.graph = conversion.graph
        self.provenance = conversion.provenance
        self.columns = match_columns(table.kind, table.headers)

    def cell(self, row: Row, key: str) -> Cell:
        """Return the row's cell of a field; a column the file lacks gives an empty cell."""
        column = self.columns.get(key)
        found = row.get(column) if column else None
        if found is not None:
            return found
        fallback = next(f.synonyms[0] for f in KIND_FIELDS[self.table.kind] if f.key == key)
        return Cell(self.table.file_name, row.number, column or fallback, None)

    def add(self, subject: URIRef, predicate: URIRef, value: Node | None, cell: Cell) -> None:
        """Add the triple unless ``value`` is None, and record ``cell`` as its source."""
        self.provenance[(subject, predicate)] = cell
        if value is not None:
            self.graph.add((subject, predicate, value))

    def add_source(self, subject: URIRef, row: Row) -> None:
        """Record the file and data row a subject was converted from."""
        self.graph.add((subject, VIC.sourceFile, Literal(self.table.file_name)))
        self.graph.add((subject, VIC.sourceRow, Literal(row.number, datatype=XSD.integer)))


def raw_literal(cell: Cell) -> Literal:
    """Return the cell's text as a plain string, kept when it fails to parse so that the shapes
    report it as written."""
    return Literal(cell.text)
