"""The server never opens a connection to a URL named in a request.

A TCP listener on a free loopback port records every connection made to it. Each test sends
a request that names the listener's address in a way that could make a careless server fetch
it: SERVICE, LOAD, FROM, a remote JSON-LD context, an XML DTD or external entity, and
owl:imports. Each test then checks that the response is a clear 4xx, or a 2xx where the
document is stored or validated as plain data, and that the listener saw no connection.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from conftest import store_settings
from fastapi.testclient import TestClient

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.config import Settings
from vic_semantic.namespaces import GRAPH, catalogue_graph, veterinary_graph
from vic_semantic.rdf import parse_rdf, to_rdflib
from vic_semantic.service import VicService
from vic_semantic.validation import validate_graph

MEMBER = "molochnyj-zavod-1"
# The metadata address of cloud hosts. Nothing may connect there, so the lexer must reject
# SERVICE before the query reaches the engine.
METADATA_URL = "http://169.254.169.254/latest/meta-data/"


@dataclass
class Listener:
    """A loopback TCP server that records the peer of every connection it accepts."""

    port: int
    connections: list[tuple[str, int]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def assert_untouched(self) -> None:
        # A fetch started by the request would have connected before the response was sent.
        # The short wait covers an accept still in flight on the listener thread.
        time.sleep(0.1)
        assert self.connections == [], f"the server connected to the listener: {self.connections}"


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.05)
    found = Listener(server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, peer = server.accept()
            except TimeoutError:
                continue
            found.connections.append(peer)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join(timeout=2)
    server.close()


@dataclass
class Api:
    client: TestClient
    service: VicService
    admin: dict[str, str]
    member: dict[str, str]


@pytest.fixture(scope="module")
def api(
    request: pytest.FixtureRequest, store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """The app over a demo store of the test's kind; a remote one is an Oxigraph server."""
    data_dir: Path = tmp_path_factory.mktemp("nofetch")
    registry = TokenRegistry(data_dir / "tokens.json")
    admin = registry.create(Role.ADMIN)[1]
    member = registry.create(Role.MEMBER, member=MEMBER)[1]
    location = store_settings(request, store_kind, "no-fetch")
    settings = Settings(data_dir=data_dir, base_url="http://testserver", **location)
    service = VicService.open(settings)
    with TestClient(create_app(settings, service=service)) as client:
        yield Api(
            client,
            service,
            {"Authorization": f"Bearer {admin}"},
            {"Authorization": f"Bearer {member}"},
        )
    service.close()


def sparql_update(api: Api, text: str, headers: dict[str, str]) -> int:
    response = api.client.post(
        "/sparql",
        content=text.encode(),
        headers={"Content-Type": "application/sparql-update", **headers},
    )
    return response.status_code


def select(api: Api, query: str, params: str = "") -> dict[str, object]:
    response = api.client.get(
        f"/sparql?query={quote(query)}{params}",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


# --- SPARQL ---------------------------------------------------------------------------------


def test_service_query_rejected(api: Api, listener: Listener) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}/> {{ ?s ?p ?o }} }}"

    response = api.client.get(f"/sparql?query={quote(query)}", headers=api.admin)

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden_operation"
    listener.assert_untouched()


def test_service_silent_in_update_rejected(api: Api, listener: Listener) -> None:
    update = (
        f"INSERT {{ GRAPH <{catalogue_graph(MEMBER)}> {{ ?s ?p ?o }} }} "
        f"WHERE {{ SERVICE SILENT <{listener.url}/> {{ ?s ?p ?o }} }}"
    )

    assert sparql_update(api, update, api.admin) == 403
    assert sparql_update(api, update, api.member) == 403
    listener.assert_untouched()


def test_load_rejected(api: Api, listener: Listener) -> None:
    own = GRAPH[f"member/{MEMBER}/loaded"]

    assert sparql_update(api, f"LOAD <{listener.url}/x>", api.admin) == 403
    assert (
        sparql_update(api, f"LOAD SILENT <{listener.url}/x> INTO GRAPH <{own}>", api.admin) == 403
    )
    assert sparql_update(api, f"LOAD <{listener.url}/x> INTO GRAPH <{own}>", api.member) == 403
    # A member's writes to this graph run on a scratch store first, which would fetch.
    veterinary = veterinary_graph(MEMBER)
    assert (
        sparql_update(api, f"LOAD <{listener.url}/x> INTO GRAPH <{veterinary}>", api.member)
        == 403
    )
    listener.assert_untouched()


def test_from_graph_not_fetched(api: Api, listener: Listener) -> None:
    query = f"SELECT * FROM <{listener.url}/g> WHERE {{ ?s ?p ?o }}"

    body = select(api, query)

    assert body["results"] == {"bindings": []}
    listener.assert_untouched()


def test_from_named_graph_not_fetched(api: Api, listener: Listener) -> None:
    query = f"SELECT * FROM NAMED <{listener.url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"

    body = select(api, query)

    assert body["results"] == {"bindings": []}
    listener.assert_untouched()


def test_protocol_dataset_not_fetched(api: Api, listener: Listener) -> None:
    graph = quote(f"{listener.url}/g", safe="")

    body = select(
        api,
        "SELECT * WHERE { ?s ?p ?o }",
        f"&default-graph-uri={graph}&named-graph-uri={graph}",
    )

    assert body["results"] == {"bindings": []}
    listener.assert_untouched()


