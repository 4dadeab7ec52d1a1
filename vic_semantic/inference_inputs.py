"""The asserted triples the inference rules read: from store queries, or from the triples of
graphs being loaded as they are parsed.

Queries read every asserted named graph, or only some. They return N-Triples text, with
DISTINCT where many statements give one result, so the engine removes duplicates before
Python reads them. ``TripleCollector`` reads the same inputs from parsed triples, so a bulk
load need not query the triples it has just written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator

import pyoxigraph as ox

from vic_semantic.inference_rules import (
    RDF_TYPE,
    Closure,
    Pairs,
    RuleInputs,
    Schema,
    Statements,
    TripleSource,
    is_iri,
    read_schema,
    statement_predicates,
)
from vic_semantic.namespaces import INFERRED_GRAPH


def infer(source: TripleSource) -> Statements:
    """Return the inferred statements no asserted named graph holds, by predicate."""
    schema = read_schema(source)
    return Closure(schema, read_inputs(source, schema)).run()


def read_inputs(
    source: TripleSource, schema: Schema, graphs: Collection[str] | None = None
) -> RuleInputs:
    """Read the rules' inputs from every asserted named graph, or from the named ``graphs``."""
    inputs = RuleInputs()
    if graphs is not None and not graphs:
        return inputs
    reader = _Reader(source, graphs)

    # One query per predicate: with the predicates in a VALUES block pyoxigraph 0.5.13 took
    # about 1.5 times as long at 1M triples.
    for predicate in statement_predicates(schema):
        pattern = f"?s {predicate} ?o"
        pairs = inputs.statements[predicate]
        pairs.update((s, o) for s, _, o in reader.construct(pattern, reader.asserted(pattern)))
    distinct_types = f"SELECT DISTINCT ?s ?o WHERE {{ {reader.asserted('?s a ?o')} }}"
    inputs.types.update((s, o) for s, _, o in reader.construct("?s a ?o", distinct_types))
    inputs.domain_types.update(_domain_types(reader, schema))
    inputs.range_types.update(_range_types(reader, schema))
    return inputs


def read_statements(source: TripleSource, predicates: Collection[str]) -> Statements:
    """Read the asserted (subject, object) pairs of ``predicates`` from every named graph."""
    reader = _Reader(source, None)
    statements: Statements = defaultdict(set)
    for predicate in predicates:
        pattern = f"?s {predicate} ?o"
        pairs = statements[predicate]
        pairs.update((s, o) for s, _, o in reader.construct(pattern, reader.asserted(pattern)))
    return statements


class _Reader:
    """Runs CONSTRUCT queries over every asserted named graph, or over the given ones."""

    def __init__(self, source: TripleSource, graphs: Collection[str] | None) -> None:
        self._source = source
        if graphs is None:
            self._values = ""
            self._filter = f"FILTER (?g != <{INFERRED_GRAPH}>)"
        else:
            self._values = "VALUES ?g { " + " ".join(f"<{g}>" for g in sorted(graphs)) + " }"
            self._filter = ""

    def asserted(self, pattern: str) -> str:
        """Return a group pattern matching ``pattern`` in the graphs this reader reads."""
        return f"{self._values} GRAPH ?g {{ {pattern} }} {self._filter}"

    def construct(self, template: str, where: str) -> Iterator[tuple[str, str, str]]:
        return self._source.construct_terms(f"CONSTRUCT {{ {template} }} WHERE {{ {where} }}")


def _domain_types(reader: _Reader, schema: Schema) -> Pairs:
    # One query per class, over the properties whose domain it is: at 1M triples this
    # took 1.5 s against 2.3 s for one query joining all (property, class) pairs.
    properties_of: dict[str, set[str]] = defaultdict(set)
    for prop, classes in schema.domains.items():
        for cls in classes:
            properties_of[cls].add(prop)
    found: Pairs = set()
    for cls, properties in properties_of.items():
        values = f"VALUES ?p {{ {' '.join(sorted(properties))} }}"
        where = f"SELECT DISTINCT ?s WHERE {{ {values} {reader.asserted('?s ?p ?o')} }}"
        found.update((s, o) for s, _, o in reader.construct(f"?s a {cls}", where))
    return found


