"""The W3C SPARQL 1.1 Protocol tests, run against the app from their manifest.

Each test gets a fresh store with the manifest's ``ut:graphData`` files loaded as named
graphs. Its requests are then sent in order, with paths under ``/sparql/`` sent to ``/sparql``.
Every request carries the administrator's token, since updates need it.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from conftest import ServiceFactory, shared_dir
from fastapi.testclient import TestClient
from http_manifest import HttpRequest, ManifestTest, load_manifest, status_matches

from api.main import create_app
from vic_semantic.inference import materialise
from vic_semantic.service import VicService

MANIFEST = shared_dir() / "w3c" / "sparql" / "sparql11" / "protocol" / "manifest.ttl"
TOKEN = "w3c-protocol-token"
BASE_URL = "http://www.example"

# Tests that cannot pass yet, by name, with the reason; each runs as a strict xfail.
KNOWN_FAILURES: dict[str, str] = {}

BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def _params() -> list[object]:
    if not MANIFEST.is_file():
        reason = (
            f"W3C SPARQL Protocol manifest not found at {MANIFEST}; set VIC_SHARED_DIR to "
            "the folder that holds w3c/"
        )
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="manifest")]
    return [
        pytest.param(
            test,
            id=test.name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[test.name])]
            if test.name in KNOWN_FAILURES
            else [],
        )
        for test in load_manifest(MANIFEST)
    ]


@pytest.fixture
def service(service_factory: ServiceFactory) -> VicService:
    return service_factory(load_demo=False, admin_token=TOKEN, base_url=BASE_URL)


def _media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _boolean(content_type: str, body: bytes) -> bool:
    if _media_type(content_type) == "application/sparql-results+json":
        return bool(json.loads(body)["boolean"])
    element = ET.fromstring(body).find(f"{SPARQL_RESULTS}boolean")
    assert element is not None, body
    return element.text == "true"


def _check_format(expected: str, content_type: str, body: bytes) -> None:
    media_type = _media_type(content_type)
    if expected == "boolean":
        assert media_type in BOOLEAN_TYPES, content_type
    elif expected == "tabular":
        assert media_type in TABULAR_TYPES, content_type
    else:
        assert expected == "RDF", expected
        assert media_type in RDF_TYPES, content_type
        list(ox.parse(body, format=RDF_TYPES[media_type]))


def _send(client: TestClient, request: HttpRequest) -> None:
    path = request.path.replace("/sparql/", "/sparql", 1)
    headers = dict(request.headers)
    headers["Authorization"] = f"Bearer {TOKEN}"
    response = client.request(request.method, path, content=request.body, headers=headers)

    expected = request.expected
    described = f"{request.method} {path} -> {response.status_code} {response.text[:300]}"
    assert status_matches(response.status_code, expected.statuses), described
    content_type = response.headers.get("content-type", "")
    if expected.result_format is not None:
        _check_format(expected.result_format, content_type, response.content)
    if expected.boolean is not None:
        assert _boolean(content_type, response.content) is expected.boolean, described


@pytest.mark.parametrize("test", _params())
def test_w3c_protocol(test: ManifestTest, service: VicService) -> None:
    for data, graph in test.graph_data:
        service.store.replace_graph(graph, data.read_bytes(), ox.RdfFormat.N_TRIPLES)
    materialise(service.store)

    with TestClient(create_app(service.settings, service=service), base_url=BASE_URL) as client:
        for request in test.requests:
            _send(client, request)
