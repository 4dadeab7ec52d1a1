"""Reading the W3C SHACL test suite's manifests and comparing two engines' reports on them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from vic_semantic.validation.fast import UnsupportedShapes, validate_fast
from vic_semantic.validation.fast.paths import path_key

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

# (focus node, path, value, source shape, constraint component, severity)
ResultKey = tuple[object, str | None, object, object, object, object]


@dataclass(frozen=True)
class SuiteTest:
    """One sht:Validate entry: its id, data and shapes files, and whether it is a failure test."""

    name: str
    data: Path
    shapes: Path


def _file(node: Node) -> Path:
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
                    _file(graph.value(action, SHT.dataGraph)),
                    _file(graph.value(action, SHT.shapesGraph)),
                )
            )
    return tests


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


def result_keys(report: Graph, shapes: Graph) -> Counter[ResultKey]:
    """Return the report's results as comparable keys, blank node paths written out."""
    merged = report + shapes
    keys: Counter[ResultKey] = Counter()
    for result in report.objects(None, SH.result):
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
    conforms: bool
    results: Counter[ResultKey]


def run_pyshacl(data: Graph, shapes: Graph) -> Outcome:
    conforms, report, _ = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, inplace=True
    )
    return Outcome(bool(conforms), result_keys(report, shapes))


def run_fast(data: Graph, shapes: Graph) -> Outcome | None:
    """Return the fast engine's outcome, or None when it leaves the shapes to pySHACL."""
    try:
        report = validate_fast(data, shapes, allow_warnings=False)
    except UnsupportedShapes:
        return None
    return Outcome(report.conforms, result_keys(report.graph, shapes))


def load(test: SuiteTest) -> tuple[Graph, Graph]:
    data = Graph().parse(test.data, format="turtle")
    shapes = data if test.shapes == test.data else Graph().parse(test.shapes, format="turtle")
    return data, shapes


def expected_conforms(test: SuiteTest, manifest_graph: Graph) -> bool | None:
    found = manifest_graph.value(None, SH.conforms)
    return None if found is None else bool(found.toPython())


def node_iri(path: Path) -> URIRef:
    return URIRef(path.as_uri())
