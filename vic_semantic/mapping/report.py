"""The mapping report of one member file, as JSON and as an SSSOM table.

Each product row gets a decision (``decide``) and the attributes its name states, checked
against the fat and net content columns. The SSSOM export follows the SSSOM TSV form: a
YAML header block of "#" lines (curie_map, mapping_set_id, license), then one row per
mapped or ambiguous candidate; an unmapped row points to sssom:NoTermFound.

People open SSSOM files in spreadsheets, which run a cell that starts with =, +, -, @, a tab
or a carriage return as a formula (CSV injection). Such cells get a leading single quote, as
OWASP advises; the JSON report keeps the member's text as it is.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from vic_semantic.catalogues.errors import CellValueError
from vic_semantic.catalogues.gc_pause import gc_paused
from vic_semantic.catalogues.headers import header_unit, match_columns
from vic_semantic.catalogues.normalise import normalise_tnved
from vic_semantic.catalogues.table import CellValue, FileKind, Row, Table
from vic_semantic.mapping.attributes import cross_check, extract_attributes
from vic_semantic.mapping.decide import BROAD, RELATED, Decision, decider
from vic_semantic.namespaces import ID, VIC

SSSOM_COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "comment",
)
CURIE_MAP = {
    "vic": str(VIC),
    "vicd": str(ID),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "sssom": "https://w3id.org/sssom/",
}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
# Rows mapped between two calls of the progress callback of ``map_table``.
PROGRESS_STEP = 1000
# First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RowMapping:
    """One product row: where it is, what it says, and the decision."""

    row: int
    code: str
    name: str
    decision: Decision
    attributes: dict[str, Any]


@dataclass
class MappingReport:
    """The mapping of every product row of one file."""

    file: str
    rows: list[RowMapping] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counter = Counter(r.decision.status for r in self.rows)
        return {status: counter.get(status, 0) for status in ("mapped", "ambiguous", "unmapped")}

    def to_json(self, ontology: Graph) -> dict[str, Any]:
        """Return the report as JSON-ready data, with class labels from ``ontology``."""
        return {
            "file": self.file,
            "counts": self.counts(),
            "rows": [_row_json(r, ontology) for r in self.rows],
        }

    def to_sssom(self, ontology: Graph, member: str | None = None) -> str:
        """Return the report as an SSSOM TSV table with its metadata block."""
        owner = member or "file"
        lines = ["#curie_map:"]
        lines += [f"#  {prefix}: {iri}" for prefix, iri in CURIE_MAP.items()]
        lines.append(f"#mapping_set_id: {ID[f'mapping/{owner}/{_safe(self.file)}']}")
        lines.append(f"#license: {LICENSE}")
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
        writer.writerow(SSSOM_COLUMNS)
        for row in self.rows:
            for record in _sssom_rows(row, ontology, owner):
                writer.writerow([neutralise_formula(cell) for cell in record])
        return "\n".join(lines) + "\n" + buffer.getvalue()


def neutralise_formula(cell: str) -> str:
    """Return ``cell`` with a leading single quote when a spreadsheet would run it as a formula.

    The quote shows in the cell, so a reader sees the member's text with one extra character
    instead of a computed value or a link the spreadsheet follows.
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-._" else "-" for c in text)


def curie(cls: URIRef) -> str:
    """Return ``vic:Name`` for a vic: class IRI, or the IRI itself."""
    text = str(cls)
    return "vic:" + text[len(str(VIC)) :] if text.startswith(str(VIC)) else text


def class_label(cls: URIRef, ontology: Graph, lang: str = "ru") -> str:
    """Return the class's rdfs:label in ``lang``, or its CURIE."""
    for label in ontology.objects(cls, RDFS.label):
        if getattr(label, "language", None) == lang:
            return str(label)
    return curie(cls)


def _row_json(row: RowMapping, ontology: Graph) -> dict[str, Any]:
    d = row.decision
    return {
        "row": row.row,
        "code": row.code,
        "name": row.name,
        "status": d.status,
        "class": curie(d.cls) if d.cls else None,
        "class_label": class_label(d.cls, ontology) if d.cls else None,
        "predicate": d.predicate,
        "justification": d.justification,
        "confidence": round(d.confidence, 3),
        "evidence": d.evidence,
        "candidates": [
            {
                "class": curie(c.cls),
                "label": c.label,
                "confidence": c.confidence,
                "head_covered": c.head_covered,
                "words": list(c.matched_words),
            }
            for c in d.candidates
        ],
        "code_classes": [curie(c) for c in d.code_classes],
        "findings": d.findings,
        "attributes": row.attributes,
    }


