"""Converting member tables to RDF per the term contract, with a provenance index.

Products get IRIs ``vicd:product/{member}/{sku or row-N}``, members ``vicd:member/{slug}``,
treatments and deliveries ``vicd:treatment/{supplier}/{row}`` and ``vicd:delivery/…``.
Values that do not parse are kept as plain strings, so that the SHACL shapes report them
with the row and column instead of the conversion failing on the first bad cell.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph

from vic_semantic.catalogues.conversion import Conversion, default_owner_slug
from vic_semantic.catalogues.convert_members import convert_members
from vic_semantic.catalogues.convert_products import convert_products
from vic_semantic.catalogues.convert_veterinary import convert_deliveries, convert_treatments
from vic_semantic.catalogues.table import FileKind, Table


def convert_table(table: Table, ontology: Graph, member_slug: str | None = None) -> Conversion:
    """Convert one table; ``member_slug`` names the sending member (default: the file's stem)."""
    conversion = Conversion()
    owner = member_slug or default_owner_slug(table)
    if table.kind is FileKind.PRODUCTS:
        convert_products(table, ontology, owner, conversion)
    elif table.kind is FileKind.MEMBERS:
        convert_members(table, ontology, conversion)
    elif table.kind is FileKind.TREATMENTS:
        convert_treatments(table, owner, member_slug is None, conversion)
    else:
        convert_deliveries(table, owner, member_slug is None, conversion)
    return conversion


def convert_tables(
    tables: Iterable[Table], ontology: Graph, member_slug: str | None = None
) -> Conversion:
    """Convert several tables of one request into one graph, so rows can refer across files."""
    merged = Conversion()
    for table in tables:
        merged.merge(convert_table(table, ontology, member_slug))
    return merged
