"""The evaluator: focus-node sets in a pyoxigraph store, and shapes validated against them."""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
from rdflib import URIRef

from vic_semantic.validation.fast.datatypes import decoded
from vic_semantic.validation.fast.prebinding import BindingWriter
from vic_semantic.validation.fast.results import FastResult
from vic_semantic.validation.fast.shapes import Shape, ShapesGraph, UnsupportedShapes
from vic_semantic.validation.fast.terms import OxTerm, TermMap

logger = logging.getLogger(__name__)

_SET = ox.NamedNode("urn:vic-fast:set")
_MEMBER = ox.NamedNode("urn:vic-fast:member")
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# Nested shapes (sh:node, sh:property, sh:and, …) deeper than this are taken as recursive,
# which SHACL leaves undefined.
MAX_DEPTH = 32
# Threads that validate the property shapes of one node shape; each runs one query at a time.
WORKERS = os.cpu_count() or 1
# Focus sets of at least this many nodes are joined in Python (see Evaluator.focus_rows).
LARGE_SET = 1000


class FocusSet:
    """Focus nodes written to their own named graph, so a query can join on ``pattern``.

    A set filled by a SPARQL update keeps its nodes in the store. ``nodes`` reads them into
    Python only when a constraint needs them, because converting 100,000 result rows to
    Python objects took longer than the constraints themselves.
    """

    def __init__(
        self, store: ox.Store, graph: ox.NamedNode, nodes: tuple[OxTerm, ...] | None = None
    ) -> None:
        self.store = store
        self.graph = graph
        self._nodes = nodes
        self._members: frozenset[OxTerm] | None = None

    @property
    def pattern(self) -> str:
        return f"GRAPH <{self.graph.value}> {{ <{_SET.value}> <{_MEMBER.value}> ?this }}"

    @property
    def bag_pattern(self) -> str:
        """A pattern binding ``?this`` to each focus node, maybe more than once.

        Only for queries whose solutions are DISTINCT or grouped by ``?this``.
        """
        return self.pattern

    @property
    def nodes(self) -> tuple[OxTerm, ...]:
        if self._nodes is None:
            solutions = self.store.query(f"SELECT ?this WHERE {{ {self.pattern} }}")
            assert isinstance(solutions, ox.QuerySolutions)
            self._nodes = tuple(solution[0] for solution in solutions)
        return self._nodes

    @property
    def members(self) -> frozenset[OxTerm]:
        if self._members is None:
            self._members = frozenset(self.nodes)
        return self._members

    def contains(self, node: OxTerm) -> bool:
        """Return whether ``node`` is a focus node of the set."""
        return node in self.members

    def is_large(self) -> bool:
        """Return whether the set has LARGE_SET nodes or more."""
        return len(self.nodes) >= LARGE_SET

    def is_empty(self) -> bool:
        if self._nodes is not None:
            return not self._nodes
        return not self.store.query(f"ASK {{ {self.pattern} }}")


class ClassFocusSet(FocusSet):
    """The instances of some classes, read from the store's rdf:type triples when needed.

    A shape whose only targets are classes gets this set, so its focus nodes are never
    written to a named graph nor converted to Python unless a constraint needs them:
    writing and reading back two sets of 100,000 products took about 1 s of the 6 s that
    the benchmark's validation took. ``classes`` must hold the subclasses too.
    """

    def __init__(self, store: ox.Store, classes: Iterable[ox.NamedNode | ox.Literal]) -> None:
        super().__init__(store, _SET)
        self.classes = frozenset(classes)
        self._large: bool | None = None

    @property
    def pattern(self) -> str:
        # A subquery with DISTINCT, because a node typed with two of the classes would
        # otherwise be a focus node twice.
        return f"{{ SELECT DISTINCT ?this WHERE {{ {self._typed} }} }}"

    @property
    def bag_pattern(self) -> str:
        # A node typed with two of the classes comes twice; the subquery of ``pattern``
        # took 0.07 s more per query on 100,000 products.
        return self._typed

    @property
    def _typed(self) -> str:
        classes = " ".join(str(cls) for cls in sorted(self.classes, key=str))
        return (
            f"VALUES ?vicFastFocusClass {{ {classes} }} "
            f"?this <{_RDF_TYPE.value}> ?vicFastFocusClass ."
        )

    @property
    def nodes(self) -> tuple[OxTerm, ...]:
        if self._nodes is None:
            found: dict[OxTerm, None] = {}
            for cls in sorted(self.classes, key=str):
                for quad in self.store.quads_for_pattern(None, _RDF_TYPE, cls, ox.DefaultGraph()):
                    if isinstance(quad.subject, ox.NamedNode | ox.BlankNode):
                        found[quad.subject] = None
            self._nodes = tuple(found)
        return self._nodes

    def contains(self, node: OxTerm) -> bool:
        if self._members is not None or isinstance(node, ox.Literal):
            return node in self.members
        quads = self.store.quads_for_pattern(node, _RDF_TYPE, None, ox.DefaultGraph())
        return any(quad.object in self.classes for quad in quads)

    def is_large(self) -> bool:
        if self._large is None:
            if self._nodes is not None:
                self._large = len(self._nodes) >= LARGE_SET
            else:
                # DISTINCT with LIMIT stops reading once it has LARGE_SET distinct nodes.
                rows = self.store.query(
                    f"SELECT DISTINCT ?this WHERE {{ {self._typed} }} LIMIT {LARGE_SET}"
                )
                self._large = len(list(rows)) >= LARGE_SET  # type: ignore[arg-type]
        return self._large

    def is_empty(self) -> bool:
        if self._nodes is not None or not self.classes:
            return not self.nodes
        return not self.store.query(f"ASK {{ {self._typed} }}")


