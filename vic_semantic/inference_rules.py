"""The OWL 2 RL rules of ``vic_semantic.inference`` computed in Python over the embedded store.

The same rules as the SPARQL update in ``inference``, in the same order and with the same
filters, but evaluated here. On an on-disk store pyoxigraph ran that update, with its
``FILTER NOT EXISTS`` checks and repeated transitive joins in one large transaction, in 86 s
at 982,079 triples (docs/benchmarks.md). The rules' inputs come from a few CONSTRUCT
queries, with DISTINCT where many statements give one result, so the engine removes
duplicates before Python reads them. The transitive closure
is one breadth-first search per start node, with no bound on the chain length.

``infer`` returns the triples that no asserted named graph holds, grouped by predicate, as
N-Triples text; the caller writes them into ``INFERRED_GRAPH``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH

# Terms are handled as their N-Triples text: the engine serialises query results in Rust,
# and Python then compares strings, which is several times cheaper than making a pyoxigraph
# term object per value. The same term always has the same text.
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = f"<{_RDF}type>"
SUB_PROPERTY = f"<{_RDFS}subPropertyOf>"
SUB_CLASS = f"<{_RDFS}subClassOf>"
DOMAIN = f"<{_RDFS}domain>"
RANGE = f"<{_RDFS}range>"
EQUIVALENT_PROPERTY = f"<{_OWL}equivalentProperty>"
EQUIVALENT_CLASS = f"<{_OWL}equivalentClass>"
INVERSE_OF = f"<{_OWL}inverseOf>"
TRANSITIVE = f"<{_OWL}TransitiveProperty>"
# Every resource has these types, so the rules never write them.
_UNIVERSAL_CLASSES = {f"<{_OWL}Thing>", f"<{_RDFS}Resource>"}

# Statements of one predicate as (subject, object) pairs, and those pairs by predicate.
Pairs = set[tuple[str, str]]
Statements = dict[str, Pairs]


class TripleSource(Protocol):
    """The reads the rules need; ``EmbeddedStore`` provides them."""

    def construct_terms(self, query: str) -> Iterator[tuple[str, str, str]]: ...


def is_iri(term: str) -> bool:
    return term.startswith("<") and not term.startswith("<<")


def is_literal(term: str) -> bool:
    return term.startswith('"')


@dataclass
class Schema:
    """The schema axioms the rules use, read from the ontology graph only."""

    super_properties: dict[str, set[str]] = field(default_factory=dict)
    inverses: dict[str, set[str]] = field(default_factory=dict)
    transitive: set[str] = field(default_factory=set)
    domains: dict[str, set[str]] = field(default_factory=dict)
    ranges: dict[str, set[str]] = field(default_factory=dict)
    super_classes: dict[str, set[str]] = field(default_factory=dict)


def read_schema(source: TripleSource) -> Schema:
    """Read the hierarchies, domains, ranges and property characteristics."""
    predicates = [
        SUB_PROPERTY,
        SUB_CLASS,
        DOMAIN,
        RANGE,
        EQUIVALENT_PROPERTY,
        EQUIVALENT_CLASS,
        INVERSE_OF,
        f"<{_RDF}type>",
    ]
    query = (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?p {{ {' '.join(predicates)} }} "
        f"GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    edges: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for subject, predicate, obj in source.construct_terms(query):
        edges[predicate].append((subject, obj))

    schema = Schema()
    property_links = _links(edges[SUB_PROPERTY], edges[EQUIVALENT_PROPERTY])
    for prop in property_links:
        supers = {p for p in _reachable(prop, property_links) if is_iri(p) and p != prop}
        if supers and is_iri(prop):
            schema.super_properties[prop] = supers

    for left, right in edges[INVERSE_OF]:
        if is_iri(left) and is_iri(right):
            schema.inverses.setdefault(left, set()).add(right)
            schema.inverses.setdefault(right, set()).add(left)

    schema.transitive = {s for s, o in edges[RDF_TYPE] if o == TRANSITIVE and is_iri(s)}
    schema.domains = _class_axioms(edges[DOMAIN])
    schema.ranges = _class_axioms(edges[RANGE])

    class_links = _links(edges[SUB_CLASS], edges[EQUIVALENT_CLASS])
    for cls in class_links:
        supers = {
            c
            for c in _reachable(cls, class_links)
            if is_iri(c) and c not in _UNIVERSAL_CLASSES and c != cls
        }
        if supers:
            schema.super_classes[cls] = supers
    return schema


def _links(
    directed: list[tuple[str, str]], symmetric: list[tuple[str, str]]
) -> dict[str, set[str]]:
    """Return the successor sets of ``directed`` edges plus ``symmetric`` ones both ways."""
    links: dict[str, set[str]] = defaultdict(set)
    for start, end in directed:
        links[start].add(end)
    for start, end in symmetric:
        links[start].add(end)
        links[end].add(start)
    return links


def _reachable(start: str, links: dict[str, set[str]]) -> set[str]:
    """Return every node reachable from ``start`` in one or more steps (a path ``+``)."""
    seen: set[str] = set()
    frontier = list(links.get(start, ()))
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        frontier.extend(links.get(node, ()))
    return seen


def _class_axioms(pairs: list[tuple[str, str]]) -> dict[str, set[str]]:
    axioms: dict[str, set[str]] = {}
    for prop, cls in pairs:
        if is_iri(prop) and is_iri(cls) and cls not in _UNIVERSAL_CLASSES:
            axioms.setdefault(prop, set()).add(cls)
    return axioms


_ASSERTED = f"FILTER (?g != <{INFERRED_GRAPH}>)"


class Closure:
    """The inferred statements, built rule by rule; each rule also matches the statements
    that the rules before it inferred."""

    def __init__(self, source: TripleSource, schema: Schema) -> None:
        self._source = source
        self._schema = schema
        self._asserted: Statements = defaultdict(set)
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
        self._read_asserted(statement_predicates)
        self._sub_properties()
        self._inverses()
        self._transitive()
        types = self._asserted_types()
        self._domains_and_ranges(types)
        self._super_classes(types)
        return self.inferred

    def _known(self, predicate: str) -> Pairs:
        return self._asserted.get(predicate, set()) | self.inferred.get(predicate, set())

    def _add(self, predicate: str, subject: str, obj: str) -> None:
        pair = (subject, obj)
        if pair not in self._asserted.get(predicate, ()):
            self.inferred[predicate].add(pair)

    def _read(self, where: str, template: str = "?s ?p ?o") -> Iterator[tuple[str, str, str]]:
        query = f"CONSTRUCT {{ {template} }} WHERE {{ {where} }}"
        return self._source.construct_terms(query)

    def _read_asserted(self, predicates: Iterable[str]) -> None:
        # One query per predicate: with the predicates in a VALUES block pyoxigraph 0.5.13
        # took about 1.5 times as long at 1M triples.
        for predicate in predicates:
            where = f"GRAPH ?g {{ ?s {predicate} ?o }} {_ASSERTED}"
            pairs = self._asserted[predicate]
            pairs.update((s, o) for s, _, o in self._read(where, f"?s {predicate} ?o"))

    def _sub_properties(self) -> None:
        # prp-spo1, prp-eqp1, prp-eqp2
        for prop, supers in self._schema.super_properties.items():
            pairs = self._asserted.get(prop, set())
            for super_property in supers:
                for subject, obj in pairs:
                    self._add(super_property, subject, obj)

    def _inverses(self) -> None:
        # prp-inv1, prp-inv2: the inverse statement needs a resource as its subject.
        found: list[tuple[str, str, str]] = []
        for prop, inverses in self._schema.inverses.items():
            for subject, obj in self._known(prop):
                if not is_literal(obj):
                    found.extend((inverse, obj, subject) for inverse in inverses)
        for predicate, subject, obj in found:
            self._add(predicate, subject, obj)

    def _transitive(self) -> None:
        # prp-trp: every node reachable through the property from a subject.
        for prop in self._schema.transitive:
            links: dict[str, set[str]] = defaultdict(set)
            for subject, obj in self._known(prop):
                links[subject].add(obj)
            found = [(start, end) for start in links for end in _reachable(start, links)]
            for subject, obj in found:
                self._add(prop, subject, obj)

    def _asserted_types(self) -> Pairs:
        where = f"SELECT DISTINCT ?s ?o WHERE {{ GRAPH ?g {{ ?s a ?o }} {_ASSERTED} }}"
        types = self._asserted[RDF_TYPE]
        types.update((s, o) for s, _, o in self._read(where, "?s a ?o"))
        return types

    def _domains_and_ranges(self, types: Pairs) -> None:
        # prp-dom, prp-rng: asserted statements are matched by the engine, inferred ones here.
        found = self._domain_types() | self._range_types()
        for node, axioms in (("?s", self._schema.domains), ("?o", self._schema.ranges)):
            for prop, classes in axioms.items():
                for subject, obj in self.inferred.get(prop, set()):
                    value = subject if node == "?s" else obj
                    if not is_literal(value):
                        found.update((value, cls) for cls in classes)
        inferred_types = self.inferred[RDF_TYPE]
        inferred_types.update(found - types)

    def _domain_types(self) -> Pairs:
        # One query per class, over the properties whose domain it is: at 1M triples this
        # took 1.5 s against 2.3 s for one query joining all (property, class) pairs.
        properties_of: dict[str, set[str]] = defaultdict(set)
        for prop, classes in self._schema.domains.items():
            for cls in classes:
                properties_of[cls].add(prop)
        found: Pairs = set()
        for cls, properties in properties_of.items():
            where = (
                f"SELECT DISTINCT ?s WHERE {{ VALUES ?p {{ {' '.join(sorted(properties))} }} "
                f"GRAPH ?g {{ ?s ?p ?o }} {_ASSERTED} }}"
            )
            found.update((s, o) for s, _, o in self._read(where, f"?s a {cls}"))
        return found

    def _range_types(self) -> Pairs:
        # One query per property for its distinct objects, which Python pairs with the
        # property's classes: at 1M triples this took 1.5 s against 2.0 s for one query
        # over all (property, class) pairs.
        found: Pairs = set()
        for prop, classes in self._schema.ranges.items():
            where = (
                f"SELECT DISTINCT ?o WHERE {{ GRAPH ?g {{ ?s {prop} ?o }} {_ASSERTED} "
                "FILTER (!isLiteral(?o)) }"
            )
            objects = [s for s, _, _ in self._read(where, "?o a ?o")]
            found.update((obj, cls) for obj in objects for cls in classes)
        return found

    def _super_classes(self, types: Pairs) -> None:
        # cax-sco, cax-eqc1, cax-eqc2: over asserted types and those inferred so far.
        super_classes = self._schema.super_classes
        inferred_types = self.inferred[RDF_TYPE]
        found = {
            (node, super_class)
            for pairs in (types, inferred_types)
            for node, cls in pairs
            for super_class in super_classes.get(cls, ())
        }
        inferred_types.update(found - types)


def infer(source: TripleSource) -> Statements:
    """Return the inferred statements no asserted named graph holds, by predicate."""
    return Closure(source, read_schema(source)).run()
