"""The inference step after a write recomputes only what the write can change, and ends with
the inferred graph a full recomputation gives, write after write."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from vic_semantic.inference import materialise
from vic_semantic.inference_inputs import infer
from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from vic_semantic.sparql.update_scan import named_graphs_written
from vic_semantic.store import EmbeddedStore

TTL = ox.RdfFormat.TURTLE
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
INCREMENTAL = "inferred graph updated for"

ONTOLOGY = b"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix e: <http://e/> .
e:Kefir rdfs:subClassOf e:Fermented .
e:Fermented rdfs:subClassOf e:Dairy .
e:Milk owl:equivalentClass e:Moloko .
e:name rdfs:subPropertyOf rdfs:label .
e:label2 owl:equivalentProperty e:name .
e:partOf a owl:TransitiveProperty .
e:inside rdfs:subPropertyOf e:partOf .
e:hasEnterprise owl:inverseOf e:enterpriseOf .
e:owns rdfs:subPropertyOf e:hasEnterprise .
e:makes rdfs:domain e:Producer ; rdfs:range e:Product .
e:sells rdfs:subPropertyOf e:makes .
e:enterpriseOf rdfs:range e:Holding .
e:Producer rdfs:subClassOf e:Organisation .
e:Product rdfs:subClassOf e:Thing2 .
e:Holding rdfs:subClassOf e:Organisation .
"""
CATALOGUE = """
@prefix e: <http://e/> .
e:k1 a e:Kefir ; e:name "кефир" .
e:k2 a e:Milk ; e:label2 "молоко" .
e:plant e:makes e:k1 , e:k2 .
""".encode()
PARTS = (
    b"<http://e/a> <http://e/partOf> <http://e/b> . <http://e/b> <http://e/inside> <http://e/c> ."
)
MEMBERS = b"""
@prefix e: <http://e/> .
e:holding e:hasEnterprise e:plant .
"""


def _inferred(store: EmbeddedStore) -> set[str]:
    triples = store.construct_terms(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    return {" ".join(triple) for triple in triples}


def _full(store: EmbeddedStore) -> set[str]:
    """Return the inferred graph a full recomputation gives, without writing it."""
    return {
        f"{subject} {predicate} {obj}"
        for predicate, pairs in infer(store).items()
        for subject, obj in pairs
    }


def _loaded(path: Path | None) -> EmbeddedStore:
    store = EmbeddedStore(path)
    store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, TTL)
    store.replace_graph("http://g/catalogue", CATALOGUE, TTL)
    store.replace_graph("http://g/members", MEMBERS, TTL)
    store.replace_graph("http://g/parts", PARTS, TTL)
    materialise(store)
    return store


Write = Callable[[EmbeddedStore], object]

# Each write is followed by the inference step, which must take the incremental path.
WRITES: list[tuple[str, Write]] = [
    (
        "add a typed product",
        lambda s: s.add_to_graph("http://g/catalogue", b"<http://e/k3> a <http://e/Kefir> .", TTL),
    ),
    (
        "add a statement with domain and range",
        lambda s: s.post_graph(
            "http://g/new",
            [
                ox.Triple(
                    ox.NamedNode("http://e/farm"),
                    ox.NamedNode("http://e/sells"),
                    ox.NamedNode("http://e/k3"),
                )
            ],
        ),
    ),
    (
        "remove a type",
        lambda s: s.update(
            "DELETE DATA { GRAPH <http://g/catalogue> { <http://e/k1> a <http://e/Kefir> } }"
        ),
    ),
    (
        "assert an inferred type",
        lambda s: s.add_to_graph("http://g/other", b"<http://e/k3> a <http://e/Dairy> .", TTL),
    ),
    ("retract the asserted type", lambda s: s.drop_graph("http://g/other")),
    (
        "replace the catalogue",
        lambda s: s.replace_graph(
            "http://g/catalogue",
            b"@prefix e: <http://e/> . e:k1 a e:Milk ; e:name 'kefir' . e:k9 a e:Fermented .",
            TTL,
        ),
    ),
    (
        "replace the catalogue as a submission does",
        lambda s: s.update(
            "PREFIX e: <http://e/>\n"
            "DELETE { GRAPH e:catalogue2 { ?s ?p ?o } }\n"
            "WHERE { GRAPH e:catalogue2 { ?s ?p ?o } } ;\n"
            "INSERT DATA { GRAPH e:catalogue2 { e:k5 a e:Kefir ; e:name 'пятый' . "
            "e:plant2 e:makes e:k5 } }"
        ),
    ),
    (
        "add an inverse through a blank node",
        lambda s: s.add_to_graph(
            "http://g/members",
            "@prefix e: <http://e/> . e:holding2 e:owns [ e:name 'завод' ; a e:Kefir ] .".encode(),
            TTL,
        ),
    ),
    (
        "add an inverse with WITH",
        lambda s: s.run_update(
            "PREFIX e: <http://e/> WITH <http://g/members> "
            "INSERT { e:holding3 e:hasEnterprise e:k9 } WHERE {}",
            None,
        ),
    ),
    ("delete the members graph", lambda s: s.delete_graph("http://g/members")),
    (
        "put a graph through the Graph Store protocol",
        lambda s: s.put_graph(
            "http://g/new",
            [
                ox.Triple(
                    ox.NamedNode("http://e/k9"),
                    ox.NamedNode(RDF_TYPE),
                    ox.NamedNode("http://e/Moloko"),
                )
            ],
        ),
    ),
    (
        "add quads to two graphs",
        lambda s: s.add_quads(
            [
                ox.Quad(
                    ox.NamedNode("http://e/k7"),
                    ox.NamedNode(RDF_TYPE),
                    ox.NamedNode("http://e/Kefir"),
                    ox.NamedNode("http://g/q1"),
                ),
                ox.Quad(
                    ox.NamedNode("http://e/k7"),
                    ox.NamedNode("http://e/label2"),
                    ox.Literal("седьмой", language="ru"),
                    ox.NamedNode("http://g/q2"),
                ),
            ]
        ),
    ),
]


