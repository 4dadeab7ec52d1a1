"""The RDF that saved column profiles and corrections write uses only declared vic: terms."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from vic_semantic.mapping import saved
from vic_semantic.namespaces import VIC
from vic_semantic.ontology import load_ontology_graph, quality_problems
from vic_semantic.store.embedded import EmbeddedStore

MEMBER = "gomel-dairy"
PROFILE = {"Номенклатура": "name", "Артикул": "sku", "Жирность, %": "fat"}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology_graph()


@pytest.fixture()
def store() -> EmbeddedStore:
    store = EmbeddedStore(None)
    saved.save_profile(store, MEMBER, "1С", PROFILE)
    saved.save_correction(store, MEMBER, "G-1", VIC.Kefir, "Кефир 1%")
    return store


def _written_vic_terms(store: EmbeddedStore) -> set[URIRef]:
    terms: set[URIRef] = set()
    for graph in (saved.profiles_graph(MEMBER), saved.mappings_graph(MEMBER)):
        rows = store.select(f"SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        for row in rows:
            terms.update(URIRef(v) for v in row.values() if v.startswith(str(VIC)))
    return terms


def test_profile_terms_written(store: EmbeddedStore) -> None:
    written = _written_vic_terms(store)

    # VIC.Kefir is the correction's object; the rest are the profile's own terms.
    assert written == {
        VIC.ColumnProfile,
        VIC.ColumnMapping,
        VIC.columnMapping,
        VIC.sourceHeader,
        VIC.targetField,
        VIC.Kefir,
    }


def test_written_terms_declared(store: EmbeddedStore, ontology: Graph) -> None:
    for term in _written_vic_terms(store):
        assert (term, RDF.type, None) in ontology, f"{term} is not declared"


def test_profile_terms_kinds(ontology: Graph) -> None:
    assert (VIC.ColumnProfile, RDF.type, OWL.Class) in ontology
    assert (VIC.ColumnMapping, RDF.type, OWL.Class) in ontology
    assert (VIC.columnMapping, RDF.type, OWL.ObjectProperty) in ontology
    assert (VIC.columnMapping, RDFS.domain, VIC.ColumnProfile) in ontology
    assert (VIC.columnMapping, RDFS.range, VIC.ColumnMapping) in ontology
    for prop in (VIC.sourceHeader, VIC.targetField):
        assert (prop, RDF.type, OWL.DatatypeProperty) in ontology
        assert (prop, RDFS.domain, VIC.ColumnMapping) in ontology


def test_profile_round_trip(store: EmbeddedStore) -> None:
    assert saved.load_profiles(store, MEMBER) == {"1С": PROFILE}


def test_mapping_module_quality(ontology: Graph) -> None:
    assert quality_problems(ontology) == []
