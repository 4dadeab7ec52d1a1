"""The expected findings for the sample member files, through POST /catalogues.

A member submits its own catalogue or veterinary logs; each sample has violations, so each
is rejected with exactly its expected findings, and the member's graphs stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import store_settings
from fastapi.testclient import TestClient
from test_expected_api_cli import _findings
from test_expected_findings import Finding, expected_findings

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.config import Settings
from vic_semantic.namespaces import ID, PROV, VIC, veterinary_graph
from vic_semantic.service import VicService
from vic_semantic.submissions.versions import PROVENANCE_GRAPH

MEMBER = "molochnyj-zavod-1"
CATALOGUES = ["dairy-plant-1c-export.csv", "meat-plant-price-list.xlsx", "ice-cream-shop-api.json"]
VETERINARY = ["farm-vet-treatments.csv", "farm-milk-deliveries.csv"]
NOT_CATALOGUES = ["cluster-members.csv"]
Member = tuple[TestClient, VicService, str]


@pytest.fixture(scope="module")
def expected(shared: Path) -> set[Finding]:
    return expected_findings((shared / "catalogues" / "EXPECTED.md").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def member(
    request: pytest.FixtureRequest, store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Member]:
    folder = tmp_path_factory.mktemp("submissions")
    token = TokenRegistry(folder / "tokens.json").create(Role.MEMBER, member=MEMBER)[1]
    location = store_settings(request, store_kind, "submissions")
    settings = Settings(data_dir=folder, load_demo=True, **location)
    service = VicService.open(settings)
    with TestClient(create_app(settings, service=service)) as client:
        yield client, service, token
    service.close()


def _quads_outside_provenance(service: VicService) -> set[str]:
    dump = service.store.dump(ox.RdfFormat.N_QUADS).decode()
    return {line for line in dump.splitlines() if not line.endswith(f"<{PROVENANCE_GRAPH}> .")}


def _submit(client: TestClient, token: str, shared: Path, name: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/catalogues",
        files=[("file", (name, (shared / "catalogues" / name).read_bytes()))],
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize("name", CATALOGUES)
def test_sample_rejected_with_findings(
    member: Member, shared: Path, expected: set[Finding], name: str
) -> None:
    client, service, token = member
    before = _quads_outside_provenance(service)

    response = _submit(client, token, shared, name)

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["stored"] is False
    assert _findings(body) == {f for f in expected if f[0] == name}
    assert _quads_outside_provenance(service) == before


@pytest.mark.parametrize("name", NOT_CATALOGUES)
def test_non_catalogue_rejected(member: Member, shared: Path, name: str) -> None:
    client, service, token = member
    before = _quads_outside_provenance(service)

    response = _submit(client, token, shared, name)

    assert response.status_code == 400, response.text
    assert "каталог" in response.json()["message"]
    assert _quads_outside_provenance(service) == before


def test_veterinary_logs_rejected_with_findings(
    member: Member, shared: Path, expected: set[Finding]
) -> None:
    client, service, token = member
    before = _quads_outside_provenance(service)

    response = client.post(
        "/catalogues",
        files=[("file", (n, (shared / "catalogues" / n).read_bytes())) for n in VETERINARY],
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 422, response.text
    assert response.json()["stored"] is False
    assert _findings(response.json()) == {f for f in expected if f[0] in VETERINARY}
    assert _quads_outside_provenance(service) == before


def test_valid_treatments_replace_veterinary_graph(member: Member, shared: Path) -> None:
    client, service, token = member
    lines = (shared / "catalogues" / "farm-vet-treatments.csv").read_bytes().splitlines()
    # Data row 4 has the ATCvet code without Q; the other rows are valid.
    valid = b"\n".join(line for line in lines if b"J51CF02" not in line)

    response = client.post(
        "/catalogues",
        files=[("file", ("treatments.csv", valid))],
        headers={"Authorization": f"Bearer {token}"},
    )

    graph = veterinary_graph(MEMBER)
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 1
    assert service.store.ask(f"ASK {{ GRAPH <{graph}> {{ ?t a <{VIC.VeterinaryTreatment}> }} }}")
    assert service.store.ask(
        f"ASK {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?v <{VIC.versionNumber}> 1 ; "
        f"<{PROV.specializationOf}> <{ID[f'veterinary/{MEMBER}']}> }} }}"
    )


def test_deliveries_alone_warn_on_submission(member: Member, shared: Path) -> None:
    client, _, token = member

    response = client.post(
        "/catalogues?dry_run=true",
        files=[
            ("file", ("d.csv", (shared / "catalogues" / "farm-milk-deliveries.csv").read_bytes()))
        ],
        headers={"Authorization": f"Bearer {token}"},
    )

    warnings = [r for r in response.json()["results"] if r["severity"] == "Warning"]
    assert response.status_code == 200, response.text
    assert len(warnings) == 1
    assert warnings[0]["file"] == "d.csv"


def test_validate_uses_stored_treatments(member: Member, shared: Path) -> None:
    client, _, token = member
    samples = shared / "catalogues"
    lines = (samples / "farm-vet-treatments.csv").read_bytes().splitlines()
    valid = b"\n".join(line for line in lines if b"J51CF02" not in line)
    deliveries = [("file", ("farm-milk-deliveries.csv", (samples / VETERINARY[1]).read_bytes()))]
    stored = client.post(
        "/catalogues",
        files=[("file", ("treatments.csv", valid))],
        headers={"Authorization": f"Bearer {token}"},
    )

    as_member = client.post(
        "/catalogues/validate", files=deliveries, headers={"Authorization": f"Bearer {token}"}
    )
    anonymous = client.post("/catalogues/validate", files=deliveries)

    assert stored.status_code == 201, stored.text
    member_results = as_member.json()["results"]
    assert [r["row"] for r in member_results] == [2, 4, 6]
    assert {r["severity"] for r in member_results} == {"Violation"}
    assert [r["severity"] for r in anonymous.json()["results"]] == ["Warning"]
