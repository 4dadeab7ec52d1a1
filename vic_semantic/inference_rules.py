"""The OWL 2 RL rules of ``vic_semantic.inference`` computed in Python over the embedded store.

The same rules as the SPARQL update in ``inference``, in the same order and with the same
filters, but evaluated here: pyoxigraph's SPARQL engine runs the rules' ``FILTER NOT
EXISTS`` checks and the repeated transitive joins slowly on large data (86 s at 982,079
triples, see docs/benchmarks.md). Bulk reads come from a few SELECT queries with DISTINCT,
so the engine removes duplicates before any Python object is made. The transitive closure
is one breadth-first search per start node, with no bound on the chain length.

``infer`` returns the triples that no asserted named graph holds, grouped by predicate; the
caller writes them into ``INFERRED_GRAPH``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
SUB_PROPERTY = ox.NamedNode(_RDFS + "subPropertyOf")
SUB_CLASS = ox.NamedNode(_RDFS + "subClassOf")
DOMAIN = ox.NamedNode(_RDFS + "domain")
RANGE = ox.NamedNode(_RDFS + "range")
EQUIVALENT_PROPERTY = ox.NamedNode(_OWL + "equivalentProperty")
EQUIVALENT_CLASS = ox.NamedNode(_OWL + "equivalentClass")
INVERSE_OF = ox.NamedNode(_OWL + "inverseOf")
TRANSITIVE = ox.NamedNode(_OWL + "TransitiveProperty")
# Every resource has these types, so the rules never write them.
_UNIVERSAL_CLASSES = {ox.NamedNode(_OWL + "Thing"), ox.NamedNode(_RDFS + "Resource")}

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Node = ox.NamedNode | ox.BlankNode
# Statements of one predicate as (subject, object) pairs.
Pairs = set[tuple[Term, Term]]
Statements = dict[ox.NamedNode, Pairs]


class TermSource(Protocol):
    """The reads the rules need; ``EmbeddedStore`` provides them."""

    def solutions(self, query: str) -> Iterator[tuple[Term | None, ...]]: ...

    def quads(
        self, subject: Node | None, predicate: ox.NamedNode | None, graph: ox.NamedNode | None
    ) -> Iterator[ox.Quad]: ...


@dataclass
class Schema:
    """The schema axioms the rules use, read from the ontology graph only."""

    super_properties: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=dict)
    inverses: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=dict)
    transitive: set[ox.NamedNode] = field(default_factory=set)
    domains: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=dict)
    ranges: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=dict)
    super_classes: dict[Term, set[ox.NamedNode]] = field(default_factory=dict)


def read_schema(source: TermSource) -> Schema:
    """Read the hierarchies, domains, ranges and property characteristics."""
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))

    def edges(predicate: ox.NamedNode) -> list[tuple[Term, Term]]:
        return [(q.subject, q.object) for q in source.quads(None, predicate, ontology)]

    schema = Schema()
    property_links = _links(edges(SUB_PROPERTY), edges(EQUIVALENT_PROPERTY))
    for prop in property_links:
        supers = {s for s in _reachable(prop, property_links) if isinstance(s, ox.NamedNode)}
        supers.discard(prop)  # type: ignore[arg-type]
        if supers and isinstance(prop, ox.NamedNode):
            schema.super_properties[prop] = supers

    for left, right in edges(INVERSE_OF):
        if isinstance(left, ox.NamedNode) and isinstance(right, ox.NamedNode):
            schema.inverses.setdefault(left, set()).add(right)
            schema.inverses.setdefault(right, set()).add(left)

    schema.transitive = {
        q.subject
        for q in source.quads(None, RDF_TYPE, ontology)
        if q.object == TRANSITIVE and isinstance(q.subject, ox.NamedNode)
    }
    schema.domains = _class_axioms(edges(DOMAIN))
    schema.ranges = _class_axioms(edges(RANGE))

    class_links = _links(edges(SUB_CLASS), edges(EQUIVALENT_CLASS))
    for cls in class_links:
        supers = {
            s
            for s in _reachable(cls, class_links)
            if isinstance(s, ox.NamedNode) and s not in _UNIVERSAL_CLASSES and s != cls
        }
        if supers:
            schema.super_classes[cls] = supers
    return schema


def _links(
    directed: list[tuple[Term, Term]], symmetric: list[tuple[Term, Term]]
) -> dict[Term, set[Term]]:
    """Return the successor sets of ``directed`` edges plus ``symmetric`` ones both ways."""
    links: dict[Term, set[Term]] = defaultdict(set)
    for start, end in directed:
        links[start].add(end)
    for start, end in symmetric:
        links[start].add(end)
        links[end].add(start)
    return links


def _reachable(start: Term, links: dict[Term, set[Term]]) -> set[Term]:
    """Return every node reachable from ``start`` in one or more steps (a path ``+``)."""
    seen: set[Term] = set()
    frontier = list(links.get(start, ()))
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        frontier.extend(links.get(node, ()))
    return seen


def _class_axioms(pairs: list[tuple[Term, Term]]) -> dict[ox.NamedNode, set[ox.NamedNode]]:
    axioms: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    for prop, cls in pairs:
        if (
            isinstance(prop, ox.NamedNode)
            and isinstance(cls, ox.NamedNode)
            and cls not in _UNIVERSAL_CLASSES
        ):
            axioms.setdefault(prop, set()).add(cls)
    return axioms


def _values(terms: Iterable[ox.NamedNode]) -> str:
    return " ".join(str(term) for term in terms)


_ASSERTED = f"FILTER (?g != <{INFERRED_GRAPH}>)"


class Closure:
    """The inferred statements, built rule by rule; each rule sees the ones before it."""

    def __init__(self, source: TermSource, schema: Schema) -> None:
        self._source = source
        self._schema = schema
        self._asserted: Statements = {}
        self.inferred: Statements = defaultdict(set)

    def run(self) -> Statements:
        """Apply every rule once, in the order of the module ``inference``."""
        schema = self._schema
        statement_predicates = (
            set(schema.super_properties)
            | {p for supers in schema.super_properties.values() for p in supers}
            | set(schema.inverses)
            | schema.transitive
        )
        self._asserted = self._read_asserted(statement_predicates)
        self._sub_properties()
        self._inverses()
        self._transitive()
        types = self._asserted_types()
        self._domains_and_ranges(types)
        self._super_classes(types)
        return self.inferred

    def _known(self, predicate: ox.NamedNode) -> Pairs:
        return self._asserted.get(predicate, set()) | self.inferred.get(predicate, set())

    def _add(self, predicate: ox.NamedNode, subject: Term, obj: Term) -> None:
        pair = (subject, obj)
        if pair not in self._asserted.get(predicate, ()):
            self.inferred[predicate].add(pair)

    def _read_asserted(self, predicates: set[ox.NamedNode]) -> Statements:
        statements: Statements = defaultdict(set)
        if not predicates:
            return statements
        query = (
            f"SELECT DISTINCT ?p ?s ?o WHERE {{ VALUES ?p {{ {_values(predicates)} }} "
            f"GRAPH ?g {{ ?s ?p ?o }} {_ASSERTED} }}"
        )
        for predicate, subject, obj in self._source.solutions(query):
            statements[predicate].add((subject, obj))  # type: ignore[index,arg-type]
        return statements

    def _sub_properties(self) -> None:
        # prp-spo1, prp-eqp1, prp-eqp2
        for prop, supers in self._schema.super_properties.items():
            pairs = self._asserted.get(prop, set())
            for super_property in supers:
                for subject, obj in pairs:
                    self._add(super_property, subject, obj)

    def _inverses(self) -> None:
        # prp-inv1, prp-inv2: the inverse statement needs a resource as its subject.
        found: list[tuple[ox.NamedNode, Term, Term]] = []
        for prop, inverses in self._schema.inverses.items():
            for subject, obj in self._known(prop):
                if isinstance(obj, ox.Literal):
                    continue
                found.extend((inverse, obj, subject) for inverse in inverses)
        for predicate, subject, obj in found:
            self._add(predicate, subject, obj)

    def _transitive(self) -> None:
        # prp-trp: every node reachable through the property from a subject.
        for prop in self._schema.transitive:
            links: dict[Term, set[Term]] = defaultdict(set)
            for subject, obj in self._known(prop):
                links[subject].add(obj)
            found = [(start, end) for start in links for end in _reachable(start, links)]
            for subject, obj in found:
                self._add(prop, subject, obj)

    def _asserted_types(self) -> Pairs:
        query = f"SELECT DISTINCT ?s ?c WHERE {{ GRAPH ?g {{ ?s a ?c }} {_ASSERTED} }}"
        types: Pairs = {(s, c) for s, c in self._source.solutions(query)}  # type: ignore[misc]
        self._asserted[RDF_TYPE] = types | self._asserted.get(RDF_TYPE, set())
        return self._asserted[RDF_TYPE]

    def _domains_and_ranges(self, types: Pairs) -> None:
        # prp-dom, prp-rng: asserted statements are matched by the engine, inferred ones here.
        found: set[tuple[Term, Term]] = set()
        for position, axioms in (("?s", self._schema.domains), ("?o", self._schema.ranges)):
            if not axioms:
                continue
            rows = " ".join(f"({p} {c})" for p, classes in axioms.items() for c in classes)
            literal_filter = "FILTER (!isLiteral(?o))" if position == "?o" else ""
            query = (
                f"SELECT DISTINCT {position} ?c WHERE {{ VALUES (?p ?c) {{ {rows} }} "
                f"GRAPH ?g {{ ?s ?p ?o }} {_ASSERTED} {literal_filter} }}"
            )
            found.update(self._source.solutions(query))  # type: ignore[arg-type]
            for prop, classes in axioms.items():
                for subject, obj in self.inferred.get(prop, set()):
                    node = subject if position == "?s" else obj
                    if not isinstance(node, ox.Literal):
                        found.update((node, cls) for cls in classes)
        for node, cls in found:
            if (node, cls) not in types:
                self.inferred[RDF_TYPE].add((node, cls))

    def _super_classes(self, types: Pairs) -> None:
        # cax-sco, cax-eqc1, cax-eqc2: over asserted types and those inferred so far.
        super_classes = self._schema.super_classes
        found = [
            (node, super_class)
            for node, cls in (*types, *self.inferred.get(RDF_TYPE, ()))
            for super_class in super_classes.get(cls, ())
        ]
        for node, super_class in found:
            self._add(RDF_TYPE, node, super_class)


def infer(source: TermSource) -> Statements:
    """Return the inferred statements no asserted named graph holds, by predicate."""
    return Closure(source, read_schema(source)).run()
