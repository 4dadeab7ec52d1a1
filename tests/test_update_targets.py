from __future__ import annotations

import pytest

from vic_semantic.errors import QuerySyntaxError
from vic_semantic.sparql.update_targets import TargetKind, WrittenGraph, written_graphs

BASE = "http://testserver/sparql"


def graph(iri: str) -> WrittenGraph:
    return WrittenGraph(TargetKind.GRAPH, iri)


DEFAULT = WrittenGraph(TargetKind.DEFAULT)


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        ("INSERT DATA { GRAPH <http://g> { <a> <b> <c> } }", [graph("http://g")]),
        ("INSERT DATA { <a> <b> <c> }", [DEFAULT]),
        ("DELETE DATA { GRAPH <http://g> { <a> <b> 'c' } }", [graph("http://g")]),
        ("INSERT DATA { GRAPH <http://g> { } }", []),
        ("DELETE WHERE { GRAPH <http://g> { ?s ?p ?o } ?a ?b ?c }", [DEFAULT, graph("http://g")]),
        ("WITH <http://w> INSERT { ?s a ?c } WHERE { ?s a ?c }", [graph("http://w")]),
        (
            "WITH <http://w> DELETE { GRAPH <http://x> { ?s a ?c } } WHERE { ?s a ?c }",
            [graph("http://x")],
        ),
        ("INSERT { ?s a ?c } USING <http://u> WHERE { ?s a ?c }", [DEFAULT]),
        (
            "INSERT { GRAPH ?g { <a> <b> <c> } } WHERE { GRAPH ?g { } }",
            [WrittenGraph(TargetKind.VARIABLE, "g")],
        ),
        ("DROP ALL", [WrittenGraph(TargetKind.ALL)]),
        ("CLEAR NAMED", [WrittenGraph(TargetKind.NAMED)]),
        ("DROP SILENT DEFAULT", [DEFAULT]),
        ("CLEAR GRAPH <http://g>", [graph("http://g")]),
        ("CREATE GRAPH <g>", [graph("http://testserver/g")]),
        ("ADD <http://a> TO <http://b>", [graph("http://b")]),
        ("COPY DEFAULT TO <http://b>", [graph("http://b")]),
        ("MOVE <http://a> TO DEFAULT", [DEFAULT, graph("http://a")]),
        ("LOAD <http://remote/x>", [DEFAULT]),
        ("LOAD <http://remote/x> INTO GRAPH <http://g>", [graph("http://g")]),
        (
            "BASE <http://h/member/a/> INSERT DATA { GRAPH <../b/x> { <s> <p> <o> } }",
            [graph("http://h/member/b/x")],
        ),
        (
            "PREFIX g: <http://h/> INSERT DATA { GRAPH g:x { <s> <p> <o> } } ;"
            " INSERT DATA { GRAPH g:x { <s> <p> <q> } }",
            [graph("http://h/x")],
        ),
    ],
)
def test_written_graphs(update: str, expected: list[WrittenGraph]) -> None:
    assert written_graphs(update, BASE) == expected


def test_keyword_in_string_not_target() -> None:
    update = "INSERT DATA { GRAPH <http://g> { <s> <p> 'DROP ALL; GRAPH <http://x>' } }"

    assert written_graphs(update, BASE) == [graph("http://g")]


@pytest.mark.parametrize("update", ["INSERT DATA {", "INSERT DATA { x:a <b> <c> }"])
def test_unparsable_update_rejected(update: str) -> None:
    with pytest.raises(QuerySyntaxError):
        written_graphs(update, BASE)
