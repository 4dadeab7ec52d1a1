"""SPARQL-based constraint components (sh:ConstraintComponent) on the fast engine.

The W3C suite's sparql/component tests run in test_shacl_w3c_expected.py. These add cases
the suite does not cover. A SELECT validator runs once per focus node, and an ASK validator
once per value node, with blank nodes. The others cover several values of a parameter, a
component without a validator for the kind of shape, messages and rebinding a parameter.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from shacl_suite import run_fast, run_pyshacl

from vic_semantic.validation.fast import ShaclFailure, validate_fast

EX = "http://example.org/"

PREFIXES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <{EX}> .
"""

LANGUAGE_COMPONENT = """
ex:LanguageComponent a sh:ConstraintComponent ;
    sh:parameter [ sh:path ex:lang ] ;
    sh:propertyValidator [
        a sh:SPARQLSelectValidator ;
        sh:message "Values must be in {$lang}" ;
        sh:select \"\"\"
            SELECT $this ?value WHERE {
                $this $PATH ?value .
                FILTER (!isLiteral(?value) || !langMatches(lang(?value), $lang))
            }\"\"\" ;
    ] .
"""

LANGUAGE_DATA = """
ex:a ex:name "Kefir"@en , "Кефир"@ru ; ex:label "Kefir"@de .
ex:b ex:name "Milch"@de ; ex:label "Milch"@de .
"""


def _graph(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def test_property_validator_per_shape() -> None:
    shapes = _graph(
        LANGUAGE_COMPONENT
        + """
        ex:Shape a sh:NodeShape ; sh:targetSubjectsOf ex:name ;
            sh:property [ sh:path ex:name ; ex:lang "en" ] ;
            sh:property [ sh:path ex:label ; ex:lang "de" ] .
        """
    )
    data = _graph(LANGUAGE_DATA)

    fast = run_fast(data, shapes)
    expected = run_pyshacl(data, shapes)

    assert fast is not None
    assert sum(fast.results.values()) == 2
    assert fast.results == expected.results


def test_messages_name_parameter() -> None:
    shapes = _graph(
        LANGUAGE_COMPONENT
        + """
        ex:Shape a sh:NodeShape ; sh:targetNode ex:b ;
            sh:property [ sh:path ex:name ; ex:lang "en" ] .
        """
    )

    report = validate_fast(_graph(LANGUAGE_DATA), shapes)

    assert len(report.results) == 1
    assert report.results[0].messages == (Literal("Values must be in en"),)
    assert str(report.results[0].component) == f"{EX}LanguageComponent"


def test_parameter_values_combined() -> None:
    """A shape with two values of a parameter has one constraint per value."""
    shapes = _graph(
        LANGUAGE_COMPONENT
        + """
        ex:Shape a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:name ; ex:lang "en" , "ru" ] .
        """
    )

    report = validate_fast(_graph(LANGUAGE_DATA), shapes)

    messages = sorted(str(result.messages[0]) for result in report.results)
    assert messages == ["Values must be in en", "Values must be in ru"]


NODE_COMPONENT = """
ex:RequiredComponent a sh:ConstraintComponent ;
    sh:parameter [ sh:path ex:required ] ;
    sh:parameter [ sh:path ex:minimum ; sh:optional true ] ;
    sh:nodeValidator [
        sh:select \"\"\"
            SELECT $this WHERE {
                { $this ex:p ?v } UNION { $this ex:q ?v }
                FILTER (?v = $required || ?v < COALESCE($minimum, 0))
            }\"\"\" ;
        sh:prefixes ex:prefixes ;
    ] .
ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""


def test_node_validator_once_per_focus_node() -> None:
    """UNION makes the validator run per focus node, blank nodes included."""
    shapes = _graph(
        NODE_COMPONENT
        + """
        ex:Required a sh:NodeShape ; sh:targetSubjectsOf ex:p ; ex:required 7 .
        ex:Minimum a sh:NodeShape ; sh:targetSubjectsOf ex:p ; ex:required 7 ; ex:minimum 3 .
        """
    )
    data = _graph("[] ex:p 7 . ex:b ex:p 2 . ex:c ex:p 5 ; ex:q 1 .")

    fast = run_fast(data, shapes)
    expected = run_pyshacl(data, shapes)

    assert fast is not None
    by_shape = sorted(str(key[3]).removeprefix(EX) for key in fast.results.elements())
    assert by_shape == ["Minimum", "Minimum", "Minimum", "Required"]
    assert fast.results == expected.results


ASK_COMPONENT = """
ex:NamedComponent a sh:ConstraintComponent ;
    sh:parameter [ sh:path ex:nameProperty ] ;
    sh:validator [
        a sh:SPARQLAskValidator ;
        sh:message "{$value} has no {$nameProperty}" ;
        sh:ask \"\"\"
            ASK {
                OPTIONAL { $value $nameProperty ?name }
                FILTER (bound(?name) || sameTerm($value, $this))
            }\"\"\" ;
    ] .
"""


def test_ask_validator_per_value_node() -> None:
    """OPTIONAL makes the ASK validator run per value node, with blank-node values."""
    shapes = _graph(
        ASK_COMPONENT
        + """
        ex:Shape a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:part ; ex:nameProperty ex:name ] .
        """
    )
    data = _graph("ex:a ex:part [ ex:name 'x' ] , [ ex:size 2 ] , ex:c , ex:a .")

    fast = run_fast(data, shapes)
    report = validate_fast(data, shapes)

    assert fast is not None
    values = sorted(type(result.value).__name__ for result in report.results)
    assert values == ["BNode", "URIRef"]
    assert {str(result.focus) for result in report.results} == {f"{EX}a"}
    messages = [str(result.messages[0]) for result in report.results]
    assert f"{EX}c has no {EX}name" in messages


def test_ask_validator_flat_as_pyshacl() -> None:
    """A flat ASK validator runs for all value nodes at once, as FILTER NOT EXISTS."""
    shapes = _graph(
        """
        ex:PrefixComponent a sh:ConstraintComponent ;
            sh:parameter [ sh:path ex:prefix ] ;
            sh:validator [ sh:ask "ASK { FILTER (STRSTARTS(STR($value), $prefix)) }" ] .
        ex:Shape a sh:NodeShape ; sh:targetNode "ab" , "ba" , "abc" , ex:ab ; ex:prefix "ab" .
        """
    )
    data = Graph()

    fast = run_fast(data, shapes)
    expected = run_pyshacl(data, shapes)

    assert fast is not None
    assert sum(fast.results.values()) == 2
    assert fast.results == expected.results


def test_component_without_validator_ignored() -> None:
    """SHACL ignores a component that has no validator for the kind of shape."""
    shapes = _graph(
        NODE_COMPONENT
        + """
        ex:Shape a sh:NodeShape ; sh:targetSubjectsOf ex:p ;
            sh:property [ sh:path ex:p ; ex:required 7 ] .
        """
    )

    report = validate_fast(_graph("ex:a ex:p 7 ."), shapes)

    assert report.conforms


def test_parameter_rebinding_rejected() -> None:
    shapes = _graph(
        """
        ex:Component a sh:ConstraintComponent ;
            sh:parameter [ sh:path ex:limit ] ;
            sh:validator [ sh:ask "ASK { BIND (1 AS ?limit) FILTER ($value > ?limit) }" ] .
        ex:Shape a sh:NodeShape ; sh:targetNode 5 ; ex:limit 3 .
        """
    )

    with pytest.raises(ShaclFailure) as raised:
        validate_fast(Graph(), shapes)

    assert "AS ?limit" in raised.value.message("en")
