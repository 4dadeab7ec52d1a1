"""Full-text search: Russian word forms, typos, codes, freshness and the SPARQL functions."""

from __future__ import annotations

import pytest
from conftest import ServiceFactory
from fastapi.testclient import TestClient

from vic_semantic.errors import InputError
from vic_semantic.search import Kind, SearchIndex, live_index, text_matches
from vic_semantic.search.analysis import english_stem, keys, words
from vic_semantic.service import VicService

VIC = "https://w3id.org/vic-semantic/ontology/"
ID = "https://w3id.org/vic-semantic/id/"
PREFIXES = f"PREFIX vic: <{VIC}>\nPREFIX vicfn: <{VIC}fn/>\n"


@pytest.fixture(scope="module")
def index(demo_service: VicService) -> SearchIndex:
    return SearchIndex.from_store(demo_service.store)


def labels(index: SearchIndex, query: str, kind: Kind) -> list[str]:
    return [hit.label for hit in index.search(query, kinds=[kind])]


@pytest.mark.parametrize("query", ["кефир", "кефиры", "кефира", "кефирный", "кефирная", "КЕФИР"])
def test_word_forms_find_kefir(index: SearchIndex, query: str) -> None:
    hits = index.search(query, limit=10)

    assert hits[0].iri == VIC + "Kefir"
    products = [hit.label for hit in hits if hit.kind is Kind.PRODUCT]
    assert "Кефир 1% 900 г п/э" in products
    assert all(label.startswith("Кефир") for label in products)


def test_adjective_keys_include_noun() -> None:
    assert "кефир" in keys("кефирный")
    assert "гомель" in keys("гомельский")
    assert "мясо" in keys("мясной")
    assert "кефир" not in keys("кефаль")


def test_yo_is_e() -> None:
    assert words("Сырокопчёная") == ["сырокопченая"]
    assert "сырокопченый" in keys("сырокопченая")


def test_english_stem() -> None:
    assert english_stem("cheeses") == english_stem("cheese")
    assert english_stem("frankfurters") == "frankfurter"
    assert english_stem("categories") == english_stem("category")


def test_plombir_class_then_products(index: SearchIndex) -> None:
    hits = index.search("Пломбир", limit=10)

    assert hits[0].iri == VIC + "Plombir"
    assert hits[0].kind is Kind.CLASS
    assert hits[0].exact is True
    products = [hit for hit in hits if hit.kind is Kind.PRODUCT]
    assert len(products) >= 4
    assert all("Пломбир" in hit.label for hit in products)
    assert all(hit.exact is False for hit in hits[1:])


@pytest.mark.parametrize(
    ("typo", "expected"),
    [("кифир", VIC + "Kefir"), ("пломбр", VIC + "Plombir"), ("смитана", VIC + "SourCream")],
)
def test_typos(index: SearchIndex, typo: str, expected: str) -> None:
    assert index.search(typo, limit=1)[0].iri == expected


def test_short_words_not_corrected(index: SearchIndex) -> None:
    assert index.search("сыx", kinds=[Kind.CLASS]) == []


def test_numbers_not_corrected(index: SearchIndex) -> None:
    hits = index.search("ГОСТ 31459", kinds=[Kind.STANDARD])

    assert all(hit.exact is False for hit in hits)
    assert not text_matches("ГОСТ 31450-2013", "ГОСТ 31459")


def test_typo_inside_phrase(index: SearchIndex) -> None:
    hits = index.search("пломбр шоколадный", kinds=[Kind.PRODUCT], limit=1)

    assert hits[0].label == "Пломбир шоколадный в вафельном стаканчике 15%"


def test_standard_by_designation(index: SearchIndex) -> None:
    hits = index.search("ГОСТ 31450", limit=3)

    assert hits[0].iri == ID + "standard/gost-31450-2013"
    assert hits[0].kind is Kind.STANDARD
    assert hits[0].description == "Молоко питьевое. Технические условия"
    assert index.search("ГОСТ 31450-2013", limit=1)[0].exact is True


