"""The demo cluster as `make run` serves it: the README's query and the store's reopening."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import pytest
from conftest import ServiceFactory
from fastapi.testclient import TestClient

from api.routers.home import EXAMPLE_QUERY
from vic_semantic.namespaces import INFERRED_GRAPH, MEMBERS_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from vic_semantic.service import VicService

# Counted by hand from the demo files: the dairy plant's 1C export has 30 rows, of which row
# 20 has no name and row 30 is a gift set, so neither is a dairy product.
EXPECTED_DAIRY = {
    ("Молочный завод №1", "молоко питьевое пастеризованное"): 2,
    ("Молочный завод №1", "молоко питьевое ультрапастеризованное"): 2,
    ("Молочный завод №1", "молоко питьевое стерилизованное"): 2,
    ("Молочный завод №1", "кефир"): 5,
    ("Молочный завод №1", "сметана"): 4,
    ("Молочный завод №1", "творог"): 5,
    ("Молочный завод №1", "масло сливочное"): 4,
    ("Молочный завод №1", "сыр полутвёрдый"): 2,
    ("Молочный завод №1", "сыр мягкий"): 1,
    ("Молочный завод №1", "сливки"): 1,
    ("Фабрика мороженого", "пломбир"): 4,
    ("Фабрика мороженого", "сливочное мороженое"): 2,
    ("Фабрика мороженого", "молочное мороженое"): 2,
}


def test_readme_query_counts_dairy_products(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": EXAMPLE_QUERY}, headers={"Accept": "text/csv"}
    )

    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    counts = {(r["plant"], r["productClass"]): int(r["products"]) for r in rows}
    assert counts == EXPECTED_DAIRY


def test_readme_query_text_matches_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for line in ("GROUP BY ?plant ?productClass", "?product a vic:DairyProduct"):
        assert line in readme
        assert line in EXAMPLE_QUERY


def test_demo_graphs_present(demo_service: VicService) -> None:
    graphs = {g.iri: g.triples for g in demo_service.store.graphs()}

    for fixed in (ONTOLOGY_GRAPH, SHAPES_GRAPH, MEMBERS_GRAPH, INFERRED_GRAPH):
        assert graphs.get(str(fixed), 0) > 0, fixed
    catalogues = [iri for iri in graphs if "/graph/catalogue/" in iri]
    assert len(catalogues) == 3


def test_members_registry_loaded(client: TestClient) -> None:
    query = """
    PREFIX vic: <https://w3id.org/vic-semantic/ontology/>
    SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a vic:ClusterMember }"""
    response = client.get("/sparql", params={"query": query})

    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "27"


def test_second_open_reuses_store(
    service_factory: ServiceFactory, store_kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    first = service_factory()
    size = sum(g.triples for g in first.store.graphs())
    first.close()
    del first

    caplog.set_level(logging.INFO, logger="vic_semantic.demo")
    second = service_factory()
    assert sum(g.triples for g in second.store.graphs()) == size
    messages = [record.getMessage() for record in caplog.records]
    if store_kind == "remote":
        # A remote store that holds data keeps it: the demo is loaded only into an empty one.
        expected = f"remote store {second.settings.store_url} holds data; demo cluster not loaded"
    else:
        expected = "demo cluster already loaded; reopened the store"
    assert expected in messages
    assert not any(message.startswith("built the demo") for message in messages)
