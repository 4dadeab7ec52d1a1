"""Check the ontology with the HermiT OWL 2 DL reasoner that ships with owlready2.

HermiT runs in Java. owlready2 reads RDF/XML, so the graph is written to a temporary
RDF/XML file and loaded into a fresh owlready2 World, which keeps one check from seeing
the classes of another.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import owlready2
from rdflib import Graph

from vic_semantic.ontology.errors import JavaNotFoundError, ReasonerError

logger = logging.getLogger(__name__)

# owlready2 stores what HermiT infers in the ontology that is active while it runs.
_INFERRED_ONTOLOGY_IRI = "urn:vic-semantic:hermit-inferences"


@dataclass(frozen=True)
class ConsistencyReport:
    """Outcome of one HermiT run.

    ``inferred_subclasses`` holds the (subclass IRI, superclass IRI) pairs that HermiT
    reports as direct subclass relations and that the graph does not assert as
    rdfs:subClassOf, sorted; ``inferred_equivalences`` holds the pairs of named classes it
    finds equivalent without an asserted owl:equivalentClass; ``inferred_types`` holds the
    (individual IRI, class IRI) pairs of the most specific classes HermiT finds for named
    individuals beyond their asserted rdf:type. An inconsistent ontology cannot be
    classified, so for it every tuple is empty.
    """

    consistent: bool
    unsatisfiable_classes: tuple[str, ...]
    inferred_subclasses: tuple[tuple[str, str], ...] = ()
    inferred_equivalences: tuple[tuple[str, str], ...] = ()
    inferred_types: tuple[tuple[str, str], ...] = ()

    @property
    def inferred_subclass_count(self) -> int:
        """Number of direct subclass relations that HermiT inferred and the graph lacks."""
        return len(self.inferred_subclasses)

    @property
    def ok(self) -> bool:
        """True when the ontology is consistent and every class can have members."""
        return self.consistent and not self.unsatisfiable_classes


def check_consistency(graph: Graph) -> ConsistencyReport:
    """Run HermiT on ``graph`` and report consistency and unsatisfiable classes.

    Raises JavaNotFoundError when no Java runtime is on the PATH, and ReasonerError when
    HermiT fails for another reason, for example on a construct outside OWL 2 DL.
    """
    if shutil.which(owlready2.JAVA_EXE) is None:
        raise JavaNotFoundError(owlready2.JAVA_EXE)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vic-hermit-") as folder:
        path = Path(folder) / "ontology.owl"
        graph.serialize(destination=path, format="xml")
        report = _reason(path)

    logger.info(
        "HermiT: consistent=%s, %d unsatisfiable classes, %d inferred subclass axioms, %.1f s",
        report.consistent,
        len(report.unsatisfiable_classes),
        report.inferred_subclass_count,
        time.perf_counter() - started,
    )
    return report


def _reason(path: Path) -> ConsistencyReport:
    world = owlready2.World()
    try:
        world.get_ontology(path.as_uri()).load()
        inferred = world.get_ontology(_INFERRED_ONTOLOGY_IRI)
        try:
            with inferred:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return ConsistencyReport(False, ())
        except owlready2.OwlReadyJavaError as error:
            raise ReasonerError(
                f"HermiT завершился с ошибкой: {error}",
                f"HermiT failed: {error}",
            ) from error

        # owlready2 lists owl:Nothing too, which is unsatisfiable by definition, so drop it.
        unsatisfiable = tuple(
            sorted(
                entity.iri
                for entity in world.inconsistent_classes()
                if entity is not owlready2.Nothing
            )
        )
        return ConsistencyReport(
            True,
            unsatisfiable,
            _named_pairs(world, inferred, owlready2.rdfs_subclassof),
            _named_pairs(world, inferred, owlready2.owl_equivalentclass),
            _named_pairs(world, inferred, owlready2.rdf_type),
        )
    finally:
        world.close()


def _named_pairs(
    world: owlready2.World, inferred: owlready2.Ontology, predicate: int
) -> tuple[tuple[str, str], ...]:
    # owlready2 adds to the inferred ontology only the relations that no loaded ontology
    # asserts already, so these triples are exactly the new ones. Objects are storids:
    # negative ones are blank nodes, which have no IRI to report, and an equivalence to
    # owl:Nothing is an unsatisfiable class, which the report lists apart. The inferred
    # ontology's own header (it rdf:type owl:Ontology) is no inference.
    pairs = {
        (world._unabbreviate(subject), world._unabbreviate(obj))
        for subject, _, obj in inferred.get_triples(None, predicate, None)
        if isinstance(obj, int) and obj > 0 and subject > 0 and obj != owlready2.owl_nothing
    }
    return tuple(sorted(pair for pair in pairs if pair[0] != _INFERRED_ONTOLOGY_IRI))
