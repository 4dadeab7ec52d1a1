"""The ``vic-semantic map`` command: map member files offline and print the report."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table as RichTable

from vic_semantic.errors import VicError

# Files with fewer rows than this are mapped in well under a second, so they get no bar.
PROGRESS_MIN_ROWS = 5000


class MapFormat(StrEnum):
    json = "json"
    sssom = "sssom"
    table = "table"


def map_command(
    files: Annotated[list[Path], typer.Argument(help="Member product files (CSV, XLSX, JSON).")],
    output: Annotated[MapFormat, typer.Option("--format", help="Report format.")] = (
        MapFormat.table
    ),
) -> None:
    """Map product names and codes onto the ontology's classes; exit code 2 on a bad file."""
    from vic_semantic.catalogues.readers import read_table
    from vic_semantic.catalogues.table import FileKind
    from vic_semantic.config import Settings
    from vic_semantic.mapping.report import map_table
    from vic_semantic.validation.engine import default_ontology

    console = Console(stderr=True)
    ontology = default_ontology()
    reports = []
    for path in files:
        try:
            table = read_table(path.name, path.read_bytes(), Settings().read_limits)
        except (OSError, VicError) as error:
            message = error.message("ru") if isinstance(error, VicError) else str(error)
            console.print(f"[red]{message}[/red]")
            raise typer.Exit(code=2) from error
        if table.kind is not FileKind.PRODUCTS:
            console.print(
                f"[yellow]{path.name}: это файл вида «{table.kind}», а не список продукции; "
                f"сопоставлять нечего. / This is a {table.kind} file, not a product list; "
                "nothing to map.[/yellow]"
            )
        # The bar shows on a terminal only, and for short files it would vanish unseen.
        # map_table reports every 1,000 rows, so the bar costs nothing per row.
        with Progress(
            console=console, transient=True, disable=len(table.rows) < PROGRESS_MIN_ROWS
        ) as progress:
            task = progress.add_task(path.name, total=len(table.rows))
            report = map_table(table, ontology, progress=partial(progress.advance, task))
        reports.append(report)

    if output is MapFormat.json:
        data = [r.to_json(ontology) for r in reports]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif output is MapFormat.sssom:
        for report in reports:
            sys.stdout.write(report.to_sssom(ontology))
    else:
        _print_tables(reports, ontology)


def _print_tables(reports: list, ontology: object) -> None:  # type: ignore[type-arg]
    console = Console()
    for report in reports:
        table = RichTable(title=f"{report.file}: {report.counts()}")
        for column in ("row", "name", "status", "class", "confidence", "findings"):
            table.add_column(column)
        for row in report.rows:
            d = row.decision
            table.add_row(
                str(row.row),
                row.name,
                d.status,
                str(d.cls).rsplit("/", 1)[-1] if d.cls else "—",
                f"{d.confidence:.2f}",
                ", ".join(f["kind"] for f in d.findings),
            )
        console.print(table)
