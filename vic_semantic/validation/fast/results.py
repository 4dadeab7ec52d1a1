"""Validation results of the fast engine, and the sh:ValidationReport graph made of them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from vic_semantic.namespaces import PREFIXES

_TEMPLATE_VARIABLE = re.compile(r"\{[?$](\w+)\}")


@dataclass(frozen=True)
class FastResult:
    """One validation result, with rdflib terms as pySHACL reports them."""

    focus: Node
    path: Node | None
    value: Node | None
    shape: Node
    component: URIRef
    severity: URIRef
    messages: tuple[Literal, ...] = ()
    constraint: Node | None = None
    # The focus node of the shape being validated that led to this result: the result's own
    # focus node, or for a result of a nested property shape the node it was reached from.
    origin: Node | None = field(default=None, compare=False)


def fill_template(template: Literal, bindings: Mapping[str, Node]) -> Literal:
    """Return the message with each {?name} or {$name} replaced by its bound value."""

    def replace(match: re.Match[str]) -> str:
        bound = bindings.get(match.group(1))
        return match.group(0) if bound is None else str(bound)

    text = _TEMPLATE_VARIABLE.sub(replace, str(template))
    return Literal(text, lang=template.language)


def _copy_path(path: Node, shapes: Graph, report: Graph) -> None:
    """Copy a complex path's triples, so the report's Turtle shows the whole path."""
    if not isinstance(path, BNode):
        return
    pending = [path]
    seen: set[Node] = set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, value in shapes.predicate_objects(node):
            report.add((node, predicate, value))
            if isinstance(value, BNode):
                pending.append(value)


def report_graph(results: Iterable[FastResult], shapes: Graph) -> tuple[bool, Graph]:
    """Return (conforms, the sh:ValidationReport graph) of ``results``.

    Like pySHACL with allow_warnings, only results of severity sh:Violation make the data
    non-conforming.
    """
    report = Graph()
    for prefix, namespace in PREFIXES.items():
        report.bind(prefix, namespace)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    conforms = True
    for result in results:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, result.focus))
        report.add((node, SH.sourceShape, result.shape))
        report.add((node, SH.sourceConstraintComponent, result.component))
        report.add((node, SH.resultSeverity, result.severity))
        if result.path is not None:
            report.add((node, SH.resultPath, result.path))
            _copy_path(result.path, shapes, report)
        if result.value is not None:
            report.add((node, SH.value, result.value))
        if result.constraint is not None:
            report.add((node, SH.sourceConstraint, result.constraint))
        for message in result.messages:
            report.add((node, SH.resultMessage, message))
        conforms = conforms and result.severity != SH.Violation
    report.add((root, SH.conforms, Literal(conforms)))
    return conforms, report
