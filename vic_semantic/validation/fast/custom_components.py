"""The SPARQL-based constraint components that a shapes graph declares.

A constraint component is an instance of sh:ConstraintComponent or of a subclass of it. It
declares parameters (sh:parameter, each with an sh:path and maybe sh:optional true) and
validators: an ASK validator (sh:validator) that node and property shapes may use, a SELECT
validator for node shapes (sh:nodeValidator) and one for property shapes
(sh:propertyValidator). A shape with a value for each mandatory parameter has a constraint
of the component for each combination of its parameter values. A query reads a parameter's
value as the variable named by the local name of the parameter's path.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from vic_semantic.validation.fast.shapes import UnsupportedShapes, is_true

# The local name of an IRI: the longest NCName at its end. SHACL requires it to be a SPARQL
# variable name as well, which excludes "." and "-".
_LOCAL_NAME = re.compile(r"[^\W\d]\w*$")
# Names that SHACL-SPARQL reserves for its own variables.
_RESERVED_NAMES = frozenset({"this", "shapesGraph", "currentShape", "path", "PATH", "value"})


@dataclass(frozen=True)
class Parameter:
    """A parameter of a constraint component: its path, variable name and whether optional."""

    path: URIRef
    name: str
    optional: bool


@dataclass(frozen=True)
class ConstraintComponent:
    """A SPARQL-based constraint component and its validators (None where it declares none)."""

    node: URIRef
    parameters: tuple[Parameter, ...]
    validator: Node | None
    node_validator: Node | None
    property_validator: Node | None

    def validator_for(self, property_shape: bool) -> Node | None:
        """Return the validator that a node or property shape uses, or None.

        SHACL ignores a component that has no validator for the kind of shape.
        """
        specific = self.property_validator if property_shape else self.node_validator
        return specific if specific is not None else self.validator

    def constraints(self, values: Mapping[URIRef, list[Node]]) -> list[dict[str, Node]]:
        """Return each combination of a shape's parameter values, by variable name.

        ``values`` are the shape's values by parameter path. A shape that lacks a value for
        a mandatory parameter has no constraint of this component.
        """
        if any(not values.get(p.path) for p in self.parameters if not p.optional):
            return []
        present = [p for p in self.parameters if values.get(p.path)]
        if not present:
            return []
        choices = [values[p.path] for p in present]
        return [
            {p.name: value for p, value in zip(present, combination, strict=True)}
            for combination in itertools.product(*choices)
        ]


def _one(graph: Graph, node: Node, predicate: URIRef) -> Node | None:
    values = list(graph.objects(node, predicate))
    if len(values) > 1:
        raise UnsupportedShapes(f"the constraint component {node} has several {predicate}")
    return values[0] if values else None


def _parameter(graph: Graph, component: Node, declaration: Node) -> Parameter:
    path = graph.value(declaration, SH.path)
    if not isinstance(path, URIRef):
        raise UnsupportedShapes(f"a parameter of {component} has no IRI as its sh:path")
    match = _LOCAL_NAME.search(str(path))
    if match is None or match.group(0) in _RESERVED_NAMES:
        raise UnsupportedShapes(f"the parameter path {path} of {component} names no variable")
    optional = is_true(graph.value(declaration, SH.optional))
    return Parameter(path, match.group(0), optional)


def _component_classes(graph: Graph) -> set[Node]:
    """Return sh:ConstraintComponent and its subclasses in the shapes graph."""
    subclasses = graph.transitive_subjects(RDFS.subClassOf, SH.ConstraintComponent)
    return {cls for cls in subclasses if cls is not None}


def read_components(graph: Graph) -> tuple[ConstraintComponent, ...]:
    """Return the constraint components that ``graph`` declares, in a fixed order.

    Raises UnsupportedShapes for a declaration this engine does not read: a parameter
    without an IRI path that names a variable, or several validators of one kind.
    """
    nodes = {
        component
        for cls in _component_classes(graph)
        for component in graph.subjects(RDF.type, cls)
    }
    components = []
    for node in sorted(nodes, key=str):
        if not isinstance(node, URIRef):
            # A result names its component by IRI (sh:sourceConstraintComponent).
            raise UnsupportedShapes(f"a constraint component is a blank node: {node}")
        parameters = tuple(
            _parameter(graph, node, declaration)
            for declaration in graph.objects(node, SH.parameter)
        )
        components.append(
            ConstraintComponent(
                node,
                parameters,
                validator=_one(graph, node, SH.validator),
                node_validator=_one(graph, node, SH.nodeValidator),
                property_validator=_one(graph, node, SH.propertyValidator),
            )
        )
    return tuple(components)
