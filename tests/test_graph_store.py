"""Graph Store Protocol behaviour the W3C suite does not cover: limits, errors, safety."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from conftest import ServiceFactory
from fastapi.testclient import TestClient

from api.main import create_app
from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from vic_semantic.service import VicService

TOKEN = "gsp-test-token"
BASE_URL = "http://vic.test"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {**AUTH, "Content-Type": "text/turtle"}
GRAPH = "http://example.org/g"
ONTOLOGY = b"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/Kefir> rdfs:subClassOf <http://example.org/Dairy> .
"""


@pytest.fixture
def service(service_factory: ServiceFactory) -> VicService:
    return service_factory(
        load_demo=False, admin_token=TOKEN, base_url=BASE_URL, max_upload_bytes=2000
    )


@pytest.fixture
def client(service: VicService) -> Iterator[TestClient]:
    with TestClient(create_app(service.settings, service=service), base_url=BASE_URL) as test:
        yield test


def _triples(client: TestClient, graph: str = GRAPH) -> set[str]:
    response = client.get(
        "/graphs", params={"graph": graph}, headers={"Accept": "application/n-triples"}
    )
    assert response.status_code == 200, response.text
    return {line for line in response.text.splitlines() if line.strip()}


def test_put_get_and_replace(client: TestClient) -> None:
    created = client.put(
        "/graphs", params={"graph": GRAPH}, content=b"<http://a> <http://p> 1 .", headers=TURTLE
    )
    replaced = client.put(
        "/graphs", params={"graph": GRAPH}, content=b"<http://a> <http://p> 2 .", headers=TURTLE
    )

    assert created.status_code == 201, created.text
    assert replaced.status_code == 204, replaced.text
    assert _triples(client) == {
        '<http://a> <http://p> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    }


def test_too_large_body_is_413(client: TestClient) -> None:
    body = b"<http://a> <http://p> " + b'"' + b"x" * 3000 + b'" .'
    response = client.put("/graphs", params={"graph": GRAPH}, content=body, headers=TURTLE)

    assert response.status_code == 413, response.text
    assert client.get("/graphs", params={"graph": GRAPH}).status_code == 404


def test_unknown_content_type_is_415(client: TestClient) -> None:
    response = client.put(
        "/graphs",
        params={"graph": GRAPH},
        content=b"a,b",
        headers={**AUTH, "Content-Type": "text/csv"},
    )

    assert response.status_code == 415, response.text
    assert "text/turtle" in response.json()["message"]


def test_missing_content_type_is_415(client: TestClient) -> None:
    response = client.put(
        "/graphs", params={"graph": GRAPH}, content=b"<http://a> <http://p> 1 .", headers=AUTH
    )

    assert response.status_code == 415, response.text


def test_bad_put_keeps_old_graph(client: TestClient) -> None:
    client.put(
        "/graphs", params={"graph": GRAPH}, content=b"<http://a> <http://p> 1 .", headers=TURTLE
    )
    response = client.put(
        "/graphs",
        params={"graph": GRAPH},
        content=b"<http://b> <http://p> 2 .\n<http://c> <http://p> .",
        headers={**TURTLE, "Accept-Language": "en"},
    )

    assert response.status_code == 400, response.text
    assert response.json()["line"] == 2
    assert _triples(client) == {
        '<http://a> <http://p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    }


def test_bad_multipart_part_keeps_old_graph(client: TestClient) -> None:
    client.put(
        "/graphs", params={"graph": GRAPH}, content=b"<http://a> <http://p> 1 .", headers=TURTLE
    )
    files = [
        ("good", ("good.ttl", b"<http://b> <http://p> 2 .", "text/turtle")),
        ("bad", ("bad.ttl", b"<http://c> <http://p> .", "text/turtle")),
    ]
    response = client.post("/graphs", params={"graph": GRAPH}, files=files, headers=AUTH)

    assert response.status_code == 400, response.text
    assert len(_triples(client)) == 1


def test_head_has_headers_and_no_body(client: TestClient) -> None:
    client.put(
        "/graphs", params={"graph": GRAPH}, content=b"<http://a> <http://p> 1 .", headers=TURTLE
    )
    get = client.get("/graphs", params={"graph": GRAPH})
    head = client.head("/graphs", params={"graph": GRAPH})

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert int(head.headers["content-length"]) == len(get.content) > 0


def test_head_missing_graph_is_404(client: TestClient) -> None:
    response = client.head("/graphs", params={"graph": "http://example.org/none"})

    assert response.status_code == 404
    assert response.content == b""


class _CountingHandler(BaseHTTPRequestHandler):
    """Serves a JSON-LD context and appends each requested path to the server's ``hits``."""

    def do_GET(self) -> None:
        hits: list[str] = self.server.hits  # type: ignore[attr-defined]
        hits.append(self.path)
        body = b'{"@context": {"name": "http://schema.org/name"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def context_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that serves a JSON-LD context and records every request."""
    hits: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    server.hits = hits  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/context.jsonld", hits
    server.shutdown()
    server.server_close()
    thread.join()


def test_jsonld_remote_context_never_fetched(
    client: TestClient, context_server: tuple[str, list[str]]
) -> None:
    context_url, hits = context_server
    document = f'{{"@context": "{context_url}", "@id": "http://a", "name": "x"}}'
    response = client.put(
        "/graphs",
        params={"graph": GRAPH},
        content=document.encode(),
        headers={**AUTH, "Content-Type": "application/ld+json"},
    )

    assert response.status_code == 400, response.text
    assert hits == []
    assert client.get("/graphs", params={"graph": GRAPH}).status_code == 404


def test_jsonld_inline_context_accepted(client: TestClient) -> None:
    document = b'{"@context": {"name": "http://schema.org/name"}, "@id": "http://a", "name": "x"}'
    response = client.put(
        "/graphs",
        params={"graph": GRAPH},
        content=document,
        headers={**AUTH, "Content-Type": "application/ld+json"},
    )

    assert response.status_code == 201, response.text
    assert _triples(client) == {'<http://a> <http://schema.org/name> "x" .'}


def test_writes_need_token(client: TestClient) -> None:
    body = b"<http://a> <http://p> 1 ."
    missing = client.put(
        "/graphs", params={"graph": GRAPH}, content=body, headers={"Content-Type": "text/turtle"}
    )
    wrong = client.delete("/graphs", params={"graph": GRAPH}, headers={"Authorization": "Bearer x"})

    assert missing.status_code == 401, missing.text
    assert wrong.status_code == 401, wrong.text
    assert client.get("/graphs", params={"graph": GRAPH}).status_code == 404


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_get_in_each_format(client: TestClient, accept: str, rdf_format: ox.RdfFormat) -> None:
    client.put(
        "/graphs", params={"graph": GRAPH}, content=b"<http://a> <http://p> 1 .", headers=TURTLE
    )
    response = client.get("/graphs", params={"graph": GRAPH}, headers={"Accept": accept})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    assert len(list(ox.parse(response.content, format=rdf_format))) == 1


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/n-triples", b"<http://a> <http://p> <http://o> .\n"),
        (
            "application/rdf+xml",
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            b' xmlns:p="http://p/"><rdf:Description rdf:about="http://a"><p:q rdf:resource='
            b'"http://o"/></rdf:Description></rdf:RDF>',
        ),
        ("application/n-quads", b"<http://a> <http://p> <http://o> .\n"),
        ("application/trig", b"<http://a> <http://p> <http://o> ."),
    ],
)
def test_put_in_each_format(client: TestClient, content_type: str, body: bytes) -> None:
    response = client.put(
        "/graphs",
        params={"graph": GRAPH},
        content=body,
        headers={**AUTH, "Content-Type": content_type},
    )

    assert response.status_code == 201, response.text
    assert len(_triples(client)) == 1


