"""POST /catalogues: validated replacement of a member's catalogue, versions, diffs, reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ServiceFactory, register_member
from fastapi.testclient import TestClient
from rdflib import Graph

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.namespaces import PROV, VIC, catalogue_graph
from vic_semantic.service import VicService
from vic_semantic.store.base import Dataset
from vic_semantic.submissions.pipeline import (
    _claim_next_version,
    _store_version,
    convert_catalogue,
)
from vic_semantic.submissions.provenance import SubmissionRecord
from vic_semantic.submissions.versions import PROVENANCE_GRAPH, latest_version
from vic_semantic.validation.engine import default_ontology, validate_graph

MEMBER = "molochnyj-zavod-1"
VALID = "Артикул,Наименование,Штрихкод\nA-1,Товар без класса,\nA-2,Другой товар,\n".encode()
CHANGED = "Артикул,Наименование,Штрихкод\nA-1,Товар без класса (новый),\nA-3,Третий,\n".encode()


class World:
    def __init__(self, client: TestClient, service: VicService, tokens: dict[str, str]) -> None:
        self.client = client
        self.service = service
        self.tokens = tokens

    def post(self, body: bytes, who: str = "member", query: str = "", **headers: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"/catalogues{query}",
            files=[("file", ("catalogue.csv", body, "text/csv"))],
            headers={"Authorization": f"Bearer {self.tokens[who]}", **headers},
        )

    def count(self, query: str) -> int:
        rows = self.service.store.select(query, Dataset())
        return int(rows[0]["n"])


@pytest.fixture
def world(service_factory: ServiceFactory, tmp_path: Path) -> Iterator[World]:
    registry = TokenRegistry(tmp_path / "tokens.json")
    tokens = {
        "member": registry.create(Role.MEMBER, member=MEMBER)[1],
        "admin": registry.create(Role.ADMIN)[1],
    }
    service = service_factory(load_demo=False)
    register_member(service, MEMBER)
    with TestClient(create_app(service.settings, service=service)) as client:
        yield World(client, service, tokens)


def _products(world: World) -> int:
    return world.count(f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p <{VIC.inCatalogue}> ?c }}")


def test_valid_catalogue_stored(world: World, shared: Path) -> None:
    response = world.post(VALID)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["stored"] is True
    assert body["version"] == 1
    assert body["conforms"] is True
    assert len(body["results"]) == 2, "the two unclassified names are warnings"
    assert _products(world) == 2


def test_manufacturer_and_catalogue_of(world: World) -> None:
    world.post(VALID)

    rows = world.service.store.select(
        f"SELECT ?m ?o WHERE {{ GRAPH <{catalogue_graph(MEMBER)}> {{ "
        f"?p <{VIC.manufacturer}> ?m . ?c <{VIC.catalogueOf}> ?o }} }}"
    )

    assert {row["m"] for row in rows} == {f"https://w3id.org/vic-semantic/id/member/{MEMBER}"}
    assert {row["o"] for row in rows} == {f"https://w3id.org/vic-semantic/id/member/{MEMBER}"}


def test_rejected_changes_nothing(world: World, shared: Path) -> None:
    world.post(VALID)
    before = world.service.store.dump(__import__("pyoxigraph").RdfFormat.N_QUADS)
    invalid = (shared / "catalogues" / "dairy-plant-1c-export.csv").read_bytes()

    response = world.post(invalid)

    assert response.status_code == 422, response.text
    assert response.json()["stored"] is False
    assert response.json()["conforms"] is False
    after = world.service.store.dump(__import__("pyoxigraph").RdfFormat.N_QUADS)
    before_quads = set(before.decode().splitlines())
    after_quads = set(after.decode().splitlines())
    added = after_quads - before_quads
    assert before_quads <= after_quads, "a rejected submission removes nothing"
    assert added, "the rejected attempt is recorded"
    attempt_prefix = f"<https://w3id.org/vic-semantic/id/submission/{MEMBER}/rejected/"
    for quad in added:
        assert quad.split()[0].startswith(attempt_prefix), quad
        assert quad.endswith(f"<{PROVENANCE_GRAPH}> ."), quad


def test_rejection_recorded_without_data(world: World, shared: Path) -> None:
    invalid = (shared / "catalogues" / "dairy-plant-1c-export.csv").read_bytes()

    response = world.post(invalid)
    rows = world.service.store.select(
        f"SELECT ?attempt ?member ?violations WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ "
        f"?attempt a <{VIC.RejectedSubmission}> ; <{PROV.wasAssociatedWith}> ?member ; "
        f"<{VIC.rejectedViolationCount}> ?violations ; <{PROV.endedAtTime}> ?ended }} }}"
    )
    stored_names = world.count(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ "
        f"?s ?p ?o FILTER (?p IN (<{PROV.used}>, <{VIC.snapshot}>, <{VIC.sha256}>)) }} }}"
    )

    assert response.status_code == 422
    assert len(rows) == 1
    assert rows[0]["member"] == f"https://w3id.org/vic-semantic/id/member/{MEMBER}"
    violations = [r for r in response.json()["results"] if r["severity"] == "Violation"]
    assert int(rows[0]["violations"]) == len(violations)
    assert stored_names == 0, "a rejected submission stores no file, name or snapshot"
    assert _products(world) == 0


def test_dry_run_rejection_not_recorded(world: World, shared: Path) -> None:
    invalid = (shared / "catalogues" / "dairy-plant-1c-export.csv").read_bytes()

    response = world.post(invalid, query="?dry_run=true")
    attempts = world.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a a <{VIC.RejectedSubmission}> }}")

    assert response.status_code == 422
    assert attempts == 0


def test_dry_run_stores_nothing(world: World) -> None:
    response = world.post(VALID, query="?dry_run=true")

    assert response.status_code == 200, response.text
    assert response.json()["stored"] is False
    assert _products(world) == 0


def test_versions_provenance_and_diff(world: World) -> None:
    first = world.post(VALID)
    second = world.post(CHANGED)
    assert (first.status_code, second.status_code) == (201, 201)

    listed = world.client.get(f"/catalogues/{MEMBER}/versions").json()["versions"]
    old = world.client.get(f"/catalogues/{MEMBER}/versions/1", headers={"Accept": "text/turtle"})
    changes = world.client.get(f"/catalogues/{MEMBER}/diff?from=1&to=2").json()
    revision = world.service.store.select(
        f"SELECT ?old WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?new <{PROV.wasRevisionOf}> ?old }} }}"
    )

    assert [v["version"] for v in listed] == [1, 2]
    assert listed[0]["files"] == ["catalogue.csv"]
    assert old.status_code == 200
    assert len(set(Graph().parse(data=old.text, format="turtle").subjects(VIC.inCatalogue))) == 2
    assert [row["old"].rsplit("/", 1)[-1] for row in revision] == ["1"]
    assert [p.rsplit("/", 1)[-1] for p in changes["added"]] == ["a-3"]
    assert [p.rsplit("/", 1)[-1] for p in changes["removed"]] == ["a-2"]
    changed = next(iter(changes["changed"].values()))
    assert "vic:productName" in changed
    assert _products(world) == 2, "old versions are not counted in the union graph"


def test_checksum_recorded(world: World) -> None:
    world.post(VALID)

    rows = world.service.store.select(
        f"SELECT ?sum WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?f <{VIC.sha256}> ?sum }} }}"
    )

    assert [row["sum"] for row in rows] == [__import__("hashlib").sha256(VALID).hexdigest()]


def test_admin_needs_member(world: World) -> None:
    assert world.post(VALID, who="admin").status_code == 400
    assert world.post(VALID, who="admin", query=f"?member={MEMBER}").status_code == 201


def test_member_cannot_submit_for_other(world: World) -> None:
    response = world.post(VALID, query="?member=myasokombinat-1")

    assert response.status_code == 403
    assert _products(world) == 0


def test_missing_version_404(world: World) -> None:
    response = world.client.get(f"/catalogues/{MEMBER}/versions/7")

    assert response.status_code == 404
    assert "7" in response.json()["message"]


def test_html_report_groups_rows(world: World, shared: Path) -> None:
    invalid = (shared / "catalogues" / "dairy-plant-1c-export.csv").read_bytes()

    russian = world.post(invalid, query="?dry_run=true", Accept="text/html")
    english = world.post(
        invalid, query="?dry_run=true", Accept="text/html", **{"Accept-Language": "en"}
    )

    assert russian.status_code == 422
    assert russian.headers["content-type"].startswith("text/html")
    assert "<h2>catalogue.csv</h2>" in russian.text
    assert "Строка 5" in russian.text
    assert "9520001000051" in russian.text
    assert "Row 5" in english.text


def test_jsonld_report(world: World) -> None:
    response = world.post(VALID, query="?dry_run=true", Accept="application/ld+json")

    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="json-ld")
    assert len(graph) > 0


def test_validation_timeout_503(service_factory: ServiceFactory, shared: Path) -> None:
    service = service_factory(load_demo=False, validation_timeout_seconds=0.001)
    name = "dairy-plant-1c-export.csv"
    with TestClient(create_app(service.settings, service=service)) as client:
        response = client.post(
            "/catalogues/validate",
            files=[("file", (name, (shared / "catalogues" / name).read_bytes()))],
        )

    assert response.status_code == 503
    assert response.json()["error"] == "validation_timeout"


# Counts the product that only the CHANGED catalogue has.
THIRD_PRODUCT = 'SELECT (COUNT(*) AS ?n) WHERE { ?p ?name_of ?name FILTER(STR(?name) = "Третий") }'


def test_taken_version_number_not_overwritten(world: World) -> None:
    # Another process on the same remote store may store version 1 between this process's
    # read of the latest version and its write: the write must then change nothing.
    assert world.post(VALID).status_code == 201
    conversion = convert_catalogue([("catalogue.csv", CHANGED)], MEMBER, default_ontology())
    record = SubmissionRecord(
        slug=MEMBER,
        number=1,
        files=[("catalogue.csv", CHANGED)],
        started="2026-01-01T00:00:00.000+00:00",
        ended="2026-01-01T00:00:01.000+00:00",
        report=validate_graph(conversion.graph, "ru", ontology=default_ontology()),
        products=2,
        snapshot=conversion.graph.serialize(format="nt"),
    )
    before = _products(world)

    claimed = _store_version(world.service.store, MEMBER, conversion, record)

    assert claimed is False
    assert _products(world) == before
    assert latest_version(world.service.store, MEMBER) == 1
    assert world.count(THIRD_PRODUCT) == 0


def test_next_version_claimed_after_taken_one(world: World) -> None:
    assert world.post(VALID).status_code == 201
    conversion = convert_catalogue([("catalogue.csv", CHANGED)], MEMBER, default_ontology())

    number = _claim_next_version(
        world.service.store,
        MEMBER,
        conversion,
        [("catalogue.csv", CHANGED)],
        "2026-01-01T00:00:00.000+00:00",
        validate_graph(conversion.graph, "ru", ontology=default_ontology()),
    )

    assert number == 2
    assert latest_version(world.service.store, MEMBER) == 2
    assert world.count(THIRD_PRODUCT) == 1