def test_update_using_not_fetched(api: Api, listener: Listener) -> None:
    own = GRAPH[f"member/{MEMBER}/copied"]
    update = (
        f"INSERT {{ GRAPH <{own}> {{ ?s ?p ?o }} }} USING <{listener.url}/g> WHERE {{ ?s ?p ?o }}"
    )

    assert sparql_update(api, update, api.member) == 204
    listener.assert_untouched()


@pytest.mark.parametrize("form", ["query", "update"])
def test_metadata_service_rejected(api: Api, form: str) -> None:
    text = f"SELECT * WHERE {{ SERVICE <{METADATA_URL}> {{ ?s ?p ?o }} }}"
    if form == "update":
        text = f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{METADATA_URL}> {{ ?s ?p ?o }} }}"
    content_type = f"application/sparql-{form}"

    response = api.client.post(
        "/sparql", content=text.encode(), headers={"Content-Type": content_type, **api.admin}
    )

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden_operation"
    assert "SERVICE" in response.json()["message"]


# --- RDF documents --------------------------------------------------------------------------


def jsonld_remote_context(listener: Listener) -> bytes:
    return (
        f'{{"@context": "{listener.url}/context.jsonld", '
        '"@id": "https://example.org/s", "name": "x"}'
    ).encode()


def rdfxml_external_entity(listener: Listener) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF SYSTEM "{listener.url}/rdf.dtd" [
  <!ENTITY remote SYSTEM "{listener.url}/entity">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="https://example.org/">
  <rdf:Description rdf:about="https://example.org/s"><e:p>&remote;</e:p></rdf:Description>
</rdf:RDF>
""".encode()


def rdfxml_external_dtd(listener: Listener) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF SYSTEM "{listener.url}/rdf.dtd">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="https://example.org/">
  <rdf:Description rdf:about="https://example.org/s"><e:p>plain</e:p></rdf:Description>
</rdf:RDF>
""".encode()


def turtle_imports(listener: Listener) -> bytes:
    return f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://example.org/data> a owl:Ontology ; owl:imports <{listener.url}/ontology.ttl> .
""".encode()


DOCUMENTS = {
    # name: (media type, body, statuses allowed for /validate and for the Graph Store)
    "jsonld_remote_context": ("application/ld+json", jsonld_remote_context, {400}),
    "rdfxml_external_entity": ("application/rdf+xml", rdfxml_external_entity, {400}),
    "rdfxml_external_dtd": ("application/rdf+xml", rdfxml_external_dtd, {200, 201, 204}),
    "turtle_owl_imports": ("text/turtle", turtle_imports, {200, 201, 204}),
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_validate_fetches_nothing(api: Api, listener: Listener, name: str) -> None:
    media_type, make, allowed = DOCUMENTS[name]

    response = api.client.post(
        "/validate", content=make(listener), headers={"Content-Type": media_type}
    )

    assert response.status_code in allowed, response.text
    listener.assert_untouched()


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_graph_store_fetches_nothing(api: Api, listener: Listener, name: str) -> None:
    media_type, make, allowed = DOCUMENTS[name]
    graph = quote(str(GRAPH[f"member/{MEMBER}/{name}"]), safe="")

    response = api.client.put(
        f"/graphs?graph={graph}",
        content=make(listener),
        headers={"Content-Type": media_type, **api.member},
    )

    assert response.status_code in allowed, response.text
    listener.assert_untouched()


def test_owl_imports_stored_as_data(api: Api, listener: Listener) -> None:
    graph = str(GRAPH[f"member/{MEMBER}/imports"])

    response = api.client.put(
        f"/graphs?graph={quote(graph, safe='')}",
        content=turtle_imports(listener),
        headers={"Content-Type": "text/turtle", **api.member},
    )
    stored = api.client.get(
        f"/graphs?graph={quote(graph, safe='')}", headers={"Accept": "application/n-triples"}
    )

    assert response.status_code == 201
    assert f"<{listener.url}/ontology.ttl>" in stored.text
    assert stored.text.count("\n") == 2, "only the two posted triples are in the graph"
    listener.assert_untouched()


def test_dataset_post_fetches_nothing(api: Api, listener: Listener) -> None:
    graph = GRAPH[f"member/{MEMBER}/dataset"]
    body = (
        f"<{graph}> {{ <https://example.org/data> "
        f"<http://www.w3.org/2002/07/owl#imports> <{listener.url}/o.ttl> }}"
    )

    response = api.client.post(
        "/graphs", content=body.encode(), headers={"Content-Type": "application/trig", **api.member}
    )

    assert response.status_code == 204
    listener.assert_untouched()


def test_validation_never_resolves_owl_imports(listener: Listener) -> None:
    """Call the validation engine directly, as the API does, on data with owl:imports."""
    data = to_rdflib(parse_rdf(turtle_imports(listener), ox.RdfFormat.TURTLE))

    report = validate_graph(data)

    assert report is not None
    listener.assert_untouched()


def test_listener_records_connection(listener: Listener) -> None:
    """The listener itself works, so an empty record above means no connection was made."""
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2):
        pass
    time.sleep(0.2)

    assert len(listener.connections) == 1