def test_trig_with_named_graph_rejected_for_one_graph(client: TestClient) -> None:
    response = client.put(
        "/graphs",
        params={"graph": GRAPH},
        content=b"<http://other> { <http://a> <http://p> <http://o> }",
        headers={**AUTH, "Content-Type": "application/trig"},
    )

    assert response.status_code == 400, response.text
    assert "http://other" in response.json()["message"]


def test_post_dataset_to_store(client: TestClient) -> None:
    trig = b"<http://x/g1> { <http://a> <http://p> 1 } <http://x/g2> { <http://b> <http://p> 2 }"
    response = client.post(
        "/graphs", content=trig, headers={**AUTH, "Content-Type": "application/trig"}
    )
    dump = client.get("/graphs", headers={"Accept": "application/n-quads"})

    assert response.status_code == 204, response.text
    assert dump.headers["content-type"].startswith("application/n-quads")
    graphs = {q.graph_name.value for q in ox.parse(dump.content, format=ox.RdfFormat.N_QUADS)}
    assert {"http://x/g1", "http://x/g2"} <= graphs


def test_post_to_store_creates_graph(client: TestClient) -> None:
    response = client.post("/graphs", content=b"<http://a> <http://p> 1 .", headers=TURTLE)

    assert response.status_code == 201, response.text
    location = response.headers["location"]
    assert location.startswith(f"{BASE_URL}/graphs/")
    direct = client.get(location.removeprefix(BASE_URL), headers={"Accept": "text/turtle"})
    assert direct.status_code == 200, direct.text
    assert len(_triples(client, location)) == 1


