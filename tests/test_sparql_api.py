"""The SPARQL endpoint over real HTTP requests against the app and an on-disk store."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from conftest import ServiceFactory
from fastapi.testclient import TestClient

from vic_semantic.namespaces import ONTOLOGY_GRAPH
from vic_semantic.service import VicService

DATA = """
@prefix e: <http://example.org/> .
e:k1 a e:Kefir ; e:name "Кефир 2,5 %"@ru .
e:m1 a e:Milk ; e:name "Молоко"@ru .
""".encode()
ONTOLOGY = b"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/Kefir> rdfs:subClassOf <http://example.org/Dairy> .
<http://example.org/Milk> rdfs:subClassOf <http://example.org/Dairy> .
"""
SELECT = "SELECT ?s WHERE { ?s a <http://example.org/Dairy> } ORDER BY ?s"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TTL = ox.RdfFormat.TURTLE


@pytest.fixture
def loaded(empty_service: VicService, empty_client: TestClient) -> TestClient:
    from vic_semantic.inference import materialise

    empty_service.store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, ox.RdfFormat.TURTLE)
    empty_service.store.replace_graph("http://example.org/g", DATA, ox.RdfFormat.TURTLE)
    materialise(empty_service.store)
    return empty_client


def _subjects(response_body: bytes) -> list[str]:
    bindings = json.loads(response_body)["results"]["bindings"]
    return [b["s"]["value"] for b in bindings]


def test_get_query_sees_inferred_types(loaded: TestClient) -> None:
    response = loaded.get("/sparql", params={"query": SELECT})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert _subjects(response.content) == ["http://example.org/k1", "http://example.org/m1"]


def test_query_without_inferences(loaded: TestClient) -> None:
    response = loaded.get("/sparql", params={"query": SELECT, "inferred": "false"})

    assert response.status_code == 200, response.text
    assert _subjects(response.content) == []


def test_post_form_and_direct(loaded: TestClient) -> None:
    by_form = loaded.post("/sparql", content=f"query={SELECT}".encode(), headers=FORM)
    direct = loaded.post(
        "/sparql", content=SELECT.encode(), headers={"Content-Type": "application/sparql-query"}
    )

    assert by_form.status_code == 200, by_form.text
    assert direct.status_code == 200, direct.text
    assert _subjects(by_form.content) == _subjects(direct.content)
    assert len(_subjects(direct.content)) == 2


def test_select_as_xml_csv_tsv(loaded: TestClient) -> None:
    xml = loaded.get(
        "/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+xml"}
    )
    as_csv = loaded.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/csv"})
    tsv = loaded.get(
        "/sparql", params={"query": SELECT}, headers={"Accept": "text/tab-separated-values"}
    )

    namespace = "{http://www.w3.org/2005/sparql-results#}"
    uris = [e.text for e in ET.fromstring(xml.content).iter(f"{namespace}uri")]
    assert uris == ["http://example.org/k1", "http://example.org/m1"]
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows == [["s"], ["http://example.org/k1"], ["http://example.org/m1"]]
    assert tsv.text.splitlines() == ["?s", "<http://example.org/k1>", "<http://example.org/m1>"]


def test_ask_as_json(loaded: TestClient) -> None:
    response = loaded.get("/sparql", params={"query": "ASK { ?s a <http://example.org/Dairy> }"})

    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_formats(loaded: TestClient, accept: str, rdf_format: ox.RdfFormat) -> None:
    query = (
        "CONSTRUCT { ?s a <http://example.org/Dairy> } WHERE { ?s a <http://example.org/Dairy> }"
    )
    response = loaded.get("/sparql", params={"query": query}, headers={"Accept": accept})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    triples = list(ox.parse(response.content, format=rdf_format))
    assert len(triples) == 2


def test_not_acceptable_is_406(loaded: TestClient) -> None:
    response = loaded.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})

    assert response.status_code == 406, response.text
    assert "text/csv" in response.json()["message"]


def test_unsupported_body_is_415(loaded: TestClient) -> None:
    response = loaded.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})

    assert response.status_code == 415, response.text


def test_syntax_error_names_line_and_column(loaded: TestClient) -> None:
    response = loaded.get(
        "/sparql",
        params={"query": "SELECT ?s WHERE {\n ?s ?p \n}"},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["line"], body["column"]) == (3, 2)
    assert body["message"].startswith("SPARQL syntax error at line 3, column 2")


def test_syntax_error_in_russian_by_default(loaded: TestClient) -> None:
    response = loaded.get("/sparql", params={"query": "SELECT"})

    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith("Синтаксическая ошибка SPARQL")


