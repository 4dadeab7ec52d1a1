"""The fast engine on literals of the datatypes that pyoxigraph stores as another one.

pyoxigraph 0.5 keeps "5"^^xsd:byte as "5"^^xsd:integer and xsd:dateTimeStamp as
xsd:dateTime, so the engine stores such literals as proxies that keep the datatype and the
lexical form. These tests check sh:datatype against the lexical and value spaces of XSD 1.1,
comparisons and term equality on the proxies, the terms the report names, and the cases the
engine still leaves to pySHACL.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from shacl_suite import result_keys, run_fast, run_pyshacl

from vic_semantic.validation.fast import UnsupportedShapes, validate_fast

EX = "http://example.org/"

# Lexical forms and, for each datatype, the ones that are valid literals of it.
LEXICAL_FORMS = (
    "0",
    "-0",
    "+1",
    "127",
    "128",
    "-128",
    "-129",
    "255",
    "256",
    "-1",
    "c",
    "1.0",
    "2147483648",
    "9223372036854775808",
    "18446744073709551616",
)
VALID = {
    "byte": {"0", "-0", "+1", "127", "-128", "-1"},
    "short": {"0", "-0", "+1", "127", "128", "-128", "-129", "255", "256", "-1"},
    "int": {"0", "-0", "+1", "127", "128", "-128", "-129", "255", "256", "-1"},
    "long": {"0", "-0", "+1", "127", "128", "-128", "-129", "255", "256", "-1", "2147483648"},
    "unsignedByte": {"0", "-0", "+1", "127", "128", "255"},
    "unsignedShort": {"0", "-0", "+1", "127", "128", "255", "256"},
    "unsignedInt": {"0", "-0", "+1", "127", "128", "255", "256", "2147483648"},
    "unsignedLong": {
        "0",
        "-0",
        "+1",
        "127",
        "128",
        "255",
        "256",
        "2147483648",
        "9223372036854775808",
    },
    "nonNegativeInteger": {
        "0",
        "-0",
        "+1",
        "127",
        "128",
        "255",
        "256",
        "2147483648",
        "9223372036854775808",
        "18446744073709551616",
    },
    "positiveInteger": {
        "+1",
        "127",
        "128",
        "255",
        "256",
        "2147483648",
        "9223372036854775808",
        "18446744073709551616",
    },
    "nonPositiveInteger": {"0", "-0", "-128", "-129", "-1"},
    "negativeInteger": {"-128", "-129", "-1"},
}


def _datatype_graphs(datatype: str, forms: tuple[str, ...]) -> tuple[Graph, Graph]:
    data = Graph()
    for index, form in enumerate(forms):
        data.add((URIRef(f"{EX}n{index}"), URIRef(f"{EX}p"), Literal(form, datatype=XSD[datatype])))
    shapes = Graph().parse(
        data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <{EX}S> a sh:PropertyShape ; sh:targetSubjectsOf <{EX}p> ; sh:path <{EX}p> ;
            sh:datatype xsd:{datatype} .
        """,
        format="turtle",
    )
    return data, shapes


# Values above the maximum of xsd:long and xsd:unsignedLong, which rdflib 7.6 does not check,
# so pySHACL 0.40.1 accepts them.
PYSHACL_ACCEPTS = {
    "long": {"9223372036854775808", "18446744073709551616"},
    "unsignedLong": {"18446744073709551616"},
}


@pytest.mark.parametrize("datatype", sorted(VALID))
def test_integer_datatype_checked(datatype: str) -> None:
    data, shapes = _datatype_graphs(datatype, LEXICAL_FORMS)

    fast = run_fast(data, shapes)

    assert fast is not None
    failing = {str(key[0]).removeprefix(f"{EX}n") for key in fast.results}
    assert failing == {
        str(index) for index, form in enumerate(LEXICAL_FORMS) if form not in VALID[datatype]
    }


@pytest.mark.parametrize("datatype", sorted(VALID))
def test_integer_datatype_as_pyshacl(datatype: str) -> None:
    forms = tuple(f for f in LEXICAL_FORMS if f not in PYSHACL_ACCEPTS.get(datatype, set()))
    data, shapes = _datatype_graphs(datatype, forms)

    fast = run_fast(data, shapes)
    expected = run_pyshacl(data, shapes)

    assert fast is not None
    assert fast.results == expected.results


def test_datetimestamp_needs_timezone() -> None:
    """pySHACL 0.40.1 accepts any xsd:dateTimeStamp literal, so XSD's rule is written out."""
    forms = ("2020-01-01T00:00:00Z", "2020-01-01T00:00:00+03:00", "2020-01-01T00:00:00", "c")
    data, shapes = _datatype_graphs("dateTimeStamp", forms)

    fast = run_fast(data, shapes)

    assert fast is not None
    failing = sorted(str(key[0]) for key in fast.results)
    assert failing == [f"{EX}n2", f"{EX}n3"]


