"""The validation report as an HTML page a person reads: results grouped by file and row."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from vic_semantic.validation.report import ValidationReport, ValidationResult

_TEXT = {
    "ru": {
        "title": "Отчёт о проверке данных",
        "conforms": "Данные соответствуют требованиям.",
        "fails": "Данные не соответствуют требованиям: нарушений — {violations}, "
        "предупреждений — {warnings}.",
        "no_file": "Без привязки к файлу",
        "row": "Строка {row}",
        "no_row": "Без строки",
        "severity": "Важность",
        "column": "Столбец",
        "value": "Значение",
        "message": "Сообщение",
        "Violation": "нарушение",
        "Warning": "предупреждение",
        "Info": "сведения",
        "empty": "(пусто)",
    },
    "en": {
        "title": "Data validation report",
        "conforms": "The data conforms.",
        "fails": "The data does not conform: {violations} violations, {warnings} warnings.",
        "no_file": "Not tied to a file",
        "row": "Row {row}",
        "no_row": "No row",
        "severity": "Severity",
        "column": "Column",
        "value": "Value",
        "message": "Message",
        "Violation": "violation",
        "Warning": "warning",
        "Info": "info",
        "empty": "(empty)",
    },
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1rem}"
    "th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    ".Violation{color:#a00}.Warning{color:#a60}code{background:#f4f4f4}"
)


def _grouped(
    results: tuple[ValidationResult, ...],
) -> dict[str | None, dict[int | None, list[ValidationResult]]]:
    grouped: dict[str | None, dict[int | None, list[ValidationResult]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for result in results:
        grouped[result.file][result.row].append(result)
    return grouped


def _value(result: ValidationResult, text: dict[str, str]) -> str:
    shown = result.written if result.written is not None else result.value
    if shown is None:
        return ""
    return f"<code>{escape(shown)}</code>" if shown else escape(text["empty"])


def _row_table(results: list[ValidationResult], lang: str, text: dict[str, str]) -> str:
    head = "".join(
        f"<th>{escape(text[key])}</th>" for key in ("severity", "column", "value", "message")
    )
    rows = [
        f'<tr class="{escape(r.severity)}"><td>{escape(text.get(r.severity, r.severity))}</td>'
        f"<td>{escape(r.column or r.path or '')}</td><td>{_value(r, text)}</td>"
        f"<td>{escape(r.message(lang))}</td></tr>"
        for r in results
    ]
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_html(report: ValidationReport, lang: str = "ru") -> str:
    """Return the report as a standalone HTML page in Russian ("ru") or English ("en")."""
    text = _TEXT["en" if lang == "en" else "ru"]
    warnings = len(report.results) - len(report.violations)
    summary = (
        text["conforms"]
        if report.conforms and not report.results
        else text["fails" if not report.conforms else "conforms"].format(
            violations=len(report.violations), warnings=warnings
        )
    )
    sections = []
    for file, rows in _grouped(report.results).items():
        sections.append(f"<h2>{escape(file or text['no_file'])}</h2>")
        for row, results in sorted(rows.items(), key=lambda item: item[0] or 0):
            heading = text["row"].format(row=row) if row is not None else text["no_row"]
            sections.append(f"<h3>{escape(heading)}</h3>{_row_table(results, lang, text)}")
    return (
        f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "ru"}"><head>'
        f'<meta charset="utf-8"><title>{escape(text["title"])}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(text['title'])}</h1>"
        f"<p>{escape(summary)}</p>{''.join(sections)}</body></html>"
    )
