"""SPARQL syntax errors in short plain words: the text at the error, the expectation, the fix.

Every query and update here is broken and run by the real engine (pyoxigraph). The tests
check the engine's position, which the error and the API's fields keep, and the shortened
message in Russian and English.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ServiceFactory, register_member
from fastapi.testclient import TestClient

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.errors import QuerySyntaxError
from vic_semantic.namespaces import veterinary_graph
from vic_semantic.service import VicService
from vic_semantic.sparql.syntax_hints import explain
from vic_semantic.sparql.syntax_message import expected_tokens, plain_expectation
from vic_semantic.store.base import Dataset
from vic_semantic.store.embedded import EmbeddedStore

MEMBER = "molochnyj-zavod-1"
BASE = "http://vic.test/sparql"


@dataclass(frozen=True)
class Case:
    text: str
    line: int
    column: int
    english: str
    russian: str


QUERIES = {
    "unfinished_triple": Case(
        "SELECT ?s WHERE { ?s",
        1,
        21,
        'near "SELECT ?s WHERE { ?s▶" (▶ marks the error): expected a variable (?x), an IRI '
        'in angle brackets (<http://…>), a prefixed name (vic:Product) or "(". The query '
        "ends too early",
        "рядом с «SELECT ?s WHERE { ?s▶» (▶ — место ошибки): ожидается переменная (?x), IRI "
        "в угловых скобках (<http://…>), имя с префиксом (vic:Product) или «(». Текст "
        "запроса обрывается",
    ),
    "missing_operand": Case(
        "SELECT * WHERE { ?s ?p ?o . FILTER(?o > ) }",
        1,
        44,
        'near "… ?s ?p ?o . FILTER(?o > ▶) }" (▶ marks the error): the text does not parse '
        "from ▶ on; an expression (a variable, a value or a function such as ABS, AVG) would "
        "fit here. Correct the text from ▶ on.",
        "рядом с «… ?s ?p ?o . FILTER(?o > ▶) }» (▶ — место ошибки): с места ▶ текст не "
        "разбирается; здесь подошло бы выражение (переменная, значение или функция вроде "
        "ABS, AVG). Исправьте текст начиная с места ▶.",
    ),
    "missing_object": Case(
        "SELECT ?s WHERE {\n ?s ?p \n}",
        3,
        2,
        'near "SELECT ?s WHERE { ↵ ▶?s ?p" (▶ marks the error): the text does not parse from '
        "▶ on; the keyword OPTIONAL would fit here.",
        "рядом с «SELECT ?s WHERE { ↵ ▶?s ?p» (▶ — место ошибки): с места ▶ текст не "
        "разбирается; здесь подошло бы ключевое слово OPTIONAL.",
    ),
    "unclosed_string": Case(
        "SELECT * WHERE { ?s <http://a> 'x }",
        1,
        36,
        "expected the closing quote of the string. The query ends too early",
        "ожидается закрывающая кавычка строки. Текст запроса обрывается",
    ),
    "limit_not_number": Case(
        "SELECT ?s WHERE { ?s ?p ?o } LIMIT x",
        1,
        36,
        'near "…HERE { ?s ?p ?o } LIMIT ▶x" (▶ marks the error): expected a number or one of '
        "the keywords HAVING, OFFSET, OPTIONAL or another. Correct the text at ▶ or just "
        "before it.",
        "рядом с «…HERE { ?s ?p ?o } LIMIT ▶x» (▶ — место ошибки): ожидается число или одно "
        "из ключевых слов HAVING, OFFSET, OPTIONAL или другое. Исправьте текст в месте ▶ или "
        "прямо перед ним.",
    ),
    "empty_language_tag": Case(
        'PREFIX ex: <http://e/>\nSELECT * WHERE {\n  ?s ex:p "abc"@ .\n}',
        4,
        2,
        'near "  ?s ex:p "abc"▶@ ." (▶ marks the error)',
        'рядом с «  ?s ex:p "abc"▶@ .» (▶ — место ошибки)',
    ),
    "undeclared_prefix": Case(
        "SELECT * WHERE { ?s ex:p ?o }",
        1,
        26,
        "the prefix ex: is not declared; add PREFIX ex: <…> with the namespace IRI at the start.",
        "префикс ex: не объявлен; добавьте в начало PREFIX ex: <…> с IRI пространства имён.",
    ),
}

UPDATES = {
    "missing_object": Case(
        "INSERT DATA {\n <http://a> <http://b> \n}",
        3,
        1,
        'near "<http://a> <http://b> ↵ ▶}" (▶ marks the error): expected a variable (?x), an '
        "IRI in angle brackets (<http://…>), a prefixed name (vic:Product), a literal (a "
        "quoted string or a number) or a blank node (_:b or [ ]). Correct the text at ▶ or "
        "just before it.",
        "рядом с «<http://a> <http://b> ↵ ▶}» (▶ — место ошибки): ожидается переменная (?x), "
        "IRI в угловых скобках (<http://…>), имя с префиксом (vic:Product), литерал (строка "
        "в кавычках или число) или пустой узел (_:b или [ ]).",
    ),
    "variable_in_insert_data": Case(
        "INSERT DATA { <http://a> <http://b> ?x }",
        1,
        41,
        "variables are not allowed in INSERT DATA: write IRIs and literals, or use "
        "INSERT { … } WHERE { … }.",
        "в INSERT DATA переменные недопустимы: запишите IRI и литералы или используйте "
        "INSERT { … } WHERE { … }.",
    ),
    "graph_without_iri": Case(
        "CLEAR GRAPH",
        1,
        12,
        'near "CLEAR GRAPH▶" (▶ marks the error): expected an IRI in angle brackets '
        "(<http://…>), a prefixed name (vic:Product) or the keyword NAMED. The update ends "
        "too early",
        "рядом с «CLEAR GRAPH▶» (▶ — место ошибки): ожидается IRI в угловых скобках "
        "(<http://…>), имя с префиксом (vic:Product) или ключевое слово NAMED. Текст "
        "обновления обрывается",
    ),
}


def _check(error: QuerySyntaxError, case: Case) -> None:
    assert (error.line, error.column) == (case.line, case.column)
    assert error.message_en.startswith(
        f"SPARQL syntax error at line {case.line}, column {case.column}: "
    )
    assert error.message_ru.startswith(
        f"Синтаксическая ошибка SPARQL (строка {case.line}, столбец {case.column}): "
    )
    assert case.english in error.message_en
    assert case.russian in error.message_ru
    for message in (error.message_en, error.message_ru):
        assert "[_]" not in message
        assert "..=" not in message
        assert len(message) < 420, message


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_error_in_plain_words(name: str) -> None:
    case = QUERIES[name]
    with pytest.raises(QuerySyntaxError) as caught:
        EmbeddedStore(None).query(case.text, Dataset(), None, None)

    _check(explain(caught.value, case.text, is_update=False), case)


@pytest.mark.parametrize("name", sorted(UPDATES))
def test_update_error_in_plain_words(name: str) -> None:
    case = UPDATES[name]
    with pytest.raises(QuerySyntaxError) as caught:
        EmbeddedStore(None).run_update(case.text, BASE)

    _check(explain(caught.value, case.text, is_update=True), case)


def test_long_token_list_parsed() -> None:
    store = ox.Store()
    with pytest.raises(SyntaxError) as caught:
        store.query("SELECT ?s WHERE { ?s")
    detail = str(caught.value).split(": ", 1)[1]

    tokens = expected_tokens(detail)

    assert tokens is not None
    assert len(tokens) == 12
    assert tokens[:8] == ['"!"', '"$"', '"("', '":"', '"<"', '"?"', '"^"', '"a"']
    assert tokens[-1] == "[_]"
    assert tokens[9].startswith("['A' ..= 'Z'")


def test_expectation_keeps_a_handful() -> None:
    tokens = ['"?"', '"<"', '":"', '"\'"', '"_:"', '"{"', '"}"', '"."', "GRAPH", "MINUS"]

    words = plain_expectation(tokens)

    assert words is not None
    assert words.en == (
        "expected a variable (?x), an IRI in angle brackets (<http://…>), a prefixed name "
        "(vic:Product), a literal (a quoted string or a number) or a blank node (_:b or [ ])"
    )


def test_explained_error_not_explained_twice() -> None:
    case = QUERIES["unfinished_triple"]
    with pytest.raises(QuerySyntaxError) as caught:
        EmbeddedStore(None).query(case.text, Dataset(), None, None)

    once = explain(caught.value, case.text, is_update=False)
    twice = explain(once, case.text, is_update=False)

    assert twice is once


# --- through the endpoint -----------------------------------------------------------------------


@dataclass
class World:
    client: TestClient
    service: VicService
    tokens: dict[str, dict[str, str]]

    def update(self, text: str, who: str, lang: str) -> object:
        return self.client.post(
            "/sparql",
            content=text.encode(),
            headers={
                "Content-Type": "application/sparql-update",
                "Accept-Language": lang,
                **self.tokens[who],
            },
        )


@pytest.fixture
def world(service_factory: ServiceFactory, tmp_path: Path) -> Iterator[World]:
    registry = TokenRegistry(tmp_path / "tokens.json")
    member = registry.create(Role.MEMBER, member=MEMBER)[1]
    admin = registry.create(Role.ADMIN)[1]
    service = service_factory(load_demo=False)
    register_member(service, MEMBER)
    app_ = create_app(service.settings, service=service)
    with TestClient(app_, raise_server_exceptions=False) as client:
        tokens = {
            "member": {"Authorization": f"Bearer {member}"},
            "admin": {"Authorization": f"Bearer {admin}"},
        }
        yield World(client, service, tokens)


def _check_body(response: object, case: Case, lang: str) -> None:
    status: int = response.status_code  # type: ignore[attr-defined]
    assert status == 400, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["error"] == "query_syntax"
    assert (body["line"], body["column"]) == (case.line, case.column)
    expected = case.english if lang == "en" else case.russian
    assert expected in body["message"]


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("how", ["get", "post_form", "post_body"])
def test_endpoint_query_error(world: World, how: str, lang: str) -> None:
    case = QUERIES["missing_operand"]
    headers = {"Accept-Language": lang}
    if how == "get":
        response = world.client.get("/sparql", params={"query": case.text}, headers=headers)
    elif how == "post_form":
        response = world.client.post("/sparql", data={"query": case.text}, headers=headers)
    else:
        response = world.client.post(
            "/sparql",
            content=case.text.encode(),
            headers={"Content-Type": "application/sparql-query", **headers},
        )

    _check_body(response, case, lang)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_endpoint_admin_update_error(world: World, lang: str) -> None:
    case = UPDATES["graph_without_iri"]

    response = world.update(case.text, "admin", lang)

    _check_body(response, case, lang)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_validated_member_update_error(world: World, lang: str) -> None:
    """rdflib accepts a variable in INSERT DATA, so the engine finds it on the checked path."""
    graph = veterinary_graph(MEMBER)
    text = f"INSERT DATA {{ GRAPH <{graph}> {{ <http://a> <http://b> ?x }} }}"
    case = Case(
        text,
        1,
        len(text) + 1,
        UPDATES["variable_in_insert_data"].english,
        UPDATES["variable_in_insert_data"].russian,
    )
    before = world.service.store.dump(ox.RdfFormat.N_QUADS)

    response = world.update(text, "member", lang)

    _check_body(response, case, lang)
    assert world.service.store.dump(ox.RdfFormat.N_QUADS) == before


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_member_update_error_before_checks(world: World, lang: str) -> None:
    """rdflib rejects this update, and the engine's position and expectation are reported."""
    graph = veterinary_graph(MEMBER)
    text = f"INSERT DATA {{ GRAPH <{graph}> {{\n <http://a> <http://b> \n}} }}"
    case = Case(
        text,
        3,
        1,
        'near "<http://a> <http://b> ↵ ▶} }" (▶ marks the error): expected a variable (?x)',
        "рядом с «<http://a> <http://b> ↵ ▶} }» (▶ — место ошибки): ожидается переменная (?x)",
    )

    response = world.update(text, "member", lang)

    _check_body(response, case, lang)
