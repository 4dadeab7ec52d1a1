"""Access over HTTP on the demo store: the demo farm is a member, unregistered members write
nothing, and readers read column profiles.

The app runs on a store of its own with the demo cluster loaded, because some cases write.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx  # the HTTP client under starlette's TestClient
import pyoxigraph as ox
import pytest
from conftest import store_settings
from fastapi.testclient import TestClient

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.config import Settings
from vic_semantic.namespaces import veterinary_graph
from vic_semantic.service import VicService

FARM = "postavshchik-syrogo-moloka-uslovnyj"
DAIRY = "molochnyj-zavod-1"
# A well-formed slug that no row of the demo members registry produces.
GHOST = "ferma-vne-reestra"
TRIPLE = "<https://example.org/s> <https://example.org/p> <https://example.org/o> ."
CATALOGUE = "Артикул,Наименование,Штрихкод\nA-1,Товар без класса,\n".encode()


@dataclass
class Api:
    client: TestClient
    service: VicService
    tokens: dict[str, str]

    def call(self, caller: str | None, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if caller:
            headers["Authorization"] = f"Bearer {self.tokens[caller]}"
        return self.client.request(method, url, headers=headers, **kwargs)

    def sorted_dump(self) -> list[bytes]:
        # The dump lists quads in index order, so equal contents are compared as sorted lines.
        return sorted(bytes(self.service.store.dump(ox.RdfFormat.N_QUADS)).splitlines())


@pytest.fixture(scope="module")
def api(
    request: pytest.FixtureRequest, store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    data_dir = tmp_path_factory.mktemp("member-access")
    registry = TokenRegistry(data_dir / "tokens.json")
    tokens = {
        "farm": registry.create(Role.MEMBER, member=FARM)[1],
        "dairy": registry.create(Role.MEMBER, member=DAIRY)[1],
        "ghost": registry.create(Role.MEMBER, member=GHOST)[1],
        "analyst": registry.create(Role.ANALYST)[1],
        "admin": registry.create(Role.ADMIN)[1],
    }
    settings = Settings(data_dir=data_dir, **store_settings(request, store_kind, "mapping"))
    service = VicService.open(settings)
    with TestClient(create_app(settings, service=service)) as client:
        yield Api(client, service, tokens)
    service.close()


# --- the demo farm is a registered member ------------------------------------------------


def test_demo_farm_versions_listed(api: Api) -> None:
    response = api.call(None, "GET", f"/veterinary/{FARM}/versions")

    assert response.status_code == 200, response.text
    assert response.json()["versions"] == []


def test_demo_farm_in_members(api: Api) -> None:
    members = api.call(None, "GET", "/api/cluster/members").json()

    slugs = [member["id"] for member in members]
    assert FARM in slugs


def test_demo_farm_writes_own_graph(api: Api) -> None:
    graph = str(veterinary_graph(FARM))
    before = api.sorted_dump()

    # The demo farm graph contains findings that are violations, so only a replacement passes.
    response = api.call(
        "farm",
        "PUT",
        f"/graphs?graph={graph}",
        content=TRIPLE,
        headers={"Content-Type": "application/n-triples"},
    )

    assert response.status_code == 204, response.text
    assert api.sorted_dump() != before


# --- a member token of an unregistered slug writes nothing -------------------------------


def _ghost_writes() -> list[tuple[str, str, str, dict[str, Any]]]:
    graph = str(veterinary_graph(GHOST))
    n_triples = {"content": TRIPLE, "headers": {"Content-Type": "application/n-triples"}}
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ {TRIPLE} }} }}"
    return [
        ("graph_store_put", "PUT", f"/graphs?graph={graph}", n_triples),
        ("graph_store_post", "POST", f"/graphs?graph={graph}", n_triples),
        ("graph_store_delete", "DELETE", f"/graphs?graph={graph}", {}),
        (
            "graph_store_dataset",
            "POST",
            "/graphs",
            {
                "content": f"<https://example.org/s> <https://example.org/p> "
                f"<https://example.org/o> <{graph}> .",
                "headers": {"Content-Type": "application/n-quads"},
            },
        ),
        (
            "sparql_update",
            "POST",
            "/sparql",
            {"content": update, "headers": {"Content-Type": "application/sparql-update"}},
        ),
        (
            "profile_put",
            "PUT",
            "/catalogues/profiles/odin-s",
            {"json": {"Артикул": "sku"}},
        ),
        (
            "correction",
            "POST",
            "/catalogues/map/corrections",
            {"json": {"code": "A-1", "class": "vic:Kefir"}},
        ),
        (
            "catalogue_submit",
            "POST",
            "/catalogues",
            {"files": {"file": ("catalogue.csv", CATALOGUE, "text/csv")}},
        ),
    ]


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [case[1:] for case in _ghost_writes()],
    ids=[case[0] for case in _ghost_writes()],
)
def test_unregistered_member_write_404(
    api: Api, method: str, url: str, kwargs: dict[str, Any]
) -> None:
    before = api.sorted_dump()
    files = {"file": ("catalogue.csv", CATALOGUE, "text/csv")}
    reference = api.call("ghost", "POST", "/catalogues", files=files)

    response = api.call("ghost", method, url, **kwargs)

    assert response.status_code == 404, response.text
    assert response.json()["error"] == "member_not_found"
    assert response.json()["message"] == reference.json()["message"]
    assert GHOST in response.json()["message"]
    assert api.sorted_dump() == before


# --- reading column profiles and the backup message --------------------------------------


def test_profile_readable_by_readers(api: Api) -> None:
    saved = api.call("dairy", "PUT", "/catalogues/profiles/odin-s", json={"Артикул": "sku"})
    assert saved.status_code == 204, saved.text

    for caller in (None, "analyst", "farm", "admin"):
        response = api.call(caller, "GET", f"/catalogues/profiles/odin-s?member={DAIRY}")

        assert response.status_code == 200, (caller, response.text)
        assert response.json()["columns"] == {"Артикул": "sku"}, caller


def test_profile_read_own_by_default(api: Api) -> None:
    saved = api.call("dairy", "PUT", "/catalogues/profiles/svoj", json={"Артикул": "sku"})
    assert saved.status_code == 204, saved.text

    response = api.call("dairy", "GET", "/catalogues/profiles/svoj")

    assert response.status_code == 200, response.text
    assert response.json()["member"] == DAIRY


def test_profile_read_without_member_400(api: Api) -> None:
    for caller in (None, "analyst"):
        response = api.call(caller, "GET", "/catalogues/profiles/x")

        assert response.status_code == 400, (caller, response.text)
        assert response.json()["error"] == "missing_member", caller


def test_profile_write_still_needs_token(api: Api) -> None:
    response = api.call(None, "PUT", f"/catalogues/profiles/x?member={DAIRY}", json={"A": "sku"})

    assert response.status_code == 401, response.text


def test_backup_without_token_message(api: Api) -> None:
    russian = api.call(None, "GET", "/admin/backup")
    english = api.call(None, "GET", "/admin/backup", headers={"Accept-Language": "en"})

    assert russian.status_code == 401, russian.text
    assert "администратора" in russian.json()["message"]
    assert "записи" not in russian.json()["message"]
    assert "Backups" in english.json()["message"]
    assert "administrator's token" in english.json()["message"]
    assert "Writing" not in english.json()["message"]
