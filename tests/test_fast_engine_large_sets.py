"""The fast engine's shortcuts for large focus sets give the results of the plain queries.

Covers the rewrite of FILTER NOT EXISTS as MINUS, the focus sets of class targets read from
rdf:type, the lazily built report graph, and a generated catalogue of 1,200 products, which
is above the size from which constraints run without the join on the focus set.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SH

from vic_semantic.validation import validate_graph
from vic_semantic.validation.fast import validate_fast
from vic_semantic.validation.fast.anti_join import not_exists_as_minus
from vic_semantic.validation.fast.evaluator import LARGE_SET, ClassFocusSet
from vic_semantic.validation.fast.sparql_constraints import _masked, _where_brace
from vic_semantic.validation.shapes import load_shapes_graph

ROOT = Path(__file__).resolve().parents[1]
EX = "http://example.org/"
VIC = "https://w3id.org/vic-semantic/ontology/"
SHAPES = "https://w3id.org/vic-semantic/shapes/"

DATA = f"""
@prefix ex: <{EX}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a a ex:Kefir ; ex:name "a" ; ex:unit ex:g .
ex:b a ex:Kefir , ex:Dairy ; ex:name "b" .
ex:c ex:name "c" .
ex:d a ex:Thing ; ex:name "d" ; ex:other ex:a .
ex:Kefir rdfs:subClassOf ex:Dairy .
ex:Dairy rdfs:subClassOf ex:Food .
ex:Thing rdfs:subClassOf ex:Food .
"""


def _store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    return store


def _rewrite(query: str) -> str:
    masked = _masked(query)
    return not_exists_as_minus(query, masked, _where_brace(masked))


def _rows(store: ox.Store, query: str) -> set[tuple[str, ...]]:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return {tuple(str(term) for term in solution) for solution in solutions}


PREFIX = f"PREFIX ex: <{EX}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
REWRITTEN = [
    "SELECT ?this WHERE { ?this ex:name ?n . FILTER NOT EXISTS { ?this a ?c . "
    "?c rdfs:subClassOf ex:Food . FILTER (?c != ex:Thing) } }",
    "SELECT ?this WHERE { ?this ex:name ?n . FILTER NOT EXISTS { ?this ex:unit ?u } }",
    "SELECT ?this WHERE { ?this ex:name ?n . FILTER NOT EXISTS { ?x ex:other ?this } "
    'FILTER (?n != "zz") }',
]
KEPT = [
    # Two shared variables: left as it is, because P alone may be a large join.
    "SELECT ?this WHERE { ?this ex:name ?n ; a ?t . FILTER NOT EXISTS { ?this a ?t . "
    "?t rdfs:subClassOf ex:Dairy } }",
    # The block's FILTER uses ?n, which only the outer group binds.
    "SELECT ?this WHERE { ?this ex:name ?n . FILTER NOT EXISTS { ?this a ?c . "
    'FILTER (?n = "a") } }',
    # The shared variable is bound by BIND, which leaves it unbound on an error.
    "SELECT ?this WHERE { ?this ex:name ?n . BIND (IRI(CONCAT(STR(ex:), ?n)) AS ?k) "
    "FILTER NOT EXISTS { ?k a ?c } }",
    # A block nested in an EXISTS block of the outer group.
    "SELECT ?this WHERE { ?this ex:name ?n . FILTER EXISTS { ?this a ?c . "
    "FILTER NOT EXISTS { ?c rdfs:subClassOf ?this } } }",
    # A nested OPTIONAL inside the block.
    "SELECT ?this WHERE { ?this ex:name ?n . FILTER NOT EXISTS { ?this a ?c "
    "OPTIONAL { ?c rdfs:label ?l } } }",
]


@pytest.mark.parametrize("query", REWRITTEN)
def test_not_exists_rewritten_same_rows(query: str) -> None:
    store = _store()
    rewritten = _rewrite(PREFIX + query)

    assert "MINUS" in rewritten
    assert "NOT EXISTS" not in rewritten
    assert _rows(store, rewritten) == _rows(store, PREFIX + query)


@pytest.mark.parametrize("query", KEPT)
def test_not_exists_kept_when_unsafe(query: str) -> None:
    assert _rewrite(PREFIX + query) == PREFIX + query


def test_class_focus_set_reads_types() -> None:
    store = _store()
    classes = [ox.NamedNode(f"{EX}Kefir"), ox.NamedNode(f"{EX}Dairy")]
    focus = ClassFocusSet(store, classes)
    rows = store.query(f"SELECT ?this WHERE {{ {focus.pattern} }}")
    assert isinstance(rows, ox.QuerySolutions)

    # ex:b has both classes and is still one focus node.
    assert sorted(str(row[0]) for row in rows) == [f"<{EX}a>", f"<{EX}b>"]
    assert sorted(str(node) for node in focus.nodes) == [f"<{EX}a>", f"<{EX}b>"]
    assert focus.contains(ox.NamedNode(f"{EX}b"))
    assert not focus.contains(ox.NamedNode(f"{EX}c"))
    assert not focus.contains(ox.Literal("a"))
    assert not focus.is_large()
    assert not focus.is_empty()
    assert ClassFocusSet(store, [ox.NamedNode(f"{EX}None")]).is_empty()


def test_report_graph_built_on_use() -> None:
    turtle = f'@prefix vic: <{VIC}> . <{EX}p> a vic:FoodProduct ; vic:gtin "123" .'
    data = Graph().parse(data=turtle, format="turtle")
    shapes = load_shapes_graph()
    report = validate_fast(data, shapes)
    strict = validate_fast(data, shapes, allow_warnings=False)

    assert "graph" not in report.__dict__
    assert len(set(report.graph.objects(None, SH.result))) == len(report.results)
    assert report.results
    assert list(report.graph.objects(None, SH.conforms)) == [Literal(report.conforms)]
    assert strict.conforms is False
    assert list(strict.graph.objects(None, SH.conforms)) == [Literal(False)]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "validation_bench", ROOT / "bench" / "validation_bench.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # The module's dataclasses look their module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_large_catalogue_errors_found() -> None:
    products = 1200
    assert products > LARGE_SET
    data = Graph().parse(data=_bench().catalogue(products), format="nt")

    report = validate_graph(data, engine="fast")
    found = {
        (result.source_shape.removeprefix(SHAPES), result.focus_node.rsplit("/", 1)[-1])
        for result in report.results
    }

    # The generator writes a wrong check digit into every 100th product, repeats the GTIN
    # of the product before in every 100th from the 50th, and a meat code into every 100th
    # from the 75th.
    expected = {("GtinCheckDigitShape", f"p{n}") for n in range(100, products + 1, 100)}
    expected |= {("GtinUniqueShape", f"p{n}") for n in range(50, products + 1, 100)}
    expected |= {("TnvedFitsClassShape", f"p{n}") for n in range(75, products + 1, 100)}
    assert found == expected
    assert len(report.results) == len(expected)
