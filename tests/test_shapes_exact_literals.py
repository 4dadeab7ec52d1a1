"""Shapes keep their literals as written, and only the term true switches a boolean on.

rdflib would parse ``sh:uniqueLang "1"^^xsd:boolean`` as ``true``, which SHACL does not: the
W3C SHACL test uniqueLang-002 expects the constraint to be ignored. The suite's tests run in
test_shacl_w3c_expected.py; these check the parser and the copy of the shapes for pySHACL.
"""

from __future__ import annotations

from pathlib import Path

from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD

from vic_semantic.validation import validate_graph
from vic_semantic.validation.exact_turtle import parse_turtle_exact
from vic_semantic.validation.fast import validate_fast
from vic_semantic.validation.pyshacl_shapes import shapes_for_pyshacl
from vic_semantic.validation.shapes import load_shapes_graph

EX = "http://example.org/"

SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <{EX}> .

ex:One a sh:PropertyShape ; sh:targetNode ex:i ; sh:path ex:message ;
    sh:uniqueLang "1"^^xsd:boolean ; sh:minCount "01"^^xsd:integer .
ex:True a sh:PropertyShape ; sh:targetNode ex:i ; sh:path ex:message ; sh:uniqueLang true .
<relative> ex:list ( [ ex:p 1 ] ) .
"""

DATA = f'<{EX}i> <{EX}message> "HI"@en, "Hi"@en .'


def _shapes_file(tmp_path: Path) -> Path:
    path = tmp_path / "shapes.ttl"
    path.write_text(SHAPES, encoding="utf-8")
    return path


def test_parse_keeps_lexical_forms(tmp_path: Path) -> None:
    path = _shapes_file(tmp_path)

    graph = parse_turtle_exact(path)

    unique = graph.value(URIRef(f"{EX}One"), SH.uniqueLang)
    assert isinstance(unique, Literal)
    assert str(unique) == "1"
    assert unique.datatype == XSD.boolean
    count = graph.value(URIRef(f"{EX}One"), SH.minCount)
    assert str(count) == "01"
    assert graph.value(URIRef(f"{EX}True"), SH.uniqueLang) == Literal(True)


def test_parse_matches_rdflib_otherwise(tmp_path: Path) -> None:
    """IRIs resolve as rdflib resolves them, and blank nodes keep their identity."""
    path = _shapes_file(tmp_path)

    exact = parse_turtle_exact(path)
    usual = Graph().parse(path, format="turtle")

    assert len(exact) == len(usual)
    assert {s for s in exact.subjects() if isinstance(s, URIRef)} == {
        s for s in usual.subjects() if isinstance(s, URIRef)
    }
    head = exact.value(URIRef(path.as_uri().replace("shapes.ttl", "relative")), URIRef(f"{EX}list"))
    assert isinstance(head, BNode)
    member = exact.value(head, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#first"))
    assert exact.value(member, URIRef(f"{EX}p")) == Literal(1)
    assert exact.namespace_manager.store.namespace("ex") == URIRef(EX)


def test_pyshacl_copy_drops_other_booleans(tmp_path: Path) -> None:
    shapes = parse_turtle_exact(_shapes_file(tmp_path))

    copy = shapes_for_pyshacl(shapes)

    assert copy is not shapes
    assert (URIRef(f"{EX}One"), SH.uniqueLang, None) not in copy
    assert (URIRef(f"{EX}True"), SH.uniqueLang, Literal(True)) in copy
    assert (URIRef(f"{EX}One"), SH.uniqueLang, None) in shapes
    assert shapes_for_pyshacl(copy) is copy


def test_engines_ignore_one_as_true(tmp_path: Path) -> None:
    """Only ex:True reports the two literals with the language tag "en"."""
    shapes = parse_turtle_exact(_shapes_file(tmp_path))
    data = Graph().parse(data=DATA, format="turtle")

    fast = validate_fast(data, shapes)
    _, report, _ = validate(data, shacl_graph=shapes_for_pyshacl(shapes), inference="none")

    assert [str(result.shape) for result in fast.results] == [f"{EX}True"]
    assert isinstance(report, Graph)
    assert set(report.objects(None, SH.sourceShape)) == {URIRef(f"{EX}True")}


def test_loaded_shapes_keep_literals(tmp_path: Path) -> None:
    _shapes_file(tmp_path)

    shapes = load_shapes_graph(tmp_path)
    report = validate_graph(Graph().parse(data=DATA, format="turtle"), shapes_dir=tmp_path)

    assert str(shapes.value(URIRef(f"{EX}One"), SH.uniqueLang)) == "1"
    assert len(report.results) == 1
