"""Reading pySHACL's results graph into ValidationResult objects.

Each result is traced back to the member's cell through the converter's provenance index:
(focus node, path) for a plain path, or (node reached, last predicate) for a sequence path
such as ``vic:netContent/vic:unit``. The message is prefixed with the row, the column and
the value as written, so that it reads on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from vic_semantic.catalogues.conversion import Provenance
from vic_semantic.catalogues.table import Cell
from vic_semantic.namespaces import VIC
from vic_semantic.validation.report import ValidationResult

_TEMPLATE_VARIABLE = re.compile(r"\{[?$]\w+\}")


def _path_predicates(path: Node | None, shapes: Graph) -> list[URIRef]:
    if isinstance(path, URIRef):
        return [path]
    if isinstance(path, BNode) and (path, RDF.first, None) in shapes:
        return [p for p in Collection(shapes, path) if isinstance(p, URIRef)]
    return []


def _source_cell(
    focus: Node | None, predicates: list[URIRef], data: Graph, provenance: Provenance
) -> Cell | None:
    if not isinstance(focus, URIRef) or not predicates:
        return None
    node: Node | None = focus
    for predicate in predicates[:-1]:
        node = data.value(node, predicate) if node is not None else None
    if isinstance(node, URIRef) and (node, predicates[-1]) in provenance:
        return provenance[(node, predicates[-1])]
    return provenance.get((focus, predicates[0]))


def _template_regex(template: str) -> re.Pattern[str]:
    parts = _TEMPLATE_VARIABLE.split(template)
    return re.compile("(?:.*?)".join(re.escape(part) for part in parts), re.DOTALL)


def _templates(shapes: Graph, result: Node, results: Graph) -> list[Literal]:
    sources = [results.value(result, SH.sourceConstraint), results.value(result, SH.sourceShape)]
    return [
        message
        for source in sources
        if source is not None
        for message in shapes.objects(source, SH.message)
        if isinstance(message, Literal)
    ]


def _messages(result: Node, results: Graph, shapes: Graph) -> dict[str, str]:
    """Return the result's messages by language.

    pySHACL drops the language tag of a message whose {?variables} it fills in, so such a
    message gets the language of the shape's template it matches.
    """
    templates = _templates(shapes, result, results)
    by_language: dict[str, str] = {}
    for message in results.objects(result, SH.resultMessage):
        if not isinstance(message, Literal):
            continue
        language = message.language
        if language is None:
            language = next(
                (t.language for t in templates if _template_regex(str(t)).fullmatch(str(message))),
                None,
            )
        by_language.setdefault(language or "", str(message))
    return by_language


def _compact(node: Node | None, shapes: Graph) -> str | None:
    if node is None:
        return None
    predicates = _path_predicates(node, shapes)
    if predicates:
        return "/".join(shapes.namespace_manager.normalizeUri(p) for p in predicates)
    return str(node)


def _located(message_ru: str, message_en: str, cell: Cell | None) -> tuple[str, str]:
    if cell is None:
        return message_ru, message_en
    if cell.is_empty:
        return (
            f"Строка {cell.row}, «{cell.column}» (пусто): {message_ru}",
            f'Row {cell.row}, "{cell.column}" is empty: {message_en}',
        )
    return (
        f"Строка {cell.row}, «{cell.column}» = «{cell.text}»: {message_ru}",
        f'Row {cell.row}, "{cell.column}" = "{cell.text}": {message_en}',
    )


def _fallback_source(focus: Node | None, data: Graph) -> tuple[str | None, int | None]:
    if focus is None:
        return None, None
    file = data.value(focus, VIC.sourceFile)
    row = data.value(focus, VIC.sourceRow)
    return (
        str(file) if file is not None else None,
        int(row.toPython()) if isinstance(row, Literal) else None,
    )


def read_results(
    results: Graph, shapes: Graph, data: Graph, provenance: Provenance
) -> Iterator[ValidationResult]:
    """Yield one ValidationResult per sh:ValidationResult of pySHACL's results graph."""
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        messages = _messages(result, results, shapes)
        fallback = next(iter(messages.values()), "")
        cell = _source_cell(focus, _path_predicates(path, shapes), data, provenance)
        message_ru, message_en = _located(
            messages.get("ru", fallback), messages.get("en", fallback), cell
        )
        file, row = (cell.file, cell.row) if cell else _fallback_source(focus, data)
        yield ValidationResult(
            severity=str(severity).rsplit("#", 1)[-1],
            message_ru=message_ru,
            message_en=message_en,
            focus_node=str(focus),
            path=_compact(path, shapes),
            value=None if value is None else str(value),
            source_shape=str(results.value(result, SH.sourceShape)),
            constraint_component=str(results.value(result, SH.sourceConstraintComponent)),
            file=file,
            row=row,
            column=cell.column if cell else None,
            written=cell.text if cell else None,
        )