def _range_types(reader: _Reader, schema: Schema) -> Pairs:
    # One query per property for its distinct objects, which Python pairs with the
    # property's classes: at 1M triples this took 1.5 s against 2.0 s for one query over
    # all (property, class) pairs.
    found: Pairs = set()
    for prop, classes in schema.ranges.items():
        pattern = reader.asserted(f"?s {prop} ?o")
        where = f"SELECT DISTINCT ?o WHERE {{ {pattern} FILTER (!isLiteral(?o)) }}"
        objects = [s for s, _, _ in reader.construct("?o a ?o", where)]
        found.update((obj, cls) for obj in objects for cls in classes)
    return found


# Bit flags of the roles a predicate's triples play in the rules: a type, a statement of a
# property rule, a subject that rdfs:domain types, an object that rdfs:range types.
_TYPE = 1
_STATEMENT = 2
_DOMAIN = 4
_RANGE = 8


class TripleCollector:
    """Collects the rules' inputs from parsed triples, as ``read_inputs`` reads them.

    Blank nodes are the exception: the parser and the store's loader label them
    differently, so triples whose inputs contain one must be read back from the store.
    """

    def __init__(self, schema: Schema) -> None:
        self._schema = schema
        roles: dict[str, int] = defaultdict(int)
        roles[RDF_TYPE] |= _TYPE
        for predicate in statement_predicates(schema):
            roles[predicate] |= _STATEMENT
        for predicate in schema.domains:
            roles[predicate] |= _DOMAIN
        for predicate in schema.ranges:
            roles[predicate] |= _RANGE
        # Keyed by term: looking up the parser's NamedNode costs less than its text.
        self._roles = {
            ox.NamedNode(text[1:-1]): (role, text) for text, role in roles.items() if is_iri(text)
        }

    def collect(self, triples: Iterable[ox.Triple | ox.Quad]) -> RuleInputs | None:
        """Return the inputs in ``triples``, or None when a blank node or a triple term is
        part of them (the caller then reads those triples from the store)."""
        statements: Statements = defaultdict(set)
        types: Pairs = set()
        domain_subjects: dict[str, set[str]] = defaultdict(set)
        range_objects: dict[str, set[str]] = defaultdict(set)
        roles = self._roles
        for triple in triples:
            found = roles.get(triple.predicate)
            if found is None:
                continue
            role, predicate = found
            subject_term = triple.subject
            if type(subject_term) is not ox.NamedNode:
                return None
            subject = str(subject_term)
            if role & _DOMAIN:
                domain_subjects[predicate].add(subject)
            if role == _DOMAIN:
                continue

            object_term = triple.object
            object_type = type(object_term)
            if object_type is not ox.NamedNode and object_type is not ox.Literal:
                return None
            obj = str(object_term)
            if role & _TYPE:
                types.add((subject, obj))
            if role & _STATEMENT:
                statements[predicate].add((subject, obj))
            if role & _RANGE and object_type is ox.NamedNode:
                range_objects[predicate].add(obj)
        return self._inputs(statements, types, domain_subjects, range_objects)

    def _inputs(
        self,
        statements: Statements,
        types: Pairs,
        domain_subjects: dict[str, set[str]],
        range_objects: dict[str, set[str]],
    ) -> RuleInputs:
        inputs = RuleInputs(statements=statements, types=types)
        for prop, subjects in domain_subjects.items():
            for cls in self._schema.domains[prop]:
                inputs.domain_types.update((subject, cls) for subject in subjects)
        for prop, objects in range_objects.items():
            for cls in self._schema.ranges[prop]:
                inputs.range_types.update((obj, cls) for obj in objects)
        return inputs
