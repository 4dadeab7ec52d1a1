"""The one-scan facts of a query agree with the lexer's own checks."""

from __future__ import annotations

import pytest

from vic_semantic.errors import ForbiddenOperationError, QuerySyntaxError
from vic_semantic.sparql.lexer import (
    MAX_NESTING,
    QueryForm,
    check_request_text,
    has_dataset_clause,
    query_form,
)
from vic_semantic.sparql.query_facts import facts

QUERIES = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
    "PREFIX ex: <http://ex/> SELECT ?limit WHERE { ?s ex:LIMIT ?limit } LIMIT 3 VALUES ?s {1}",
    "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 5 } }",
    'SELECT * WHERE { ?s ?p "} LIMIT 7" } # LIMIT 9\n',
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2",
    "ASK FROM <http://ex/g> { ?s ?p ?o }",
    "DESCRIBE <http://ex/a>",
    "SELECT * WHERE { SERVICE <http://127.0.0.1/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . ?s ex:service ?load }",
    "SELECT * WHERE { 12SERVICE <http://127.0.0.1/> { } }",
    "LOAD <http://127.0.0.1/x>",
    "SELECT * WHERE " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1),
    "SELECT * WHERE { FILTER(" + "(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1) + ") }",
]


def _error(check: object, text: str) -> tuple[type[Exception], str] | None:
    try:
        check(text)  # type: ignore[operator]
    except (ForbiddenOperationError, QuerySyntaxError) as error:
        return type(error), str(error)
    return None


@pytest.mark.parametrize("text", QUERIES)
def test_facts_agree_with_lexer(text: str) -> None:
    found = facts(text)

    assert found.form == query_form(text)
    assert found.has_dataset_clause == has_dataset_clause(text)
    assert _error(found.check, text) == _error(check_request_text, text)


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        (QUERIES[0], 10),
        (QUERIES[1], 3),
        (QUERIES[2], None),
        (QUERIES[3], None),
        ("select * where { ?s ?p ?o } order by ?s limit 4 offset 2", 4),
    ],
)
def test_outer_limit(text: str, limit: int | None) -> None:
    assert facts(text).outer_limit == limit


def test_select_within_only_for_select() -> None:
    assert facts(QUERIES[0]).select_within(10)
    assert not facts(QUERIES[0]).select_within(9)
    assert facts(QUERIES[4]).form is QueryForm.CONSTRUCT
    assert not facts(QUERIES[4]).select_within(100), "a CONSTRUCT's LIMIT counts solutions"
