"""Reconciliation Service API 0.2 (as OpenRefine speaks it) over the store's entities.

Candidates come from the search index; exact names and ids come first and may be marked as
certain matches. The HTTP layer is ``api.routers.reconcile``.
"""

from vic_semantic.reconcile.extend import extend, parse_extend, propose_properties
from vic_semantic.reconcile.manifest import manifest
from vic_semantic.reconcile.matching import reconcile, reconcile_batch
from vic_semantic.reconcile.preview import preview_html
from vic_semantic.reconcile.queries import ReconcileQuery, parse_batch
from vic_semantic.reconcile.suggest import suggest_entities, suggest_properties, suggest_types

__all__ = [
    "ReconcileQuery",
    "extend",
    "manifest",
    "parse_batch",
    "parse_extend",
    "preview_html",
    "propose_properties",
    "reconcile",
    "reconcile_batch",
    "suggest_entities",
    "suggest_properties",
    "suggest_types",
]
