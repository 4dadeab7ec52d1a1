"""Stores of the cluster's RDF dataset: embedded (pyoxigraph) or remote (a SPARQL server)."""

from vic_semantic.store.base import Dataset, GraphResult, QueryLimits, Store
from vic_semantic.store.embedded import EmbeddedStore
from vic_semantic.store.remote import RemoteEndpoints, RemoteStore

__all__ = [
    "Dataset",
    "EmbeddedStore",
    "GraphResult",
    "QueryLimits",
    "RemoteEndpoints",
    "RemoteStore",
    "Store",
]
