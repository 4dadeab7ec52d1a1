"""Materialised RDFS inferences, kept in their own named graph.

Analysts query the union of all graphs and expect a kefir typed only as ``vic:Kefir`` to be
found as a ``vic:DairyProduct``. Computing that at query time would slow every query, so the
closure is written once into ``INFERRED_GRAPH`` after each write.

Only triples that no other graph asserts are written there: pyoxigraph's union default graph
keeps a triple once per graph that holds it, so a duplicate would be counted twice.
"""

from __future__ import annotations

import logging
import time

from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from vic_semantic.store.base import Store

logger = logging.getLogger(__name__)

_PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

# Types through rdfs:subClassOf, and statements through rdfs:subPropertyOf, computed from
# asserted triples only so that a stale inferred graph never feeds the next run. The class and
# property hierarchies come from the ontology graph: member data may not redefine them.
_RULES = [
    """
INSERT { GRAPH <%(inferred)s> { ?s a ?super } }
WHERE {
  { SELECT DISTINCT ?s ?super WHERE {
      GRAPH ?g { ?s a ?class }
      FILTER (?g != <%(inferred)s>)
      GRAPH <%(ontology)s> { ?class rdfs:subClassOf+ ?super }
      FILTER (isIRI(?super) && ?super != owl:Thing && ?super != rdfs:Resource)
  } }
  FILTER NOT EXISTS { GRAPH ?h { ?s a ?super } FILTER (?h != <%(inferred)s>) }
}""",
    """
INSERT { GRAPH <%(inferred)s> { ?s ?super ?o } }
WHERE {
  { SELECT DISTINCT ?s ?super ?o WHERE {
      GRAPH <%(ontology)s> { ?property rdfs:subPropertyOf+ ?super }
      FILTER (isIRI(?super) && ?super != ?property)
      GRAPH ?g { ?s ?property ?o }
      FILTER (?g != <%(inferred)s>)
  } }
  FILTER NOT EXISTS { GRAPH ?h { ?s ?super ?o } FILTER (?h != <%(inferred)s>) }
}""",
]


def materialise(store: Store) -> None:
    """Recompute the inferred graph from every asserted graph in one transaction."""
    started = time.perf_counter()
    values = {"inferred": INFERRED_GRAPH, "ontology": ONTOLOGY_GRAPH}
    rules = ";\n".join(rule % values for rule in _RULES)
    store.update(f"{_PREFIXES}\nDROP SILENT GRAPH <{INFERRED_GRAPH}> ;\n{rules}")
    logger.info("materialised inferences in %.2f s", time.perf_counter() - started)
