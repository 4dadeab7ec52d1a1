"""The fast SHACL engine against pySHACL on the cluster's shapes, and its W3C suite coverage.

How each engine does on every test of the W3C SHACL test suite, compared with the suite's
expected results, is in test_shacl_w3c_expected.py. Here: the fast engine must translate all
of the suite, and must report what pySHACL reports on the cluster's own shapes and samples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph
from shacl_suite import SUITE, all_suite_tests, load, result_keys, run_fast, run_pyshacl
from test_expected_findings import SAMPLE_FILES, reported_findings, sample_files

from vic_semantic.catalogues.convert import convert_tables
from vic_semantic.catalogues.readers import read_table
from vic_semantic.validation import validate_graph
from vic_semantic.validation.engine import default_ontology, default_validation_ontology
from vic_semantic.validation.fast import validate_fast
from vic_semantic.validation.shapes import load_shapes_graph

TESTS = all_suite_tests()


def test_suite_all_translated() -> None:
    """Every test of the core/ and sparql/ manifests runs on the fast engine, none on pySHACL."""
    if not TESTS:
        pytest.skip(f"the W3C SHACL test suite is not at {SUITE}")
    left_to_pyshacl = []
    for test in TESTS:
        data, shapes = load(test)
        if run_fast(data, shapes) is None:
            left_to_pyshacl.append(test.name)

    assert len(TESTS) == 120
    assert left_to_pyshacl == []


def _sample_graph(shared: Path) -> tuple[Graph, Graph]:
    tables = [read_table(name, data) for name, data in sample_files(shared)]
    conversion = convert_tables(tables, default_ontology())
    mixed = Graph()
    mixed += conversion.graph
    mixed += default_validation_ontology()
    return conversion.graph, mixed


def test_engines_agree_on_samples(shared: Path) -> None:
    _, mixed = _sample_graph(shared)
    shapes = load_shapes_graph()

    fast = validate_fast(mixed, shapes)
    _, report, _ = validate(
        mixed, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )

    assert result_keys(fast.graph, shapes) == result_keys(report, shapes)


def test_fast_report_has_expected_findings(shared: Path) -> None:
    files = sample_files(shared)
    tables = [read_table(name, data) for name, data in files]
    conversion = convert_tables(tables, default_ontology())

    report = validate_graph(conversion.graph, provenance=conversion.provenance, engine="fast")

    assert len(report.results) == 26
    assert {r.file for r in report.results} == set(SAMPLE_FILES)
    slow = validate_graph(conversion.graph, provenance=conversion.provenance, engine="pyshacl")
    assert reported_findings(report) == reported_findings(slow)


def test_shapes_pass_shacl_for_shacl() -> None:
    shapes = load_shapes_graph()

    conforms, _, text = validate(shapes, shacl_graph=None, meta_shacl=True, inference="none")

    assert conforms, text


PREBOUND_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .

ex:LiteralShape a sh:NodeShape ;
    sh:targetNode "quote \\" brace } backslash \\\\ end" , ex:node ;
    sh:sparql [
        sh:message "pre-bound" ;
        sh:select \"\"\"
            SELECT $this WHERE {
                { FILTER (bound($this)) }
                OPTIONAL { FILTER (isLiteral($this)) }
                FILTER (STRLEN(STR($this)) > 0)
            }\"\"\" ;
    ] .
"""


def test_prebinding_writes_terms_safely() -> None:
    """A nested query pre-binds IRIs and literals with quotes, braces and backslashes."""
    shapes = Graph().parse(data=PREBOUND_SHAPES, format="turtle")
    data = Graph()

    fast = run_fast(data, shapes)
    expected = run_pyshacl(data, shapes)

    assert fast is not None
    assert sum(fast.results.values()) == 2
    assert fast.results == expected.results


SHAPES_GRAPH_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .

ex:FlaggedShape a sh:NodeShape ;
    ex:flag true ;
    sh:targetSubjectsOf ex:p ;
    sh:sparql [
        sh:message "flagged" ;
        sh:select \"\"\"
            SELECT $this WHERE {
                GRAPH $shapesGraph { $currentShape <http://example.org/flag> true }
                FILTER NOT EXISTS { $currentShape <http://example.org/flag> true }
            }\"\"\" ;
    ] .
"""


def test_shapes_graph_prebound_per_focus() -> None:
    """$shapesGraph names the shapes graph, which the data's default graph does not contain.

    The blank node focus node is pre-bound by substitution, the IRI one in the query text.
    """
    shapes = Graph().parse(data=SHAPES_GRAPH_SHAPES, format="turtle")
    data = Graph().parse(
        data="@prefix ex: <http://example.org/> . ex:a ex:p 1 . [] ex:p 2 .", format="turtle"
    )

    fast = run_fast(data, shapes)

    assert fast is not None
    focus_nodes = [key[0] for key in fast.results.elements()]
    assert len(focus_nodes) == 2
    assert "http://example.org/a" in focus_nodes