def test_int_is_not_integer() -> None:
    data = Graph().parse(data=f'<{EX}a> <{EX}p> "5"^^<{XSD.int}> .', format="turtle")
    shapes = Graph().parse(
        data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <{EX}S> a sh:PropertyShape ; sh:targetNode <{EX}a> ; sh:path <{EX}p> ;
            sh:datatype <{XSD.integer}> .
        """,
        format="turtle",
    )

    fast = run_fast(data, shapes)

    assert fast is not None
    assert sum(fast.results.values()) == 1
    assert fast.results == run_pyshacl(data, shapes).results


VALUE_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <{EX}> .

ex:Range a sh:PropertyShape ; sh:targetSubjectsOf ex:p ; sh:path ex:p ;
    sh:minInclusive 0 ; sh:maxExclusive "100"^^xsd:byte .
ex:Order a sh:PropertyShape ; sh:targetSubjectsOf ex:p ; sh:path ex:p ; sh:lessThan ex:q .
ex:Listed a sh:PropertyShape ; sh:targetSubjectsOf ex:p ; sh:path ex:p ;
    sh:in ( "5"^^xsd:byte "7"^^xsd:integer ) .
ex:Fixed a sh:PropertyShape ; sh:targetSubjectsOf ex:p ; sh:path ex:p ;
    sh:hasValue "5"^^xsd:byte .
"""

VALUE_DATA = f"""
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <{EX}> .

ex:a ex:p "5"^^xsd:byte ; ex:q "6"^^xsd:int .
ex:b ex:p "5"^^xsd:integer ; ex:q "4"^^xsd:long .
ex:c ex:p "-1"^^xsd:short , "7"^^xsd:int ; ex:q 10 .
ex:d ex:p "120"^^xsd:unsignedByte ; ex:q "c"^^xsd:byte .
"""


def test_proxies_compare_by_value() -> None:
    """Comparisons read a proxy's value, and sh:in and sh:hasValue compare terms."""
    data = Graph().parse(data=VALUE_DATA, format="turtle")
    shapes = Graph().parse(data=VALUE_SHAPES, format="turtle")

    fast = run_fast(data, shapes)
    expected = run_pyshacl(data, shapes)

    assert fast is not None
    assert fast.results == expected.results
    by_shape: dict[str, set[str]] = {}
    for key in fast.results:
        by_shape.setdefault(str(key[3]).removeprefix(EX), set()).add(str(key[0]).removeprefix(EX))
    assert by_shape["Range"] == {"c", "d"}
    assert by_shape["Order"] == {"b", "d"}
    assert by_shape["Listed"] == {"b", "c", "d"}
    assert by_shape["Fixed"] == {"b", "c", "d"}


def test_report_names_data_term() -> None:
    data = Graph()
    value = Literal("0127", datatype=XSD.byte, normalize=False)
    data.add((URIRef(f"{EX}a"), URIRef(f"{EX}p"), value))
    shapes = Graph().parse(
        data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <{EX}S> a sh:PropertyShape ; sh:targetNode <{EX}a> ; sh:path <{EX}p> ;
            sh:maxInclusive 100 .
        """,
        format="turtle",
    )

    report = validate_fast(data, shapes)

    assert len(report.results) == 1
    reported = report.results[0].value
    assert isinstance(reported, Literal)
    assert str(reported) == "0127"
    assert reported.datatype == XSD.byte
    assert result_keys(report.graph, shapes)


SPARQL_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
<{EX}S> a sh:NodeShape ; sh:targetSubjectsOf <{EX}p> ;
    sh:sparql [ sh:select "SELECT $this WHERE {{ $this <{EX}p> ?v . FILTER (?v > 3) }}" ] .
"""


def test_sparql_with_proxies_left_to_pyshacl() -> None:
    """A SPARQL query would read the proxies' private datatype, so pySHACL validates."""
    data = Graph().parse(data=f'<{EX}a> <{EX}p> "5"^^<{XSD.byte}> .', format="turtle")
    shapes = Graph().parse(data=SPARQL_SHAPES, format="turtle")

    with pytest.raises(UnsupportedShapes, match="proxies"):
        validate_fast(data, shapes)


def test_store_with_byte_shapes_left_to_pyshacl() -> None:
    """A pyoxigraph store given as data has already rewritten its xsd:byte literals."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(f"{EX}a"), ox.NamedNode(f"{EX}p"), ox.Literal("5")))
    _, shapes = _datatype_graphs("byte", ())

    with pytest.raises(UnsupportedShapes, match="rdflib graph"):
        validate_fast(store, shapes)
