"""The SHACL-SPARQL constraints of a shape: sh:sparql constraints and constraint components.

Each function validates one shape's constraints for all nodes of a focus set. How a query
runs once for all focus nodes or once per focus node is in ``sparql_constraints``, and the
components a shapes graph declares are read by ``custom_components``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from vic_semantic.validation.fast.custom_components import ConstraintComponent
from vic_semantic.validation.fast.evaluator import Evaluator, FocusSet
from vic_semantic.validation.fast.results import FastResult, fill_template
from vic_semantic.validation.fast.shapes import Shape, UnsupportedShapes, is_true
from vic_semantic.validation.fast.sparql_constraints import (
    PREBOUND,
    SHAPES_GRAPH,
    PreparedAsk,
    PreparedConstraint,
    graph_variables,
    prepare,
    prepare_ask,
)
from vic_semantic.validation.fast.terms import OxTerm


def _graph_bindings(ev: Evaluator, shape: Shape, query: str) -> dict[str, OxTerm]:
    """Return the values of ``$shapesGraph`` and ``$currentShape`` if the query uses them."""
    used = graph_variables(query)
    bindings: dict[str, OxTerm] = {}
    if "shapesGraph" in used:
        bindings["shapesGraph"] = ox.NamedNode(SHAPES_GRAPH)
    if "currentShape" in used:
        bindings["currentShape"] = ev.terms.to_ox(shape.node)
    return bindings


def _select_rows(
    ev: Evaluator, prepared: PreparedConstraint, focus: FocusSet, constants: Mapping[str, OxTerm]
) -> list[dict[str, OxTerm]]:
    """Return the solutions of a prepared SELECT query for the focus nodes."""
    if not prepared.bulk:
        rows = []
        for node in focus.nodes:
            clause = ev.bindings.clause({"this": node, **constants})
            rows += ev.select(prepared.prebound(clause))
        return rows
    if prepared.free_query is not None and focus.is_large():
        # As in Evaluator.focus_rows: the join on a large set costs more than the check.
        rows = ev.select(prepared.free_query)
        return [row for row in rows if "this" in row and focus.contains(row["this"])]
    return ev.select(prepared.query)


def _select_result(
    ev: Evaluator,
    shape: Shape,
    component: URIRef,
    row: dict[str, OxTerm],
    templates: list[Literal],
    *,
    constraint: Node | None = None,
    parameters: Mapping[str, Node] | None = None,
) -> FastResult:
    """Return the result of one solution of a SELECT query; ``constraint`` is its sh:sparql."""
    failure = row.get("failure")
    if isinstance(failure, ox.Literal) and failure.value == "true":
        source = constraint if constraint is not None else component
        raise UnsupportedShapes(f"the SPARQL query of {source} reported a failure")
    bindings = {**(parameters or {})}
    bindings.update({name: ev.terms.to_rdflib(term) for name, term in row.items()})
    value = row.get("value")
    if value is None and shape.path_sparql is None:
        value = row["this"]
    return ev.result(
        shape,
        component,
        row["this"],
        value,
        path=bindings.get("path", shape.path),
        messages=[fill_template(t, bindings) for t in templates],
        constraint=constraint,
    )


def _messages(ev: Evaluator, node: Node) -> list[Literal]:
    return [m for m in ev.shapes.graph.objects(node, SH.message) if isinstance(m, Literal)]


def sparql_constraints(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    """Return the results of the shape's sh:sparql constraints."""
    results = []
    graph = ev.shapes.graph
    for constraint in shape.values(SH.sparql):
        if is_true(graph.value(constraint, SH.deactivated)):
            continue
        constants = _graph_bindings(ev, shape, str(graph.value(constraint, SH.select)))
        clause = ev.bindings.clause(constants)
        prepared = prepare(graph, constraint, shape.path_sparql, focus.pattern, clause)
        messages = _messages(ev, constraint) or shape.messages
        results += [
            _select_result(
                ev, shape, SH.SPARQLConstraintComponent, row, messages, constraint=constraint
            )
            for row in _select_rows(ev, prepared, focus, constants)
        ]
    return results


def _failing_values(
    ev: Evaluator,
    shape: Shape,
    focus: FocusSet,
    prepared: PreparedAsk,
    constants: Mapping[str, OxTerm],
) -> list[tuple[OxTerm, OxTerm]]:
    """Return the (focus node, value node) pairs for which the ASK validator is false."""
    if prepared.flat:
        clause = ev.bindings.clause(constants)
        body = f"{clause} {ev.value_pattern(shape)} FILTER NOT EXISTS {{ {prepared.pattern} }}"
        rows = ev.focus_rows(shape, focus, body, prologue=f"{prepared.prefixes}\n")
        return [(row["this"], row["value"]) for row in rows]

    failing = []
    for this, value in ev.value_pairs(shape, focus):
        clause = ev.bindings.clause({"this": this, "value": value, **constants})
        if not ev.ask(prepared.prebound(clause)):
            failing.append((this, value))
    return failing


def _component_results(
    ev: Evaluator,
    shape: Shape,
    focus: FocusSet,
    component: ConstraintComponent,
    parameters: Mapping[str, Node],
) -> list[FastResult]:
    """Return the results of one constraint of a component: one combination of parameters."""
    graph = ev.shapes.graph
    validator = component.validator_for(shape.path is not None)
    assert validator is not None
    names = PREBOUND | {parameter.name for parameter in component.parameters}
    templates = shape.messages or _messages(ev, validator)
    bound = {name: ev.terms.to_ox(value) for name, value in parameters.items()}

    select = graph.value(validator, SH.select)
    if validator != component.validator and select is not None:
        constants = {**_graph_bindings(ev, shape, str(select)), **bound}
        clause = ev.bindings.clause(constants)
        prepared = prepare(graph, validator, shape.path_sparql, focus.pattern, clause, names)
        return [
            _select_result(ev, shape, component.node, row, templates, parameters=parameters)
            for row in _select_rows(ev, prepared, focus, constants)
        ]

    ask = graph.value(validator, SH.ask)
    if validator != component.validator or ask is None:
        raise UnsupportedShapes(
            f"the validator {validator} of {component.node} has no query of its kind: "
            "sh:select for sh:nodeValidator and sh:propertyValidator, sh:ask for sh:validator"
        )
    constants = {**_graph_bindings(ev, shape, str(ask)), **bound}
    prepared_ask = prepare_ask(graph, validator, shape.path_sparql, names | {"value"})
    results = []
    for this, value in _failing_values(ev, shape, focus, prepared_ask, constants):
        bindings = {
            **parameters,
            "this": ev.terms.to_rdflib(this),
            "value": ev.terms.to_rdflib(value),
        }
        if shape.path is not None:
            bindings["path"] = shape.path
        messages = [fill_template(t, bindings) for t in templates]
        results.append(ev.result(shape, component.node, this, value, messages=messages))
    return results


def component_constraints(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    """Return the results of the constraint components the shapes graph declares."""
    results = []
    for component in ev.shapes.components:
        if component.validator_for(shape.path is not None) is None:
            continue
        for parameters in component.constraints(shape.parameters):
            results += _component_results(ev, shape, focus, component, parameters)
    return results
