from __future__ import annotations

import pytest

from vic_semantic.errors import ForbiddenOperationError
from vic_semantic.sparql.lexer import QueryForm, query_form, reject_fetching_operations


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", QueryForm.SELECT),
        ("PREFIX ask: <http://a/>\nconstruct { ?s ?p ?o } WHERE { ?s ?p ?o }", QueryForm.CONSTRUCT),
        ("# SELECT in a comment\nASK { ?s ?p ?o }", QueryForm.ASK),
        ("BASE <http://select/> DESCRIBE <x>", QueryForm.DESCRIBE),
        ("INSERT DATA { <a> <b> 'select' }", None),
    ],
)
def test_query_form(query: str, form: QueryForm | None) -> None:
    assert query_form(query) is form


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "select * where { service silent <http://169.254.169.254/> { ?s ?p ?o } }",
        "LOAD <http://127.0.0.1/data.ttl>",
        "load silent <http://localhost/x> into graph <http://g>",
    ],
)
def test_fetching_operations_rejected(text: str) -> None:
    with pytest.raises(ForbiddenOperationError) as caught:
        reject_fetching_operations(text)
    assert "SERVICE" in str(caught.value) or "LOAD" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?service WHERE { ?service <http://p> 'LOAD' }",
        "PREFIX ex: <http://e/> SELECT * WHERE { ex:service ex:load ?o }",
        'SELECT * WHERE { <http://e/SERVICE> ?p """multi\nSERVICE""" } # LOAD',
    ],
)
def test_keywords_in_names_and_strings_allowed(text: str) -> None:
    reject_fetching_operations(text)
