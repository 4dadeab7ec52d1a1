"""Reading member files for mapping, with an optional saved column profile.

A profile (file header → field key) lets a member use headers the synonym lists do not know
(«Номенклатура»). For CSV files the profile's headers are renamed to the field's standard
header before the file kind is recognised, so such a file reads at all.
NOTE: XLSX and JSON files still need at least the recognisable headers; the profile then
only overrides which column feeds which field.
"""

from __future__ import annotations

import csv
import io

from rdflib import Graph, URIRef

from vic_semantic.catalogues.csv_reader import decode_text, sniff_separator
from vic_semantic.catalogues.errors import UnknownFileKindError
from vic_semantic.catalogues.gc_pause import gc_paused
from vic_semantic.catalogues.grid import HEADER_SEARCH_ROWS, grid_to_table
from vic_semantic.catalogues.headers import PRODUCT_FIELDS, normalise_header
from vic_semantic.catalogues.limits import DEFAULT_LIMITS, ReadLimits
from vic_semantic.catalogues.readers import read_table
from vic_semantic.catalogues.table import CellValue, Table
from vic_semantic.mapping.report import MappingReport, map_table

STANDARD_HEADERS = {field.key: field.synonyms[0] for field in PRODUCT_FIELDS}


def profile_columns(headers: tuple[str, ...], profile: dict[str, str]) -> dict[str, str]:
    """Return field key → header for the file's headers that a profile (header → field) names."""
    wanted = {normalise_header(h): field for h, field in profile.items()}
    return {wanted[normalise_header(h)]: h for h in headers if normalise_header(h) in wanted}


def _read_csv_with_profile(
    file_name: str, data: bytes, profile: dict[str, str], limits: ReadLimits
) -> Table:
    text = decode_text(file_name, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_separator(text))
    wanted = {normalise_header(h): STANDARD_HEADERS.get(f, h) for h, f in profile.items()}
    grid: list[list[CellValue]] = []
    for number, fields in enumerate(reader):
        if number < HEADER_SEARCH_ROWS:
            fields = [wanted.get(normalise_header(cell), cell) for cell in fields]
        grid.append(list(fields))
    return grid_to_table(file_name, grid, limits=limits)


def map_file(
    file_name: str,
    data: bytes,
    ontology: Graph,
    manual: dict[str, URIRef] | None = None,
    profile: dict[str, str] | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> MappingReport:
    """Read one member file and map its product rows; raises the CatalogueError family."""
    try:
        table = read_table(file_name, data, limits, extra_columns=tuple(profile or ()))
    except UnknownFileKindError:
        if not profile or data.startswith(b"PK"):
            raise
        with gc_paused():
            table = _read_csv_with_profile(file_name, data, profile, limits)
        return map_table(table, ontology, manual)
    columns = profile_columns(table.headers, profile) if profile else None
    return map_table(table, ontology, manual, columns)
