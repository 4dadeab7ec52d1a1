"""Converting a product catalogue table to vic:FoodProduct individuals."""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from vic_semantic.catalogues.classify import classify_name
from vic_semantic.catalogues.conversion import Conversion, RowWriter, raw_literal
from vic_semantic.catalogues.designation import designation_iri
from vic_semantic.catalogues.errors import CellValueError
from vic_semantic.catalogues.headers import header_unit
from vic_semantic.catalogues.normalise import (
    Quantity,
    normalise_designation,
    normalise_gtin,
    normalise_meat_category,
    normalise_tnved,
    parse_decimal,
    parse_integer,
    parse_quantity,
    parse_temperature_range,
    parse_unit,
)
from vic_semantic.catalogues.slug import slugify
from vic_semantic.catalogues.table import Cell, CellValue, Row, Table
from vic_semantic.namespaces import ID, VIC

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _integer(value: int | None) -> Literal | None:
    return None if value is None else Literal(value, datatype=XSD.integer)


def _decimal(value: Decimal | None) -> Literal | None:
    return None if value is None else Literal(value, datatype=XSD.decimal)


def _string(text: str | None) -> Literal | None:
    return Literal(text) if text else None


class ProductWriter(RowWriter):
    """Writes the products of one catalogue table."""

    def __init__(
        self,
        table: Table,
        conversion: Conversion,
        ontology: Graph,
        owner: str,
        member: URIRef | None = None,
    ) -> None:
        super().__init__(table, conversion)
        self.ontology = ontology
        self.owner = owner
        self.member = member
        self.catalogue = ID[f"catalogue/{owner}"]
        self.used_iris: set[URIRef] = set()

    def product_iri(self, row: Row) -> URIRef:
        sku = slugify(self.cell(row, "sku").text)
        iri = ID[f"product/{self.owner}/{sku or f'row-{row.number}'}"]
        if iri in self.used_iris:
            # A repeated SKU must not merge two rows into one product.
            iri = ID[f"product/{self.owner}/{sku}-row-{row.number}"]
        self.used_iris.add(iri)
        return iri

    def write(self, row: Row) -> None:
        product = self.product_iri(row)
        self.graph.add((self.catalogue, RDF.type, VIC.Catalogue))
        if self.member is not None:
            self.graph.add((self.catalogue, VIC.catalogueOf, self.member))
            self.graph.add((product, VIC.manufacturer, self.member))
        self.add(product, VIC.inCatalogue, self.catalogue, self.cell(row, "name"))
        self.add_source(product, row)

        self.write_name_and_class(product, row)
        sku = self.cell(row, "sku")
        self.add(product, VIC.sku, _string(sku.text), sku)
        gtin = self.cell(row, "gtin")
        self.add(product, VIC.gtin, _string(normalise_gtin(gtin.value)), gtin)
        fat = self.cell(row, "fat")
        self.add(product, VIC.fatMassFraction, self.parsed(fat, parse_decimal, _decimal), fat)
        self.write_net_content(product, row)
        self.write_standard(product, row)
        self.write_codes(product, row)
        shelf = self.cell(row, "shelf_life")
        self.add(product, VIC.shelfLifeDays, self.parsed(shelf, parse_integer, _integer), shelf)
        self.write_storage(product, row)

    def parsed(
        self,
        cell: Cell,
        parse: Callable[[CellValue], T | None],
        to_literal: Callable[[T | None], Literal | None],
    ) -> Node | None:
        """Return the parsed value as a literal, or the raw text when it does not parse."""
        try:
            value = parse(cell.value)
        except CellValueError as error:
            logger.debug("Kept raw value: %s", error.at(cell.file, cell.row, cell.column))
            return raw_literal(cell)
        return to_literal(value)

    def write_name_and_class(self, product: URIRef, row: Row) -> None:
        name = self.cell(row, "name")
        self.add(
            product, VIC.productName, Literal(name.text, lang="ru") if name.text else None, name
        )
        cls = classify_name(name.text, self.ontology).cls if name.text else None
        self.add(product, RDF.type, cls or VIC.FoodProduct, name)

    def write_net_content(self, product: URIRef, row: Row) -> None:
        net = self.cell(row, "net")
        unit_cell = self.cell(row, "net_unit") if "net_unit" in self.columns else net
        quantity_node = URIRef(f"{product}/net-content")
        self.add(product, VIC.netContent, None, net)
        self.provenance[(quantity_node, VIC.numericValue)] = net
        self.provenance[(quantity_node, VIC.unit)] = unit_cell
        if net.is_empty:
            return

        try:
            if unit_cell is net:
                quantity = parse_quantity(net.value, header_unit(net.column))
            else:
                value = parse_decimal(net.value)
                assert value is not None  # the cell is not empty
                quantity = Quantity(value, parse_unit(unit_cell.value))
        except CellValueError:
            self.graph.add((product, VIC.netContent, quantity_node))
            self.graph.add((quantity_node, RDF.type, VIC.QuantitativeValue))
            self.graph.add((quantity_node, VIC.numericValue, raw_literal(net)))
            return
        assert quantity is not None
        self.graph.add((product, VIC.netContent, quantity_node))
        self.graph.add((quantity_node, RDF.type, VIC.QuantitativeValue))
        self.graph.add((quantity_node, VIC.numericValue, _decimal(quantity.value)))  # type: ignore[arg-type]
        if isinstance(quantity.unit, URIRef):
            self.graph.add((quantity_node, VIC.unit, quantity.unit))
        elif quantity.unit is not None:
            self.graph.add((quantity_node, VIC.unit, Literal(quantity.unit)))

    def write_standard(self, product: URIRef, row: Row) -> None:
        cell = self.cell(row, "standard")
        try:
            designation = normalise_designation(cell.value)
        except CellValueError:
            self.add(product, VIC.conformsTo, raw_literal(cell), cell)
            return
        if designation is None:
            self.add(product, VIC.conformsTo, None, cell)
            return
        document = designation_iri(designation, self.ontology)
        if designation.is_technical_conditions:
            # Company ТУ are in no public registry, so the data graph declares them itself.
            self.graph.add((document, RDF.type, VIC.TechnicalConditions))
            self.graph.add((document, VIC.designation, Literal(designation.text)))
        self.add(product, VIC.conformsTo, document, cell)

    def write_codes(self, product: URIRef, row: Row) -> None:
        tnved = self.cell(row, "tnved")
        self.add(product, VIC.tnvedCode, self.parsed(tnved, normalise_tnved, _string), tnved)
        category = self.cell(row, "category")
        self.add(
            product, VIC.meatCategory, _string(normalise_meat_category(category.value)), category
        )
        okpd2 = self.cell(row, "okpd2")
        self.add(product, VIC.okpd2Code, _string(okpd2.text), okpd2)

    def write_storage(self, product: URIRef, row: Row) -> None:
        if "storage" not in self.columns:
            low, high = self.cell(row, "storage_min"), self.cell(row, "storage_max")
            self.add(
                product, VIC.storageTemperatureMin, self.parsed(low, parse_decimal, _decimal), low
            )
            self.add(
                product, VIC.storageTemperatureMax, self.parsed(high, parse_decimal, _decimal), high
            )
            return

        cell = self.cell(row, "storage")
        try:
            span = parse_temperature_range(cell.value)
        except CellValueError:
            self.add(product, VIC.storageTemperatureMin, raw_literal(cell), cell)
            self.add(product, VIC.storageTemperatureMax, None, cell)
            return
        self.add(product, VIC.storageTemperatureMin, _decimal(span.minimum if span else None), cell)
        self.add(product, VIC.storageTemperatureMax, _decimal(span.maximum if span else None), cell)


def convert_products(
    table: Table,
    ontology: Graph,
    owner: str,
    conversion: Conversion,
    *,
    member_slug: str | None = None,
) -> None:
    """Add the table's products to ``conversion``; ``owner`` is the member slug in their IRIs.

    With ``member_slug`` (a known sending member) each product gets ``vic:manufacturer`` and
    the catalogue ``vic:catalogueOf`` pointing to ``vicd:member/{member_slug}``.
    """
    member = ID[f"member/{member_slug}"] if member_slug else None
    writer = ProductWriter(table, conversion, ontology, owner, member)
    for row in table.rows:
        writer.write(row)
