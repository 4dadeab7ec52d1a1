"""SHACL validation of data graphs and member files; see ``engine`` for the entry points."""

from vic_semantic.validation.engine import validate_files, validate_graph
from vic_semantic.validation.fast import ShaclFailure
from vic_semantic.validation.report import ValidationReport, ValidationResult
from vic_semantic.validation.shapes import load_shapes_graph

__all__ = [
    "ShaclFailure",
    "ValidationReport",
    "ValidationResult",
    "load_shapes_graph",
    "validate_files",
    "validate_graph",
]
