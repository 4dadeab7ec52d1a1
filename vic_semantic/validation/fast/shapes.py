"""The shapes of a shapes graph as this engine reads them, and what it cannot translate."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH, XSD
from rdflib.term import Node

from vic_semantic.errors import VicError
from vic_semantic.validation.fast.paths import UnsupportedPath, sparql_path


class UnsupportedShapes(Exception):
    """The shapes graph uses a feature the fast engine does not translate; use pySHACL."""


class ShaclFailure(VicError, ValueError):
    """A SHACL failure in place of a validation report, mostly for an ill-formed shapes graph.

    A SPARQL constraint that uses MINUS is one example. The message names the cause.
    """


# Parameters of the SHACL Core constraint components that this engine evaluates, and the
# SHACL-SPARQL sh:sparql constraint.
CONSTRAINT_PARAMETERS = frozenset(
    {
        SH["class"],
        SH.datatype,
        SH.nodeKind,
        SH.minCount,
        SH.maxCount,
        SH.minInclusive,
        SH.maxInclusive,
        SH.minExclusive,
        SH.maxExclusive,
        SH.minLength,
        SH.maxLength,
        SH.pattern,
        SH.languageIn,
        SH.uniqueLang,
        SH["in"],
        SH.hasValue,
        SH.equals,
        SH.disjoint,
        SH.lessThan,
        SH.lessThanOrEquals,
        SH.node,
        SH.property,
        SH["and"],
        SH["or"],
        SH["not"],
        SH.xone,
        SH.qualifiedValueShape,
        SH.closed,
        SH.sparql,
    }
)
# Parameters that only modify another component: the counts and the disjointness of
# sh:qualifiedValueShape. They are read with the shape, or the qualified counts would go
# unchecked.
MODIFIER_PARAMETERS = frozenset(
    {SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint}
)
_TARGETS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
# The boolean parameters of SHACL Core, which take effect only with the literal true.
BOOLEAN_PARAMETERS = (SH.uniqueLang, SH.closed, SH.deactivated, SH.qualifiedValueShapesDisjoint)
_TRUE = Literal("true", datatype=XSD.boolean)


def is_true(node: Node | None) -> bool:
    """Return whether ``node`` is the term ``"true"^^xsd:boolean``.

    SHACL switches a boolean parameter on with the value true only, and the W3C SHACL test
    uniqueLang-002 expects ``"1"^^xsd:boolean``, a different term for the same value, to
    leave the constraint off.
    """
    return isinstance(node, Literal) and node == _TRUE


@dataclass
class Shape:
    """One node or property shape: its path, severity, messages and constraint parameters."""

    node: Node
    path: Node | None
    path_sparql: str | None
    severity: URIRef
    messages: list[Literal]
    deactivated: bool
    parameters: dict[URIRef, list[Node]] = field(default_factory=dict)

    def values(self, parameter: URIRef) -> list[Node]:
        return self.parameters.get(parameter, [])

    def first(self, parameter: URIRef) -> Node | None:
        found = self.parameters.get(parameter)
        return found[0] if found else None


class ShapesGraph:
    """Reads and caches the shapes of one shapes graph, and its constraint components."""

    def __init__(self, graph: Graph) -> None:
        # Imported here, because the components module imports this one.
        from vic_semantic.validation.fast.custom_components import read_components

        self.graph = graph
        self._shapes: dict[Node, Shape] = {}
        check_supported(graph)
        self.components = read_components(graph)
        self._parameters = (
            CONSTRAINT_PARAMETERS
            | MODIFIER_PARAMETERS
            | {parameter.path for c in self.components for parameter in c.parameters}
        )

    def uses_sparql(self) -> bool:
        """Return whether any constraint is SPARQL: sh:sparql or a component's validator."""
        if next(self.graph.subject_objects(SH.sparql), None) is not None:
            return True
        return any(
            validator is not None
            for c in self.components
            for validator in (c.validator, c.node_validator, c.property_validator)
        )

    def shape(self, node: Node) -> Shape:
        found = self._shapes.get(node)
        if found is None:
            found = self._read(node)
            self._shapes[node] = found
        return found

    def items(self, node: Node) -> list[Node]:
        """Return the members of an RDF list of the shapes graph."""
        return list(Collection(self.graph, node))

    def targeted_shapes(self) -> list[Node]:
        """Return every shape with a target, implicit class targets included, in a fixed order."""
        shapes: set[Node] = set()
        for target in _TARGETS:
            shapes.update(self.graph.subjects(target, None))
        for kind in (SH.NodeShape, SH.PropertyShape):
            for shape in self.graph.subjects(RDF.type, kind):
                if (shape, RDF.type, RDFS.Class) in self.graph or (
                    shape,
                    RDF.type,
                    OWL.Class,
                ) in self.graph:
                    shapes.add(shape)
        return sorted(shapes, key=str)

    def _read(self, node: Node) -> Shape:
        graph = self.graph
        path = graph.value(node, SH.path)
        try:
            path_sparql = None if path is None else sparql_path(path, graph)
        except UnsupportedPath as error:
            raise UnsupportedShapes(str(error)) from error
        parameters: dict[URIRef, list[Node]] = {}
        for predicate, value in graph.predicate_objects(node):
            if predicate in self._parameters:
                parameters.setdefault(URIRef(str(predicate)), []).append(value)
        severity = graph.value(node, SH.severity)
        deactivated = graph.value(node, SH.deactivated)
        return Shape(
            node=node,
            path=path,
            path_sparql=path_sparql,
            severity=severity if isinstance(severity, URIRef) else SH.Violation,
            messages=[m for m in graph.objects(node, SH.message) if isinstance(m, Literal)],
            deactivated=is_true(deactivated),
            parameters=parameters,
        )


def check_supported(graph: Graph) -> None:
    """Raise UnsupportedShapes when the graph uses SHACL features outside this engine."""
    for feature in (SH.target, SH.rule):
        if next(graph.subject_objects(feature), None) is not None:
            raise UnsupportedShapes(f"{feature} is not translated")
    for parameter in (SH.hasValue, SH["in"]):
        for _, value in graph.subject_objects(parameter):
            members = [value] if parameter == SH.hasValue else list(Collection(graph, value))
            if any(not isinstance(m, URIRef | Literal) for m in members):
                raise UnsupportedShapes(f"a blank node as a value of {parameter}")
    for _, constraint in graph.subject_objects(SH.sparql):
        query = str(graph.value(constraint, SH.select) or "")
        if not query:
            raise UnsupportedShapes(f"the SPARQL constraint {constraint} has no sh:select")