def test_standard_by_title_in_english(index: SearchIndex) -> None:
    hits = index.search("cheeses", kinds=[Kind.STANDARD], lang="en")

    assert {hit.label for hit in hits} >= {"ГОСТ 32260-2013", "ГОСТ 32263-2013"}
    assert all("cheese" in (hit.description or "").lower() for hit in hits)


def test_code_with_other_separators(index: SearchIndex) -> None:
    hits = index.search("0401-20-910", kinds=[Kind.CONCEPT], limit=1)

    assert hits[0].iri == ID + "tnved/0401-20-910"
    assert hits[0].exact is True
    assert hits[0].matched == "0401 20 910"


def test_hidden_label_and_property(index: SearchIndex) -> None:
    assert index.search("у/паст.", limit=1)[0].iri == VIC + "UHTMilk"
    assert index.search("штрихкод", kinds=[Kind.PROPERTY], limit=1)[0].iri == VIC + "gtin"


def test_member_labels_by_language(index: SearchIndex) -> None:
    hits = index.search("молочный завод", kinds=[Kind.MEMBER], limit=3)

    assert len(hits) == 3
    assert all(hit.label.startswith("Молочный завод №") for hit in hits)


def test_class_label_language(index: SearchIndex) -> None:
    assert index.search("kefir", kinds=[Kind.CLASS], lang="en")[0].label == "kefir"
    assert index.search("kefir", kinds=[Kind.CLASS], lang="ru")[0].label == "кефир"


def test_kinds_filter(index: SearchIndex) -> None:
    hits = index.search("кефир", kinds=[Kind.STANDARD, Kind.CONCEPT])

    assert hits
    assert {hit.kind for hit in hits} <= {Kind.STANDARD, Kind.CONCEPT}


@pytest.fixture
def writable_service(service_factory: ServiceFactory, store_kind: str) -> VicService:
    return service_factory(in_memory=store_kind == "embedded")


def test_index_follows_store_changes(writable_service: VicService) -> None:
    live = live_index(writable_service.store)
    before = live.current()
    assert live.current() is before
    old_hits = before.search("Творожок «Тестовый»", kinds=[Kind.PRODUCT])
    assert ID + "product/test/1" not in [hit.iri for hit in old_hits]

    writable_service.store.update(
        f"INSERT DATA {{ GRAPH <{ID}graph-test> {{ <{ID}product/test/1> a <{VIC}Tvorog> ; "
        f'<{VIC}productName> "Творожок «Тестовый»"@ru }} }}'
    )
    after = live.wait_current(timeout=60)

    assert after is not before
    first = after.search("Творожок «Тестовый»", kinds=[Kind.PRODUCT])[0]
    assert first.iri == ID + "product/test/1"
    assert first.exact is True


def test_invalidate_rebuilds(writable_service: VicService) -> None:
    live = live_index(writable_service.store)
    before = live.current()
    live.invalidate()

    assert live.current() is before
    assert live.wait_current(timeout=60) is not before


def test_text_matches() -> None:
    assert text_matches("Кефир обезжиренный 0,05%", "кефиры")
    assert text_matches("Кефир обезжиренный 0,05%", "кифир обезжиренный")
    assert not text_matches("Кефир обезжиренный 0,05%", "кефир сладкий")
    assert not text_matches("Ряженка 4%", "кефир")


def test_http_search(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "кефирная", "type": "product", "limit": 3})

    assert response.status_code == 200
    body = response.json()
    assert len(body["hits"]) == 3
    assert all(hit["kind"] == "product" for hit in body["hits"])
    assert all(hit["label"].startswith("Кефир") for hit in body["hits"])
    assert {"iri", "kind", "label", "score", "matched"} <= set(body["hits"][0])