def test_post_blank_nodes_stay_apart(client: TestClient) -> None:
    body = b"_:b0 <http://p> 1 ."
    client.post("/graphs", params={"graph": GRAPH}, content=body, headers=TURTLE)
    client.post("/graphs", params={"graph": GRAPH}, content=body, headers=TURTLE)

    subjects = {line.split(" ")[0] for line in _triples(client)}
    assert len(subjects) == 2


def test_multipart_type_from_file_name(client: TestClient) -> None:
    files = [
        ("one", ("one.nt", b'<http://a> <http://p> "1" .\n', "application/octet-stream")),
        ("two", ("two.ttl", b"<http://a> <http://p> 2 .", "text/turtle")),
    ]
    response = client.post("/graphs", params={"graph": GRAPH}, files=files, headers=AUTH)

    assert response.status_code == 201, response.text
    assert len(_triples(client)) == 2


def test_empty_put_creates_empty_graph(client: TestClient) -> None:
    created = client.put("/graphs", params={"graph": GRAPH}, content=b"", headers=TURTLE)
    read = client.get("/graphs", params={"graph": GRAPH}, headers={"Accept": "text/turtle"})

    assert created.status_code == 201, created.text
    assert read.status_code == 200, read.text
    assert read.content.strip() == b""


def test_default_graph_is_store_default(client: TestClient, service: VicService) -> None:
    put = client.put("/graphs?default", content=b"<http://a> <http://p> 1 .", headers=TURTLE)
    named = service.store.graphs()
    deleted = client.delete("/graphs?default", headers=AUTH)
    after = client.get("/graphs?default", headers={"Accept": "application/n-triples"})

    assert put.status_code == 204, put.text
    assert named == []
    assert deleted.status_code == 204, deleted.text
    assert after.status_code == 200
    assert after.text.strip() == ""


def test_delete_missing_graph_is_404(client: TestClient) -> None:
    response = client.delete("/graphs", params={"graph": "http://example.org/none"}, headers=AUTH)

    assert response.status_code == 404, response.text


def test_write_runs_inference(client: TestClient, service: VicService) -> None:
    service.store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, ox.RdfFormat.TURTLE)
    client.put(
        "/graphs",
        params={"graph": GRAPH},
        content=b"<http://example.org/k1> a <http://example.org/Kefir> .",
        headers=TURTLE,
    )

    inferred = _triples(client, str(INFERRED_GRAPH))
    assert (
        "<http://example.org/k1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<http://example.org/Dairy> ." in inferred
    )


def test_inferred_graph_not_writable(client: TestClient) -> None:
    response = client.put(
        "/graphs",
        params={"graph": str(INFERRED_GRAPH)},
        content=b"<http://a> <http://p> 1 .",
        headers=TURTLE,
    )

    assert response.status_code == 403, response.text
    assert response.json()["error"] == "inferred_graph"


@pytest.mark.parametrize(
    "path",
    [
        "/graphs?graph=http://example.org/a&default",
        "/graphs?graph=http://example.org/a&graph=http://example.org/b",
        "/graphs?graph=relative/iri",
        "/graphs/person/1?graph=http://example.org/a",
    ],
)
def test_ambiguous_graph_is_400(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 400, response.text


def test_not_acceptable_is_406(client: TestClient) -> None:
    client.put("/graphs", params={"graph": GRAPH}, content=b"", headers=TURTLE)
    response = client.get("/graphs", params={"graph": GRAPH}, headers={"Accept": "image/png"})

    assert response.status_code == 406, response.text


def test_store_rejects_put_and_delete(client: TestClient) -> None:
    put = client.put("/graphs", content=b"", headers=TURTLE)
    delete = client.delete("/graphs", headers=AUTH)

    assert put.status_code == 405, put.text
    assert delete.status_code == 405, delete.text
    assert put.headers["allow"] == "GET, HEAD, POST"


def test_non_utf8_charset_rejected(client: TestClient) -> None:
    response = client.put(
        "/graphs",
        params={"graph": GRAPH},
        content="<http://a> <http://p> 1 .".encode("utf-16"),
        headers={**AUTH, "Content-Type": "text/turtle; charset=utf-16"},
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_encoding"


def test_sparql_sees_graph_store_writes(client: TestClient) -> None:
    client.put(
        "/graphs", params={"graph": GRAPH}, content=b"<http://a> <http://p> 1 .", headers=TURTLE
    )
    response = client.get(
        "/sparql", params={"query": f"ASK {{ GRAPH <{GRAPH}> {{ <http://a> ?p 1 }} }}"}
    )

    assert response.json()["boolean"] is True
