"""Cluster analytics over the store: innovation-cycle coverage, member closeness, named queries.

Every figure is computed by a SPARQL file kept beside this package (``measures/`` and
``queries/``), so an analyst can run the same text at the SPARQL endpoint and get the same
numbers. ``docs/analytics.md`` defines each measure.
"""

from vic_semantic.analytics.closeness import (
    Closeness,
    SemanticCompatibility,
    TechnicalCompatibility,
    closeness,
    closeness_matrix,
    load_closeness_inputs,
    pair_closeness,
)
from vic_semantic.analytics.coverage import CoverageReport, CoveredItem, innovation_coverage
from vic_semantic.analytics.labels import Labels, load_labels
from vic_semantic.analytics.members import (
    Member,
    find_member,
    list_members,
    member_iri,
    member_product_classes,
)
from vic_semantic.analytics.named_queries import (
    NamedQuery,
    UnknownQueryError,
    get_named_query,
    named_queries,
)
from vic_semantic.analytics.trust import MemberTrust, Trust, UnavailableComponent

__all__ = [
    "Closeness",
    "CoverageReport",
    "CoveredItem",
    "Labels",
    "Member",
    "MemberTrust",
    "NamedQuery",
    "SemanticCompatibility",
    "TechnicalCompatibility",
    "Trust",
    "UnavailableComponent",
    "UnknownQueryError",
    "closeness",
    "closeness_matrix",
    "find_member",
    "get_named_query",
    "innovation_coverage",
    "list_members",
    "load_closeness_inputs",
    "load_labels",
    "member_iri",
    "member_product_classes",
    "named_queries",
    "pair_closeness",
]
