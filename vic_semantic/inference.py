"""Materialised RDFS and OWL 2 RL inferences, kept in their own named graph.

Analysts query the union of all graphs and expect a kefir typed only as ``vic:Kefir`` to be
found as a ``vic:DairyProduct``. Computing that at query time would slow every query, so the
closure is written once into ``INFERRED_GRAPH`` after each write.

The rules are the ones this ontology uses, named as in the OWL 2 RL profile
(https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules):
- prp-spo1, prp-eqp1/2: statements through rdfs:subPropertyOf and owl:equivalentProperty;
- prp-inv1/2: statements through owl:inverseOf;
- prp-trp: owl:TransitiveProperty (a part-of chain gives every ancestor);
- prp-dom, prp-rng: types from rdfs:domain and rdfs:range (range only for IRI and blank-node
  values, since a literal cannot have a class in RDF);
- cax-sco, cax-eqc1/2: types through rdfs:subClassOf and owl:equivalentClass.
They run once, in that order, and each sees what the rules before it wrote, so types that come
from domains and ranges also get their superclasses.

Only triples that no graph holds yet are written: pyoxigraph's union default graph keeps a
triple once per graph that holds it, so a duplicate would be counted twice.
"""

from __future__ import annotations

import logging
import time

from vic_semantic.inference_incremental import update_inferred
from vic_semantic.inference_inputs import infer
from vic_semantic.inference_rules import Statements
from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from vic_semantic.store.base import Store
from vic_semantic.store.embedded import EmbeddedStore

logger = logging.getLogger(__name__)

_PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

# The schema (hierarchies, domains, ranges, characteristics) comes from the ontology graph
# only: member data may not redefine it. Statements come from every graph.
_SUPER_PROPERTY = "(rdfs:subPropertyOf|owl:equivalentProperty|^owl:equivalentProperty)+"
_SUPER_CLASS = "(rdfs:subClassOf|owl:equivalentClass|^owl:equivalentClass)+"
_NEW = "FILTER NOT EXISTS { GRAPH ?h { %(triple)s } }"

_RULES = [
    # prp-spo1, prp-eqp1, prp-eqp2
    f"""
INSERT {{ GRAPH <%(inferred)s> {{ ?s ?super ?o }} }}
WHERE {{
  {{ SELECT DISTINCT ?s ?super ?o WHERE {{
      GRAPH <%(ontology)s> {{ ?property {_SUPER_PROPERTY} ?super }}
      FILTER (isIRI(?super) && ?super != ?property)
      GRAPH ?g {{ ?s ?property ?o }}
  }} }}
  {_NEW % {"triple": "?s ?super ?o"}}
}}""",
    # prp-inv1, prp-inv2
    f"""
INSERT {{ GRAPH <%(inferred)s> {{ ?o ?inverse ?s }} }}
WHERE {{
  {{ SELECT DISTINCT ?s ?inverse ?o WHERE {{
      GRAPH <%(ontology)s> {{ ?property owl:inverseOf|^owl:inverseOf ?inverse }}
      GRAPH ?g {{ ?s ?property ?o }}
      FILTER (!isLiteral(?o))
  }} }}
  {_NEW % {"triple": "?o ?inverse ?s"}}
}}""",
    # prp-trp: joins two links, asserted or inferred, in any graphs; repeated below.
    f"""
INSERT {{ GRAPH <%(inferred)s> {{ ?s ?property ?o }} }}
WHERE {{
  {{ SELECT DISTINCT ?s ?property ?o WHERE {{
      GRAPH <%(ontology)s> {{ ?property a owl:TransitiveProperty }}
      GRAPH ?g {{ ?s ?property ?middle }}
      GRAPH ?k {{ ?middle ?property ?o }}
  }} }}
  {_NEW % {"triple": "?s ?property ?o"}}
}}""",
    # prp-dom
    f"""
INSERT {{ GRAPH <%(inferred)s> {{ ?s a ?class }} }}
WHERE {{
  {{ SELECT DISTINCT ?s ?class WHERE {{
      GRAPH <%(ontology)s> {{ ?property rdfs:domain ?class }}
      FILTER (isIRI(?class) && ?class != owl:Thing && ?class != rdfs:Resource)
      GRAPH ?g {{ ?s ?property ?o }}
  }} }}
  {_NEW % {"triple": "?s a ?class"}}
}}""",
    # prp-rng
    f"""
INSERT {{ GRAPH <%(inferred)s> {{ ?o a ?class }} }}
WHERE {{
  {{ SELECT DISTINCT ?o ?class WHERE {{
      GRAPH <%(ontology)s> {{ ?property rdfs:range ?class }}
      FILTER (isIRI(?class) && ?class != owl:Thing && ?class != rdfs:Resource)
      GRAPH ?g {{ ?s ?property ?o }}
      FILTER (!isLiteral(?o))
  }} }}
  {_NEW % {"triple": "?o a ?class"}}
}}""",
    # cax-sco, cax-eqc1, cax-eqc2
    f"""
INSERT {{ GRAPH <%(inferred)s> {{ ?s a ?super }} }}
WHERE {{
  {{ SELECT DISTINCT ?s ?super WHERE {{
      GRAPH ?g {{ ?s a ?class }}
      GRAPH <%(ontology)s> {{ ?class {_SUPER_CLASS} ?super }}
      FILTER (isIRI(?super) && ?super != ?class && ?super != owl:Thing
              && ?super != rdfs:Resource)
  }} }}
  {_NEW % {"triple": "?s a ?super"}}
}}""",
]


