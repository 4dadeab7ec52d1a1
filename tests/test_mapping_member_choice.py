"""The mapping page's member list and the correction requests it sends with ?member=.

The page offers every member; the API decides who may save where. An administrator saves
for the chosen member, a member only for itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.test_mapping_page import parse
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.config import Settings
from vic_semantic.mapping import saved
from vic_semantic.namespaces import VIC
from vic_semantic.service import VicService

DAIRY = "molochnyj-zavod-1"
MEAT = "myasokombinat-1"
CORRECTION = {"code": "МЗ1-0014", "class": "vic:SemiHardCheese", "label": "Сыр полутвердый"}


@dataclass
class World:
    client: TestClient
    service: VicService
    admin: str
    dairy: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir: Path = tmp_path_factory.mktemp("mapping-member")
    registry = TokenRegistry(data_dir / "tokens.json")
    admin = registry.create(Role.ADMIN)[1]
    dairy = registry.create(Role.MEMBER, member=DAIRY)[1]
    settings = Settings(data_dir=data_dir)
    service = VicService.open(settings)
    with TestClient(create_app(settings, service=service)) as client:
        yield World(client, service, admin, dairy)
    service.close()


def _save(world: World, token: str, member: str | None) -> tuple[int, dict[str, object]]:
    """Send the request the page's save button sends for one row."""
    response = world.client.post(
        "/catalogues/map/corrections",
        params={"member": member} if member else None,
        json=CORRECTION,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    return response.status_code, response.json()


def test_member_list_offers_every_member(world: World) -> None:
    page = parse(world.client.get("/mapping").text)

    [(select, ancestors)] = page.find("select", id="member-select")
    options = [attrs.get("value") for attrs, _ in page.find("option")]

    assert "form" not in ancestors, "the choice travels in the URL the script builds"
    assert select.get("aria-describedby") == "member-select-hint"
    assert page.find("label", **{"for": "member-select"})
    assert page.find("p", id="member-select-hint")
    assert options[0] == "", "the first option keeps the token's own member"
    assert DAIRY in options
    assert MEAT in options
    assert len(options) == 1 + 27


@pytest.mark.parametrize(
    ("query", "label", "own"),
    [
        ("", "Участник, за которого сохраняются решения", "— участник, которому выдан токен —"),
        ("?lang=en", "Member whose decisions are saved", "— the member the token was issued to —"),
    ],
)
def test_member_list_in_both_languages(world: World, query: str, label: str, own: str) -> None:
    text = world.client.get("/mapping" + query).text

    assert f'<label for="member-select">{label}</label>' in text
    assert f'<option value="">{own}</option>' in text


def test_member_names_follow_language(world: World) -> None:
    russian = world.client.get("/mapping").text
    english = world.client.get("/mapping?lang=en").text

    assert f'<option value="{DAIRY}">Молочный завод №1</option>' in russian
    assert f'<option value="{DAIRY}">' in english


def test_admin_saves_for_chosen_member(world: World) -> None:
    status, body = _save(world, world.admin, MEAT)

    assert status == 200, body
    assert body["member"] == MEAT
    corrections = saved.load_corrections(world.service.store, MEAT)
    assert corrections[CORRECTION["code"]] == VIC.SemiHardCheese


def test_admin_without_member_rejected(world: World) -> None:
    status, body = _save(world, world.admin, None)

    assert status == 400
    assert body["error"] == "missing_member", "the page shows its own hint for this code"


def test_member_saves_to_own_graph(world: World) -> None:
    status, body = _save(world, world.dairy, DAIRY)

    assert status == 200, body
    assert body["member"] == DAIRY


def test_member_cannot_choose_another(world: World) -> None:
    before = saved.load_corrections(world.service.store, "myasokombinat-2")

    status, body = _save(world, world.dairy, "myasokombinat-2")

    assert status == 403, body
    assert saved.load_corrections(world.service.store, "myasokombinat-2") == before == {}


def test_script_sends_chosen_member(world: World) -> None:
    script = world.client.get("/static/mapping.js").text

    assert 'document.getElementById("member-select")' in script
    assert 'forMember("/catalogues/map/corrections")' in script
    assert 'forMember("/catalogues/map")' in script
    assert '"missing_member"' in script
