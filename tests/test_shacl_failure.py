"""Ill-formed shapes graphs: both engines and validate_graph reject them with ShaclFailure.

SHACL-SPARQL forbids MINUS, SERVICE and VALUES in a SPARQL constraint, rebinding ``$this``
with AS, and subqueries that do not select ``$this`` by name. The service validates against
its own shapes, so such a failure is a server fault: the API returns status 500 with the message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from api.errors import error_body
from vic_semantic.validation import ShaclFailure, validate_graph
from vic_semantic.validation.engine import Engine

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .

ex:Shape a sh:NodeShape ;
    sh:targetNode ex:node ;
    sh:sparql [ sh:select \"\"\"SELECT $this WHERE {{ {body} }}\"\"\" ] .
"""

DATA = Graph().parse(data="<http://example.org/node> <http://example.org/p> 1 .", format="turtle")

ILL_FORMED = {
    "minus": ("$this ?p ?o . MINUS { $this ?p 2 }", "MINUS"),
    "service": ("$this ?p ?o . SERVICE <http://example.org/sparql> { ?a ?b ?c }", "SERVICE"),
    "values": ("VALUES ?o { 1 } $this ?p ?o .", "VALUES"),
    "rebinding": ("BIND (<http://example.org/other> AS $this)", "AS ?this"),
    "subquery-without-this": ("$this ?p ?o . { SELECT ?o WHERE { ?s ?p ?o } }", "$this"),
    "subquery-star": ("{ SELECT * WHERE { $this ?p ?o } }", "$this"),
}


def _shapes_dir(tmp_path: Path, body: str) -> Path:
    (tmp_path / "shapes.ttl").write_text(SHAPES.format(body=body), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("engine", ["auto", "fast", "pyshacl"])
@pytest.mark.parametrize("case", sorted(ILL_FORMED))
def test_ill_formed_constraint_rejected(case: str, engine: Engine, tmp_path: Path) -> None:
    body, named = ILL_FORMED[case]

    with pytest.raises(ShaclFailure) as raised:
        validate_graph(DATA, shapes_dir=_shapes_dir(tmp_path, body), engine=engine)

    if engine != "pyshacl":
        assert named in raised.value.message("en")
    assert raised.value.message("ru")


def test_well_formed_constraint_validates(tmp_path: Path) -> None:
    body = (
        "$this ?p ?o . { SELECT $this ?o WHERE { $this ?p ?o } } FILTER (?o = 1)\n"
        "# a comment may mention MINUS, SERVICE and VALUES\n"
    )

    report = validate_graph(DATA, shapes_dir=_shapes_dir(tmp_path, body), engine="fast")

    assert len(report.results) == 1


def test_failure_reaches_client_as_message() -> None:
    failure = ShaclFailure("формы неверны", "the shapes are ill-formed")

    body = error_body(failure, "en")

    assert body["status"] == 500
    assert body["error"] == "shapes_error"
    assert body["message"] == "the shapes are ill-formed"