def test_service_is_rejected(loaded: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = loaded.get("/sparql", params={"query": query})

    assert response.status_code == 403, response.text
    assert "SERVICE" in response.json()["message"]


def test_invalid_utf8_is_400(loaded: TestClient) -> None:
    response = loaded.post(
        "/sparql",
        content=b"SELECT * { ?s ?p '\xff' }",
        headers={"Content-Type": "application/sparql-query"},
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_encoding"


def test_update_needs_token(loaded: TestClient) -> None:
    response = loaded.post(
        "/sparql", content=b"update=INSERT DATA { <http://a> <http://b> 1 }", headers=FORM
    )

    assert response.status_code == 401, response.text
    assert not loaded.get("/sparql", params={"query": "ASK { <http://a> ?p ?o }"}).json()["boolean"]


def test_service_description_lists_graphs(loaded: TestClient) -> None:
    response = loaded.get("/sparql", headers={"Accept": "text/turtle"})

    assert response.status_code == 200, response.text
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    names = {
        t.object.value
        for t in triples
        if t.predicate.value.endswith("sparql-service-description#name")
    }
    assert "http://example.org/g" in names
    assert str(ONTOLOGY_GRAPH) in names


def test_update_with_admin_token_lands_and_infers(service_factory: ServiceFactory) -> None:
    from api.main import create_app

    service = service_factory(load_demo=False, admin_token="s3cret")
    service.store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, ox.RdfFormat.TURTLE)
    update = (
        "INSERT DATA { GRAPH <http://example.org/g> "
        "{ <http://example.org/k2> a <http://example.org/Kefir> } }"
    )
    try:
        with TestClient(create_app(service.settings, service=service)) as client:
            wrong = client.post(
                "/sparql",
                content=f"update={update}".encode(),
                headers={**FORM, "Authorization": "Bearer nope"},
            )
            right = client.post(
                "/sparql",
                content=update.encode(),
                headers={
                    "Content-Type": "application/sparql-update",
                    "Authorization": "Bearer s3cret",
                },
            )
            found = client.get("/sparql", params={"query": SELECT})
    finally:
        service.close()

    assert wrong.status_code == 401, wrong.text
    assert right.status_code == 204, right.text
    assert _subjects(found.content) == ["http://example.org/k2"]


# --- SPARQL 1.1 Protocol details -------------------------------------------------------------

TOKEN = "protocol-token"
DIRECT_UPDATE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def writable(service_factory: ServiceFactory) -> Iterator[TestClient]:
    """A client over an empty store whose settings carry an administrator token."""
    from api.main import create_app

    service = service_factory(load_demo=False, admin_token=TOKEN, base_url="http://vic.test")
    service.store.replace_graph("http://x/g1", b"<http://x/a> <http://x/p> 1 .", TTL)
    service.store.replace_graph("http://x/g2", b"<http://x/b> <http://x/p> 2 .", TTL)
    with TestClient(create_app(service.settings, service=service)) as test_client:
        yield test_client


def _ask(client: TestClient, query: str, **params: str) -> bool:
    response = client.get("/sparql", params={"query": query, **params})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def test_update_by_get_is_400(writable: TestClient) -> None:
    response = writable.get("/sparql", params={"update": "CLEAR ALL"})

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "update_by_get"
    assert _ask(writable, "ASK { GRAPH <http://x/g1> { ?s ?p ?o } }")


def test_repeated_query_is_400(writable: TestClient) -> None:
    response = writable.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "repeated_parameter"


def test_query_in_url_and_body_is_400(writable: TestClient) -> None:
    response = writable.post(
        "/sparql?query=ASK%7B%7D",
        content=b"ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )

    assert response.status_code == 400, response.text


def test_utf16_charset_is_400(writable: TestClient) -> None:
    response = writable.post(
        "/sparql",
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_encoding"


def test_put_on_endpoint_is_405(writable: TestClient) -> None:
    response = writable.put("/sparql", content=b"ASK {}")

    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "GET, POST"


def test_query_from_clause_is_honoured(writable: TestClient) -> None:
    assert not _ask(writable, "ASK FROM <http://x/g1> { <http://x/b> ?p ?o }")
    assert _ask(writable, "ASK FROM <http://x/g2> { <http://x/b> ?p ?o }")


def test_protocol_dataset_overrides_from(writable: TestClient) -> None:
    query = "ASK FROM <http://x/g1> { <http://x/b> ?p ?o }"

    assert _ask(writable, query, **{"default-graph-uri": "http://x/g2"})


def test_named_graphs_only_leaves_default_empty(writable: TestClient) -> None:
    params = {"named-graph-uri": "http://x/g1"}

    assert not _ask(writable, "ASK { ?s ?p ?o }", **params)
    assert _ask(writable, "ASK { GRAPH <http://x/g1> { ?s ?p ?o } }", **params)
    assert not _ask(writable, "ASK { GRAPH <http://x/g2> { ?s ?p ?o } }", **params)


def test_invalid_dataset_iri_is_400(writable: TestClient) -> None:
    response = writable.get(
        "/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_iri"


def test_relative_iri_resolves_against_endpoint(writable: TestClient) -> None:
    response = writable.post(
        "/sparql",
        content=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )

    assert response.status_code == 200, response.text
    assert response.text.startswith("<http://vic.test/s> <http://vic.test/p>")


def test_update_using_graph_uri(writable: TestClient) -> None:
    update = "INSERT { GRAPH <http://x/out> { ?s a <http://x/Seen> } } WHERE { ?s ?p ?o }"
    response = writable.post(
        "/sparql?using-graph-uri=http%3A%2F%2Fx%2Fg1",
        content=update.encode(),
        headers=DIRECT_UPDATE,
    )

    assert response.status_code == 204, response.text
    assert _ask(writable, "ASK { GRAPH <http://x/out> { <http://x/a> a <http://x/Seen> } }")
    assert not _ask(writable, "ASK { GRAPH <http://x/out> { <http://x/b> ?p ?o } }")


def test_update_using_named_graph_uri_by_form(writable: TestClient) -> None:
    update = (
        "INSERT { GRAPH <http://x/out> { ?s <http://x/in> ?g } } WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    response = writable.post(
        "/sparql",
        data={"update": update, "using-named-graph-uri": "http://x/g2"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )

    assert response.status_code == 204, response.text
    assert _ask(
        writable, "ASK { GRAPH <http://x/out> { <http://x/b> <http://x/in> <http://x/g2> } }"
    )
    assert not _ask(writable, "ASK { GRAPH <http://x/out> { <http://x/a> ?p ?o } }")


def test_update_dataset_conflict_is_400(writable: TestClient) -> None:
    update = "WITH <http://x/g1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    response = writable.post(
        "/sparql?using-named-graph-uri=http%3A%2F%2Fx%2Fg2",
        content=update.encode(),
        headers=DIRECT_UPDATE,
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "dataset_conflict"
    assert _ask(writable, "ASK { GRAPH <http://x/g1> { ?s ?p ?o } }")


def test_query_dataset_parameter_on_update_is_400(writable: TestClient) -> None:
    response = writable.post(
        "/sparql?default-graph-uri=http%3A%2F%2Fx%2Fg1",
        content=b"CLEAR ALL",
        headers=DIRECT_UPDATE,
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "misplaced_parameter"


def test_rewritten_update_error_points_to_client_text(writable: TestClient) -> None:
    update = "INSERT { ?s a <http://x/C> }\nWHERE { ?s ?p }"
    headers = {**DIRECT_UPDATE, "Accept-Language": "en"}
    plain = writable.post("/sparql", content=update.encode(), headers=headers)
    rewritten = writable.post(
        "/sparql?using-graph-uri=http%3A%2F%2Fx%2Fg1", content=update.encode(), headers=headers
    )

    assert rewritten.status_code == 400, rewritten.text
    assert rewritten.json()["line"] == 2
    assert rewritten.json()["column"] == plain.json()["column"]


def test_update_without_token_is_401(writable: TestClient) -> None:
    response = writable.post(
        "/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
    )

    assert response.status_code == 401, response.text
    assert _ask(writable, "ASK { GRAPH <http://x/g1> { ?s ?p ?o } }")


def test_openapi_document_has_unique_operation_ids(loaded: TestClient) -> None:
    response = loaded.get("/openapi.json")

    assert response.status_code == 200, response.text
    operation_ids = [
        operation["operationId"]
        for path in response.json()["paths"].values()
        for operation in path.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))
    assert "graph_store_put" in operation_ids


def test_service_description_lists_search_functions(client: TestClient, store_kind: str) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})

    assert response.status_code == 200, response.text
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    functions = {
        t.object.value for t in triples if t.predicate.value.endswith("#extensionFunction")
    }
    if store_kind == "remote":
        # A remote SPARQL server cannot run the service's Python functions.
        assert functions == set()
    else:
        assert "https://w3id.org/vic-semantic/ontology/fn/matches" in functions
