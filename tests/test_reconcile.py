"""Reconciliation Service API 0.2: every response checked against the published JSON Schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMA_BASE = "https://reconciliation-api.github.io/specs/0.2/schemas/"
# Example folders checked against a part of a schema rather than a whole schema file.
PART_SCHEMAS = {
    "reconciliation-candidate": SCHEMA_BASE
    + "reconciliation-result-batch.json#/patternProperties/^.*$/properties/result/items",
}
# Example folders that no schema of the folder describes. The security-scheme examples are
# OpenAPI 3 schemes ({"type": "http", "scheme": "basic"}), while the manifest schema refers
# to the Swagger 2 definition ({"type": "basic"}).
UNCHECKED_EXAMPLES = {
    "data-extension-metadata",
    "flyout-response",
    "preview-metadata",
    "security-scheme",
    "suggest-metadata",
}

KEFIR_1 = "product/molochnyj-zavod-1/mz1-0004"
KEFIR_1_GTIN = "9520001000041"


class Schemas:
    """All schemas of the API registered together, since they refer to each other by name."""

    def __init__(self, folder: Path) -> None:
        resources: list[tuple[str, Resource[Any]]] = []
        for path in sorted(folder.glob("*.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            resource = DRAFT7.create_resource(contents)
            resources.append((SCHEMA_BASE + path.name, resource))
            declared = contents.get("$id", "")
            if declared:
                resources.append((declared.rstrip("#"), resource))
                resources.append((declared, resource))
        self.registry: Registry[Any] = Registry().with_resources(resources)
        self.names = {path.stem for path in folder.glob("*.json")}

    def validator(self, name: str) -> Draft7Validator:
        """Return a validator for a schema file name (no .json) or an absolute reference."""
        uri = name if "://" in name else SCHEMA_BASE + name + ".json"
        return Draft7Validator({"$ref": uri}, registry=self.registry)

    def errors(self, name: str, instance: object) -> list[str]:
        return [error.message for error in self.validator(name).iter_errors(instance)]


@pytest.fixture(scope="module")
def schemas(shared: Path) -> Schemas:
    folder = shared / "reconciliation" / "0.2" / "schemas"
    if not folder.is_dir():
        pytest.skip(f"reconciliation schemas not found at {folder}")
    return Schemas(folder)


def reconcile(client: TestClient, queries: dict[str, Any], lang: str = "ru") -> Any:
    response = client.post(
        "/reconcile", data={"queries": json.dumps(queries)}, headers={"Accept-Language": lang}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_published_examples_validate(shared: Path, schemas: Schemas) -> None:
    examples = shared / "reconciliation" / "0.2" / "examples"
    checked = 0
    for folder in sorted(p for p in examples.iterdir() if p.is_dir()):
        if folder.name in UNCHECKED_EXAMPLES:
            continue
        schema = PART_SCHEMAS.get(folder.name, folder.name)
        assert "://" in schema or schema in schemas.names, f"no schema for {folder.name}"
        for path in sorted(folder.glob("valid/*.json")):
            instance = json.loads(path.read_text(encoding="utf-8"))
            assert schemas.errors(schema, instance) == [], path
            checked += 1
        for path in sorted(folder.glob("invalid/*.json")):
            instance = json.loads(path.read_text(encoding="utf-8"))
            assert schemas.errors(schema, instance) != [], path
            checked += 1
    assert checked >= 40


def test_manifest_validates(client: TestClient, schemas: Schemas) -> None:
    response = client.get("/reconcile")

    assert response.status_code == 200
    manifest = response.json()
    assert schemas.errors("manifest", manifest) == []
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://w3id.org/vic-semantic/id/"
    assert {"FoodProduct", "ClusterMember", "NormativeDocument"} <= {
        t["id"] for t in manifest["defaultTypes"]
    }
    assert manifest["suggest"]["entity"]["service_path"] == "/suggest/entity"


def test_manifest_names_in_english(client: TestClient) -> None:
    manifest = client.get("/reconcile", headers={"Accept-Language": "en"}).json()
    names = {t["id"]: t["name"] for t in manifest["defaultTypes"]}

    assert names["ClusterMember"] == "cluster member"
    assert "Gomel" in manifest["name"]


def test_exact_label_first_and_matched(client: TestClient, schemas: Schemas) -> None:
    batch = reconcile(client, {"q0": {"query": "Молочный завод №1", "limit": 5}})

    assert schemas.errors("reconciliation-result-batch", batch) == []
    result = batch["q0"]["result"]
    assert result[0]["id"] == "member/molochnyj-zavod-1"
    assert result[0]["match"] is True
    assert result[0]["score"] == 100
    assert all(candidate["match"] is False for candidate in result[1:])
    assert len(result) == 5


def test_id_lookup(client: TestClient, schemas: Schemas) -> None:
    full_iri = "https://w3id.org/vic-semantic/id/" + KEFIR_1
    batch = reconcile(client, {"short": {"query": KEFIR_1}, "iri": {"query": full_iri}})

    assert schemas.errors("reconciliation-result-batch", batch) == []
    for key in ("short", "iri"):
        first = batch[key]["result"][0]
        assert first["id"] == KEFIR_1
        assert first["match"] is True
        assert first["name"] == "Кефир 1% 900 г п/э"


def test_get_queries_parameter(client: TestClient, schemas: Schemas) -> None:
    response = client.get("/reconcile", params={"queries": json.dumps({"q": {"query": "кефир"}})})

    assert response.status_code == 200
    assert schemas.errors("reconciliation-result-batch", response.json()) == []
    assert response.json()["q"]["result"][0]["type"] == [{"id": "Kefir", "name": "кефир"}]


def test_type_filter(client: TestClient) -> None:
    batch = reconcile(
        client,
        {
            "any": {"query": "кефир", "limit": 20},
            "standards": {"query": "кефир", "type": "NormativeDocument", "limit": 20},
            "plombir": {"query": "кефир", "type": "Plombir"},
        },
    )

    assert any(c["id"].startswith("product/") for c in batch["any"]["result"])
    standards = batch["standards"]["result"]
    assert [c["id"] for c in standards] == ["standard/gost-31454-2012"]
    assert batch["plombir"]["result"] == []


def test_type_by_superclass(client: TestClient) -> None:
    batch = reconcile(client, {"q": {"query": "пломбир", "type": "vic:DairyProduct"}})
    result = batch["q"]["result"]

    assert result
    assert all(c["type"] == [{"id": "Plombir", "name": "пломбир"}] for c in result)


def test_property_condition_picks_gtin(client: TestClient, schemas: Schemas) -> None:
    batch = reconcile(
        client,
        {
            "q": {"query": "кефир", "properties": [{"pid": "gtin", "v": KEFIR_1_GTIN}]},
            "wrong": {"query": "кефир", "properties": [{"pid": "gtin", "v": "0000000000000"}]},
        },
    )

    assert schemas.errors("reconciliation-result-batch", batch) == []
    first = batch["q"]["result"][0]
    assert first["id"] == KEFIR_1
    assert first["match"] is True
    assert {"id": "property:gtin", "value": True} in first["features"]
    assert all(c["match"] is False for c in batch["wrong"]["result"])


def test_properties_only_query(client: TestClient, schemas: Schemas) -> None:
    batch = reconcile(
        client,
        {
            "designation": {"properties": [{"pid": "vic:designation", "v": "гост 31450-2013"}]},
            "manufacturer": {
                "query": "кефир",
                "properties": [{"pid": "manufacturer", "v": {"id": "member/molochnyj-zavod-1"}}],
            },
        },
    )

    assert schemas.errors("reconciliation-result-batch", batch) == []
    designation = batch["designation"]["result"]
    assert designation[0]["id"] == "standard/gost-31450-2013"
    assert designation[0]["match"] is True
    products = [c for c in batch["manufacturer"]["result"] if c["id"].startswith("product/")]
    assert products
    assert all({"id": "property:manufacturer", "value": True} in c["features"] for c in products)


def test_invalid_batch_is_rejected(client: TestClient) -> None:
    cases = {
        "not json": "{q0",
        "not an object": "[1, 2]",
        "no query": json.dumps({"q0": {"limit": 3}}),
        "bad strict": json.dumps({"q0": {"query": "кефир", "type_strict": "maybe"}}),
    }
    for name, text in cases.items():
        response = client.post("/reconcile", data={"queries": text})
        assert response.status_code == 400, name
        assert response.json()["error"] == "invalid_input", name
        assert response.json()["message"].startswith("Пакет запросов"), name


def test_post_without_queries(client: TestClient) -> None:
    response = client.post("/reconcile", data={"other": "1"})

    assert response.status_code == 400
    assert response.json()["error"] == "missing_queries"


def test_suggest_entity(client: TestClient, schemas: Schemas) -> None:
    response = client.get("/reconcile/suggest/entity", params={"prefix": "кеф"})

    assert response.status_code == 200
    body = response.json()
    assert schemas.errors("suggest-entities-response", body) == []
    assert KEFIR_1 in [item["id"] for item in body["result"]]


def test_suggest_entity_type_and_cursor(client: TestClient, schemas: Schemas) -> None:
    params: dict[str, str | int] = {"prefix": "молочн", "type": "ClusterMember", "limit": 3}
    first = client.get("/reconcile/suggest/entity", params=params).json()
    second = client.get("/reconcile/suggest/entity", params={**params, "cursor": 3}).json()

    assert schemas.errors("suggest-entities-response", first) == []
    assert len(first["result"]) == 3
    assert all(item["id"].startswith("member/") for item in first["result"])
    assert not {i["id"] for i in first["result"]} & {i["id"] for i in second["result"]}


def test_suggest_type(client: TestClient, schemas: Schemas) -> None:
    body = client.get("/reconcile/suggest/type", params={"prefix": "плом"}).json()
    english = client.get(
        "/reconcile/suggest/type", params={"prefix": "ice"}, headers={"Accept-Language": "en"}
    ).json()

    assert schemas.errors("suggest-types-response", body) == []
    assert schemas.errors("suggest-types-response", english) == []
    assert body["result"][0] == {"id": "Plombir", "name": "пломбир", "description": "plombir"}
    assert "IceCream" in [item["id"] for item in english["result"]]


def test_suggest_property(client: TestClient, schemas: Schemas) -> None:
    body = client.get("/reconcile/suggest/property", params={"prefix": "штрих"}).json()
    listed = client.get("/reconcile/suggest/property", params={"limit": 50}).json()

    assert schemas.errors("suggest-properties-response", body) == []
    assert schemas.errors("suggest-properties-response", listed) == []
    assert body["result"][0]["id"] == "gtin"
    assert {"tnvedCode", "designation"} <= {item["id"] for item in listed["result"]}


def test_propose_properties(client: TestClient, schemas: Schemas) -> None:
    kefir = client.get("/reconcile/extend/propose", params={"type": "Kefir"}).json()
    standard = client.get(
        "/reconcile/extend/propose", params={"type": "NormativeDocument", "limit": 3}
    ).json()

    assert schemas.errors("data-extension-property-proposal", kefir) == []
    assert schemas.errors("data-extension-property-proposal", standard) == []
    assert {"gtin", "tnvedCode", "manufacturer"} <= {p["id"] for p in kefir["properties"]}
    assert kefir["type"] == "Kefir"
    assert len(standard["properties"]) == 3


def test_propose_requires_type(client: TestClient) -> None:
    assert client.get("/reconcile/extend/propose").status_code == 400


def test_extend_values(client: TestClient, schemas: Schemas) -> None:
    query = {
        "ids": [KEFIR_1, "member/does-not-exist"],
        "properties": [
            {"id": "gtin"},
            {"id": "manufacturer"},
            {"id": "fatMassFraction"},
            {"id": "conformsTo"},
        ],
    }
    response = client.post("/reconcile", data={"extend": json.dumps(query)})

    assert response.status_code == 200
    body = response.json()
    assert schemas.errors("data-extension-response", body) == []
    row = body["rows"][KEFIR_1]
    assert row["gtin"] == [{"str": KEFIR_1_GTIN}]
    assert row["manufacturer"] == [{"id": "member/molochnyj-zavod-1", "name": "Молочный завод №1"}]
    assert row["fatMassFraction"] == [{"float": 1.0}]
    assert row["conformsTo"] == [{"id": "standard/gost-31454-2012", "name": "ГОСТ 31454-2012"}]
    assert body["rows"]["member/does-not-exist"]["gtin"] == []
    conforms = next(m for m in body["meta"] if m["id"] == "conformsTo")
    assert conforms["type"]["id"] == "NormativeDocument"


def test_extend_endpoint_and_language(client: TestClient, schemas: Schemas) -> None:
    query = {
        "ids": ["standard/gost-31450-2013"],
        "properties": [{"id": "title", "settings": {"limit": 1}}],
    }
    response = client.get(
        "/reconcile/extend",
        params={"extend": json.dumps(query)},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 200
    body = response.json()
    assert schemas.errors("data-extension-response", body) == []
    titles = body["rows"]["standard/gost-31450-2013"]["title"]
    assert len(titles) == 1
    assert titles[0]["str"].isascii()


def test_extend_rejects_bad_query(client: TestClient) -> None:
    response = client.post("/reconcile/extend", data={"extend": json.dumps({"ids": "x"})})

    assert response.status_code == 400
    assert "ids" in response.json()["message"]


def test_preview(client: TestClient) -> None:
    russian = client.get("/reconcile/preview", params={"id": KEFIR_1})
    english = client.get(
        "/reconcile/preview", params={"id": KEFIR_1}, headers={"Accept-Language": "en"}
    )

    assert russian.status_code == 200
    assert russian.headers["content-type"].startswith("text/html")
    assert "Кефир 1% 900 г п/э" in russian.text
    assert "изготовитель" in russian.text
    assert "Молочный завод №1" in russian.text
    assert "manufacturer" in english.text


def test_preview_unknown_entity(client: TestClient) -> None:
    response = client.get("/reconcile/preview", params={"id": "product/none/none"})

    assert response.status_code == 404
    assert response.json()["error"] == "entity_not_found"


def test_cors_for_openrefine(client: TestClient) -> None:
    response = client.get("/reconcile", headers={"Origin": "http://127.0.0.1:3333"})

    assert response.headers["access-control-allow-origin"] == "*"
