"""Rewriting SHACL-SPARQL constraints (sh:sparql with sh:select) into queries of this engine.

SHACL pre-binds ``$this`` to one focus node at a time. When the query's WHERE clause is one
flat group (any ``{`` opens an EXISTS block), joining it with the graph of all
focus nodes gives the same solutions as pre-binding each node, so the query runs once for
all of them. Any other query (subqueries, UNION, OPTIONAL and nested groups, where a
pre-bound ``$this`` and a joined one differ) runs once per focus node, with
``VALUES ?this { node }`` written at the start of every group of the WHERE clause: SHACL's
pre-binding substitutes the node everywhere, so ``bound($this)`` holds in nested groups too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import BNode, Graph
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from vic_semantic.validation.fast.anti_join import not_exists_as_minus
from vic_semantic.validation.fast.shapes import ShaclFailure, UnsupportedShapes
from vic_semantic.validation.fast.terms import sparql_term

_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.DOTALL,
)
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_SELECT = re.compile(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?", re.IGNORECASE)
_BRACE_OPENERS = re.compile(r"\bEXISTS\s*$", re.IGNORECASE)
# SHACL-SPARQL forbids these in constraints, because pre-binding is undefined for them.
_FORBIDDEN = re.compile(r"(?<![\w:?$])(MINUS|SERVICE|VALUES)\b", re.IGNORECASE)
# The variables SHACL may pre-bind in an sh:sparql constraint; none may be bound by AS.
_REBINDING = re.compile(r"\bAS\s+\?(this|shapesGraph|currentShape)\b", re.IGNORECASE)


_PREBOUND = "\x00this\x00"
_THIS_VALUES = f"VALUES ?this {{ {_PREBOUND} }}"
# The named graph of the store that contains the shapes graph, which $shapesGraph names.
SHAPES_GRAPH = "urn:vic-fast:shapes-graph"
_GRAPH_VARIABLES = re.compile(r"\?(shapesGraph|currentShape)\b")
# ?this as the subject of a triple pattern: then every solution binds it without the join.
_THIS_SUBJECT = re.compile(r"\?this\s+(<|\?|\(|\^|a\b|[A-Za-z_][\w.-]*:)")
_SUBSELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)


@dataclass(frozen=True)
class PreparedConstraint:
    """A SPARQL constraint ready to run: its query text and whether it runs for all nodes.

    ``free_query`` is the bulk query without the join on the focus set: its solutions with a
    ``?this`` in the set are the same, because the WHERE clause is one flat group.
    """

    node: Node
    query: str
    bulk: bool
    free_query: str | None = None
    prebound_template: str | None = None

    def prebound(self, term: str) -> str:
        """Return the query with ``$this`` pre-bound to ``term``, a SPARQL IRI or literal."""
        assert self.prebound_template is not None
        return self.prebound_template.replace(_PREBOUND, term)


def _prefix_nodes(graph: Graph, constraint: Node) -> set[Node]:
    """Return the constraint's sh:prefixes nodes and the ontologies they owl:imports, since
    SHACL-SPARQL declares the prefixes of imported ontologies too."""
    found: set[Node] = set()
    pending = list(graph.objects(constraint, SH.prefixes))
    while pending:
        node = pending.pop()
        if node not in found:
            found.add(node)
            pending.extend(graph.objects(node, OWL.imports))
    return found


def _prefixes(graph: Graph, constraint: Node) -> str:
    declarations = []
    for prefixes in _prefix_nodes(graph, constraint):
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


def _with_values(text: str, masked: str, where_start: int, values: str) -> str:
    """Return ``text`` with ``values`` (VALUES clauses) written at the start of every group.

    A group that is a subquery gets it inside the subquery's own WHERE clause, because
    ``{ SELECT … }`` admits nothing else.
    """
    parts = [text[:where_start]]
    start = where_start
    for index in range(where_start, len(masked)):
        if masked[index] != "{" or _SUBSELECT.match(masked, index + 1):
            continue
        parts.append(text[start : index + 1])
        parts.append(f" {values} ")
        start = index + 1
    parts.append(text[start:])
    return "".join(parts)


def _top_level(masked: str, where_start: int) -> str:
    """Return the WHERE clause's text outside its nested groups and EXISTS blocks."""
    depth = 0
    kept = []
    for character in masked[where_start + 1 :]:
        if character == "{":
            depth += 1
        elif character == "}":
            depth -= 1
        elif depth == 0:
            kept.append(character)
    return "".join(kept)


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


