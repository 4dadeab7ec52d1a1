"""The OWL 2 DL profile check (OWL API from HermiT.jar, run offline): the real ontology has no
violation, each kind of bad snippet is reported, and ``vic-semantic check-ontology`` fails on
a violation."""

from __future__ import annotations

from pathlib import Path

import owlready2
import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF
from typer.testing import CliRunner

from vic_semantic.cli import app
from vic_semantic.namespaces import VIC
from vic_semantic.ontology import (
    JavaNotFoundError,
    dl_profile_violations,
    load_ontology_graph,
    ontology_dir,
    profile_problems,
)

pytestmark = pytest.mark.slow

HEADER = """
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix ex:   <http://example.org/dairy#> .

<http://example.org/dairy> a owl:Ontology .
ex:Milk a owl:Class .
ex:Farm a owl:Class .
"""

BAD_SNIPPETS = {
    "property both object and data property": (
        "ex:fat a owl:ObjectProperty , owl:DatatypeProperty .",
        "IllegalPunning",
    ),
    "transitive property in a cardinality restriction": (
        """ex:partOf a owl:ObjectProperty , owl:TransitiveProperty .
        ex:Milk rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:partOf ;
                                  owl:maxCardinality 1 ] .""",
        "UseOfNonSimplePropertyInCardinalityRestriction",
    ),
    "class used without declaration": (
        "ex:Milk rdfs:subClassOf ex:Undeclared .",
        "UseOfUndeclaredClass",
    ),
    "reserved vocabulary as a class": (
        "ex:Milk rdfs:subClassOf rdfs:Literal .",
        "UseOfReservedVocabularyForClassIRI",
    ),
    "annotation property in a restriction": (
        """ex:note a owl:AnnotationProperty .
        ex:Milk rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:note ;
                                  owl:someValuesFrom ex:Farm ] .""",
        "IllegalPunning",
    ),
    "data property with a class as filler": (
        """ex:fat a owl:DatatypeProperty .
        ex:Milk rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:fat ;
                                  owl:someValuesFrom ex:Farm ] .""",
        "IllegalPunning",
    ),
}


def _snippet(body: str) -> Graph:
    return Graph().parse(data=HEADER + body, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology_graph()


def test_ontology_has_no_violation(ontology: Graph) -> None:
    problems = profile_problems(ontology)
    assert problems == [], "\n".join(problems)


def test_clean_snippet_has_no_violation() -> None:
    assert dl_profile_violations(_snippet("ex:Milk rdfs:subClassOf ex:Farm .")) == ()


@pytest.mark.parametrize(("body", "kind"), BAD_SNIPPETS.values(), ids=list(BAD_SNIPPETS))
def test_bad_snippet_is_reported(body: str, kind: str) -> None:
    kinds = {violation.kind for violation in dl_profile_violations(_snippet(body))}
    assert kind in kinds


def test_punned_property_in_ontology_is_reported(ontology: Graph) -> None:
    graph = Graph() + ontology
    graph.add((VIC.fatMassFraction, RDF.type, OWL.ObjectProperty))

    problems = profile_problems(graph)

    assert problems
    assert all("fatMassFraction" in problem for problem in problems), problems
    assert problems[0].startswith("нарушение профиля OWL 2 DL (IllegalPunning)")


def test_imports_are_not_fetched() -> None:
    # Port 9 (discard) on loopback: were the import fetched, the check would fail or hang.
    graph = _snippet("<http://example.org/dairy> owl:imports <http://127.0.0.1:9/other.owl> .")
    assert dl_profile_violations(graph) == ()


def test_profile_without_java_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")

    with pytest.raises(JavaNotFoundError) as caught:
        dl_profile_violations(_snippet(""))

    assert "/nonexistent/java" in caught.value.message_en


def test_check_ontology_command_passes() -> None:
    result = CliRunner().invoke(app, ["check-ontology"])

    assert result.exit_code == 0, result.output
    assert "Ontology OK" in result.output


def test_check_ontology_command_fails_on_violation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in sorted(ontology_dir().glob("*.ttl")):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "punned.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://w3id.org/vic-semantic/ontology/fatMassFraction> a owl:ObjectProperty .\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("VIC_ONTOLOGY_DIR", str(tmp_path))

    result = CliRunner().invoke(app, ["check-ontology"])

    assert result.exit_code == 1, result.output
    assert "IllegalPunning" in result.output
