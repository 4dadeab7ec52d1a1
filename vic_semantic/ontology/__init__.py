"""The OWL ontology of vic-semantic: loading it, checking it with HermiT, and editorial checks."""

from vic_semantic.ontology.consistency import ConsistencyReport, check_consistency
from vic_semantic.ontology.errors import (
    JavaNotFoundError,
    OntologyError,
    OntologyNotFoundError,
    OntologySyntaxError,
    ProfileCheckError,
    ReasonerError,
)
from vic_semantic.ontology.loader import load_ontology_graph, ontology_dir
from vic_semantic.ontology.profile import ProfileViolation, dl_profile_violations, profile_problems
from vic_semantic.ontology.quality import quality_problems

__all__ = [
    "ConsistencyReport",
    "JavaNotFoundError",
    "OntologyError",
    "OntologyNotFoundError",
    "OntologySyntaxError",
    "ProfileCheckError",
    "ProfileViolation",
    "ReasonerError",
    "check_consistency",
    "dl_profile_violations",
    "load_ontology_graph",
    "ontology_dir",
    "profile_problems",
    "quality_problems",
]
