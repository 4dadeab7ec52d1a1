"""Converting treatment and milk delivery logs to vic:VeterinaryTreatment and vic:MilkDelivery.

Animal groups are shared by the two logs of one supplier: a delivery is checked against the
treatments of the group with the same code. Without a supplier slug, groups are identified
by their code alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.term import Node

from vic_semantic.catalogues.conversion import Conversion, RowWriter, raw_literal
from vic_semantic.catalogues.convert_members import member_iri
from vic_semantic.catalogues.errors import CellValueError
from vic_semantic.catalogues.normalise import parse_date, parse_decimal, parse_integer
from vic_semantic.catalogues.slug import slugify
from vic_semantic.catalogues.table import Cell, CellValue, Row, Table
from vic_semantic.namespaces import ID, VIC

logger = logging.getLogger(__name__)

T = TypeVar("T")


def typed_literal(
    cell: Cell, parse: Callable[[CellValue], T | None], datatype: URIRef
) -> Node | None:
    """Return the parsed cell as a typed literal, its raw text if it fails to parse, or None."""
    try:
        value = parse(cell.value)
    except CellValueError as error:
        logger.debug("Kept raw value: %s", error.at(cell.file, cell.row, cell.column))
        return raw_literal(cell)
    return None if value is None else Literal(value, datatype=datatype)


class VeterinaryWriter(RowWriter):
    """Writes the rows of a treatment log or a delivery log."""

    def __init__(
        self, table: Table, conversion: Conversion, supplier: str, shared_groups: bool
    ) -> None:
        super().__init__(table, conversion)
        self.supplier = supplier
        self.group_scope = "" if shared_groups else f"{supplier}/"

    def group(self, row: Row, subject: URIRef) -> None:
        cell = self.cell(row, "group")
        group = ID[f"animal-group/{self.group_scope}{slugify(cell.text)}"] if cell.text else None
        self.add(subject, VIC.animalGroup, group, cell)
        if group is not None:
            self.graph.add((group, RDF.type, VIC.AnimalGroup))
            self.graph.add((group, VIC.groupCode, Literal(cell.text)))

    def write_treatment(self, row: Row) -> None:
        treatment = ID[f"treatment/{self.supplier}/{row.number}"]
        self.graph.add((treatment, RDF.type, VIC.VeterinaryTreatment))
        self.add_source(treatment, row)
        self.group(row, treatment)

        date = self.cell(row, "date")
        self.add(treatment, VIC.treatmentDate, typed_literal(date, parse_date, XSD.date), date)
        preparation = self.cell(row, "preparation")
        if preparation.text:
            drug = ID[f"preparation/{slugify(preparation.text)}"]
            self.graph.add((drug, RDF.type, VIC.VeterinaryPreparation))
            self.graph.add((drug, RDFS.label, Literal(preparation.text, lang="ru")))
            self.add(treatment, VIC.preparation, drug, preparation)
        code = self.cell(row, "atcvet")
        self.add(treatment, VIC.atcvetCode, Literal(code.text) if code.text else None, code)
        for key, prop in (
            ("milk_withdrawal", VIC.milkWithdrawalDays),
            ("meat_withdrawal", VIC.meatWithdrawalDays),
        ):
            cell = self.cell(row, key)
            self.add(treatment, prop, typed_literal(cell, parse_integer, XSD.integer), cell)

    def write_delivery(self, row: Row) -> None:
        delivery = ID[f"delivery/{self.supplier}/{row.number}"]
        self.graph.add((delivery, RDF.type, VIC.MilkDelivery))
        self.add_source(delivery, row)
        self.group(row, delivery)

        date = self.cell(row, "date")
        self.add(delivery, VIC.deliveryDate, typed_literal(date, parse_date, XSD.date), date)
        volume = self.cell(row, "volume")
        self.add(
            delivery, VIC.volumeLitres, typed_literal(volume, parse_decimal, XSD.decimal), volume
        )
        recipient = self.cell(row, "recipient")
        self.add(
            delivery,
            VIC.recipient,
            member_iri(recipient.text) if recipient.text else None,
            recipient,
        )


def convert_treatments(
    table: Table, supplier: str, shared_groups: bool, conversion: Conversion
) -> None:
    """Add the log's treatments to ``conversion``."""
    writer = VeterinaryWriter(table, conversion, supplier, shared_groups)
    for row in table.rows:
        writer.write_treatment(row)


def convert_deliveries(
    table: Table, supplier: str, shared_groups: bool, conversion: Conversion
) -> None:
    """Add the log's milk deliveries to ``conversion``."""
    writer = VeterinaryWriter(table, conversion, supplier, shared_groups)
    for row in table.rows:
        writer.write_delivery(row)
