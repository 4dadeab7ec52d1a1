"""The embedded store's inference step: the Python rules against the SPARQL rules, the state
file that lets start-up skip them, and bulk loads that must land whole or not at all."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from vic_semantic.errors import RdfSyntaxError
from vic_semantic.inference import ensure_materialised, materialise, sparql_rules
from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from vic_semantic.service import VicService
from vic_semantic.store import EmbeddedStore

TTL = ox.RdfFormat.TURTLE
NT = ox.RdfFormat.N_TRIPLES
REPO = Path(__file__).resolve().parent.parent
INFERRED = ox.NamedNode(str(INFERRED_GRAPH))

ONTOLOGY = b"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix e: <http://e/> .
e:Kefir rdfs:subClassOf e:Fermented .
e:Fermented rdfs:subClassOf e:Dairy .
e:Dairy rdfs:subClassOf owl:Thing .
e:Milk owl:equivalentClass e:Moloko .
e:name rdfs:subPropertyOf rdfs:label .
e:label2 owl:equivalentProperty e:name .
e:partOf a owl:TransitiveProperty .
e:hasEnterprise owl:inverseOf e:enterpriseOf .
e:makes rdfs:domain e:Producer ; rdfs:range e:Product .
e:Producer rdfs:subClassOf e:Organisation .
e:Product rdfs:subClassOf e:Thing2 .
"""
DATA = """
@prefix e: <http://e/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
e:k1 a e:Kefir ; e:name "кефир" ; rdfs:label "кефир" .
e:d1 a e:Dairy .
e:a e:partOf e:b . e:b e:partOf e:c . e:c e:partOf e:a . e:c e:partOf "литерал" .
e:holding e:hasEnterprise e:plant , [ e:name "завод без IRI" ] .
e:plant e:makes e:kefir1 , "не ресурс" .
e:m1 a e:Milk ; e:label2 "молоко" .
""".encode()


def _inferred(store: EmbeddedStore) -> set[str]:
    triples = store.construct_terms(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    return {" ".join(triple) for triple in triples}


def _assert_rules_agree(store: EmbeddedStore) -> None:
    """Run the SPARQL rules, then the Python rules on the same store, and compare."""
    store.update(sparql_rules())
    by_sparql = _inferred(store)

    materialise(store)
    by_python = _inferred(store)

    assert by_sparql, "the SPARQL rules inferred nothing, so the comparison proves nothing"
    assert by_python - by_sparql == set()
    assert by_sparql - by_python == set()


def test_rules_match_sparql_on_owl_rl_data() -> None:
    store = EmbeddedStore(None)
    store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, TTL)
    store.replace_graph("http://g/data", DATA, TTL)
    store.replace_graph("http://g/more", b"<http://e/k1> a <http://e/Fermented> .", TTL)

    _assert_rules_agree(store)


def test_rules_match_sparql_on_demo(demo_service: VicService) -> None:
    dump = demo_service.store.dump(ox.RdfFormat.N_QUADS)
    store = EmbeddedStore(None)
    store.add_quads(
        quad for quad in ox.parse(dump, format=ox.RdfFormat.N_QUADS) if quad.graph_name != INFERRED
    )

    _assert_rules_agree(store)


def test_transitive_chain_longer_than_64_closed() -> None:
    store = EmbeddedStore(None)
    store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, TTL)
    chain = "\n".join(
        f"<http://e/n{i}> <http://e/partOf> <http://e/n{i + 1}> ." for i in range(100)
    )
    store.replace_graph("http://g/chain", chain.encode(), NT)

    materialise(store)

    assert store.ask("ASK { <http://e/n0> <http://e/partOf> <http://e/n100> }")
    assert not store.ask("ASK { <http://e/n1> <http://e/partOf> <http://e/n0> }")


@pytest.mark.parametrize("holdings", [1, 25_000])
def test_inverse_keeps_blank_nodes(holdings: int) -> None:
    # 25,000 inferences pass the size of one transaction, so they take the bulk path.
    store = EmbeddedStore(None)
    store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, TTL)
    data = "\n".join(f"<http://e/h{i}> <http://e/hasEnterprise> _:p{i} ." for i in range(holdings))
    store.replace_graph("http://g/data", data.encode(), NT)

    materialise(store)

    same_node = (
        "ASK { <http://e/h0> <http://e/hasEnterprise> ?p . ?p <http://e/enterpriseOf> "
        "<http://e/h0> }"
    )
    assert store.ask(same_node)
    count = store.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    assert int(count[0]["n"]) == holdings


def test_materialise_removes_only_stale_triples() -> None:
    store = EmbeddedStore(None)
    store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, TTL)
    store.replace_graph("http://g/1", b"<http://e/k1> a <http://e/Kefir> .", TTL)
    store.replace_graph("http://g/2", b"<http://e/k2> a <http://e/Kefir> .", TTL)
    materialise(store)

    store.drop_graph("http://g/1")
    materialise(store)

    assert not store.ask("ASK { <http://e/k1> a <http://e/Dairy> }")
    assert store.ask("ASK { <http://e/k2> a <http://e/Dairy> }")


