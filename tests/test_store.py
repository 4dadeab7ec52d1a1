from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from vic_semantic.errors import ForbiddenOperationError, QuerySyntaxError, RdfSyntaxError
from vic_semantic.inference import materialise
from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from vic_semantic.store import Dataset, EmbeddedStore

TTL = ox.RdfFormat.TURTLE
ONTOLOGY = b"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://e/Kefir> rdfs:subClassOf <http://e/Fermented> .
<http://e/Fermented> rdfs:subClassOf <http://e/Dairy> .
<http://e/name> rdfs:subPropertyOf rdfs:label .
"""


def _count(store: EmbeddedStore, query: str, dataset: Dataset | None = None) -> int:
    rows = store.select(query, dataset)
    return int(rows[0]["n"])


def test_replace_graph_with_bad_data_keeps_old_content(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    store.replace_graph("http://g/1", b"<http://a> <http://p> 1 .", TTL)

    with pytest.raises(RdfSyntaxError) as caught:
        store.replace_graph(
            "http://g/1", b"<http://b> <http://p> 2 .\n<http://c> <http://p> .", TTL
        )

    assert caught.value.line == 2
    assert [g.triples for g in store.graphs()] == [1]
    assert store.ask("ASK { <http://a> <http://p> 1 }")


def test_store_persists_across_reopen(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    store.replace_graph("http://g/1", b"<http://a> <http://p> 'x' .", TTL)
    store.close()
    del store

    reopened = EmbeddedStore(tmp_path)
    assert reopened.ask("ASK { <http://a> <http://p> 'x' }")


def test_materialise_types_and_labels() -> None:
    store = EmbeddedStore(None)
    store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, TTL)
    store.replace_graph(
        "http://g/data",
        b"<http://k1> a <http://e/Kefir> ; <http://e/name> 'k' . <http://d1> a <http://e/Dairy> .",
        TTL,
    )

    materialise(store)

    dairy = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://e/Dairy> }"
    assert _count(store, dairy) == 2
    assert store.ask("ASK { <http://k1> <http://www.w3.org/2000/01/rdf-schema#label> 'k' }")
    inferred = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}"
    # k1 a Fermented, k1 a Dairy, k1 rdfs:label 'k'; d1 is asserted Dairy already.
    assert _count(store, inferred) == 3
    assert _count(store, dairy, Dataset(include_inferred=False)) == 1


def test_materialise_drops_stale_inferences() -> None:
    store = EmbeddedStore(None)
    store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, TTL)
    store.replace_graph("http://g/data", b"<http://k1> a <http://e/Kefir> .", TTL)
    materialise(store)

    store.drop_graph("http://g/data")
    materialise(store)

    assert not store.ask("ASK { <http://k1> ?p ?o }")


def test_query_dataset_default_graph() -> None:
    store = EmbeddedStore(None)
    store.replace_graph("http://g/1", b"<http://a> <http://p> 1 .", TTL)
    store.replace_graph("http://g/2", b"<http://b> <http://p> 2 .", TTL)

    body = store.query(
        "SELECT ?s WHERE { ?s ?p ?o }", Dataset(default_graphs=("http://g/2",)), None, None
    )

    bindings = json.loads(body)["results"]["bindings"]
    assert [b["s"]["value"] for b in bindings] == ["http://b"]


def test_query_syntax_error_has_position() -> None:
    store = EmbeddedStore(None)
    with pytest.raises(QuerySyntaxError) as caught:
        store.query("SELECT ?s WHERE {\n  ?s ?p \n}", Dataset(), None, None)
    assert (caught.value.line, caught.value.column) == (3, 2)
    assert "3" in caught.value.message("ru")


def test_service_and_load_never_run() -> None:
    store = EmbeddedStore(None)
    with pytest.raises(ForbiddenOperationError):
        store.query(
            "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", Dataset(), None, None
        )
    with pytest.raises(ForbiddenOperationError):
        store.update("LOAD <http://127.0.0.1:1/x.ttl>")


OWL_RL_ONTOLOGY = b"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix e: <http://e/> .
e:partOf a owl:TransitiveProperty .
e:hasEnterprise owl:inverseOf e:enterpriseOf .
e:makes rdfs:domain e:Producer ; rdfs:range e:Product .
e:Producer rdfs:subClassOf e:Organisation .
e:Milk owl:equivalentClass e:Moloko .
e:label2 owl:equivalentProperty e:name .
"""
OWL_RL_DATA = """
@prefix e: <http://e/> .
e:a e:partOf e:b . e:b e:partOf e:c . e:c e:partOf e:d .
e:holding e:hasEnterprise e:plant .
e:plant e:makes e:kefir1 .
e:m1 a e:Milk .
e:m1 e:label2 "молоко" .
""".encode()


@pytest.mark.parametrize(
    "ask",
    [
        "<http://e/a> <http://e/partOf> <http://e/d>",
        "<http://e/b> <http://e/partOf> <http://e/d>",
        "<http://e/plant> <http://e/enterpriseOf> <http://e/holding>",
        "<http://e/plant> a <http://e/Producer>",
        "<http://e/plant> a <http://e/Organisation>",
        "<http://e/kefir1> a <http://e/Product>",
        "<http://e/m1> a <http://e/Moloko>",
        "<http://e/m1> <http://e/name> 'молоко'",
    ],
)
def test_materialise_owl_rl_rules(ask: str) -> None:
    store = EmbeddedStore(None)
    store.replace_graph(str(ONTOLOGY_GRAPH), OWL_RL_ONTOLOGY, TTL)
    store.replace_graph("http://g/data", OWL_RL_DATA, TTL)

    materialise(store)

    assert store.ask(f"ASK {{ {ask} }}")


def test_range_never_types_literals() -> None:
    store = EmbeddedStore(None)
    store.replace_graph(
        str(ONTOLOGY_GRAPH),
        b"<http://e/p> <http://www.w3.org/2000/01/rdf-schema#range> <http://e/C> .",
        TTL,
    )
    store.replace_graph("http://g/data", b"<http://e/s> <http://e/p> 'text' .", TTL)

    materialise(store)

    assert not store.ask("ASK { ?x a <http://e/C> }")


def test_graphs_lists_empty_graphs() -> None:
    store = EmbeddedStore(None)
    store.update("CREATE GRAPH <http://g/empty>")
    store.replace_graph("http://g/full", b"<http://a> <http://p> 1 .", TTL)

    listed = {(g.iri, g.triples) for g in store.graphs()}

    assert listed == {("http://g/empty", 0), ("http://g/full", 1)}
