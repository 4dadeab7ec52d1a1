"""Mapping API: a saved correction wins next time, profiles round-trip, SSSOM on request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import register_member, store_settings
from fastapi.testclient import TestClient

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.config import Settings
from vic_semantic.service import VicService

CSV = "Код;Наименование;Штрихкод\nA-1;Кефир 2,5% 900 г;4810000000001\n".encode()


@pytest.fixture(scope="module")
def client(
    request: pytest.FixtureRequest, store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    data_dir: Path = tmp_path_factory.mktemp("mapping-api")
    token = TokenRegistry(data_dir / "tokens.json").create(Role.MEMBER, member="zavod")[1]
    location = store_settings(request, store_kind, "mapping")
    settings = Settings(data_dir=data_dir, base_url="http://testserver", **location)
    service = VicService.open(settings)
    # Saving profiles and corrections needs the member in the members graph.
    register_member(service, "zavod")
    with TestClient(create_app(settings, service=service)) as test_client:
        yield test_client, {"Authorization": f"Bearer {token}"}
    service.close()


def _map(client: TestClient, headers: dict[str, str], **extra: str) -> dict:  # type: ignore[type-arg]
    response = client.post(
        "/catalogues/map",
        files={"file": ("p.csv", CSV, "text/csv")},
        headers=headers,
        params=extra,
    )
    assert response.status_code == 200, response.text
    return response.json()["files"][0]["rows"][0]  # type: ignore[no-any-return]


def test_correction_wins_next_time(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, headers = client
    assert _map(test_client, headers)["class"] == "vic:Kefir"

    saved = test_client.post(
        "/catalogues/map/corrections",
        json={"code": "A-1", "class": "vic:Ryazhenka"},
        headers=headers,
    )
    row = _map(test_client, headers)

    assert saved.status_code == 200
    assert row["class"] == "vic:Ryazhenka"
    assert row["justification"] == "semapv:ManualMappingCuration"


def test_correction_rejects_unknown_class(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, headers = client
    response = test_client.post(
        "/catalogues/map/corrections",
        json={"code": "A-1", "class": "vic:Nothing"},
        headers=headers,
    )
    assert response.status_code == 422


@pytest.mark.parametrize("cls", ["vic:DataExchangeAgreement", "vic:FoodProduct"])
def test_correction_rejects_non_product_class(
    client: tuple[TestClient, dict[str, str]], cls: str
) -> None:
    test_client, headers = client
    response = test_client.post(
        "/catalogues/map/corrections",
        json={"code": "A-1", "class": cls},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["error"] == "not_a_product_class"
    assert cls in response.json()["message"]
    assert "vic:Kefir" in response.json()["message"]


def test_profile_round_trip(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, headers = client
    put = test_client.put("/catalogues/profiles/1c", json={"Номенклатура": "name"}, headers=headers)
    got = test_client.get("/catalogues/profiles/1c", headers=headers)
    bad = test_client.put("/catalogues/profiles/x", json={"A": "colour"}, headers=headers)

    assert put.status_code == 204
    assert got.json()["columns"] == {"Номенклатура": "name"}
    assert bad.status_code == 400


def test_sssom_on_accept(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, _ = client
    response = test_client.post(
        "/catalogues/map",
        files={"file": ("p.csv", CSV, "text/csv")},
        headers={"Accept": "text/tab-separated-values"},
    )
    assert response.status_code == 200
    assert response.text.startswith("#curie_map:")
    assert "skos:exactMatch\tvic:Kefir" in response.text
