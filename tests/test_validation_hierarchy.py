"""Validation uses the ontology's class hierarchy, whatever rdfs:subClassOf the data states.

A member file that declares vic:Kefir a subclass of vic:ClusterMember would otherwise move
its kefirs from the product shapes to the member shapes. Both engines are checked, because
each builds its own view of the merged graph.
"""

from __future__ import annotations

import pytest
from rdflib import RDFS, Graph

from vic_semantic.catalogues.convert import convert_tables
from vic_semantic.catalogues.readers import read_table
from vic_semantic.config import REPO_ROOT
from vic_semantic.namespaces import VIC
from vic_semantic.validation import validate_graph
from vic_semantic.validation.engine import default_ontology

DAIRY_CSV = REPO_ROOT / "demo" / "catalogues" / "dairy-plant-1c-export.csv"
REDEFINITIONS = {
    "kefir_is_member": (VIC.Kefir, VIC.ClusterMember),
    "kefir_is_butter": (VIC.Kefir, VIC.Butter),
    "kefir_is_meat": (VIC.Kefir, VIC.MeatProduct),
    "dairy_cycle": (VIC.DairyProduct, VIC.Kefir),
}


def _dairy_graph() -> Graph:
    table = read_table(DAIRY_CSV.name, DAIRY_CSV.read_bytes())
    return convert_tables([table], default_ontology(), "molochnyj-zavod-1").graph


def _keys(graph: Graph, engine: str) -> list[tuple[str, str, str, str]]:
    report = validate_graph(graph, engine=engine)  # type: ignore[arg-type]
    return sorted(
        (str(r.focus_node), str(r.path), str(r.source_shape), r.severity) for r in report.results
    )


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
@pytest.mark.parametrize("name", list(REDEFINITIONS))
def test_data_subclass_ignored(name: str, engine: str) -> None:
    plain = _dairy_graph()
    redefined = _dairy_graph()
    subclass, superclass = REDEFINITIONS[name]
    redefined.add((subclass, RDFS.subClassOf, superclass))

    assert _keys(redefined, engine) == _keys(plain, engine)


def test_data_graph_left_unchanged() -> None:
    graph = _dairy_graph()
    graph.add((VIC.Kefir, RDFS.subClassOf, VIC.ClusterMember))
    size = len(graph)

    validate_graph(graph, engine="fast")

    assert len(graph) == size
    assert (VIC.Kefir, RDFS.subClassOf, VIC.ClusterMember) in graph


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_member_shapes_skip_kefirs(engine: str) -> None:
    graph = _dairy_graph()
    graph.add((VIC.Kefir, RDFS.subClassOf, VIC.ClusterMember))

    report = validate_graph(graph, engine=engine)  # type: ignore[arg-type]

    role_results = [r for r in report.results if r.source_shape.endswith("MemberRoleShape")]
    assert role_results == []
    assert report.results, "the dairy sample has findings, so an empty report means no check ran"
