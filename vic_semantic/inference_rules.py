"""The OWL 2 RL rules of ``vic_semantic.inference`` computed in Python.

The same rules as the SPARQL update in ``inference``, in the same order and with the same
filters, but evaluated here. On an on-disk store pyoxigraph ran that update, with its
``FILTER NOT EXISTS`` checks and repeated transitive joins in one large transaction, in 86 s
at 982,079 triples (docs/benchmarks.md). The rules read their asserted triples from a
``RuleInputs``, which ``inference_inputs`` fills from store queries or from triples being
loaded. The transitive closure is one search per start node, with no bound on the chain
length.

``Closure.run`` returns the triples that no asserted named graph holds, grouped by
predicate, as N-Triples text; the caller writes them into ``INFERRED_GRAPH``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from vic_semantic.namespaces import ONTOLOGY_GRAPH

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


def statement_predicates(schema: Schema) -> set[str]:
    """Return the predicates whose asserted statements the property rules read."""
    return (
        set(schema.super_properties)
        | {p for supers in schema.super_properties.values() for p in supers}
        | set(schema.inverses)
        | schema.transitive
    )


@dataclass
class RuleInputs:
    """The asserted triples the rules read, from every asserted named graph or from a part.

    ``statements`` contains the (subject, object) pairs of ``statement_predicates`` and
    ``types`` the asserted (node, class) pairs. ``domain_types`` and ``range_types`` are
    the (node, class) pairs that ``rdfs:domain`` and ``rdfs:range`` give for asserted
    statements, and never type a literal.
    """

    statements: Statements = field(default_factory=lambda: defaultdict(set))
    types: Pairs = field(default_factory=set)
    domain_types: Pairs = field(default_factory=set)
    range_types: Pairs = field(default_factory=set)

    def update(self, other: RuleInputs) -> None:
        """Add the triples of ``other``, as if both parts were read together."""
        for predicate, pairs in other.statements.items():
            self.statements[predicate] |= pairs
        self.types |= other.types
        self.domain_types |= other.domain_types
        self.range_types |= other.range_types


class Closure:
    """The inferred statements, built rule by rule; each rule also matches the statements
    that the rules before it inferred.

    ``transitive_links``, when given, replaces the known statements of each transitive
    property. A caller whose ``inputs`` cover only a part of the store reads those
    statements from the whole store, because a chain may pass through any node.
    """

    def __init__(
        self,
        schema: Schema,
        inputs: RuleInputs,
        transitive_links: Statements | None = None,
    ) -> None:
        self._schema = schema
        self._asserted: Statements = defaultdict(set)
        for predicate, pairs in inputs.statements.items():
            self._asserted[predicate] = set(pairs)
        # rdf:type is a statement predicate too when the schema names it in a property axiom.
        self._asserted[RDF_TYPE] |= inputs.types
        self._inputs = inputs
        self._transitive_links = transitive_links
        self.inferred: Statements = defaultdict(set)

    def run(self) -> Statements:
        """Apply every rule once, in the order of the module ``inference``."""
        self._sub_properties()
        self._inverses()
        self._transitive()
        types = self._asserted[RDF_TYPE]
        self._domains_and_ranges(types)
        self._super_classes(types)
        return self.inferred

    def known_after_inverses(self) -> Statements:
        """Apply the property rules before prp-trp and return the statements known then."""
        self._sub_properties()
        self._inverses()
        return {prop: self._known(prop) for prop in self._schema.transitive}

    def _known(self, predicate: str) -> Pairs:
        return self._asserted.get(predicate, set()) | self.inferred.get(predicate, set())

    def _add(self, predicate: str, subject: str, obj: str) -> None:
        pair = (subject, obj)
        if pair not in self._asserted.get(predicate, ()):
            self.inferred[predicate].add(pair)

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
            for subject, obj in transitive_pairs(self._links(prop)):
                self._add(prop, subject, obj)

    def _links(self, prop: str) -> Pairs:
        if self._transitive_links is not None:
            return self._transitive_links.get(prop, set())
        return self._known(prop)

    def _domains_and_ranges(self, types: Pairs) -> None:
        # prp-dom, prp-rng: the inputs contain the types that asserted statements give, and
        # the types that inferred statements give are found here.
        found = self._inputs.domain_types | self._inputs.range_types
        for node, axioms in (("?s", self._schema.domains), ("?o", self._schema.ranges)):
            for prop, classes in axioms.items():
                for subject, obj in self.inferred.get(prop, set()):
                    value = subject if node == "?s" else obj
                    if not is_literal(value):
                        found.update((value, cls) for cls in classes)
        inferred_types = self.inferred[RDF_TYPE]
        inferred_types.update(found - types)

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


def transitive_pairs(pairs: Pairs) -> Pairs:
    """Return every (start, end) pair joined by a chain of one or more of ``pairs``."""
    links: dict[str, set[str]] = defaultdict(set)
    for subject, obj in pairs:
        links[subject].add(obj)
    return {(start, end) for start in links for end in _reachable(start, links)}
