"""A farm's stored veterinary records, as the context its new delivery logs are checked in."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from vic_semantic.namespaces import VIC, veterinary_graph
from vic_semantic.store.base import Store


def stored_treatments(store: Store, member: str | None) -> Graph | None:
    """Return the member's stored veterinary graph when it contains a treatment, else None."""
    if member is None:
        return None
    graph = str(veterinary_graph(member))
    if not store.ask(f"ASK {{ GRAPH <{graph}> {{ ?t a <{VIC.VeterinaryTreatment}> }} }}"):
        return None
    data = Graph()
    data.parse(data=store.serialize_graph(graph, ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    return data
