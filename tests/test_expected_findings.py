"""The validation report on the sample member files holds exactly the expected findings.

The expected findings are read from the tables of catalogues/EXPECTED.md in the shared
folder: one table per file, one finding per row (row, field, value, finding, severity).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from vic_semantic.catalogues.convert import convert_tables
from vic_semantic.catalogues.readers import read_table
from vic_semantic.validation import ValidationReport, validate_files
from vic_semantic.validation.engine import default_ontology

SAMPLE_FILES = (
    "dairy-plant-1c-export.csv",
    "meat-plant-price-list.xlsx",
    "ice-cream-shop-api.json",
    "farm-vet-treatments.csv",
    "farm-milk-deliveries.csv",
    "cluster-members.csv",
)

Finding = tuple[str, int, str, str, object]


def comparable(value: str) -> object:
    """Return a number for a numeric value ("-95.0" equals "-95", "8,2" equals 8.2)."""
    try:
        return Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return value.strip()


def expected_findings(markdown: str) -> set[Finding]:
    findings: set[Finding] = set()
    file_name = None
    for line in markdown.splitlines():
        heading = re.match(r"## (\S+)", line)
        if heading:
            file_name = heading.group(1)
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if file_name and len(cells) == 5 and cells[0].isdigit():
            row, field, value, _, severity = cells
            findings.add((file_name, int(row), field, severity, comparable(value)))
    return findings


def reported_findings(report: ValidationReport) -> set[Finding]:
    return {
        (r.file or "", r.row or 0, r.column or "", r.severity, comparable(r.written or ""))
        for r in report.results
    }


def sample_files(shared: Path, names: tuple[str, ...] = SAMPLE_FILES) -> list[tuple[str, bytes]]:
    return [(name, (shared / "catalogues" / name).read_bytes()) for name in names]


@pytest.fixture(scope="module")
def report(shared: Path) -> ValidationReport:
    return validate_files(sample_files(shared))


@pytest.fixture(scope="module")
def expected(shared: Path) -> set[Finding]:
    return expected_findings((shared / "catalogues" / "EXPECTED.md").read_text(encoding="utf-8"))


def test_expected_table_parsed(expected: set[Finding]) -> None:
    assert len(expected) == 26
    assert {f[0] for f in expected} == set(SAMPLE_FILES)


@pytest.mark.parametrize("file_name", SAMPLE_FILES)
def test_file_findings_exact(
    report: ValidationReport, expected: set[Finding], file_name: str
) -> None:
    wanted = {f for f in expected if f[0] == file_name}
    got = {f for f in reported_findings(report) if f[0] == file_name}
    assert got - wanted == set(), "reported but not expected"
    assert wanted - got == set(), "expected but not reported"


def test_nothing_reported_outside_files(report: ValidationReport) -> None:
    assert all(result.file in SAMPLE_FILES for result in report.results)
    assert len(report.results) == 26


def test_warnings_do_not_break_conformance(report: ValidationReport) -> None:
    assert report.conforms is False
    assert len(report.violations) == 24


def test_message_names_row_field_value(report: ValidationReport) -> None:
    gtin = next(r for r in report.results if r.row == 5 and r.column == "Штрихкод")
    assert gtin.message("ru") == (
        "Строка 5, «Штрихкод» = «9520001000051»: неверная контрольная цифра GTIN (ожидается 8)"
    )
    assert gtin.message("en").startswith('Row 5, "Штрихкод" = "9520001000051": invalid GTIN')


def test_withdrawal_message_states_days(report: ValidationReport) -> None:
    late = next(r for r in report.results if r.file == "farm-milk-deliveries.csv" and r.row == 6)
    assert "Г-03" in late.message_ru
    assert "через 5 сут." in late.message_ru
    assert "30 сут." in late.message_ru
    assert "delivered 5 days after treatment" in late.message_en
    assert "period is 30 days" in late.message_en


def test_deliveries_alone_lack_treatments(shared: Path) -> None:
    alone = validate_files(sample_files(shared, ("farm-milk-deliveries.csv",)))
    assert len(alone.results) == 1
    notice = alone.results[0]
    assert notice.severity == "Warning"
    assert notice.file == "farm-milk-deliveries.csv"
    assert "withdrawal check was skipped" in notice.message_en
    assert "treatment log" in notice.message_en
    assert alone.conforms is True


def test_deliveries_with_stored_treatments(shared: Path) -> None:
    treatments = validate_files(sample_files(shared, ("farm-vet-treatments.csv",)))
    stored = convert_tables(
        [read_table(n, d) for n, d in sample_files(shared, ("farm-vet-treatments.csv",))],
        default_ontology(),
        "ferma-1",
    ).graph

    checked = validate_files(
        sample_files(shared, ("farm-milk-deliveries.csv",)),
        member_slug="ferma-1",
        stored_treatments=stored,
    )

    assert [r.row for r in checked.results] == [2, 4, 6]
    assert all(r.file == "farm-milk-deliveries.csv" for r in checked.results)
    assert checked.conforms is False
    assert len(treatments.violations) == 1


def test_json_report_in_english(report: ValidationReport) -> None:
    data = report.to_json("en")
    results = data["results"]
    assert isinstance(results, list)
    first = results[0]
    assert set(first) == {
        "severity",
        "message",
        "focusNode",
        "path",
        "value",
        "file",
        "row",
        "column",
    }
    unit = next(r for r in results if r["column"] == "net.unit")
    assert unit["value"] == "pcs"
    assert unit["path"] == "vic:netContent/vic:unit"
    assert unit["message"].startswith('Row 8, "net.unit" = "pcs": the net content unit')


def test_turtle_report_parses(report: ValidationReport) -> None:
    graph = Graph().parse(data=report.to_turtle(), format="turtle")
    assert len(set(graph.subjects(None, SH.ValidationResult))) == 26