# Each pass of prp-trp joins two known links, so chains double in length per pass: six passes
# close chains of up to 64 links. The embedded store's rules close chains of any length.
# NOTE: on a remote store a transitive chain longer than 64 links is closed only partly.
_TRANSITIVE_PASSES = 6


def _rule_sequence() -> list[str]:
    transitive = _RULES[2]
    return [*_RULES[:2], *[transitive] * _TRANSITIVE_PASSES, *_RULES[3:]]


def materialise(store: Store) -> None:
    """Bring the inferred graph up to date with every asserted graph.

    The embedded store computes the rules in Python (``inference_rules``) and writes only
    the difference to its inferred graph. When it recorded what the data writes since the
    last call changed, only the inferred triples those changes can affect are recomputed
    (``inference_incremental``); otherwise all of them. Any other store runs the rules as
    one SPARQL update, in one transaction.
    """
    started = time.perf_counter()
    if isinstance(store, EmbeddedStore):
        _materialise_embedded(store)
    else:
        store.update(sparql_rules())
    logger.info("materialised inferences in %.2f s", time.perf_counter() - started)


def sparql_rules() -> str:
    """Return the SPARQL update that drops the inferred graph and applies every rule."""
    values = {"inferred": INFERRED_GRAPH, "ontology": ONTOLOGY_GRAPH}
    rules = ";\n".join(rule % values for rule in _rule_sequence())
    return f"{_PREFIXES}\nDROP SILENT GRAPH <{INFERRED_GRAPH}> ;\n{rules}"


def ensure_materialised(store: Store) -> None:
    """Recompute the inferred graph unless the store records it as current.

    Called at start-up: a process killed between a write and the inference step after it
    leaves the inferred graph behind the data, and the embedded store's state file then
    records it as stale. Other stores keep no such record, so their inferences are always
    recomputed.
    """
    if isinstance(store, EmbeddedStore) and store.inferences_current():
        logger.info("inferred graph is current; not recomputed")
        return
    materialise(store)


def _materialise_embedded(store: EmbeddedStore) -> None:
    with store.inference_lock:
        _materialise_locked(store)


def _materialise_locked(store: EmbeddedStore) -> None:
    basis = store.inference_basis()
    changes = store.take_changes()
    try:
        if changes is None or not update_inferred(store, changes):
            write_inferred(store, infer(store))
    except BaseException:
        # The changes taken are not applied, so the next step must recompute everything.
        store.forget_changes()
        raise
    store.mark_inferences_current(basis)


def write_inferred(store: EmbeddedStore, statements: Statements) -> None:
    """Make the inferred graph contain exactly ``statements``, writing only the difference.

    The caller must hold ``store.inference_lock``.
    """
    expected = {
        f"{subject} {predicate} {obj} ."
        for predicate, pairs in statements.items()
        for subject, obj in pairs
    }
    inferred = f"GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }}"
    present = {
        f"{subject} {predicate} {obj} ."
        for subject, predicate, obj in store.construct_terms(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {inferred} }}"
        )
    }
    added = expected - present
    removed = present - expected
    store.change_graph(str(INFERRED_GRAPH), removed, added)
    logger.info(
        "inferred graph: %d triples, %d added, %d removed", len(expected), len(added), len(removed)
    )