class ValidationTimeoutError(Exception):
    """The validation ran past its deadline and was stopped between two queries."""


class Evaluator:
    """Validates shapes of one shapes graph against the data in ``store``'s default graph.

    ``deadline`` is a ``time.monotonic()`` value; past it the next query raises
    ValidationTimeoutError. ``proxies`` is true when the store or the shapes may hold
    proxies of literals (see ``terms.REWRITTEN_DATATYPES``), which comparisons must decode.
    """

    def __init__(
        self,
        store: ox.Store,
        shapes: ShapesGraph,
        terms: TermMap,
        deadline: float | None = None,
        *,
        proxies: bool = False,
    ) -> None:
        self.deadline = deadline
        self.store = store
        self.shapes = shapes
        self.terms = terms
        self.proxies = proxies
        self.bindings = BindingWriter(store)
        self._sets = itertools.count()
        self._nesting = threading.local()
        self._conforming_cache: dict[tuple[object, frozenset[OxTerm]], set[OxTerm]] = {}

    # --- focus sets and queries --------------------------------------------------------

    def focus_set(self, nodes: Iterable[OxTerm]) -> FocusSet:
        unique = tuple(dict.fromkeys(nodes))
        graph = ox.NamedNode(f"urn:vic-fast:set:{next(self._sets)}")
        self.store.extend(ox.Quad(_SET, _MEMBER, node, graph) for node in unique)
        return FocusSet(self.store, graph, unique)

    def focus_set_where(self, nodes: Iterable[OxTerm], where: str | None) -> FocusSet:
        """Return a set of ``nodes`` and of the ``?this`` solutions of the pattern ``where``.

        The solutions are written by a SPARQL update, so they never pass through Python.
        """
        focus = self.focus_set(nodes)
        if where is None:
            return focus
        self._check_deadline()
        self.store.update(
            f"INSERT {{ GRAPH <{focus.graph.value}> {{ <{_SET.value}> <{_MEMBER.value}> ?this }} }}"
            f" WHERE {{ {where} }}"
        )
        return FocusSet(self.store, focus.graph)

    def _check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ValidationTimeoutError("the validation passed its time limit")

    def select(
        self, query: str, substitutions: dict[ox.Variable, OxTerm] | None = None
    ) -> list[dict[str, OxTerm]]:
        """Run a SELECT query; return each solution as variable name → bound term."""
        self._check_deadline()
        try:
            result = self.store.query(query, substitutions=substitutions)  # type: ignore[arg-type]
        except SyntaxError as error:
            raise UnsupportedShapes(f"a generated query does not parse: {error}") from error
        assert isinstance(result, ox.QuerySolutions)
        names = [variable.value for variable in result.variables]
        return [
            {name: solution[name] for name in names if solution[name] is not None}
            for solution in result
        ]

    def ask(self, query: str) -> bool:
        """Run an ASK query and return its boolean result."""
        self._check_deadline()
        try:
            result = self.store.query(query)
        except SyntaxError as error:
            raise UnsupportedShapes(f"a generated query does not parse: {error}") from error
        assert isinstance(result, ox.QueryBoolean)
        return bool(result)

    def focus_rows(
        self,
        shape: Shape,
        focus: FocusSet,
        body: str,
        variables: str = "?this ?value",
        prologue: str = "",
    ) -> list[dict[str, OxTerm]]:
        """Return the distinct solutions of ``body`` for the focus nodes.

        ``body`` must bind ``?this`` through the shape's path. For a large set the query runs
        without the join on the set, and the few failing rows are checked against its members
        in Python. The join cost pyoxigraph 0.5 about 2 µs per focus node and query, which is
        more than most checks cost. ``prologue`` (PREFIX declarations) opens the query.
        """
        if shape.path_sparql is None or not focus.is_large():
            return self.select(
                f"{prologue}SELECT DISTINCT {variables} WHERE {{ {focus.bag_pattern} {body} }}"
            )
        rows = self.select(f"{prologue}SELECT DISTINCT {variables} WHERE {{ {body} }}")
        return [row for row in rows if focus.contains(row["this"])]

    def value_of(self, variable: str) -> str:
        """Return an expression of ``variable``'s value that reads a proxy as its value."""
        return decoded(variable) if self.proxies else variable

    def value_pattern(self, shape: Shape) -> str:
        if shape.path_sparql is None:
            return "BIND (?this AS ?value)"
        return f"?this {shape.path_sparql} ?value ."

    def value_pairs(self, shape: Shape, focus: FocusSet) -> list[tuple[OxTerm, OxTerm]]:
        values = self.value_pattern(shape)
        rows = self.select(f"SELECT DISTINCT ?this ?value WHERE {{ {focus.bag_pattern} {values} }}")
        return [(row["this"], row["value"]) for row in rows]

    # --- results -----------------------------------------------------------------------

    def result(
        self,
        shape: Shape,
        component: URIRef,
        focus: OxTerm,
        value: OxTerm | None,
        **extra: object,
    ) -> FastResult:
        path = extra.get("path", shape.path)
        return FastResult(
            focus=self.terms.to_rdflib(focus),
            path=path,  # type: ignore[arg-type]
            value=None if value is None else self.terms.to_rdflib(value),
            shape=shape.node,
            component=component,
            severity=shape.severity,
            messages=tuple(extra.get("messages", shape.messages)),  # type: ignore[arg-type]
            constraint=extra.get("constraint"),  # type: ignore[arg-type]
            origin=self.terms.to_rdflib(focus),
        )

    # --- shapes ------------------------------------------------------------------------

    def validate(self, shape_node: object, nodes: Sequence[OxTerm]) -> list[FastResult]:
        """Return the results of validating ``nodes`` against one shape."""
        if not nodes:
            return []
        return self.validate_set(shape_node, self.focus_set(nodes))

    def validate_set(self, shape_node: object, focus: FocusSet) -> list[FastResult]:
        """Return the results of validating the nodes of ``focus`` against one shape.

        Shapes that share their focus nodes (the property shapes of one node shape) share
        the focus set, so its nodes are written to the store once.
        """
        from vic_semantic.validation.fast.components import evaluate_components

        shape = self.shapes.shape(shape_node)  # type: ignore[arg-type]
        if shape.deactivated or focus.is_empty():
            return []
        depth = self._depth()
        if depth >= MAX_DEPTH:
            raise UnsupportedShapes(f"shapes nest deeper than {MAX_DEPTH} levels at {shape.node}")
        self._nesting.depth = depth + 1
        try:
            return evaluate_components(self, shape, focus)
        finally:
            self._nesting.depth = depth

    def _depth(self) -> int:
        return int(getattr(self._nesting, "depth", 0))

    def validate_children(self, children: Sequence[object], focus: FocusSet) -> list[FastResult]:
        """Return the results of the property shapes of a node shape, all on ``focus``.

        The property shapes of a top-level node shape run in parallel threads, because
        pyoxigraph 0.5 releases the GIL while it evaluates a query (a Python thread kept
        running during a query when tried), so each core can take a query. Nested shapes
        run in the calling thread.
        """
        if self._depth() > 1 or len(children) < 2 or WORKERS < 2:
            return [result for child in children for result in self.validate_set(child, focus)]
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            batches = list(pool.map(lambda child: self._validate_top(child, focus), children))
        return [result for batch in batches for result in batch]

    def _validate_top(self, shape_node: object, focus: FocusSet) -> list[FastResult]:
        # A worker thread starts at the depth of the node shape that owns the property shape.
        self._nesting.depth = 1
        return self.validate_set(shape_node, focus)

    def conforming(self, shape_node: object, nodes: Iterable[OxTerm]) -> set[OxTerm]:
        """Return the nodes that conform to a shape: those with no result of any severity."""
        unique = frozenset(nodes)
        key = (shape_node, unique)
        cached = self._conforming_cache.get(key)
        if cached is None:
            results = self.validate(shape_node, list(unique))
            failing = {self.terms.to_ox(result.origin or result.focus) for result in results}
            cached = set(unique) - failing
            self._conforming_cache[key] = cached
        return cached
