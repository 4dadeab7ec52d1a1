"""The W3C SPARQL 1.1 Graph Store Protocol tests, run against the app from their manifests.

Paths under ``/gsp`` go to ``/graphs``: ``/gsp?graph=...`` names a graph indirectly and
``/gsp/person/1.ttl`` directly, as the graph ``{base_url}/graphs/person/1.ttl``. Each test
gets a fresh store. A Location header captured under ``mf:expectedLocation`` replaces its
template variable in the later requests of the test, as the manifest describes.
"""

from __future__ import annotations

import pytest
from conftest import ServiceFactory, shared_dir
from fastapi.testclient import TestClient
from http_manifest import HttpRequest, ManifestTest, load_manifest, status_matches
from rdflib import Graph
from rdflib.compare import isomorphic

from api.main import create_app
from vic_semantic.service import VicService

FOLDER = shared_dir() / "w3c" / "sparql" / "sparql11" / "graph-store-protocol"
MANIFESTS = ("manifest-direct.ttl", "manifest-indirect.ttl")
TOKEN = "w3c-gsp-token"
BASE_URL = "http://www.example"

# Tests that cannot pass yet, by name, with the reason; each runs as a strict xfail.
KNOWN_FAILURES: dict[str, str] = {}

RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


def _params() -> list[object]:
    missing = [name for name in MANIFESTS if not (FOLDER / name).is_file()]
    if missing:
        reason = (
            f"W3C Graph Store Protocol manifests {missing} not found in {FOLDER}; set "
            "VIC_SHARED_DIR to the folder that holds w3c/"
        )
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="manifests")]
    return [
        pytest.param(
            test,
            id=test.name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[test.name])]
            if test.name in KNOWN_FAILURES
            else [],
        )
        for name in MANIFESTS
        for test in load_manifest(FOLDER / name)
    ]


@pytest.fixture
def service(service_factory: ServiceFactory) -> VicService:
    return service_factory(load_demo=False, admin_token=TOKEN, base_url=BASE_URL)


def _rewrite(path: str) -> str:
    assert path.startswith("/gsp"), path
    return "/graphs" + path[len("/gsp") :]


def _substitute(text: str, variables: dict[str, str]) -> str:
    for name, value in variables.items():
        text = text.replace(name, value)
    return text


def _graph(body: str | bytes, content_type: str) -> Graph:
    media_type = content_type.split(";")[0].strip().lower()
    # Parsing with rdflib is safe here: the documents are the suite's and the app's own.
    return Graph().parse(data=body, format=RDFLIB_FORMATS[media_type])


def _send(client: TestClient, request: HttpRequest, variables: dict[str, str]) -> None:
    path = _substitute(_rewrite(request.path), variables)
    body = request.body
    if body is not None and variables:
        body = _substitute(body.decode(), variables).encode()
    headers = {**dict(request.headers), "Authorization": f"Bearer {TOKEN}"}
    response = client.request(request.method, path, content=body, headers=headers)

    expected = request.expected
    described = f"{request.method} {path} -> {response.status_code} {response.text[:300]}"
    assert status_matches(response.status_code, expected.statuses), described
    for name, value in expected.headers:
        assert (
            response.headers.get(name, "").replace(" ", "").lower()
            == value.replace(" ", "").lower()
        ), f"{described}: header {name}"
    if request.method == "HEAD":
        assert response.content == b"", described
    if expected.body is not None:
        expected_type = dict((k.lower(), v) for k, v in expected.headers)["content-type"]
        got = _graph(response.content, response.headers["content-type"])
        assert isomorphic(got, _graph(expected.body, expected_type)), (
            f"{described}\n{response.text}"
        )
    if expected.location_variable is not None:
        variables[expected.location_variable] = response.headers["location"]


@pytest.mark.parametrize("test", _params())
def test_w3c_graph_store(test: ManifestTest, service: VicService) -> None:
    variables: dict[str, str] = {}
    with TestClient(create_app(service.settings, service=service), base_url=BASE_URL) as client:
        for request in test.requests:
            _send(client, request, variables)
