"""Reading W3C test manifests that describe HTTP exchanges in the HTTP-in-RDF vocabulary.

The SPARQL 1.1 Protocol and Graph Store Protocol suites list, per test, ``ht:Request``s to
send in order, each with a method, a path (query string included), headers, a body and the
expected ``ht:Response``: status codes or classes (``mf:expectedStatus``), and optionally a
result format, an ASK result, response headers, a response body and a Location variable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.term import Node

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

_STATUS_CLASS = re.compile(r"^StatusCode(\d)xx$")


@dataclass(frozen=True)
class ExpectedResponse:
    statuses: tuple[str, ...]
    result_format: str | None = None
    boolean: bool | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    location_variable: str | None = None


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected: ExpectedResponse


@dataclass(frozen=True)
class ManifestTest:
    name: str
    title: str
    requests: tuple[HttpRequest, ...]
    graph_data: tuple[tuple[Path, str], ...] = field(default=())


def load_manifest(path: Path) -> list[ManifestTest]:
    """Return the tests of a manifest: the listed entries in order, then any unlisted ones."""
    graph = Graph()
    graph.parse(path, format="turtle", publicID=path.resolve().as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))

    entries: list[Node] = []
    for entries_node in graph.objects(manifest, MF.entries):
        entries += list(Collection(graph, entries_node))
    defined = [
        test
        for kind in (MF.ProtocolTest, MF.GraphStoreProtocolTest)
        for test in graph.subjects(RDF.type, kind)
    ]
    unlisted = sorted((t for t in defined if t not in entries), key=str)
    return [_test(graph, test, path.parent) for test in entries + unlisted]


def _test(graph: Graph, test: Node, folder: Path) -> ManifestTest:
    action = graph.value(test, MF.action)
    requests_node = graph.value(action, HT.requests)
    assert requests_node is not None, f"{test} lists no ht:requests"
    requests = Collection(graph, requests_node)
    graph_data = []
    for data in graph.objects(test, UT.graphData):
        location = str(graph.value(data, UT.graph))
        iri = str(graph.value(data, RDFS.label))
        graph_data.append((folder / Path(location).name, iri))
    return ManifestTest(
        name=str(test).rsplit("#", 1)[-1],
        title=str(graph.value(test, MF.name)),
        requests=tuple(_request(graph, node) for node in requests),
        graph_data=tuple(graph_data),
    )


def _headers(graph: Graph, node: Node | None) -> tuple[tuple[str, str], ...]:
    if node is None:
        return ()
    headers_node = graph.value(node, HT.headers)
    if headers_node is None:
        return ()
    return tuple(
        (str(graph.value(header, HT.fieldName)), str(graph.value(header, HT.fieldValue)))
        for header in Collection(graph, headers_node)
    )


def _body_text(graph: Graph, node: Node | None) -> tuple[str, str] | None:
    body = graph.value(node, HT.body) if node is not None else None
    if body is None:
        return None
    encoding = graph.value(body, CNT.characterEncoding)
    return str(graph.value(body, CNT.chars)), str(encoding or "UTF-8")


def _request(graph: Graph, node: Node) -> HttpRequest:
    body = _body_text(graph, node)
    response = graph.value(node, HT.resp)
    expected_body = _body_text(graph, response)
    boolean = graph.value(response, MF.expectedBoolean)
    result_format = graph.value(response, MF.expectedFormat)
    location = graph.value(response, MF.expectedLocation)
    expected = ExpectedResponse(
        statuses=tuple(
            sorted(str(s).rsplit("#", 1)[-1] for s in graph.objects(response, MF.expectedStatus))
        ),
        result_format=str(result_format) if result_format is not None else None,
        boolean=bool(boolean.toPython()) if isinstance(boolean, Literal) else None,
        headers=_headers(graph, response),
        body=expected_body[0] if expected_body else None,
        location_variable=str(location) if location is not None else None,
    )
    return HttpRequest(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=_headers(graph, node),
        body=body[0].encode(body[1]) if body else None,
        expected=expected,
    )


def status_matches(status: int, expected: tuple[str, ...]) -> bool:
    """Return whether ``status`` is one of the hts: codes or classes (StatusCode4xx) listed."""
    for name in expected:
        status_class = _STATUS_CLASS.match(name)
        if status_class is not None:
            if status // 100 == int(status_class.group(1)):
                return True
        elif status == _status_code(name):
            return True
    return False


def _status_code(name: str) -> int:
    """Return the number of an hts: status name (OK, Created, NoContent, NotFound, ...)."""
    constant = name if name.isupper() else re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()
    return int(HTTPStatus[constant])
