"""GET /veterinary/{member}/versions, /versions/{n} and /diff over HTTP, after real submissions.

A farm submits its treatment and milk delivery logs twice through POST /catalogues. The
second submission adds, removes and changes one treatment and one delivery, and moves an
unchanged treatment to another row, which the diff must not report.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ServiceFactory, register_member
from fastapi.testclient import TestClient
from rdflib import RDF, Graph

from api.main import create_app
from api.versions_http import number_ranges
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.catalogues.convert import convert_table
from vic_semantic.catalogues.readers import read_table
from vic_semantic.namespaces import MEMBERS_GRAPH, VIC
from vic_semantic.service import VicService
from vic_semantic.validation.engine import default_ontology

FARM = "ferma-1"
MEMBER_IRI = "https://w3id.org/vic-semantic/id/member/"
TREATMENT_HEADER = (
    "Группа животных,Дата обработки,Препарат,Код ATCvet,"
    '"Срок ожидания (молоко), сут","Срок ожидания (мясо), сут"\n'
)
DELIVERY_HEADER = 'Дата поставки,Группа животных,"Объем, л",Получатель\n'

# Every delivery comes before the group's first treatment or after its milk withdrawal period.
TREATMENTS_1 = (
    TREATMENT_HEADER
    + "Г-01,2026-11-02,Цефкином интрацистернальный,QJ51DE90,5,4\n"
    + "Г-02,2026-11-10,Окситетрациклин инъекционный,QJ01AA06,7,28\n"
    + "Г-05,2026-11-20,Цефтиофур инъекционный,QJ01DD90,0,8\n"
).encode()
DELIVERIES_1 = (
    DELIVERY_HEADER
    + "2026-11-01,Г-01,1200,Молочный завод №1\n"
    + "2026-11-08,Г-01,1180,Молочный завод №1\n"
    + "2026-11-21,Г-05,800,Молочный завод №1\n"
    + "2026-11-25,Г-02,900,Молочный завод №2\n"
).encode()

# Г-04 is added in the first row, so the unchanged Г-01 treatment moves to row 2. Г-02's milk
# withdrawal period changes, and Г-05's treatment is removed.
TREATMENTS_2 = (
    TREATMENT_HEADER
    + "Г-04,2026-11-18,Клоксациллин интрацистернальный,QJ51CF02,6,7\n"
    + "Г-01,2026-11-02,Цефкином интрацистернальный,QJ51DE90,5,4\n"
    + "Г-02,2026-11-10,Окситетрациклин инъекционный,QJ01AA06,10,28\n"
).encode()
# The 2026-11-21 delivery is removed, the 2026-11-25 volume changes, 2026-11-28 is added.
DELIVERIES_2 = (
    DELIVERY_HEADER
    + "2026-11-01,Г-01,1200,Молочный завод №1\n"
    + "2026-11-08,Г-01,1180,Молочный завод №1\n"
    + "2026-11-25,Г-02,950,Молочный завод №2\n"
    + "2026-11-28,Г-01,1210,Молочный завод №3\n"
).encode()

CATALOGUE = "Артикул,Наименование,Штрихкод\nA-1,Товар без класса,\n".encode()


class Farm:
    def __init__(self, client: TestClient, service: VicService, token: str) -> None:
        self.client = client
        self.service = service
        self.token = token

    def submit(self, files: list[tuple[str, bytes]]):  # type: ignore[no-untyped-def]
        return self.client.post(
            "/catalogues",
            files=[("file", (name, data, "text/csv")) for name, data in files],
            headers={"Authorization": f"Bearer {self.token}"},
        )

    def submit_two_versions(self) -> None:
        first = self.submit([("treatments.csv", TREATMENTS_1), ("deliveries.csv", DELIVERIES_1)])
        second = self.submit([("treatments.csv", TREATMENTS_2), ("deliveries.csv", DELIVERIES_2)])
        assert first.status_code == 201, first.text
        assert second.status_code == 201, second.text
        assert (first.json()["version"], second.json()["version"]) == (1, 2)

    def get(self, path: str, **headers: str):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=headers)


def _load_member_registry(service: VicService) -> None:
    """Store the demo's member registry, so recipient plants have their names."""
    path = service.settings.demo_dir / "catalogues" / "cluster-members.csv"
    table = read_table(path.name, path.read_bytes())
    graph = convert_table(table, default_ontology()).graph
    service.store.replace_graph(
        str(MEMBERS_GRAPH), graph.serialize(format="nt").encode(), ox.RdfFormat.N_TRIPLES
    )


@pytest.fixture
def farm(service_factory: ServiceFactory, tmp_path: Path) -> Iterator[Farm]:
    token = TokenRegistry(tmp_path / "tokens.json").create(Role.MEMBER, member=FARM)[1]
    service = service_factory(load_demo=False)
    _load_member_registry(service)
    register_member(service, FARM)
    with TestClient(create_app(service.settings, service=service)) as client:
        yield Farm(client, service, token)