def _sssom_rows(row: RowMapping, ontology: Graph, owner: str) -> list[list[str]]:
    d = row.decision
    subject = f"vicd:product/{owner}/{row.code or f'row-{row.row}'}"
    comment = "; ".join(f["kind"] for f in d.findings)
    if d.status == "mapped" and d.cls is not None:
        return [
            [
                subject,
                row.name,
                d.predicate,
                curie(d.cls),
                class_label(d.cls, ontology),
                d.justification,
                f"{d.confidence:.3f}",
                comment,
            ]
        ]
    if d.status == "ambiguous":
        return [
            [
                subject,
                row.name,
                RELATED,
                curie(c.cls),
                class_label(c.cls, ontology),
                d.justification,
                f"{c.confidence:.3f}",
                "ambiguous",
            ]
            for c in d.candidates[:2]
        ]
    return [
        [
            subject,
            row.name,
            RELATED,
            "sssom:NoTermFound",
            "",
            d.justification,
            "0.000",
            comment or "unmapped",
        ]
    ]


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def map_table(
    table: Table,
    ontology: Graph,
    manual: dict[str, URIRef] | None = None,
    columns: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> MappingReport:
    """Map every product row of ``table``; ``manual`` maps member codes to saved classes,
    ``columns`` overrides the header synonyms (field key → header), and ``progress`` is
    called with the number of rows just mapped, every ``PROGRESS_STEP`` rows and at the end."""
    report = MappingReport(table.file_name)
    if table.kind is not FileKind.PRODUCTS:
        return report
    found = match_columns(table.kind, table.headers)
    found.update(columns or {})
    mapper = _RowMapper(found, ontology, manual or {})
    with gc_paused():
        for start in range(0, len(table.rows), PROGRESS_STEP):
            chunk = table.rows[start : start + PROGRESS_STEP]
            report.rows.extend(mapper.map(row) for row in chunk)
            if progress is not None:
                progress(len(chunk))
    return report


def map_row(
    row: Row, columns: dict[str, str], ontology: Graph, manual: dict[str, URIRef]
) -> RowMapping:
    """Map one product row: decision, name attributes and their cross-check."""
    return _RowMapper(columns, ontology, manual).map(row)


_READ_FIELDS = ("name", "sku", "tnved", "okpd2", "fat", "net")


class _RowMapper:
    """The headers, decider and net-content unit of one table, looked up once, not per row."""

    def __init__(self, columns: dict[str, str], ontology: Graph, manual: dict[str, URIRef]) -> None:
        # Field key → header; a field the file lacks looks up None, which no cell has.
        self.headers = {key: columns.get(key) or None for key in _READ_FIELDS}
        self.manual = manual
        self.decider = decider(ontology)
        net_column = columns.get("net")
        self.net_unit = header_unit(net_column) if net_column else None

    def map(self, row: Row) -> RowMapping:
        # Reversed so that, as with Row.get, the first cell under a repeated header wins.
        values: dict[str | None, CellValue] = {c.column: c.value for c in reversed(row.cells)}
        headers = self.headers
        name = _text(values.get(headers["name"]))
        code = _text(values.get(headers["sku"]))
        codes = _codes(values.get(headers["tnved"]), _text(values.get(headers["okpd2"])))
        decision = self.decider.decide(name, codes, self.manual.get(code) if code else None)

        attributes = extract_attributes(name)
        problems = cross_check(
            attributes, values.get(headers["fat"]), values.get(headers["net"]), self.net_unit
        )
        decision.findings.extend(
            {
                "kind": "attribute_mismatch",
                "field": p.field,
                "in_name": p.in_name,
                "in_column": p.in_column,
            }
            for p in problems
        )
        shown = {
            "fat": str(attributes.fat) if attributes.fat is not None else None,
            "net": f"{attributes.net.value} {attributes.net.unit}" if attributes.net else None,
            "heat_treatment": (
                curie(attributes.heat_treatment) if attributes.heat_treatment else None
            ),
        }
        return RowMapping(row.number, code, name, decision, shown)


def _codes(tnved_cell: CellValue, okpd2: str) -> dict[str, str]:
    codes = {}
    try:
        tnved = normalise_tnved(tnved_cell)
    except CellValueError:
        tnved = None
    if tnved:
        codes["tnved"] = tnved
    if okpd2:
        codes["okpd2"] = okpd2
    return codes


__all__ = ["BROAD", "MappingReport", "RowMapping", "map_row", "map_table", "neutralise_formula"]
