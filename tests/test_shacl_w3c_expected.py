"""Each SHACL engine against the expected results of the W3C SHACL test suite.

Every sht:Validate test of the suite's core/ and sparql/ manifests runs on three engines:
pySHACL, the fast engine, and ``validate_graph``, the service's entry point, which uses the
fast engine and pySHACL for the shapes the fast engine does not translate. Each outcome must
match the manifest's mf:result: sh:conforms and the multiset of results keyed by focus node,
path, value, source shape, constraint component and severity, or a rejection of the shapes
graph where the suite expects sht:Failure. A test in a KNOWN table is a strict xfail, so it
fails once the engine gets the test right and the entry must be removed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet
from rdflib import RDFS, Graph, URIRef
from rdflib.namespace import SH
from shacl_suite import (
    SUITE,
    Outcome,
    SuiteTest,
    all_suite_tests,
    expected_outcome,
    load,
    result_keys,
    run_fast,
    run_pyshacl,
)

from vic_semantic.validation import ShaclFailure, load_shapes_graph, validate_graph

TESTS = all_suite_tests()

# Tests whose shapes the fast engine leaves to pySHACL (it raises UnsupportedShapes), with
# the cause. validate_graph must still give the expected result for them. None is left:
# the fast engine runs every test of the core/ and sparql/ manifests.
FAST_LEAVES_TO_PYSHACL: dict[str, str] = {}

# Tests an engine gets wrong, by engine, with the reason. Each is a strict xfail.
KNOWN_WRONG: dict[str, dict[str, str]] = {
    "pyshacl": {
        "pre-binding/shapesGraph-001": (
            "pySHACL 0.40.1 raises NotImplementedError for $shapesGraph in a SPARQL constraint"
        ),
    },
    "fast": {},
    "validate_graph": {},
}

ENGINES = tuple(KNOWN_WRONG)


def _params() -> list[ParameterSet]:
    params = []
    for engine in ENGINES:
        for test in TESTS:
            reason = KNOWN_WRONG[engine].get(test.name)
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            params.append(pytest.param(engine, test, id=f"{engine}:{test.name}", marks=marks))
    return params or [pytest.param(None, None, id="suite-missing")]


def _manifest_graph(test: SuiteTest, data: Graph, shapes: Graph) -> Graph:
    """Return the parse of the test's own file that the engine validates, so blank nodes match."""
    if test.manifest == test.data:
        return data
    if test.manifest == test.shapes:
        return shapes
    return Graph().parse(test.manifest, format="turtle")


def _run_validate_graph(test: SuiteTest, shapes_dir: Path) -> tuple[Outcome, Outcome]:
    """Return the expected outcome and validate_graph's, with the test's shapes as the shapes.

    The service validates against the class hierarchy of its ontology, not the data's, so
    the test's rdfs:subClassOf triples are passed as the ontology.
    """
    shutil.copy(test.shapes, shapes_dir / test.shapes.name)
    shapes = load_shapes_graph(shapes_dir)
    data = shapes if test.data == test.shapes else Graph().parse(test.data, format="turtle")
    manifest = _manifest_graph(test, data, shapes)
    if test.manifest == test.shapes:
        # The copy moves the file, and with it the IRIs relative to the file such as the entry.
        moved = str(test.entry).replace(test.shapes.parent.as_uri(), shapes_dir.as_uri())
        test = SuiteTest(test.name, URIRef(moved), test.manifest, test.data, test.shapes)
    expected = expected_outcome(test, manifest)

    hierarchy = Graph()
    for triple in data.triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    try:
        report = validate_graph(data, ontology=hierarchy, shapes_dir=shapes_dir)
    except ShaclFailure as error:
        return expected, Outcome(False, rejected=str(error))
    results = result_keys(report.results_graph, shapes)
    assert len(report.results) == sum(results.values()), "results lost reading the report"
    return expected, Outcome(report.conforms, results)


def _outcomes(engine: str, test: SuiteTest, tmp_path: Path) -> tuple[Outcome, Outcome]:
    if engine == "validate_graph":
        return _run_validate_graph(test, tmp_path)

    data, shapes = load(test)
    expected = expected_outcome(test, _manifest_graph(test, data, shapes))
    if engine == "pyshacl":
        return expected, run_pyshacl(data, shapes)

    fast = run_fast(data, shapes)
    if test.name in FAST_LEAVES_TO_PYSHACL:
        assert fast is None, "the fast engine now runs these shapes: remove the entry"
        pytest.skip(f"the fast engine leaves {FAST_LEAVES_TO_PYSHACL[test.name]} to pySHACL")
    assert fast is not None, "the fast engine left these shapes to pySHACL"
    return expected, fast


def _has_violation(outcome: Outcome) -> bool:
    return any(key[5] == str(SH.Violation) for key in outcome.results)


@pytest.mark.skipif(not TESTS, reason=f"the W3C SHACL test suite is not at {SUITE}")
@pytest.mark.parametrize(("engine", "test"), _params())
def test_engine_gives_expected_result(engine: str, test: SuiteTest, tmp_path: Path) -> None:
    expected, actual = _outcomes(engine, test, tmp_path)

    if expected.rejected is not None:
        assert actual.rejected is not None, "the suite expects the shapes graph to be rejected"
        return
    assert actual.rejected is None, f"rejected valid shapes: {actual.rejected}"
    if engine == "validate_graph":
        # The service lets warnings and infos through: only a violation fails conformance.
        assert actual.conforms == (not _has_violation(expected))
    else:
        assert actual.conforms == expected.conforms
    assert actual.results - expected.results == {}, "results the suite does not expect"
    assert expected.results - actual.results == {}, "expected results missing"


def test_suite_expects_failures() -> None:
    """The suite's sht:Failure tests are run, not skipped: 7 ill-formed SPARQL constraints."""
    if not TESTS:
        pytest.skip(f"the W3C SHACL test suite is not at {SUITE}")
    rejected = []
    for test in TESTS:
        data, shapes = load(test)
        if expected_outcome(test, _manifest_graph(test, data, shapes)).rejected is not None:
            rejected.append(test.name)

    assert len(rejected) == 7, rejected
