"""Error responses of the HTTP API: status, code and a message naming the problem and the fix.

Each request goes through the app to a real embedded store; every rejected write is checked
to have changed nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from conftest import ServiceFactory, register_member
from fastapi.testclient import TestClient

from api.main import create_app
from vic_semantic.access import Role
from vic_semantic.namespaces import INFERRED_GRAPH
from vic_semantic.service import VicService

ADMIN_TOKEN = "api-errors-admin"
BASE_URL = "http://vic.test"
MEMBER = "molochnyj-zavod-1"
TRIPLE_TERM_TURTLE = b"<< <http://e/a> <http://e/b> <http://e/c> >> <http://e/p> 1 ."
CATALOGUE_CSV = "Артикул,Наименование,Штрихкод\nA-1,Кефир 2,5% 900 г,\n".encode()
EN = {"Accept-Language": "en"}


@dataclass
class Api:
    client: TestClient
    service: VicService
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who != "anonymous" else {}

    def dump(self) -> list[str]:
        return sorted(self.service.store.dump(ox.RdfFormat.N_QUADS).decode().splitlines())

    def update(self, text: str, who: str, **headers: str) -> object:
        return self.client.post(
            "/sparql",
            content=text,
            headers={**self.auth(who), "Content-Type": "application/sparql-update", **headers},
        )


@pytest.fixture
def api(service_factory: ServiceFactory) -> Iterator[Api]:
    service = service_factory(load_demo=False, admin_token=ADMIN_TOKEN, base_url=BASE_URL)
    register_member(service, MEMBER)
    tokens = {
        "admin": ADMIN_TOKEN,
        "member": service.tokens.create(Role.MEMBER, member=MEMBER)[1],
        "ghost": service.tokens.create(Role.MEMBER, member="no-such-member")[1],
        "analyst": service.tokens.create(Role.ANALYST)[1],
    }
    app = create_app(service.settings, service=service)
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        yield Api(client, service, tokens)


def own_graph() -> str:
    """Return a graph the member writes directly (its catalogue changes only by submission)."""
    return f"https://w3id.org/vic-semantic/graph/member/{MEMBER}/notes"


# --- RDF 1.2 triple terms -----------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_graph_store_triple_term_415(api: Api, method: str) -> None:
    before = api.dump()

    response = api.client.request(
        method,
        "/graphs",
        params={"graph": own_graph()},
        content=TRIPLE_TERM_TURTLE,
        headers={**api.auth("member"), "Content-Type": "text/turtle", **EN},
    )

    assert response.status_code == 415, response.text
    assert response.json()["error"] == "triple_term_unsupported"
    assert "rdf:Statement" in response.json()["message"]
    assert api.dump() == before


def test_dataset_post_triple_term_415(api: Api) -> None:
    before = api.dump()
    trig = b"<http://e/g> { <http://e/x> <http://e/p> <<( <http://e/a> <http://e/b> 1 )>> . }"

    response = api.client.post(
        "/graphs", content=trig, headers={**api.auth("admin"), "Content-Type": "application/trig"}
    )

    assert response.status_code == 415, response.text
    assert response.json()["error"] == "triple_term_unsupported"
    assert api.dump() == before


def test_update_triple_term_415(api: Api) -> None:
    before = api.dump()

    response = api.update(
        "INSERT DATA { << <http://e/a> <http://e/b> <http://e/c> >> <http://e/p> 1 }", "admin"
    )

    assert response.status_code == 415, response.text
    assert response.json()["error"] == "triple_term_unsupported"
    assert api.dump() == before


def test_validate_triple_term_same_answer(api: Api) -> None:
    response = api.client.post(
        "/validate", content=TRIPLE_TERM_TURTLE, headers={"Content-Type": "text/turtle"}
    )

    assert response.status_code == 415, response.text
    assert response.json()["error"] == "triple_term_unsupported"


# --- members that are not registered ------------------------------------------------------


def submit(api: Api, who: str, query: str = "") -> object:
    return api.client.post(
        f"/catalogues{query}",
        files=[("file", ("catalogue.csv", CATALOGUE_CSV, "text/csv"))],
        headers={**api.auth(who), **EN},
    )


@pytest.mark.parametrize(
    ("who", "query"),
    [
        ("ghost", ""),
        ("admin", "?member=no-such-member"),
        ("admin", "?member=no-such-member&dry_run=true"),
    ],
)
def test_submit_unknown_member_404(api: Api, who: str, query: str) -> None:
    before = api.dump()

    response = submit(api, who, query)

    assert response.status_code == 404, response.text
    assert response.json()["error"] == "member_not_found"
    assert "no-such-member" in response.json()["message"]
    assert "vic-semantic load" in response.json()["message"]
    assert api.dump() == before


def test_submit_registered_member_dry_run(api: Api) -> None:
    response = submit(api, "admin", f"?member={MEMBER}&dry_run=true")

    # The one-row catalogue has violations; what matters is that it was validated.
    assert response.status_code == 422, response.text
    assert response.json()["stored"] is False
    assert "conforms" in response.json()


def test_versions_of_unknown_member_404(api: Api) -> None:
    unknown = api.client.get("/catalogues/no-such-member/versions")
    registered = api.client.get(f"/catalogues/{MEMBER}/versions")

    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["error"] == "member_not_found"
    assert registered.status_code == 200, registered.text
    assert registered.json()["versions"] == []


# --- the inferred graph -------------------------------------------------------------------

INFERRED_UPDATES = [
    f"INSERT DATA {{ GRAPH <{INFERRED_GRAPH}> {{ <http://e/a> <http://e/p> 1 }} }}",
    f"DROP GRAPH <{INFERRED_GRAPH}>",
    f"PREFIX g: <{str(INFERRED_GRAPH).removesuffix('inferred')}>\nCLEAR GRAPH g:inferred",
]


@pytest.mark.parametrize("who", ["admin", "member"])
@pytest.mark.parametrize("text", INFERRED_UPDATES, ids=["insert", "drop", "prefixed_clear"])
def test_update_inferred_graph_403(api: Api, who: str, text: str) -> None:
    api.update(f"INSERT DATA {{ GRAPH <{own_graph()}> {{ <http://e/x> a <http://e/C> }} }}", who)
    before = api.dump()

    response = api.update(text, who)

    assert response.status_code == 403, response.text
    assert response.json()["error"] == "inferred_graph"
    assert api.dump() == before


# --- FastAPI's and Starlette's own errors -------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "parameter", "where"),
    [
        ("GET", "/catalogues/x/versions/abc", None, "number", "path"),
        ("GET", "/catalogues/x/diff?from=1", None, "to", "query"),
        ("GET", "/api/cluster/closeness?a=x", None, "b", "query"),
        ("POST", "/catalogues?dry_run=maybe", None, "dry_run", "query"),
        ("POST", "/catalogues/map/corrections?member=m", {"code": "A-1"}, "class", "body"),
        ("GET", "/reconcile/preview", None, "id", "query"),
    ],
)
def test_invalid_parameter_422(
    api: Api, method: str, path: str, body: object, parameter: str, where: str
) -> None:
    english = api.client.request(method, path, json=body, headers={**api.auth("admin"), **EN})
    russian = api.client.request(method, path, json=body, headers=api.auth("admin"))

    assert english.status_code == 422, english.text
    answer = english.json()
    assert answer["error"] == "invalid_parameter"
    assert answer["details"][0]["parameter"] == parameter
    assert answer["details"][0]["in"] == where
    assert f"'{parameter}'" in answer["message"]
    assert english.headers["content-language"] == "en"
    assert f"«{parameter}»" in russian.json()["message"]
    assert russian.headers["content-language"] == "ru"


def test_unknown_route_404(api: Api) -> None:
    response = api.client.get("/no/such/route", headers=EN)

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert "/no/such/route" in response.json()["message"]


def test_patch_405_lists_methods(api: Api) -> None:
    response = api.client.patch("/graphs", headers=EN)

    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST", "PUT", "DELETE"}


# --- 401 and 403 instead of 400 -----------------------------------------------------------


# Reading a profile needs no token: every reader may read it (400 missing_member without ?member=).
@pytest.mark.parametrize("method", ["PUT"])
def test_profile_without_token_401(api: Api, method: str) -> None:
    response = api.client.request(method, "/catalogues/profiles/p1", json={"a": "name"})

    assert response.status_code == 401, response.text


def test_analyst_correction_403(api: Api) -> None:
    response = api.client.post(
        "/catalogues/map/corrections",
        json={"code": "A-1", "class": "vic:Kefir"},
        headers={**api.auth("analyst"), **EN},
    )

    assert response.status_code == 403, response.text
    assert "analyst" in response.json()["message"]


def test_analyst_submit_403(api: Api) -> None:
    response = submit(api, "analyst")

    assert response.status_code == 403, response.text
    assert "analyst" in response.json()["message"]
    assert "DEFAULT" not in response.json()["message"]


# --- SPARQL syntax errors -----------------------------------------------------------------


def test_member_update_error_position(api: Api) -> None:
    text = (
        f"INSERT DATA {{ GRAPH <{own_graph()}> {{\n <http://a> <http://p> 1 .\n <http://a> ) }} }}"
    )

    response = api.update(text, "member")

    assert response.status_code == 400, response.text
    assert response.json()["line"] == 3


@pytest.mark.parametrize("who", ["member", "admin"])
def test_select_sent_as_update(api: Api, who: str) -> None:
    response = api.update("SELECT * WHERE { ?s ?p ?o }", who, **EN)

    assert response.status_code == 400, response.text
    assert "application/sparql-query" in response.json()["message"]


def test_insert_sent_as_query(api: Api) -> None:
    response = api.client.get(
        "/sparql", params={"query": "INSERT DATA { <http://a> <http://p> 1 }"}, headers=EN
    )

    assert response.status_code == 400, response.text
    assert "application/sparql-update" in response.json()["message"]


@pytest.mark.parametrize("who", ["member", "admin"])
def test_undeclared_prefix_named(api: Api, who: str) -> None:
    text = f"INSERT DATA {{ GRAPH <{own_graph()}> {{ foo:a <http://p> 1 }} }}"

    response = api.update(text, who, **EN)

    message = response.json()["message"]
    assert response.status_code == 400, response.text
    assert "PREFIX foo: <" in message
    assert "expected one of" not in message


def test_query_undeclared_prefix_named(api: Api) -> None:
    response = api.client.get("/sparql", params={"query": "SELECT * { ?s foo:p ?o }"}, headers=EN)

    assert response.status_code == 400, response.text
    assert "PREFIX foo: <" in response.json()["message"]


# --- booleans and readiness ---------------------------------------------------------------


def test_inferred_maybe_400(api: Api) -> None:
    query = quote("SELECT * { ?s ?p ?o }")

    response = api.client.get(f"/sparql?query={query}&inferred=maybe")

    assert response.status_code == 400, response.text
    assert "inferred" in response.json()["message"]


def test_ready_advice_names_graph(api: Api) -> None:
    response = api.client.get("/ready", headers=EN)

    assert response.status_code == 503, response.text
    assert "load --graph https://w3id.org/vic-semantic/graph/ontology" in response.text