def _by_name(items: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {item["name"]: item for item in items}


# --- listing and reading versions ------------------------------------------------------------


def test_versions_listed(farm: Farm) -> None:
    farm.submit_two_versions()

    response = farm.get(f"/veterinary/{FARM}/versions")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["member"] == FARM
    versions = body["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["files"] == ["deliveries.csv", "treatments.csv"]
    assert versions[1]["iri"].endswith(f"/veterinary/{FARM}/version/2")
    assert versions[0]["member"] == MEMBER_IRI + FARM
    assert "products" not in versions[0], "a veterinary version records no product count"
    assert versions[0]["warnings"] == 0


def test_kinds_listed_separately(farm: Farm) -> None:
    farm.submit_two_versions()
    catalogue = farm.submit([("catalogue.csv", CATALOGUE)])

    veterinary = farm.get(f"/veterinary/{FARM}/versions").json()["versions"]
    catalogues = farm.get(f"/catalogues/{FARM}/versions").json()["versions"]

    assert catalogue.status_code == 201, catalogue.text
    assert [v["version"] for v in veterinary] == [1, 2]
    assert [v["version"] for v in catalogues] == [1]
    assert catalogues[0]["products"] == 1


def test_version_as_turtle(farm: Farm) -> None:
    farm.submit_two_versions()

    response = farm.get(f"/veterinary/{FARM}/versions/1", Accept="text/turtle")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert len(set(graph.subjects(RDF.type, VIC.VeterinaryTreatment))) == 3
    assert len(set(graph.subjects(RDF.type, VIC.MilkDelivery))) == 4


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("", "turtle"),
    ],
)
def test_version_negotiated(farm: Farm, accept: str, rdflib_format: str) -> None:
    farm.submit_two_versions()

    response = farm.get(f"/veterinary/{FARM}/versions/2", Accept=accept)

    assert response.status_code == 200, response.text
    graph = Graph().parse(data=response.text, format=rdflib_format)
    assert len(set(graph.subjects(RDF.type, VIC.VeterinaryTreatment))) == 3


def test_version_not_acceptable(farm: Farm) -> None:
    farm.submit_two_versions()

    response = farm.get(f"/veterinary/{FARM}/versions/1", Accept="text/csv")

    assert response.status_code == 406
    assert "text/turtle" in response.json()["message"]
    assert "ветеринарных журналов" in response.json()["message"]


# --- the diff ----------------------------------------------------------------------------------


def test_diff_treatments(farm: Farm) -> None:
    farm.submit_two_versions()

    response = farm.get(f"/veterinary/{FARM}/diff?from=1&to=2")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["member"], body["from"], body["to"]) == (FARM, 1, 2)
    treatments = body["treatments"]
    assert [t["name"] for t in treatments["added"]] == [
        "Г-04 · Клоксациллин интрацистернальный · 2026-11-18"
    ]
    assert [t["name"] for t in treatments["removed"]] == [
        "Г-05 · Цефтиофур инъекционный · 2026-11-20"
    ]
    assert [t["name"] for t in treatments["changed"]] == [
        "Г-02 · Окситетрациклин инъекционный · 2026-11-10"
    ]


def test_diff_treatment_details(farm: Farm) -> None:
    farm.submit_two_versions()

    treatments = farm.get(f"/veterinary/{FARM}/diff?from=1&to=2").json()["treatments"]

    added = treatments["added"][0]
    assert added["key"] == {
        "vic:animalGroup": "Г-04",
        "vic:preparation": "Клоксациллин интрацистернальный",
        "vic:treatmentDate": "2026-11-18",
    }
    assert added["values"]["vic:atcvetCode"] == ["QJ51CF02"]
    assert added["values"]["vic:milkWithdrawalDays"] == ["6"]
    assert added["row"] == 1
    assert treatments["removed"][0]["values"]["vic:atcvetCode"] == ["QJ01DD90"]
    changed = treatments["changed"][0]
    assert changed["changes"] == {"vic:milkWithdrawalDays": {"from": ["7"], "to": ["10"]}}
    assert (changed["from"]["row"], changed["to"]["row"]) == (2, 3)


def test_diff_deliveries(farm: Farm) -> None:
    farm.submit_two_versions()

    deliveries = farm.get(f"/veterinary/{FARM}/diff?from=1&to=2").json()["deliveries"]

    assert [d["name"] for d in deliveries["added"]] == ["2026-11-28 · Молочный завод №3"]
    assert [d["name"] for d in deliveries["removed"]] == ["2026-11-21 · Молочный завод №1"]
    changed = _by_name(deliveries["changed"])
    assert list(changed) == ["2026-11-25 · Молочный завод №2"]
    assert changed["2026-11-25 · Молочный завод №2"]["changes"] == {
        "vic:volumeLitres": {"from": ["900"], "to": ["950"]}
    }
    assert deliveries["added"][0]["key"] == {
        "vic:deliveryDate": "2026-11-28",
        "vic:recipient": "Молочный завод №3",
    }
    assert deliveries["added"][0]["values"]["vic:animalGroup"] == ["Г-01"]


