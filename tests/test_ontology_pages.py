"""Term pages and the whole ontology over HTTP: content negotiation, languages, 404s."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from vic_semantic.namespaces import ONTOLOGY_IRI, VIC

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

RDF_TYPES = [
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
    ("application/n-triples", "nt"),
]


def _parse(response_text: str, rdf_format: str) -> Graph:
    graph = Graph()
    graph.parse(data=response_text, format=rdf_format)
    return graph


@pytest.mark.parametrize(("media_type", "rdf_format"), RDF_TYPES)
def test_term_rdf_parses(client: TestClient, media_type: str, rdf_format: str) -> None:
    response = client.get("/ontology/Kefir", headers={"Accept": media_type})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    graph = _parse(response.text, rdf_format)
    assert (VIC.Kefir, RDFS.subClassOf, VIC.FermentedMilkProduct) in graph
    assert (VIC.Kefir, RDFS.label, Literal("кефір", lang="be")) in graph


def test_term_rdf_is_bounded(client: TestClient) -> None:
    graph = _parse(client.get("/ontology/Kefir", headers={"Accept": "text/turtle"}).text, "turtle")

    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}

    assert subjects == {VIC.Kefir}


def test_term_rdf_includes_union_domain(client: TestClient) -> None:
    # The domain of vic:animalGroup is a blank-node union; the description must carry it.
    response = client.get("/ontology/animalGroup", headers={"Accept": "text/turtle"})

    assert "owl:unionOf" in response.text
    assert "vic:MilkDelivery" in response.text


@pytest.mark.parametrize(("media_type", "rdf_format"), RDF_TYPES)
def test_whole_ontology_parses(client: TestClient, media_type: str, rdf_format: str) -> None:
    response = client.get("/ontology", headers={"Accept": media_type})

    assert response.status_code == 200
    graph = _parse(response.text, rdf_format)
    assert len(graph) > 2000
    assert (ONTOLOGY_IRI, None, None) in graph


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get("/ontology/Kefir?format=ttl", headers={"Accept": "text/html"})

    assert response.headers["content-type"].startswith("text/turtle")


def test_unknown_format_parameter_rejected(client: TestClient) -> None:
    response = client.get("/ontology/Kefir?format=pdf")

    assert response.status_code == 400
    assert "ttl" in response.json()["message"]


def test_unacceptable_type_is_406(client: TestClient) -> None:
    response = client.get("/ontology/Kefir", headers={"Accept": "application/pdf"})

    assert response.status_code == 406
    assert "text/turtle" in response.json()["message"]


def test_whole_ontology_unacceptable_type_is_406(client: TestClient) -> None:
    response = client.get("/ontology", headers={"Accept": "image/png"})

    assert response.status_code == 406


def test_browser_gets_russian_html(client: TestClient) -> None:
    response = client.get("/ontology/Kefir", headers={"Accept": BROWSER_ACCEPT})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == "ru"
    assert "<h1>кефир</h1>" in response.text
    assert "кефір" in response.text
    assert "Надклассы" in response.text
    assert 'href="/ontology/FermentedMilkProduct"' in response.text


def test_html_lists_standards_and_codes(client: TestClient) -> None:
    text = client.get("/ontology/Kefir", headers={"Accept": "text/html"}).text

    assert "ГОСТ 31454-2012" in text
    assert "ТР ТС 033/2013" in text
    assert "0403" in text


def test_html_lists_properties_with_domain(client: TestClient) -> None:
    text = client.get("/ontology/FoodProduct", headers={"Accept": "text/html"}).text

    assert 'href="/ontology/gtin"' in text
    assert 'href="/ontology/DairyProduct"' in text


def test_lang_parameter_gives_english(client: TestClient) -> None:
    response = client.get("/ontology/Kefir?lang=en", headers={"Accept": "text/html"})

    assert response.headers["content-language"] == "en"
    assert "<h1>kefir</h1>" in response.text
    assert "Superclasses" in response.text


def test_accept_language_gives_english(client: TestClient) -> None:
    response = client.get(
        "/ontology/Kefir", headers={"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.9"}
    )

    assert "<h1>kefir</h1>" in response.text


def test_unknown_term_404_lists_close_matches(client: TestClient) -> None:
    response = client.get("/ontology/Kefirr", headers={"Accept": "application/ld+json"})

    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "term_not_found"
    assert "Kefirr" in body["messages"]["ru"]
    assert "Kefirr" in body["messages"]["en"]
    assert body["details"]["close_matches"][0]["term"] == "Kefir"


def test_unknown_term_case_mismatch_suggests_term(client: TestClient) -> None:
    body = client.get("/ontology/foodproduct").json()

    assert body["details"]["close_matches"][0]["href"] == "/ontology/FoodProduct"


def test_unknown_term_html_is_bilingual(client: TestClient) -> None:
    response = client.get("/ontology/Kefirr", headers={"Accept": BROWSER_ACCEPT})

    assert response.status_code == 404
    assert "Термин не найден" in response.text
    assert "Term not found" in response.text
    assert 'href="/ontology/Kefir"' in response.text


def test_overview_html_shows_version(client: TestClient) -> None:
    response = client.get("/ontology", headers={"Accept": BROWSER_ACCEPT})

    assert response.status_code == 200
    assert "1.0.0" in response.text
    assert "https://w3id.org/vic-semantic/ontology/0.2.0" in response.text
    assert 'href="/ontology/Kefir"' in response.text


def test_docs_list_every_term(client: TestClient) -> None:
    response = client.get("/ontology/docs")

    assert response.status_code == 200
    for name in ("Kefir", "appliesToClass", "milkWithdrawalDays", "InForce", "validIn"):
        assert f'href="/ontology/{name}"' in response.text, name


def test_docs_english(client: TestClient) -> None:
    response = client.get("/ontology/docs?lang=en")

    assert "Class tree" in response.text
    assert "dairy product" in response.text


def test_pages_are_mobile_ready(client: TestClient) -> None:
    text = client.get("/ontology/Kefir", headers={"Accept": "text/html"}).text

    assert 'name="viewport"' in text
    assert "http://" not in text.split("<body>")[0].replace("http://www.w3.org", "")
    assert "https://" not in text.split("<body>")[0]


def test_property_page_shows_domain_and_range(client: TestClient) -> None:
    text = client.get("/ontology/animalGroup?lang=en", headers={"Accept": "text/html"}).text

    assert 'href="/ontology/VeterinaryTreatment"' in text
    assert 'href="/ontology/AnimalGroup"' in text


def test_home_page_still_renders(client: TestClient) -> None:
    response = client.get("/", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "SPARQL" in response.text


def test_json_ld_uses_project_context(client: TestClient) -> None:
    body = json.loads(client.get("/ontology/Kefir", headers={"Accept": "application/ld+json"}).text)

    assert body["@context"]["vic"] == str(VIC)
