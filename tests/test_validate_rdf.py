"""POST /validate: RDF in, the SHACL report out."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

KEFIR = """
@prefix vic: <https://w3id.org/vic-semantic/ontology/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/p/1> a vic:Kefir ;
    vic:productName "Кефир 2,5 %"@ru ;
    vic:gtin "9520001000051" ;
    vic:fatMassFraction "2.5"^^xsd:decimal .
"""


def _gtin_results(body: dict[str, object]) -> list[dict[str, object]]:
    results = body["results"]
    assert isinstance(results, list)
    return [r for r in results if str(r["path"]).endswith("gtin")]


def test_turtle_report_as_json(client: TestClient) -> None:
    response = client.post(
        "/validate", content=KEFIR.encode(), headers={"Content-Type": "text/turtle"}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conforms"] is False
    gtin = _gtin_results(body)
    assert len(gtin) == 1
    assert gtin[0]["focusNode"] == "https://example.org/p/1"
    assert gtin[0]["value"] == "9520001000051"
    assert gtin[0]["severity"] == "Violation"


def test_json_ld_input_english_messages(client: TestClient) -> None:
    document = {
        "@id": "https://example.org/p/2",
        "@type": "https://w3id.org/vic-semantic/ontology/Kefir",
        "https://w3id.org/vic-semantic/ontology/gtin": "9520001000051",
    }
    response = client.post(
        "/validate",
        content=json.dumps(document).encode(),
        headers={"Content-Type": "application/ld+json", "Accept-Language": "en"},
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == "en"
    messages = [str(r["message"]) for r in _gtin_results(response.json())]
    assert any("check digit" in message for message in messages)


def test_conforming_data(client: TestClient) -> None:
    response = client.post(
        "/validate",
        content=b'<https://example.org/a> <https://example.org/p> "1" .',
        headers={"Content-Type": "application/n-triples"},
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"conforms": True, "results": []}


def test_report_as_turtle(client: TestClient) -> None:
    response = client.post(
        "/validate",
        content=KEFIR.encode(),
        headers={"Content-Type": "text/turtle", "Accept": "text/turtle"},
    )

    assert response.status_code == 200, response.text
    assert "sh:conforms false" in response.text


def test_syntax_error_names_line(client: TestClient) -> None:
    response = client.post(
        "/validate",
        content=b"<https://example.org/a> <https://example.org/p> 1 .\n<https://example.org/b> .",
        headers={"Content-Type": "text/turtle", "Accept-Language": "en"},
    )

    assert response.status_code == 400, response.text
    assert response.json()["line"] == 2


def test_unsupported_type_is_415(client: TestClient) -> None:
    response = client.post("/validate", content=b"a,b", headers={"Content-Type": "text/csv"})

    assert response.status_code == 415, response.text
    assert "text/turtle" in response.json()["message"]
