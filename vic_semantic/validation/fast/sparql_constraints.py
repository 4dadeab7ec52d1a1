"""Rewriting SHACL-SPARQL queries (sh:sparql constraints and validators) for this engine.

SHACL pre-binds ``$this`` to one focus node at a time. When the query's WHERE clause is one
flat group (any ``{`` opens an EXISTS block), joining it with the graph of all
focus nodes gives the same solutions as pre-binding each node, so the query runs once for
all of them. Any other query (subqueries, UNION, OPTIONAL and nested groups, where a
pre-bound ``$this`` and a joined one differ) runs once per focus node, with a clause that
binds ``$this`` (see ``prebinding``) written at the start of every group of the WHERE
clause: SHACL's pre-binding substitutes the node everywhere, so ``bound($this)`` holds in
nested groups too. The other pre-bound variables (``$shapesGraph``, ``$currentShape`` and
the parameters of a constraint component) have one value per query, which the same kind of
clause binds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from vic_semantic.validation.fast.anti_join import not_exists_as_minus
from vic_semantic.validation.fast.shapes import ShaclFailure, UnsupportedShapes

_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.DOTALL,
)
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_SELECT = re.compile(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?", re.IGNORECASE)
_BRACE_OPENERS = re.compile(r"\bEXISTS\s*$", re.IGNORECASE)
_ASK = re.compile(r"\bASK\b", re.IGNORECASE)
# SHACL-SPARQL forbids these in constraints, because pre-binding is undefined for them.
_FORBIDDEN = re.compile(r"(?<![\w:?$])(MINUS|SERVICE|VALUES)\b", re.IGNORECASE)
# The variables SHACL may pre-bind in every SHACL-SPARQL query; none may be bound by AS.
PREBOUND = frozenset({"this", "shapesGraph", "currentShape"})

# The placeholder for the clause that pre-binds the variables, in a per-node query.
_BINDINGS = "\x00bindings\x00"
# The named graph of the store that contains the shapes graph, which $shapesGraph names.
SHAPES_GRAPH = "urn:vic-fast:shapes-graph"
_GRAPH_VARIABLES = re.compile(r"[?$](shapesGraph|currentShape)\b")
# ?this as the subject of a triple pattern: then every solution binds it without the join.
_THIS_SUBJECT = re.compile(r"\?this\s+(<|\?|\(|\^|a\b|[A-Za-z_][\w.-]*:)")
_SUBSELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)


@dataclass(frozen=True)
class PreparedConstraint:
    """A SELECT query of a SPARQL constraint or validator, ready to run.

    A ``bulk`` query runs once for all focus nodes: ``query`` joins its WHERE clause with the
    focus set, and ``free_query`` is the same without the join, whose solutions with a
    ``?this`` in the set are the same, because the WHERE clause is one flat group. Any other
    query runs once per focus node, with the clause of ``prebound``.
    """

    node: Node
    query: str
    bulk: bool
    free_query: str | None = None

    def prebound(self, clause: str) -> str:
        """Return the query with ``clause`` (pre-binding ``$this`` and more) in every group."""
        assert not self.bulk
        return self.query.replace(_BINDINGS, clause)


@dataclass(frozen=True)
class PreparedAsk:
    """An ASK validator: its group pattern, and whether it runs as FILTER NOT EXISTS.

    A ``flat`` pattern (triple patterns, FILTERs and EXISTS blocks) runs for all value nodes
    at once as ``FILTER NOT EXISTS { pattern }``, because SPARQL substitutes the outer
    solution's ``?this``, ``?value`` and parameters into it as pre-binding would. Any other
    pattern runs once per value node, with the clause of ``prebound``.
    """

    node: Node
    prefixes: str
    pattern: str
    flat: bool
    query: str

    def prebound(self, clause: str) -> str:
        """Return the ASK query with ``clause`` (pre-binding the variables) in every group."""
        return self.query.replace(_BINDINGS, clause)


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


def _check_allowed(masked: str, node: Node, prebound: frozenset[str]) -> None:
    """Raise ShaclFailure for a query that SHACL-SPARQL does not allow.

    Besides MINUS, SERVICE, VALUES and rebinding a ``prebound`` variable by AS, every
    subquery must project ``$this`` by name, because ``SELECT *`` does not count as
    selecting it.
    """
    # Strings and IRIs are masked already, so each "#" left starts a comment.
    masked = re.sub(r"#[^\n]*", "", masked)
    names = "|".join(re.escape(name) for name in sorted(prebound))
    rebinding = re.compile(rf"\bAS\s+\?({names})\b", re.IGNORECASE)
    forbidden = _FORBIDDEN.search(masked) or rebinding.search(masked)
    if forbidden is not None:
        raise ShaclFailure(
            f"SPARQL-запрос {node} использует «{forbidden.group(0)}», "
            "что SHACL-SPARQL запрещает; перепишите запрос без этого.",
            f"The SPARQL query {node} uses '{forbidden.group(0)}', which "
            "SHACL-SPARQL does not allow; rewrite the query without it.",
        )
    for select in list(_SELECT.finditer(masked))[1:]:
        head = masked[select.end() : masked.find("{", select.end())]
        if head.strip().startswith("*") or not re.search(r"\?this\b", head):
            raise ShaclFailure(
                f"Вложенный SELECT в SPARQL-запросе {node} не выбирает $this по "
                "имени; добавьте $this в список переменных.",
                f"A nested SELECT in the SPARQL query {node} does not select "
                "$this by name; add $this to its variables.",
            )


def uses_shapes_graph(query: str) -> bool:
    """Return whether a SHACL-SPARQL query's text uses ``$shapesGraph``."""
    return re.search(r"[?$]shapesGraph\b", query) is not None


