"""The fast SHACL engine against pySHACL: the W3C SHACL test suite and the cluster's shapes.

Both engines validate each test of the suite's core/ and sparql/ manifests, and must agree
on conformance and on every result (focus node, path, value, source shape, constraint
component, severity). Where the fast engine leaves a shapes graph to pySHACL, the test
checks that it says so. A test in KNOWN_DIFFERENCES is a strict xfail: it fails when the
engines come to agree, so the entry is removed with the fix.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph
from shacl_suite import SuiteTest, load, result_keys, run_fast, run_pyshacl, suite_tests
from test_expected_findings import SAMPLE_FILES, reported_findings, sample_files

from vic_semantic.catalogues.convert import convert_tables
from vic_semantic.catalogues.readers import read_table
from vic_semantic.validation import validate_graph
from vic_semantic.validation.engine import default_ontology, default_validation_ontology
from vic_semantic.validation.fast import validate_fast
from vic_semantic.validation.shapes import load_shapes_graph

SUITE = Path(os.environ.get("VIC_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SUITE = SUITE.resolve() / "w3c" / "data-shapes-test-suite" / "tests"

# Tests where the engines differ, with the reason. Each is a strict xfail.
KNOWN_DIFFERENCES: dict[str, str] = {}


def _suite_tests() -> list[SuiteTest]:
    if not SUITE.is_dir():
        return []
    return suite_tests(SUITE / "core" / "manifest.ttl") + suite_tests(
        SUITE / "sparql" / "manifest.ttl"
    )


TESTS = _suite_tests()


def _marks(test: SuiteTest) -> list[pytest.MarkDecorator]:
    reason = KNOWN_DIFFERENCES.get(test.name)
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


@pytest.mark.skipif(not TESTS, reason=f"the W3C SHACL test suite is not at {SUITE}")
@pytest.mark.parametrize(
    "test", [pytest.param(t, id=t.name, marks=_marks(t)) for t in TESTS] or [None]
)
def test_engines_agree_on_suite(test: SuiteTest) -> None:
    data, shapes = load(test)
    try:
        expected = run_pyshacl(data, shapes)
    except Exception as error:
        pytest.skip(f"pySHACL cannot run this test: {error!r}")

    fast = run_fast(data, shapes)

    if fast is None:
        pytest.skip("the fast engine leaves these shapes to pySHACL")
    assert fast.conforms == expected.conforms
    assert fast.results - expected.results == {}, "reported only by the fast engine"
    assert expected.results - fast.results == {}, "reported only by pySHACL"


def test_suite_mostly_translated() -> None:
    if not TESTS:
        pytest.skip(f"the W3C SHACL test suite is not at {SUITE}")
    translated = 0
    for test in TESTS:
        data, shapes = load(test)
        translated += run_fast(data, shapes) is not None
    assert translated >= 100, f"only {translated} of {len(TESTS)} tests run on the fast engine"


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
