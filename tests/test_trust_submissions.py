"""Trust components from catalogue submissions made through POST /catalogues on the demo store.

Molochnyj zavod 1 submits a valid catalogue, an invalid one and a valid one again; Myasokombinat
1 (through the administrator) a valid one and an invalid one, and its accepted submission is
then moved 73 days into the past. The expected values follow the formulas of docs/analytics.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import store_settings
from fastapi.testclient import TestClient

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.analytics import closeness, member_iri
from vic_semantic.analytics.sparql_files import measure_query
from vic_semantic.config import Settings
from vic_semantic.namespaces import PROV
from vic_semantic.service import VicService
from vic_semantic.submissions.versions import PROVENANCE_GRAPH

REPO = Path(__file__).resolve().parents[1]
DAIRY_SLUG = "molochnyj-zavod-1"
MEAT_SLUG = "myasokombinat-1"
DAIRY = member_iri(DAIRY_SLUG)
MEAT = member_iri(MEAT_SLUG)
ICE_CREAM = member_iri("fabrika-morozhenogo")
VALID = "Артикул,Наименование,Штрихкод\nA-1,Товар без класса,\nA-2,Другой товар,\n".encode()
CHANGED = "Артикул,Наименование,Штрихкод\nA-1,Товар без класса (новый),\nA-3,Третий,\n".encode()
# The demo dairy export cites standards that do not fit its products, so validation rejects it.
INVALID = (REPO / "demo" / "catalogues" / "dairy-plant-1c-export.csv").read_bytes()
MEAT_AGE_DAYS = 73


@dataclass
class World:
    client: TestClient
    service: VicService
    responses: list[int]


def _post(client: TestClient, token: str, body: bytes, member: str | None = None) -> int:
    """Submit one catalogue file and return the HTTP status."""
    response = client.post(
        "/catalogues",
        params={"member": member} if member else None,
        files=[("file", ("catalogue.csv", body, "text/csv"))],
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code


def _backdate_meat(service: VicService) -> None:
    """Move the end of the meat plant's accepted submission MEAT_AGE_DAYS days (and 2 h) back."""
    ended = dt.datetime.now(dt.UTC) - dt.timedelta(days=MEAT_AGE_DAYS, hours=2)
    literal = (
        f'"{ended.isoformat(timespec="seconds")}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
    )
    service.store.update(
        f"DELETE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?activity <{PROV.endedAtTime}> ?ended }} }} "
        f"INSERT {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?activity <{PROV.endedAtTime}> {literal} }} }} "
        f"WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?activity <{PROV.wasAssociatedWith}> <{MEAT}> ; "
        f"<{PROV.generated}> ?version ; <{PROV.endedAtTime}> ?ended }} }}"
    )


