"""A SHACL engine that evaluates the core constraint components as SPARQL over pyoxigraph.

Each shape is validated for all its focus nodes at once: the focus nodes are written to a
named graph of an in-memory pyoxigraph store, and every constraint is one SPARQL query joined
with that graph. For large sets the query runs on the whole store and its failing rows are
kept when their focus node is in the set. SHACL-SPARQL constraints and the validators of
SPARQL-based constraint components that are not one flat group run once per focus node (or
value node, for ASK validators), with the node pre-bound. Literals of xsd:byte, xsd:int and
the other datatypes that pyoxigraph stores as another one are stored as proxies that keep
their datatype (see ``terms``). ``UnsupportedShapes`` is raised for shapes graphs that use
something this engine does not translate, and ``validate_fast`` callers then use pySHACL.
``ShaclFailure`` is raised for SPARQL queries that SHACL-SPARQL does not allow (MINUS,
SERVICE, VALUES, rebinding a pre-bound variable, subqueries without ``$this``).
"""

from vic_semantic.validation.fast.engine import (
    FastReport,
    FastResult,
    ShaclFailure,
    UnsupportedShapes,
    ValidationTimeoutError,
    validate_fast,
)

__all__ = [
    "FastReport",
    "FastResult",
    "ShaclFailure",
    "UnsupportedShapes",
    "ValidationTimeoutError",
    "validate_fast",
]
