"""Standard SPARQL clients, unchanged, against a real vic-semantic server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import store_settings
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from served_app import ServedApp
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

# Runs once per store kind (tests/conftest.py, BOTH_STORES).
TOKEN = "clients-admin-token"
GRAPH = "https://example.org/graph/clients"
KEFIR = URIRef("https://example.org/product/kefir")


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedApp]:
    location = store_settings(request, store_kind, "clients")
    environment = {f"VIC_{name.upper()}": str(value) for name, value in location.items()}
    served = ServedApp(tmp_path_factory.mktemp("clients") / "data", TOKEN, **environment)
    yield served
    served.terminate()


def test_server_uses_store_kind(server: ServedApp, store_kind: str) -> None:
    # Without this check a broken environment would leave both runs on the embedded store.
    embedded = (server.data_dir / "store").exists()

    assert embedded == (store_kind == "embedded")


def test_sparqlwrapper_select_and_construct(server: ServedApp) -> None:
    updater = SPARQLWrapper(f"{server.url}/sparql", updateEndpoint=f"{server.url}/sparql")
    updater.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    updater.setMethod(POST)
    updater.setQuery(
        f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{KEFIR}> <https://example.org/name> "кефир"@ru }} }}'
    )
    updater.query()

    reader = SPARQLWrapper(f"{server.url}/sparql")
    reader.setQuery(f"SELECT ?name WHERE {{ <{KEFIR}> ?p ?name }}")
    reader.setReturnFormat(JSON)
    rows = reader.query().convert()["results"]["bindings"]
    reader.setQuery(f"CONSTRUCT {{ <{KEFIR}> ?p ?o }} WHERE {{ <{KEFIR}> ?p ?o }}")
    reader.setReturnFormat(TURTLE)
    turtle = reader.query().convert()

    assert [row["name"]["value"] for row in rows] == ["кефир"]
    assert len(Graph().parse(data=turtle, format="turtle")) == 1


def test_rdflib_update_store(server: ServedApp) -> None:
    store = SPARQLUpdateStore(
        query_endpoint=f"{server.url}/sparql",
        update_endpoint=f"{server.url}/sparql",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    graph = Graph(store, identifier=URIRef(GRAPH + "/rdflib"))
    subject = URIRef("https://example.org/product/butter")

    graph.add((subject, URIRef("https://example.org/fat"), Literal(82.5)))
    values = list(graph.objects(subject, URIRef("https://example.org/fat")))
    graph.remove((subject, None, None))
    remaining = list(graph.objects(subject, None))
    store.close()

    assert values == [Literal(82.5)]
    assert remaining == []