@pytest.mark.parametrize("on_disk", [False, True], ids=["memory", "disk"])
def test_incremental_matches_full_step(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, on_disk: bool
) -> None:
    store = _loaded(tmp_path / "store" if on_disk else None)
    assert _inferred(store) == _full(store)

    for name, write in WRITES:
        write(store)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="vic_semantic.inference_incremental"):
            materialise(store)

        assert INCREMENTAL in caplog.text, name
        assert _inferred(store) == _full(store), name
    store.close()


def test_removed_type_removes_inferred_types() -> None:
    store = _loaded(None)
    dairy = f"<http://e/k1> <{RDF_TYPE}> <http://e/Dairy>"
    assert dairy in _inferred(store)

    store.update("DELETE DATA { GRAPH <http://g/catalogue> { <http://e/k1> a <http://e/Kefir> } }")
    materialise(store)

    assert dairy not in _inferred(store)
    # Still a Product through the range of e:makes.
    assert f"<http://e/k1> <{RDF_TYPE}> <http://e/Thing2>" in _inferred(store)


def test_asserted_triple_leaves_inferred_graph() -> None:
    store = _loaded(None)
    dairy = f"<http://e/k1> <{RDF_TYPE}> <http://e/Dairy>"

    store.add_to_graph("http://g/other", b"<http://e/k1> a <http://e/Dairy> .", TTL)
    materialise(store)
    assert dairy not in _inferred(store)

    store.drop_graph("http://g/other")
    materialise(store)
    assert dairy in _inferred(store)


@pytest.mark.parametrize(
    ("name", "write"),
    [
        (
            "the ontology changes",
            lambda s: s.add_to_graph(
                str(ONTOLOGY_GRAPH),
                b"<http://e/Milk> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                b"<http://e/Dairy> .",
                TTL,
            ),
        ),
        (
            "a transitive link is added",
            lambda s: s.add_to_graph(
                "http://g/parts", b"<http://e/c> <http://e/inside> <http://e/d> .", TTL
            ),
        ),
        (
            "the update names a graph variable",
            lambda s: s.update(
                "DELETE { GRAPH ?g { <http://e/k1> ?p ?o } } "
                "WHERE { GRAPH ?g { <http://e/k1> ?p ?o } }"
            ),
        ),
    ],
)
def test_full_step_when_not_local(
    caplog: pytest.LogCaptureFixture, name: str, write: Write
) -> None:
    store = _loaded(None)

    write(store)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        materialise(store)

    assert INCREMENTAL not in caplog.text, name
    assert "inferred graph:" in caplog.text, name
    assert _inferred(store) == _full(store), name


def test_reopened_store_updates_incrementally(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _loaded(tmp_path / "store").close()
    store = EmbeddedStore(tmp_path / "store")

    store.add_to_graph("http://g/catalogue", b"<http://e/k4> a <http://e/Kefir> .", TTL)
    with caplog.at_level(logging.INFO):
        materialise(store)

    assert INCREMENTAL in caplog.text
    assert f"<http://e/k4> <{RDF_TYPE}> <http://e/Dairy>" in _inferred(store)
    assert _inferred(store) == _full(store)
    assert store.inferences_current()
    store.close()


def test_stale_store_recomputes_fully(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _loaded(tmp_path / "store").close()
    # A write that bypassed the service: the state file no longer matches the store.
    raw = ox.Store(str(tmp_path / "store"))
    raw.add(
        ox.Quad(
            ox.NamedNode("http://e/k8"),
            ox.NamedNode(RDF_TYPE),
            ox.NamedNode("http://e/Kefir"),
            ox.NamedNode("http://g/catalogue"),
        )
    )
    del raw
    store = EmbeddedStore(tmp_path / "store")

    store.add_to_graph("http://g/catalogue", b"<http://e/k4> a <http://e/Kefir> .", TTL)
    with caplog.at_level(logging.INFO):
        materialise(store)

    assert INCREMENTAL not in caplog.text
    assert f"<http://e/k8> <{RDF_TYPE}> <http://e/Dairy>" in _inferred(store)
    assert _inferred(store) == _full(store)
    store.close()


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        ("INSERT DATA { <http://e/a> <http://e/p> 1 }", set()),
        (
            "INSERT DATA { GRAPH <http://g/1> { <http://e/a> <http://e/p> 'GRAPH ?x' } }",
            {"http://g/1"},
        ),
        (
            "PREFIX g: <http://g/> DROP GRAPH g:2 ; CREATE GRAPH <http://g/3>",
            {"http://g/2", "http://g/3"},
        ),
        ("WITH <http://g/4> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", {"http://g/4"}),
        ("# GRAPH ?g in a comment\nCLEAR DEFAULT", set()),
        ("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }", None),
        ("COPY <http://g/1> TO <http://g/2>", None),
        ("DROP ALL", None),
        ("CLEAR NAMED", None),
        ("INSERT DATA { GRAPH <relative> { <http://e/a> <http://e/p> 1 } }", None),
        ("INSERT DATA { GRAPH u:g { <http://e/a> <http://e/p> 1 } }", None),
        ("PREFIX : <http://g/> INSERT DATA { GRAPH :g { <http://e/a> <http://e/p> 1 } }", None),
    ],
)
def test_update_scan_names_written_graphs(update: str, expected: set[str] | None) -> None:
    assert named_graphs_written(update) == expected