@pytest.fixture(scope="module")
def world(
    request: pytest.FixtureRequest, store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("trust")
    registry = TokenRegistry(data_dir / "tokens.json")
    member_token = registry.create(Role.MEMBER, member=DAIRY_SLUG)[1]
    admin_token = registry.create(Role.ADMIN)[1]
    location = store_settings(request, store_kind, "trust")
    settings = Settings(data_dir=data_dir, **location)
    service = VicService.open(settings)
    with TestClient(create_app(settings, service=service)) as client:
        responses = [
            _post(client, member_token, VALID),
            _post(client, member_token, INVALID),
            _post(client, member_token, CHANGED),
            _post(client, admin_token, VALID, member=MEAT_SLUG),
            _post(client, admin_token, INVALID, member=MEAT_SLUG),
        ]
        _backdate_meat(service)
        yield World(client, service, responses)
    service.close()


def test_submissions_accepted_and_rejected(world: World) -> None:
    assert world.responses == [201, 422, 201, 201, 422]


def test_accepted_share_per_member(world: World) -> None:
    trust = closeness(world.service.store, DAIRY, MEAT).trust

    assert (trust.member_a.accepted, trust.member_a.rejected) == (2, 1)
    assert trust.member_a.accepted_share == pytest.approx(2 / 3)
    assert (trust.member_b.accepted, trust.member_b.rejected) == (1, 1)
    assert trust.member_b.accepted_share == pytest.approx(0.5)
    assert trust.components["accepted_submissions"] == pytest.approx(0.5)


def test_freshness_per_member(world: World) -> None:
    trust = closeness(world.service.store, DAIRY, MEAT).trust

    assert trust.member_a.days_since_submission == 0
    assert trust.member_a.freshness == pytest.approx(1.0)
    assert trust.member_b.days_since_submission == MEAT_AGE_DAYS
    assert trust.member_b.freshness == pytest.approx(1 - MEAT_AGE_DAYS / 365)
    assert trust.components["freshness"] == pytest.approx(0.8)


def test_trust_combines_four_components(world: World) -> None:
    trust = closeness(world.service.store, DAIRY, MEAT).trust

    # Both new catalogues cite no documents, so nothing contradicts: consistency 1.
    assert trust.components["data_consistency"] == pytest.approx(1.0)
    assert trust.components["agreements"] == 1.0
    assert trust.value == pytest.approx((1.0 + 1.0 + 0.5 + 0.8) / 4)
    assert trust.unavailable == ()


def test_trust_without_submissions_of_one(world: World) -> None:
    trust = closeness(world.service.store, DAIRY, ICE_CREAM).trust

    # Pairs are ordered by IRI, so the ice-cream factory ("fabrika-...") is member a.
    assert trust.member_a.accepted_share is None
    assert trust.member_b.accepted_share == pytest.approx(2 / 3)
    assert trust.components["accepted_submissions"] is None
    assert trust.components["freshness"] is None
    consistency = trust.components["data_consistency"]
    assert consistency is not None
    assert trust.value == pytest.approx((consistency + 0.0) / 2)
    assert {part.component for part in trust.unavailable} == {"accepted_submissions", "freshness"}


def test_closeness_api_reports_trust(world: World) -> None:
    response = world.client.get(
        "/api/cluster/closeness", params={"a": DAIRY_SLUG, "b": MEAT_SLUG, "lang": "en"}
    )

    assert response.status_code == 200, response.text
    trust = response.json()["trust"]
    assert trust["value"] == 0.825
    assert trust["components"] == {
        "dataConsistency": 1.0,
        "agreements": 1.0,
        "acceptedSubmissions": 0.5,
        "freshness": 0.8,
    }
    assert trust["agreementsInForce"] == 1
    assert trust["memberA"]["acceptedSubmissions"] == 2
    assert trust["memberA"]["rejectedSubmissions"] == 1
    assert trust["memberB"]["daysSinceSubmission"] == MEAT_AGE_DAYS
    assert trust["notAvailable"] == []


@pytest.mark.parametrize(
    ("measure", "column", "expected"),
    [("submission-acceptance", "acceptedShare", 0.5), ("freshness", "freshness", 0.8)],
)
def test_measure_query_at_sparql_endpoint(
    world: World, measure: str, column: str, expected: float
) -> None:
    response = world.client.get(
        "/sparql",
        params={"query": measure_query(measure)},
        headers={"Accept": "application/sparql-results+json"},
    )

    assert response.status_code == 200, response.text
    rows = {
        row["member"]["value"]: float(row[column]["value"])
        for row in response.json()["results"]["bindings"]
    }
    assert rows[MEAT] == pytest.approx(expected)


def test_rejected_attempts_store_no_products(world: World) -> None:
    rows = world.service.store.select(
        "SELECT (COUNT(DISTINCT ?product) AS ?n) WHERE { "
        f"?product <https://w3id.org/vic-semantic/ontology/manufacturer> <{DAIRY}> ; "
        "<https://w3id.org/vic-semantic/ontology/inCatalogue> ?catalogue }"
    )

    assert int(rows[0]["n"]) == 2, "the catalogue is the last accepted version (CHANGED)"