def test_http_search_language(client: TestClient) -> None:
    response = client.get(
        "/api/search", params={"q": "пломбир", "type": "class"}, headers={"Accept-Language": "en"}
    )

    assert response.headers["content-language"] == "en"
    assert response.json()["hits"][0]["label"] == "plombir"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "  "}, "empty_query"),
        ({}, "empty_query"),
        ({"q": "кефир", "type": "cheese"}, "invalid_type"),
        ({"q": "кефир", "limit": 0}, "invalid_limit"),
    ],
)
def test_http_search_rejects(client: TestClient, params: dict[str, str | int], code: str) -> None:
    response = client.get("/api/search", params=params, headers={"Accept-Language": "en"})

    assert response.status_code == 400
    assert response.json()["error"] == code
    russian = client.get("/api/search", params=params).json()["message"]
    assert russian != response.json()["message"]


def sparql(client: TestClient, query: str) -> list[dict[str, dict[str, str]]]:
    response = client.get(
        "/sparql",
        params={"query": PREFIXES + query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    bindings: list[dict[str, dict[str, str]]] = response.json()["results"]["bindings"]
    return bindings


def assert_function_rejected(client: TestClient, query: str, function: str) -> None:
    """Check the 400 a service on a remote store returns for a search function call."""
    response = client.get(
        "/sparql",
        params={"query": PREFIXES + query},
        headers={"Accept": "application/sparql-results+json", "Accept-Language": "en"},
    )

    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert f"<{VIC}fn/{function}>" in message
    assert "runs only in the embedded store" in message


def test_sparql_matches_over_http(client: TestClient, store_kind: str) -> None:
    query = 'SELECT ?name WHERE { ?p vic:productName ?name FILTER(vicfn:matches(?name, "кефиры")) }'
    if store_kind == "remote":
        assert_function_rejected(client, query, "matches")
        return

    rows = sparql(client, query)
    names = sorted(row["name"]["value"] for row in rows)

    assert len(names) == 5
    assert all(name.startswith("Кефир") for name in names)


def test_sparql_score_over_http(client: TestClient, store_kind: str) -> None:
    query = (
        "SELECT ?name ?score WHERE { ?p vic:productName ?name "
        'BIND(vicfn:score(?name, "пломбир шоколадный") AS ?score) FILTER(?score > 0) } '
        "ORDER BY DESC(?score) LIMIT 2"
    )
    if store_kind == "remote":
        assert_function_rejected(client, query, "score")
        return

    rows = sparql(client, query)

    assert rows[0]["name"]["value"] == "Пломбир шоколадный в вафельном стаканчике 15%"
    assert rows[0]["score"]["datatype"] == "http://www.w3.org/2001/XMLSchema#double"
    assert float(rows[0]["score"]["value"]) == 1.0
    assert float(rows[1]["score"]["value"]) == 0.5


def test_sparql_function_in_library_select(demo_service: VicService, store_kind: str) -> None:
    query = (
        PREFIXES
        + 'SELECT ?s WHERE { ?s vic:designation ?d FILTER(vicfn:matches(?d, "гост 31450")) }'
    )
    if store_kind == "remote":
        with pytest.raises(InputError, match="runs only in the embedded store"):
            demo_service.store.select(query)
        return

    rows = demo_service.store.select(query)

    assert [row["s"] for row in rows] == [ID + "standard/gost-31450-2013"]


def test_sparql_function_on_non_literal(client: TestClient, store_kind: str) -> None:
    query = 'SELECT ?p WHERE { ?p vic:productName ?n FILTER(vicfn:matches(?p, "x")) }'
    if store_kind == "remote":
        assert_function_rejected(client, query, "matches")
        return

    rows = sparql(client, query)

    assert rows == []


def test_function_by_full_iri_rejected_on_remote(client: TestClient, store_kind: str) -> None:
    if store_kind == "embedded":
        pytest.skip("the embedded store runs the search functions")
    query = f'SELECT ?n WHERE {{ ?p vic:productName ?n FILTER(<{VIC}fn/matches>(?n, "x")) }}'

    assert_function_rejected(client, query, "matches")


def test_function_name_in_string_not_rejected(client: TestClient) -> None:
    rows = sparql(client, 'SELECT ?n WHERE { BIND("vicfn:matches" AS ?n) }')

    assert rows == [{"n": {"type": "literal", "value": "vicfn:matches"}}]
