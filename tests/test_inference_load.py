"""A bulk load that computes the inferred graph while it loads: the same inferred graph as
a load followed by the full inference step, and nothing changed when a file is invalid."""

from __future__ import annotations

import logging
from pathlib import Path

import pyoxigraph as ox
import pytest

import vic_semantic.store.bulk_pass as bulk_pass
from vic_semantic.inference import materialise, sparql_rules
from vic_semantic.inference_load import bulk_load_with_inferences
from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from vic_semantic.store import EmbeddedStore
from vic_semantic.store.bulk import GraphSource, RdfFileSyntaxError

TTL = ox.RdfFormat.TURTLE
NT = ox.RdfFormat.N_TRIPLES

ONTOLOGY = b"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix e: <http://e/> .
e:Kefir rdfs:subClassOf e:Fermented .
e:Fermented rdfs:subClassOf e:Dairy .
e:Milk owl:equivalentClass e:Moloko .
e:name rdfs:subPropertyOf rdfs:label .
e:partOf a owl:TransitiveProperty .
e:hasEnterprise owl:inverseOf e:enterpriseOf .
e:makes rdfs:domain e:Producer ; rdfs:range e:Product .
e:Producer rdfs:subClassOf e:Organisation .
e:Product rdfs:subClassOf e:Thing2 .
e:Union owl:unionOf ( e:Kefir e:Milk ) .
"""
PRODUCTS = """
@prefix e: <http://e/> .
e:k1 a e:Kefir ; e:name "кефир \\"Домашний\\"\\n2,5 %"@ru .
e:plant e:makes e:k1 , e:k2 , "не ресурс" .
e:m1 a e:Milk ; e:name "молоко" .
e:a e:partOf e:b . e:b e:partOf e:c .
""".encode()
# Blank nodes among the rules' inputs: the graph is read back from the store.
HOLDINGS = """
@prefix e: <http://e/> .
e:holding e:hasEnterprise e:plant , [ e:name "завод без IRI" ; a e:Kefir ] .
e:c e:partOf e:d .
""".encode()
# A blank node as the only subject: its type alone must be read back.
ANONYMOUS = "@prefix e: <http://e/> . [ a e:Kefir ] . e:lone e:name 'одна' .".encode()
# Already asserted, so not inferred again: e:k2 is a Product in this graph.
ASSERTED = b"""
<http://e/k2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/Product> .
<http://e/k2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/Thing2> .
"""
EARLIER = b"<http://e/old> a <http://e/Kefir> . <http://e/d> <http://e/partOf> <http://e/x> ."


def _sources() -> list[GraphSource]:
    return [
        GraphSource("http://g/products", TTL, data=PRODUCTS),
        GraphSource(str(ONTOLOGY_GRAPH), TTL, data=ONTOLOGY),
        GraphSource("http://g/holdings", TTL, data=HOLDINGS),
        GraphSource("http://g/anonymous", TTL, data=ANONYMOUS),
        GraphSource("http://g/asserted", NT, data=ASSERTED),
    ]


def _inferred(store: EmbeddedStore) -> set[str]:
    triples = store.construct_terms(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    return {" ".join(triple) for triple in triples}


def _by_full_step(store: EmbeddedStore) -> set[str]:
    """Recompute the inferred graph of ``store`` with the full Python step."""
    store.update(f"DROP SILENT GRAPH <{INFERRED_GRAPH}>")
    materialise(store)
    return _inferred(store)


def _by_sparql(store: EmbeddedStore) -> set[str]:
    store.update(sparql_rules())
    return _inferred(store)


def _without_blank_nodes(lines: set[str]) -> set[str]:
    return {line for line in lines if "_:" not in line}


def test_one_pass_matches_full_inference(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graph("http://g/earlier", EARLIER, TTL)

    result = bulk_load_with_inferences(store, _sources())
    one_pass = _inferred(store)

    assert result.counts["http://g/products"] == 9
    assert result.counts["http://g/asserted"] == 2
    assert store.inferences_current()
    assert one_pass == _by_full_step(store)
    # The SPARQL form gives blank nodes their own labels in the inferred graph.
    assert _without_blank_nodes(one_pass) == _without_blank_nodes(_by_sparql(store))
    store.close()


@pytest.mark.parametrize(
    "expected",
    [
        "<http://e/k1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/Dairy>",
        "<http://e/old> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/Dairy>",
        "<http://e/m1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/Moloko>",
        "<http://e/plant> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/Organisation>",
        "<http://e/k1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/Thing2>",
        "<http://e/a> <http://e/partOf> <http://e/x>",
        "<http://e/plant> <http://e/enterpriseOf> <http://e/holding>",
        "<http://e/k1> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"кефир \\"Домашний\\"\\n2,5 %"@ru',
    ],
)
def test_one_pass_infers(tmp_path: Path, expected: str) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graph("http://g/earlier", EARLIER, TTL)

    bulk_load_with_inferences(store, _sources())

    assert expected in _inferred(store)
    store.close()


def test_one_pass_keeps_blank_node_labels(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")

    bulk_load_with_inferences(store, _sources())

    # The enterprise without an IRI is one node: its inferred type and its inverse
    # statement name the node the holdings graph holds.
    rows = store.select(
        "SELECT ?b WHERE { GRAPH <http://g/holdings> { ?b <http://e/name> ?n } "
        f"GRAPH <{INFERRED_GRAPH}> {{ ?b a <http://e/Dairy> ; "
        "<http://e/enterpriseOf> <http://e/holding> } }"
    )
    assert len(rows) == 1
    store.close()


def test_one_pass_replaces_stale_inferences(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, TTL)
    store.replace_graph("http://g/earlier", EARLIER, TTL)
    materialise(store)
    stale = "<http://e/gone> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/Dairy>"
    store.change_graph(str(INFERRED_GRAPH), (), [f"{stale} ."])

    sources = [source for source in _sources() if source.graph != str(ONTOLOGY_GRAPH)]
    bulk_load_with_inferences(store, sources)
    one_pass = _inferred(store)

    assert stale not in one_pass
    assert one_pass == _by_full_step(store)
    store.close()


def test_one_pass_in_small_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Every batch of 2 triples makes a loader call, except inside a graph with a blank node.
    monkeypatch.setattr(bulk_pass, "CHUNK_QUADS", 2)
    monkeypatch.setattr(bulk_pass, "_BATCH_TRIPLES", 2)
    store = EmbeddedStore(tmp_path / "store")

    with caplog.at_level(logging.INFO, logger="vic_semantic.store.embedded"):
        bulk_load_with_inferences(store, _sources())
    one_pass = _inferred(store)

    assert "compacted the store" in caplog.text
    assert one_pass == _by_full_step(store)
    named = store.select(
        "SELECT DISTINCT ?b WHERE { GRAPH <http://g/holdings> { ?b a <http://e/Kefir> ; "
        "<http://e/name> ?n } }"
    )
    assert len(named) == 1
    store.close()


def test_bad_file_changes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, TTL)
    store.replace_graph("http://g/earlier", EARLIER, TTL)
    materialise(store)
    before = set(store.dump(ox.RdfFormat.N_QUADS).decode().splitlines())
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix e: <http://e/> .\ne:x e:name "x" .\ne:y e:name .\n', "utf-8")
    sources = [
        GraphSource("http://g/products", TTL, data=PRODUCTS),
        GraphSource("http://g/bad", TTL, path=bad),
        GraphSource("http://g/asserted", NT, data=ASSERTED),
    ]

    with pytest.raises(RdfFileSyntaxError) as raised:
        bulk_load_with_inferences(store, sources)

    assert raised.value.source == str(bad)
    assert raised.value.line == 3
    assert set(store.dump(ox.RdfFormat.N_QUADS).decode().splitlines()) == before
    assert not store.has_graph("http://g/products")
    store.close()
    # No traceback frame keeps the store's lock.
    EmbeddedStore(tmp_path / "store").close()


def test_filled_graph_rejected(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graph("http://g/products", b"<http://e/x> <http://e/p> 1 .", TTL)

    with pytest.raises(ValueError, match="http://g/products"):
        bulk_load_with_inferences(store, _sources())

    assert not store.has_graph(str(ONTOLOGY_GRAPH))
    store.close()


def test_one_pass_reads_blank_node_graph(tmp_path: Path) -> None:
    # The service's writes name graphs by IRI only, so another tool wrote this one.
    raw = ox.Store(str(tmp_path / "store"))
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    kefir = (ox.NamedNode("http://e/k7"), rdf_type, ox.NamedNode("http://e/Kefir"))
    raw.add(ox.Quad(*kefir, ox.BlankNode()))
    del raw
    store = EmbeddedStore(tmp_path / "store")

    bulk_load_with_inferences(store, _sources())
    one_pass = _inferred(store)

    assert f"<http://e/k7> <{rdf_type.value}> <http://e/Dairy>" in one_pass
    assert one_pass == _by_full_step(store)
    store.close()