def _check_allowed(masked: str, constraint: Node) -> None:
    """Raise ShaclFailure for a query that SHACL-SPARQL does not allow in a constraint.

    Besides MINUS, SERVICE, VALUES and rebinding by AS, every subquery must project
    ``$this`` by name, because ``SELECT *`` does not count as selecting it.
    """
    # Strings and IRIs are masked already, so each "#" left starts a comment.
    masked = re.sub(r"#[^\n]*", "", masked)
    forbidden = _FORBIDDEN.search(masked) or _REBINDING.search(masked)
    if forbidden is not None:
        raise ShaclFailure(
            f"SPARQL-ограничение {constraint} использует «{forbidden.group(0)}», "
            "что SHACL-SPARQL запрещает; перепишите запрос без этого.",
            f"The SPARQL constraint {constraint} uses '{forbidden.group(0)}', which "
            "SHACL-SPARQL does not allow; rewrite the query without it.",
        )
    for select in list(_SELECT.finditer(masked))[1:]:
        head = masked[select.end() : masked.find("{", select.end())]
        if head.strip().startswith("*") or not re.search(r"\?this\b", head):
            raise ShaclFailure(
                f"Вложенный SELECT в SPARQL-ограничении {constraint} не выбирает $this по "
                "имени; добавьте $this в список переменных.",
                f"A nested SELECT in the SPARQL constraint {constraint} does not select "
                "$this by name; add $this to its variables.",
            )


def uses_shapes_graph(query: str) -> bool:
    """Return whether a SPARQL constraint's text uses ``$shapesGraph``."""
    return re.search(r"[?$]shapesGraph\b", query) is not None


def _graph_values(masked: str, constraint: Node, current_shape: Node) -> str | None:
    """Return the VALUES clause pre-binding ``$shapesGraph`` and ``$currentShape``, if used."""
    used = sorted(set(_GRAPH_VARIABLES.findall(masked)))
    if not used:
        return None
    terms = {"shapesGraph": f"<{SHAPES_GRAPH}>"}
    if "currentShape" in used:
        if isinstance(current_shape, BNode):
            raise UnsupportedShapes(
                f"the SPARQL constraint {constraint} uses $currentShape of a blank node shape"
            )
        terms["currentShape"] = sparql_term(current_shape)
    variables = " ".join(f"?{name}" for name in used)
    values = " ".join(terms[name] for name in used)
    return f"VALUES ({variables}) {{ ({values}) }}"


def prepare(
    graph: Graph,
    constraint: Node,
    path_sparql: str | None,
    focus_pattern: str,
    current_shape: Node,
) -> PreparedConstraint:
    """Return the constraint's query with ``$PATH`` and ``$this`` written in.

    A query using ``$shapesGraph`` or ``$currentShape`` runs once per focus node with both
    pre-bound, the first to SHAPES_GRAPH. Raises ShaclFailure for a query that SHACL-SPARQL
    does not allow in a constraint.
    """
    text = str(graph.value(constraint, SH.select))
    if path_sparql is not None:
        text = re.sub(r"\$PATH\b", path_sparql, text)
    text = re.sub(r"\$(\w+)", r"?\1", text)
    prefixes = _prefixes(graph, constraint)
    masked = _masked(text)
    _check_allowed(masked, constraint)
    text = _project_this(text, masked)
    masked = _masked(text)
    brace = _where_brace(masked)
    graph_values = _graph_values(masked, constraint, current_shape)
    if graph_values is not None and brace >= 0:
        query = _with_values(text, masked, brace, graph_values)
        with_this = _with_values(text, masked, brace, f"{_THIS_VALUES} {graph_values}")
        return PreparedConstraint(
            constraint,
            f"{prefixes}\n{query}",
            bulk=False,
            prebound_template=f"{prefixes}\n{with_this}",
        )
    if brace < 0 or not _is_flat(masked, brace):
        template = None if brace < 0 else _with_values(text, masked, brace, _THIS_VALUES)
        return PreparedConstraint(
            constraint,
            f"{prefixes}\n{text}",
            bulk=False,
            prebound_template=None if template is None else f"{prefixes}\n{template}",
        )
    # Without the join, a ?this that no pattern binds would be unbound in every solution.
    binds_this = _THIS_SUBJECT.search(_top_level(masked, brace)) is not None
    text = not_exists_as_minus(text, masked, brace)
    joined = text[: brace + 1] + f" {focus_pattern} " + text[brace + 1 :]
    return PreparedConstraint(
        constraint,
        f"{prefixes}\n{joined}",
        bulk=True,
        free_query=f"{prefixes}\n{text}" if binds_this else None,
    )
