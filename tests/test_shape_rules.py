"""The rules of the trade in shapes/: their documentation, and the member, cluster and
ontology rules checked on small graphs with both engines."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS
from rdflib.term import Node

from vic_semantic.namespaces import ID, VIC
from vic_semantic.validation import validate_graph
from vic_semantic.validation.shapes import load_shapes_graph

VSH = "https://w3id.org/vic-semantic/shapes/"
RDFS_COMMENT = URIRef("http://www.w3.org/2000/01/rdf-schema#comment")
# Words that name the regulation, standard or rule a shape enforces.
SOURCES = (
    "ТР ТС",
    "ТР ЕАЭС",
    "GS1",
    "ГОСТ",
    "СТБ",
    "ТН ВЭД",
    "ОКПД",
    "ATCvet",
    "Cluster membership rule",
    "Cluster rule",
    "Technical regulations",
    "standards",
)
# Parameters that make results of their own shape (sh:property and sh:node report through
# the shapes they name).
RESULT_PARAMETERS = (
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH.pattern,
    SH["in"],
    SH.lessThanOrEquals,
)
CLUSTER = ID["cluster/gomel-moscow"]
SCIENCE = VIC.ScientificInnovationOrganisation
ENGINES = ["fast", "pyshacl"]


def _shapes(graph: Graph) -> set[Node]:
    shapes: set[Node] = set(graph.subjects(RDF.type, SH.NodeShape))
    shapes |= set(graph.subjects(RDF.type, SH.PropertyShape))
    shapes |= set(graph.objects(None, SH.property))
    return shapes


def _languages(graph: Graph, node: Node) -> set[str | None]:
    return {m.language for m in graph.objects(node, SH.message) if isinstance(m, Literal)}


def test_every_shape_names_its_source() -> None:
    graph = load_shapes_graph()

    unnamed = [
        str(shape)
        for shape in _shapes(graph)
        if not any(
            source in str(comment)
            for comment in graph.objects(shape, RDFS_COMMENT)
            for source in SOURCES
        )
    ]

    assert unnamed == []


def test_every_check_has_ru_en_message() -> None:
    graph = load_shapes_graph()
    missing = []

    for shape in _shapes(graph):
        reports = any(graph.value(shape, p) is not None for p in RESULT_PARAMETERS)
        if reports and _languages(graph, shape) < {"ru", "en"}:
            missing.append(str(shape))
        for constraint in graph.objects(shape, SH.sparql):
            if _languages(graph, constraint) < {"ru", "en"}:
                missing.append(f"{shape} sh:sparql")

    assert missing == []


def _member(
    graph: Graph, slug: str, *roles: str, kind: URIRef = VIC.IndustrialOrganisation
) -> URIRef:
    member = ID[f"member/{slug}"]
    graph.add((member, RDF.type, kind))
    graph.add((member, VIC.name, Literal(slug, lang="ru")))
    graph.add((member, VIC.memberOfCluster, CLUSTER))
    graph.add((member, VIC.locatedIn, ID["region/gomel-oblast"]))
    for role in roles:
        graph.add((member, VIC.hasInnovationRole, ID[f"role/{role}"]))
    return member


def _shape_results(graph: Graph, engine: str, shape: str) -> list[tuple[str, str | None, str]]:
    report = validate_graph(graph, engine=engine)  # type: ignore[arg-type]
    return sorted(
        (r.focus_node, r.value, r.severity) for r in report.results if r.source_shape == VSH + shape
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_uncovered_stages_warned(engine: str) -> None:
    graph = Graph()
    _member(graph, "zavod", "production", "commercialisation")
    _member(graph, "institut", "fundamental-research", "applied-research", kind=SCIENCE)

    found = _shape_results(graph, engine, "ClusterShape")

    assert found == [(str(CLUSTER), str(ID["stage/pilot-production"]), "Warning")]


@pytest.mark.parametrize("engine", ENGINES)
def test_covered_cycle_not_warned(engine: str) -> None:
    graph = Graph()
    _member(graph, "zavod", "production", "commercialisation", "pilot-production")
    _member(graph, "institut", "fundamental-research", "applied-research", kind=SCIENCE)

    assert _shape_results(graph, engine, "ClusterShape") == []


@pytest.mark.parametrize("engine", ENGINES)
def test_cluster_without_members_not_warned(engine: str) -> None:
    assert _shape_results(Graph(), engine, "ClusterShape") == []


@pytest.mark.parametrize("engine", ENGINES)
def test_member_registration_rules(engine: str) -> None:
    graph = Graph()
    nameless = _member(graph, "bez-imeni", "production")
    graph.remove((nameless, VIC.name, None))
    kindless = _member(graph, "bez-vida", "production", kind=VIC.ClusterMember)
    elsewhere = _member(graph, "bez-regiona", "production")
    graph.remove((elsewhere, VIC.locatedIn, None))
    graph.add((elsewhere, VIC.locatedIn, ID["region/atlantis"]))

    assert _shape_results(graph, engine, "MemberNameShape") == [(str(nameless), None, "Violation")]
    assert _shape_results(graph, engine, "MemberKindShape") == [
        (str(kindless), str(VIC.ClusterMember), "Violation")
    ]
    assert _shape_results(graph, engine, "MemberRegionShape") == [
        (str(elsewhere), str(ID["region/atlantis"]), "Violation")
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_ontology_conforms_to_its_shapes(engine: str) -> None:
    report = validate_graph(Graph(), engine=engine)  # type: ignore[arg-type]

    assert [(r.source_shape, r.focus_node) for r in report.results] == []


@pytest.mark.parametrize("engine", ENGINES)
def test_faulty_reference_data_reported(engine: str) -> None:
    graph = Graph()
    code = ID["tnved/0401-99"]
    graph.add((code, SKOS.inScheme, ID["scheme/tnved"]))
    graph.add((code, SKOS.notation, Literal("0401-99")))
    graph.add((code, SKOS.broader, ID["tnved/0402"]))
    standard = ID["standard/gost-1-2000"]
    graph.add((standard, RDF.type, VIC.InterstateStandard))
    graph.add((standard, VIC.designation, Literal("ГОСТ1-2000")))
    graph.add((standard, VIC.status, VIC.Replaced))
    graph.add((standard, VIC.validIn, ID["union/eaeu"]))
    graph.add((standard, VIC.appliesToClass, VIC.ClusterMember))

    assert [v for _, v, _ in _shape_results(graph, engine, "TnvedNotationShape")] == ["0401-99"]
    assert [v for _, v, _ in _shape_results(graph, engine, "TnvedBroaderShape")] == [
        str(ID["tnved/0402"])
    ]
    assert len(_shape_results(graph, engine, "DocumentReplacementShape")) == 1
    assert [v for _, v, _ in _shape_results(graph, engine, "DocumentClassesShape")] == [
        str(VIC.ClusterMember)
    ]
    assert _shape_results(graph, engine, "InterstateDesignationShape") == []
