"""Bringing the inferred graph up to date after data writes by recomputing only the triples
the writes can change.

Every inferred triple is about its subject. An inferred type of a node comes from the
node's own types, from the statements it is the subject of, and, through rdfs:range and
owl:inverseOf, from the statements it is the object of. An inferred property statement
comes from statements between the same two nodes. So a written triple can change only the
inferred triples whose subject is the written triple's subject or object. Those nodes'
inferred triples are recomputed from the triples around them with the same rules
(``inference_rules.Closure``) and replace the old ones, and every other inferred triple
stays. The result is the inferred graph the full step computes.

The exceptions fall back to the full step: a write to the ontology graph (the schema
changes every rule), to the inferred graph itself, to a statement that feeds an
owl:TransitiveProperty (a new link can join chains far from the written nodes), writes
whose changes the store did not record, and more changed triples than
``MAX_CHANGED_TRIPLES``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence

from vic_semantic.inference_inputs import read_statements
from vic_semantic.inference_rules import (
    RDF_TYPE,
    Closure,
    RuleInputs,
    Schema,
    is_iri,
    read_schema,
    statement_predicates,
)
from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from vic_semantic.store.changes import GraphChange
from vic_semantic.store.embedded import EmbeddedStore

logger = logging.getLogger(__name__)

# Beyond this many changed triples the full step is used. NOTE: an estimate from the 1M
# benchmark, where the full step took about 6 s; not measured at this size.
MAX_CHANGED_TRIPLES = 100_000
# Nodes per VALUES block of the neighbourhood queries.
_NODES_PER_QUERY = 500


def update_inferred(store: EmbeddedStore, changes: Sequence[GraphChange]) -> bool:
    """Recompute the inferred triples the ``changes`` can affect and write the difference;
    return False, writing nothing, when only the full step is exact.

    The caller holds ``store.inference_lock``.
    """
    if any(change.graph in {str(ONTOLOGY_GRAPH), str(INFERRED_GRAPH)} for change in changes):
        return False
    changed = [triple for change in changes for triple in (*change.removed, *change.added)]
    if not changed:
        return True
    if len(changed) > MAX_CHANGED_TRIPLES:
        return False
    schema = read_schema(store)
    feeders = transitive_feeders(schema)
    if any(predicate in feeders for _, predicate, _ in changed):
        return False

    nodes = {term for subject, _, obj in changed for term in (subject, obj) if _is_node(term)}
    links = None
    if schema.transitive:
        # The transitive properties' statements are read whole: a chain may pass far from
        # the written nodes.
        feeding = RuleInputs(statements=read_statements(store, feeders))
        links = Closure(schema, feeding).known_after_inverses()
    inputs = read_neighbourhood(store, schema, nodes)
    statements = Closure(schema, inputs, links).run()

    expected = {
        f"{subject} {predicate} {obj} ."
        for predicate, pairs in statements.items()
        for subject, obj in pairs
        if subject in nodes
    }
    present = {f"{s} {p} {o} ." for s, p, o in _inferred_about(store, nodes)}
    store.change_graph(str(INFERRED_GRAPH), present - expected, expected - present)
    logger.info(
        "inferred graph updated for %d changed triples: %d nodes, %d added, %d removed",
        len(changed),
        len(nodes),
        len(expected - present),
        len(present - expected),
    )
    return True


def transitive_feeders(schema: Schema) -> set[str]:
    """Return the predicates whose statements become statements of a transitive property,
    directly, through rdfs:subPropertyOf or through owl:inverseOf."""
    feeders = set(schema.transitive)
    inverse_sources = {p for p, inverses in schema.inverses.items() if inverses & feeders}
    feeders |= inverse_sources
    for prop, supers in schema.super_properties.items():
        if supers & feeders:
            feeders.add(prop)
    return feeders


def read_neighbourhood(store: EmbeddedStore, schema: Schema, nodes: set[str]) -> RuleInputs:
    """Read the asserted triples the rules need to infer every triple about ``nodes``.

    These are every statement a node is the subject of and the statements it is the
    object of whose predicate, or a super-property of it, has an inverse. For rdfs:range
    only the predicates that point at a node are read, not each statement.
    """
    predicates = statement_predicates(schema)
    inputs = RuleInputs()
    for subject, predicate, obj in _outgoing(store, nodes):
        if predicate == RDF_TYPE:
            inputs.types.add((subject, obj))
        if predicate in predicates:
            inputs.statements[predicate].add((subject, obj))
        for cls in schema.domains.get(predicate, ()):
            inputs.domain_types.add((subject, cls))

    inverse_sources = {p for p in predicates if _with_supers(schema, p) & set(schema.inverses)}
    for subject, predicate, obj in _incoming(store, nodes, inverse_sources):
        inputs.statements[predicate].add((subject, obj))

    range_classes = _range_classes(schema)
    for obj, predicate in _incoming_predicates(store, nodes, set(range_classes)):
        inputs.range_types.update((obj, cls) for cls in range_classes[predicate])
    return inputs


def _with_supers(schema: Schema, prop: str) -> set[str]:
    return {prop, *schema.super_properties.get(prop, ())}


def _range_classes(schema: Schema) -> dict[str, set[str]]:
    """Return, for each predicate, the classes rdfs:range gives the objects of its
    statements, through its super-properties too."""
    found: dict[str, set[str]] = {}
    predicates = set(schema.ranges) | set(schema.super_properties)
    for prop in predicates:
        classes = {cls for p in _with_supers(schema, prop) for cls in schema.ranges.get(p, ())}
        if classes:
            found[prop] = classes
    return found


_ASSERTED = f"FILTER (?g != <{INFERRED_GRAPH}>)"


def _outgoing(store: EmbeddedStore, nodes: set[str]) -> Iterator[tuple[str, str, str]]:
    iris = sorted(node for node in nodes if is_iri(node))
    for values in _values_blocks("?s", iris):
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }} {_ASSERTED} }}"
        yield from store.construct_terms(query)
    for node in sorted(nodes - set(iris)):
        yield from store.triples_for_terms(node, None, None, inferred=False)


def _incoming(
    store: EmbeddedStore, nodes: set[str], predicates: set[str]
) -> Iterator[tuple[str, str, str]]:
    # One query per predicate. With the predicates in a second VALUES block, pyoxigraph
    # 0.5.13 took 79 s for 1,793 nodes at 1M triples, against 0.2-0.3 s this way.
    iris = sorted(node for node in nodes if is_iri(node))
    for predicate in sorted(predicates):
        for values in _values_blocks("?o", iris):
            where = f"{values} GRAPH ?g {{ ?s {predicate} ?o }} {_ASSERTED}"
            query = f"CONSTRUCT {{ ?s {predicate} ?o }} WHERE {{ {where} }}"
            yield from store.construct_terms(query)
        for node in sorted(nodes - set(iris)):
            yield from store.triples_for_terms(None, predicate, node, inferred=False)


def _incoming_predicates(
    store: EmbeddedStore, nodes: set[str], predicates: set[str]
) -> Iterator[tuple[str, str]]:
    """Yield each (node, predicate) pair for which some asserted statement of one of
    ``predicates`` has the node as its object."""
    if not predicates:
        return
    iris = sorted(node for node in nodes if is_iri(node))
    # Every predicate is read and the others are dropped here, because a VALUES block of
    # predicates made the query take 79 s (see ``_incoming``).
    for values in _values_blocks("?o", iris):
        where = f"{values} GRAPH ?g {{ ?s ?p ?o }} {_ASSERTED}"
        query = f"CONSTRUCT {{ ?o ?p ?o }} WHERE {{ SELECT DISTINCT ?o ?p WHERE {{ {where} }} }}"
        for obj, predicate, _ in store.construct_terms(query):
            if predicate in predicates:
                yield obj, predicate
    for node in sorted(nodes - set(iris)):
        for predicate in sorted(predicates):
            found = store.triples_for_terms(None, predicate, node, inferred=False)
            if next(found, None) is not None:
                yield node, predicate


def _inferred_about(store: EmbeddedStore, nodes: set[str]) -> Iterator[tuple[str, str, str]]:
    iris = sorted(node for node in nodes if is_iri(node))
    graph = f"GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }}"
    for values in _values_blocks("?s", iris):
        yield from store.construct_terms(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {values} {graph} }}")
    for node in sorted(nodes - set(iris)):
        yield from store.triples_for_terms(node, None, None, inferred=True)


def _values_blocks(variable: str, terms: Sequence[str]) -> Iterable[str]:
    for start in range(0, len(terms), _NODES_PER_QUERY):
        block = " ".join(terms[start : start + _NODES_PER_QUERY])
        yield f"VALUES {variable} {{ {block} }}"


def _is_node(term: str) -> bool:
    """Return whether an N-Triples term is an IRI or a blank node, which may be a subject."""
    return is_iri(term) or term.startswith("_:")