def test_diff_reversed(farm: Farm) -> None:
    farm.submit_two_versions()

    forward = farm.get(f"/veterinary/{FARM}/diff?from=1&to=2").json()
    backward = farm.get(f"/veterinary/{FARM}/diff?from=2&to=1").json()

    for kind in ("treatments", "deliveries"):
        names = {part: [r["name"] for r in forward[kind][part]] for part in forward[kind]}
        back = {part: [r["name"] for r in backward[kind][part]] for part in backward[kind]}
        assert back["added"] == names["removed"], kind
        assert back["removed"] == names["added"], kind
        assert back["changed"] == names["changed"], kind
    change = backward["treatments"]["changed"][0]["changes"]
    assert change == {"vic:milkWithdrawalDays": {"from": ["10"], "to": ["7"]}}


def test_diff_same_version_empty(farm: Farm) -> None:
    farm.submit_two_versions()

    body = farm.get(f"/veterinary/{FARM}/diff?from=2&to=2").json()

    empty: dict[str, list[object]] = {"added": [], "removed": [], "changed": []}
    assert body["treatments"] == empty
    assert body["deliveries"] == empty


# --- errors ------------------------------------------------------------------------------------


def test_missing_version_names_stored(farm: Farm) -> None:
    farm.submit_two_versions()

    russian = farm.get(f"/veterinary/{FARM}/versions/7")
    english = farm.get(f"/veterinary/{FARM}/versions/7", **{"Accept-Language": "en"})

    assert russian.status_code == 404
    assert russian.json()["error"] == "version_not_found"
    assert "нет версии 7" in russian.json()["message"]
    assert "1–2" in russian.json()["message"]
    assert f"GET /veterinary/{FARM}/versions" in russian.json()["message"]
    assert "no version 7" in english.json()["message"]
    assert "1–2" in english.json()["message"]


@pytest.mark.parametrize("query", ["from=1&to=9", "from=9&to=1"])
def test_diff_missing_version_404(farm: Farm, query: str) -> None:
    farm.submit_two_versions()

    response = farm.get(f"/veterinary/{FARM}/diff?{query}")

    assert response.status_code == 404
    assert "9" in response.json()["message"]
    assert "1–2" in response.json()["message"]


def test_no_versions_yet(farm: Farm) -> None:
    listed = farm.get(f"/veterinary/{FARM}/versions")
    missing = farm.get(f"/veterinary/{FARM}/versions/1", **{"Accept-Language": "en"})

    assert listed.status_code == 200
    assert listed.json()["versions"] == []
    assert missing.status_code == 404
    assert missing.json()["error"] == "version_not_found"
    assert "no version is stored yet" in missing.json()["message"]
    assert "POST /catalogues" in missing.json()["message"]


@pytest.mark.parametrize(
    "path", ["/versions", "/versions/1", "/diff?from=1&to=2"], ids=["list", "one", "diff"]
)
def test_unknown_member_404(farm: Farm, path: str) -> None:
    response = farm.get(f"/veterinary/no-such-farm{path}")

    assert response.status_code == 404
    assert response.json()["error"] == "member_not_found"
    assert "no-such-farm" in response.json()["message"]


@pytest.mark.parametrize("query", ["from=0&to=1", "from=1", "from=a&to=2"])
def test_diff_bad_query_rejected(farm: Farm, query: str) -> None:
    response = farm.get(f"/veterinary/{FARM}/diff?{query}")

    assert response.status_code in {400, 422}, response.text


def test_invalid_slug_rejected(farm: Farm) -> None:
    response = farm.get("/veterinary/Ferma%201/versions")

    assert response.status_code == 400
    assert "molochnyj-zavod-1" in response.json()["message"], "the message shows a valid slug"


def test_closed_reading_needs_token(service_factory: ServiceFactory, tmp_path: Path) -> None:
    registry = TokenRegistry(tmp_path / "tokens.json")
    analyst = registry.create(Role.ANALYST, label="analyst")[1]
    service = service_factory(load_demo=False, allow_anonymous_read=False)
    register_member(service, FARM)

    with TestClient(create_app(service.settings, service=service)) as client:
        anonymous = client.get(f"/veterinary/{FARM}/versions")
        with_token = client.get(
            f"/veterinary/{FARM}/versions", headers={"Authorization": f"Bearer {analyst}"}
        )

    assert anonymous.status_code == 401
    assert with_token.status_code == 200


# --- helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numbers", "text"),
    [([1], "1"), ([1, 2, 3], "1–3"), ([1, 2, 4], "1–2, 4"), ([2, 5, 6, 7, 9], "2, 5–7, 9")],
)
def test_number_ranges(numbers: list[int], text: str) -> None:
    assert number_ranges(numbers) == text