def graph_variables(query: str) -> set[str]:
    """Return which of ``shapesGraph`` and ``currentShape`` a query's text uses."""
    return set(_GRAPH_VARIABLES.findall(_masked(query)))


def _variables_text(query: str, path_sparql: str | None) -> str:
    """Return ``query`` with ``$PATH`` written out and every ``$name`` written ``?name``."""
    if path_sparql is not None:
        query = re.sub(r"\$PATH\b", path_sparql, query)
    return re.sub(r"\$(\w+)", r"?\1", query)


def prepare(
    graph: Graph,
    node: Node,
    path_sparql: str | None,
    focus_pattern: str,
    constants: str = "",
    prebound: frozenset[str] = PREBOUND,
) -> PreparedConstraint:
    """Return the sh:select query of ``node`` with ``$PATH`` and the pre-bound variables in.

    ``constants`` is the clause binding the pre-bound variables other than ``$this``: a
    bulk query gets it once, a per-node query gets it with ``$this`` in every group.
    Raises ShaclFailure for a query that SHACL-SPARQL does not allow.
    """
    text = _variables_text(str(graph.value(node, SH.select)), path_sparql)
    prefixes = _prefixes(graph, node)
    masked = _masked(text)
    _check_allowed(masked, node, prebound)
    text = _project_this(text, masked)
    masked = _masked(text)
    brace = _where_brace(masked)
    if brace < 0:
        raise UnsupportedShapes(f"the SPARQL query {node} has no WHERE clause")
    if not _is_flat(masked, brace):
        template = _with_values(text, masked, brace, _BINDINGS)
        return PreparedConstraint(node, f"{prefixes}\n{template}", bulk=False)

    if constants:
        text = f"{text[: brace + 1]} {constants} {text[brace + 1 :]}"
        masked = _masked(text)
    # Without the join, a ?this that no pattern binds would be unbound in every solution.
    binds_this = _THIS_SUBJECT.search(_top_level(masked, brace)) is not None
    text = not_exists_as_minus(text, masked, brace)
    joined = text[: brace + 1] + f" {focus_pattern} " + text[brace + 1 :]
    return PreparedConstraint(
        node,
        f"{prefixes}\n{joined}",
        bulk=True,
        free_query=f"{prefixes}\n{text}" if binds_this else None,
    )


def prepare_ask(
    graph: Graph, node: Node, path_sparql: str | None, prebound: frozenset[str]
) -> PreparedAsk:
    """Return the sh:ask query of the validator ``node``, ready to run.

    Raises ShaclFailure for a query that SHACL-SPARQL does not allow.
    """
    text = _variables_text(str(graph.value(node, SH.ask)), path_sparql)
    masked = _masked(text)
    _check_allowed(masked, node, prebound)
    ask = _ASK.search(masked)
    brace = -1 if ask is None else masked.find("{", ask.end())
    end = masked.rfind("}")
    if brace < 0 or end < brace:
        raise UnsupportedShapes(f"the SPARQL ASK query {node} has no group pattern")
    prefixes = _prefixes(graph, node)
    return PreparedAsk(
        node,
        prefixes=prefixes,
        pattern=text[brace + 1 : end],
        flat=_is_flat(masked, brace),
        query=f"{prefixes}\n{_with_values(text, masked, brace, _BINDINGS)}",
    )