def _loaded_store(path: Path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, TTL)
    store.replace_graph("http://g/data", b"<http://e/k1> a <http://e/Kefir> .", TTL)
    materialise(store)
    return store


def test_startup_skips_current_inferences(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _loaded_store(tmp_path / "store").close()

    store = EmbeddedStore(tmp_path / "store")
    with caplog.at_level(logging.INFO, logger="vic_semantic.inference"):
        ensure_materialised(store)

    assert store.inferences_current()
    assert "not recomputed" in caplog.text
    assert "materialised inferences" not in caplog.text
    assert store.ask("ASK { <http://e/k1> a <http://e/Dairy> }")


def test_startup_recomputes_after_killed_write(tmp_path: Path) -> None:
    _loaded_store(tmp_path / "store").close()
    # A process that writes and dies before its inference step.
    script = (
        "import os, sys, pyoxigraph as ox\n"
        "from pathlib import Path\n"
        "from vic_semantic.store import EmbeddedStore\n"
        "store = EmbeddedStore(Path(sys.argv[1]))\n"
        "store.replace_graph('http://g/new', b'<http://e/k2> a <http://e/Kefir> .',"
        " ox.RdfFormat.TURTLE)\n"
        "store.flush()\n"
        "os._exit(9)\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "store")], cwd=REPO, check=False
    )
    assert killed.returncode == 9

    store = EmbeddedStore(tmp_path / "store")
    assert not store.inferences_current()
    assert not store.ask("ASK { <http://e/k2> a <http://e/Dairy> }")
    ensure_materialised(store)

    assert store.ask("ASK { <http://e/k2> a <http://e/Dairy> }")
    assert store.inferences_current()


def test_startup_recomputes_when_quad_count_differs(tmp_path: Path) -> None:
    _loaded_store(tmp_path / "store").close()
    # A write that bypassed the service, as a tool opening the folder directly would make.
    raw = ox.Store(str(tmp_path / "store"))
    raw.add(
        ox.Quad(
            ox.NamedNode("http://e/k3"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("http://e/Kefir"),
            ox.NamedNode("http://g/data"),
        )
    )
    del raw

    store = EmbeddedStore(tmp_path / "store")
    assert not store.inferences_current()
    ensure_materialised(store)

    assert store.ask("ASK { <http://e/k3> a <http://e/Dairy> }")


def test_write_during_inference_keeps_state_stale(tmp_path: Path) -> None:
    store = _loaded_store(tmp_path / "store")
    basis = store.inference_basis()

    store.replace_graph("http://g/late", b"<http://e/k4> a <http://e/Kefir> .", TTL)
    store.mark_inferences_current(basis)

    assert not store.inferences_current()


def test_interrupted_bulk_load_dropped_on_open(tmp_path: Path) -> None:
    path = tmp_path / "store"
    _loaded_store(path).close()
    # The state a process killed during a bulk load of http://g/partial leaves behind.
    raw = ox.Store(str(path))
    raw.add(
        ox.Quad(
            ox.NamedNode("http://e/x"),
            ox.NamedNode("http://e/p"),
            ox.Literal("часть"),
            ox.NamedNode("http://g/partial"),
        )
    )
    del raw
    state_file = path.with_name("store-state.json")
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state_file.write_text(
        json.dumps({**state, "inferences": "stale", "loading": ["http://g/partial"]}),
        encoding="utf-8",
    )

    store = EmbeddedStore(path)

    assert not store.has_graph("http://g/partial")
    assert store.ask("ASK { <http://e/k1> a <http://e/Kefir> }")
    assert not store.inferences_current()


def test_bulk_load_syntax_error_leaves_no_graph(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    good = "\n".join(f"<http://e/s{i}> <http://e/p> {i} ." for i in range(5000))
    # The error is on the last line, after the bulk loader has written the lines before it.
    bad = good + "\n<http://e/s> <http://e/p> ."

    with pytest.raises(RdfSyntaxError):
        store.replace_graph("http://g/bad", bad.encode(), TTL)

    assert not store.ask("ASK { GRAPH <http://g/bad> { ?s ?p ?o } }")
    assert not store.has_graph("http://g/bad")
    assert store.replace_graph("http://g/bad", good.encode(), TTL) == 5000


def test_bulk_load_error_keeps_empty_graph(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.update("CREATE GRAPH <http://g/empty>")

    with pytest.raises(RdfSyntaxError):
        store.replace_graph("http://g/empty", b"<http://e/s> <http://e/p> .", TTL)

    assert store.has_graph("http://g/empty")
    assert not store.ask("ASK { GRAPH <http://g/empty> { ?s ?p ?o } }")
