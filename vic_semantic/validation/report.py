"""The validation report: SHACL results with the file, row and column they point to."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with ``file``, ``row``, ``column`` and ``written`` from provenance.

    ``value`` is the RDF value the shape saw. ``written`` is the cell as the member wrote it
    ("" for an empty cell), or None when the result has no known source cell.
    """

    severity: str
    message_ru: str
    message_en: str
    focus_node: str
    path: str | None
    value: str | None
    source_shape: str
    constraint_component: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    written: str | None = None

    def message(self, lang: str = "ru") -> str:
        """Return the message in ``lang`` ("en" or "ru"; anything else gives Russian)."""
        return self.message_en if lang == "en" else self.message_ru

    def to_json(self, lang: str = "ru") -> dict[str, object]:
        return {
            "severity": self.severity,
            "message": self.message(lang),
            "focusNode": self.focus_node,
            "path": self.path,
            "value": self.written if self.written is not None else self.value,
            "file": self.file,
            "row": self.row,
            "column": self.column,
        }


def _sort_key(result: ValidationResult) -> tuple[str, int, str, int, str]:
    return (
        result.file or "",
        result.row or 0,
        result.column or "",
        SEVERITY_ORDER.get(result.severity, 3),
        result.message_en,
    )


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one data graph or one request's files.

    ``conforms`` is true when no result has severity Violation; warnings and infos are
    listed but do not make the data non-conforming.
    """

    conforms: bool
    results: tuple[ValidationResult, ...]
    results_graph: Graph = field(repr=False, compare=False)
    lang: str = "ru"

    def __post_init__(self) -> None:
        object.__setattr__(self, "results", tuple(sorted(self.results, key=_sort_key)))

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    def to_json(self, lang: str | None = None) -> dict[str, object]:
        """Return the report as JSON-ready data, with messages in ``lang`` or the report's."""
        chosen = lang or self.lang
        return {
            "conforms": self.conforms,
            "results": [result.to_json(chosen) for result in self.results],
        }

    def to_turtle(self) -> str:
        """Return the sh:ValidationReport as Turtle, as the engine produced it."""
        return self.results_graph.serialize(format="turtle")

    def to_jsonld(self) -> str:
        """Return the sh:ValidationReport as JSON-LD."""
        return self.results_graph.serialize(format="json-ld")
