"""Stores of the cluster's RDF dataset."""

from vic_semantic.store.base import Dataset, GraphResult, Store
from vic_semantic.store.embedded import EmbeddedStore

__all__ = ["Dataset", "EmbeddedStore", "GraphResult", "Store"]
