"""A member's working graphs (graph/member/{slug}/…) may describe only its own resources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ServiceFactory, register_member
from fastapi.testclient import TestClient

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.member_graphs import foreign_subjects, working_graph_member
from vic_semantic.namespaces import GRAPH, ID, VIC
from vic_semantic.service import VicService
from vic_semantic.store.base import Dataset

MEMBER = "molochnyj-zavod-1"
OTHER = "fabrika-morozhenogo"
WORKING = str(GRAPH[f"member/{MEMBER}/notes"])
OWN_PRODUCT = str(ID[f"product/{MEMBER}/draft-1"])
OTHER_MEMBER = str(ID[f"member/{OTHER}"])


class Client:
    def __init__(self, client: TestClient, service: VicService, token: str) -> None:
        self.client = client
        self.service = service
        self.headers = {"Authorization": f"Bearer {token}"}

    def put(self, turtle: str, lang: str = "ru"):  # type: ignore[no-untyped-def]
        return self.client.put(
            "/graphs",
            params={"graph": WORKING},
            content=turtle.encode(),
            headers={**self.headers, "Content-Type": "text/turtle", "Accept-Language": lang},
        )

    def update(self, text: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            "/sparql",
            content=text.encode(),
            headers={**self.headers, "Content-Type": "application/sparql-update"},
        )

    def triples(self) -> int:
        rows = self.service.store.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{WORKING}> {{ ?s ?p ?o }} }}", Dataset()
        )
        return int(rows[0]["n"])


@pytest.fixture
def member(service_factory: ServiceFactory, tmp_path: Path) -> Iterator[Client]:
    token = TokenRegistry(tmp_path / "tokens.json").create(Role.MEMBER, member=MEMBER)[1]
    service = service_factory(load_demo=False)
    register_member(service, MEMBER)
    with TestClient(create_app(service.settings, service=service)) as client:
        yield Client(client, service, token)


def test_own_resources_and_outside_iris_written(member: Client) -> None:
    response = member.put(
        f'<{OWN_PRODUCT}> a <{VIC}Kefir> ; <{VIC}name> "Кефир, черновик"@ru .\n'
        '<http://example.org/x> <http://example.org/p> "1" .\n'
    )

    assert response.status_code == 201, response.text
    assert member.triples() == 3


def test_statement_about_another_member_rejected(member: Client) -> None:
    member.put(f'<{OWN_PRODUCT}> <{VIC}name> "Кефир"@ru .\n')

    renamed = f'<{OTHER_MEMBER}> <{VIC}name> "Фабрика просроченного мороженого"@ru .'
    response = member.put(renamed, "en")

    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "foreign_statements"
    assert OTHER_MEMBER in body["message"]
    assert "Nothing was written" in body["message"]
    assert member.triples() == 1, "the earlier content stays"


def test_update_about_ontology_term_rejected(member: Client) -> None:
    response = member.update(
        f'INSERT DATA {{ GRAPH <{WORKING}> {{ <{VIC}Kefir> <{VIC}name> "Яд"@ru }} }}'
    )

    assert response.status_code == 403
    assert response.json()["error"] == "foreign_statements"
    assert member.triples() == 0


def test_update_about_own_product_applied(member: Client) -> None:
    response = member.update(
        f'INSERT DATA {{ GRAPH <{WORKING}> {{ <{OWN_PRODUCT}> <{VIC}name> "Кефир"@ru }} }}'
    )

    assert response.status_code == 204, response.text
    assert member.triples() == 1


def test_working_graph_member_and_foreign_subjects() -> None:
    assert working_graph_member(WORKING) == MEMBER
    assert working_graph_member(str(GRAPH[f"member/{MEMBER}/"])) is None
    assert working_graph_member(str(GRAPH[f"catalogue/{MEMBER}"])) is None
    predicate = ox.NamedNode("http://example.org/p")
    subjects = [
        ID[f"member/{MEMBER}"],
        ID[f"product/{MEMBER}/a"],
        ID[f"product/{MEMBER}-evil/a"],
        ID[f"product/{OTHER}/a"],
        VIC["Kefir"],
        "http://example.org/x",
    ]
    triples = [ox.Triple(ox.NamedNode(str(s)), predicate, ox.Literal("1")) for s in subjects]

    assert foreign_subjects(triples, MEMBER) == [
        str(ID[f"product/{MEMBER}-evil/a"]),
        str(ID[f"product/{OTHER}/a"]),
        str(VIC["Kefir"]),
    ]
