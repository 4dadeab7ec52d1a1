"""Rewriting SHACL-SPARQL constraints (sh:sparql with sh:select) into queries of this engine.

SHACL pre-binds ``$this`` to one focus node at a time. When the query's WHERE clause is one
flat group (any ``{`` opens an EXISTS block), joining it with the graph of all
focus nodes gives the same solutions as pre-binding each node, so the query runs once for
all of them. Any other query (subqueries, UNION, OPTIONAL and nested groups, where a
pre-bound ``$this`` and a joined one differ) runs once per focus node with pyoxigraph's
substitution of ``?this``, which follows SPARQL 1.2's pre-binding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph
from rdflib.namespace import SH
from rdflib.term import Node

from vic_semantic.validation.fast.shapes import UnsupportedShapes

_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.DOTALL,
)
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_SELECT = re.compile(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?", re.IGNORECASE)
_BRACE_OPENERS = re.compile(r"\bEXISTS\s*$", re.IGNORECASE)
_VALUES = re.compile(r"\bVALUES\b", re.IGNORECASE)


@dataclass(frozen=True)
class PreparedConstraint:
    """A SPARQL constraint ready to run: its query text and whether it runs for all nodes."""

    node: Node
    query: str
    bulk: bool


def _prefixes(graph: Graph, constraint: Node) -> str:
    declarations = []
    for prefixes in graph.objects(constraint, SH.prefixes):
        for declaration in graph.objects(prefixes, SH.declare):
            prefix = graph.value(declaration, SH.prefix)
            namespace = graph.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                declarations.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(declarations)))


def _masked(query: str) -> str:
    """Return ``query`` with strings and IRIs blanked out, positions kept."""
    for pattern in (_STRING, _IRI):
        query = pattern.sub(lambda match: " " * len(match.group(0)), query)
    return query


def _is_flat(masked: str, where_start: int) -> bool:
    depth_openers: list[bool] = []
    for index in range(where_start + 1, len(masked)):
        character = masked[index]
        if character == "{":
            depth_openers.append(bool(_BRACE_OPENERS.search(masked[:index])))
            if not depth_openers[-1]:
                return False
        elif character == "}" and depth_openers:
            depth_openers.pop()
    return True


def _where_brace(masked: str) -> int:
    select = _SELECT.search(masked)
    if select is None:
        return -1
    return masked.find("{", select.end())


def _project_this(query: str, masked: str) -> str:
    """Add ``?this`` to the outer SELECT's projection when it is not there."""
    select = _SELECT.search(masked)
    assert select is not None
    head = masked[select.end() : masked.find("{", select.end())]
    if re.search(r"[?$]this\b", head) or head.strip().startswith("*"):
        return query
    return query[: select.end()] + "?this " + query[select.end() :]


def prepare(
    graph: Graph, constraint: Node, path_sparql: str | None, focus_pattern: str
) -> PreparedConstraint:
    """Return the constraint's query with ``$PATH`` and ``$this`` written in."""
    text = str(graph.value(constraint, SH.select))
    if path_sparql is not None:
        text = re.sub(r"\$PATH\b", path_sparql, text)
    text = re.sub(r"\$(\w+)", r"?\1", text)
    prefixes = _prefixes(graph, constraint)
    masked = _masked(text)
    if _VALUES.search(masked):
        # SHACL-SPARQL forbids VALUES in constraints, because pre-binding is undefined there.
        raise UnsupportedShapes(f"the SPARQL constraint {constraint} contains VALUES")
    text = _project_this(text, masked)
    masked = _masked(text)
    brace = _where_brace(masked)
    bulk = brace >= 0 and _is_flat(masked, brace)
    if bulk:
        text = text[: brace + 1] + f" {focus_pattern} " + text[brace + 1 :]
    return PreparedConstraint(constraint, f"{prefixes}\n{text}", bulk)
