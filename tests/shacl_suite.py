"""Reading the W3C SHACL test suite's manifests, expected reports and engines' outcomes.

Each test file of the suite's core/ and sparql/ manifests contains the data, the shapes and the
manifest entry with its expected result, and the three share blank node labels (``_:b61064``
as a property shape and as the expected sh:sourceShape). The file is parsed once, and data,
shapes and expected report are read from that one graph, so blank nodes compare by identity.
Shapes are parsed as the service parses its own, with their literals kept as written.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from vic_semantic.validation.exact_turtle import parse_turtle_exact
from vic_semantic.validation.fast import ShaclFailure, UnsupportedShapes, validate_fast
from vic_semantic.validation.fast.paths import path_key
from vic_semantic.validation.pyshacl_shapes import shapes_for_pyshacl

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

SUITE = Path(os.environ.get("VIC_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SUITE = SUITE.resolve() / "w3c" / "data-shapes-test-suite" / "tests"

# (focus node, path, value, source shape, constraint component, severity)
ResultKey = tuple[object, str | None, object, object, object, object]


@dataclass(frozen=True)
class SuiteTest:
    """One sht:Validate entry: its id, its IRI, its data and shapes files and its own file."""

    name: str
    entry: URIRef
    manifest: Path
    data: Path
    shapes: Path


def _file(node: Node | None) -> Path:
    assert node is not None, "a manifest entry lacks a file"
    return Path(str(node).removeprefix("file://"))


def suite_tests(manifest: Path) -> list[SuiteTest]:
    """Return the Validate tests of ``manifest`` and of the manifests it includes."""
    graph = Graph().parse(manifest, format="turtle")
    tests: list[SuiteTest] = []
    for included in graph.objects(None, MF.include):
        tests += suite_tests(_file(included))
    for entries in graph.objects(None, MF.entries):
        for entry in Collection(graph, entries):
            if (entry, RDF.type, SHT.Validate) not in graph:
                continue
            action = graph.value(entry, MF.action)
            name = _file(entry).relative_to(manifest.parent.parent).as_posix()
            tests.append(
                SuiteTest(
                    name,
                    URIRef(str(entry)),
                    manifest,
                    _file(graph.value(action, SHT.dataGraph)),
                    _file(graph.value(action, SHT.shapesGraph)),
                )
            )
    return tests


def all_suite_tests() -> list[SuiteTest]:
    """Return the tests of the core/ and sparql/ manifests, or none when the suite is absent."""
    if not SUITE.is_dir():
        return []
    return suite_tests(SUITE / "core" / "manifest.ttl") + suite_tests(
        SUITE / "sparql" / "manifest.ttl"
    )


def _text(node: Node | None) -> object:
    """Return a comparable form of a term: literals by value, so "4.0" equals "4"."""
    if node is None:
        return None
    if isinstance(node, Literal):
        # rdflib parses rdf:HTML and rdf:XMLLiteral into DOM nodes, which compare by identity,
        # so those literals compare by their lexical form.
        markup = node.datatype in (RDF.HTML, RDF.XMLLiteral)
        plain = markup or node.ill_typed or node.value is None
        plain = plain or not isinstance(node.value, Hashable)
        value = str(node) if plain else node.value
        return ("literal", value, node.datatype, node.language)
    return str(node)


def result_keys(
    report: Graph, shapes: Graph, report_node: Node | None = None
) -> Counter[ResultKey]:
    """Return the results of ``report_node`` (default: any report) as comparable keys.

    Messages and sh:detail are left out, as the W3C suite's comparison does. Blank nodes
    compare by identity and blank node paths are written out, so equal paths compare equal.
    """
    merged = report + shapes
    keys: Counter[ResultKey] = Counter()
    for result in report.objects(report_node, SH.result):
        keys[
            (
                _text(report.value(result, SH.focusNode)),
                path_key(report.value(result, SH.resultPath), merged),
                _text(report.value(result, SH.value)),
                _text(report.value(result, SH.sourceShape)),
                _text(report.value(result, SH.sourceConstraintComponent)),
                _text(report.value(result, SH.resultSeverity)),
            )
        ] += 1
    return keys


@dataclass(frozen=True)
class Outcome:
    """An engine's outcome: conformance and results, or the reason it rejected the shapes."""

    conforms: bool
    results: Counter[ResultKey] = field(default_factory=Counter)
    rejected: str | None = None


def run_pyshacl(data: Graph, shapes: Graph) -> Outcome:
    """Return pySHACL's outcome on the shapes as the service gives them to pySHACL."""
    conforms, report, _ = validate(
        data, shacl_graph=shapes_for_pyshacl(shapes), inference="none", advanced=True, inplace=True
    )
    if not isinstance(report, Graph):
        # pySHACL returns its ValidationFailure in place of the report for ill-formed shapes.
        return Outcome(False, rejected=str(report))
    return Outcome(bool(conforms), result_keys(report, shapes))


def run_fast(data: Graph, shapes: Graph) -> Outcome | None:
    """Return the fast engine's outcome, or None when it leaves the shapes to pySHACL."""
    try:
        report = validate_fast(data, shapes, allow_warnings=False)
    except UnsupportedShapes:
        return None
    except ShaclFailure as error:
        return Outcome(False, rejected=str(error))
    return Outcome(report.conforms, result_keys(report.graph, shapes))


def load(test: SuiteTest) -> tuple[Graph, Graph]:
    """Return the test's data and shapes graphs, with the shapes' literals kept as written."""
    shapes = parse_turtle_exact(test.shapes)
    data = shapes if test.shapes == test.data else Graph().parse(test.data, format="turtle")
    return data, shapes


def expected_outcome(test: SuiteTest, graph: Graph) -> Outcome:
    """Return the outcome the manifest entry expects; ``graph`` is a parse of its file.

    sht:Failure means that the shapes graph is ill-formed and must be rejected.
    """
    result = graph.value(test.entry, MF.result)
    if result == SHT.Failure:
        return Outcome(False, rejected="sht:Failure")
    conforms = graph.value(result, SH.conforms)
    assert isinstance(conforms, Literal), f"{test.name}: the expected report has no sh:conforms"
    return Outcome(bool(conforms.toPython()), result_keys(graph, graph, result))
