"""The mapping-review page as served HTML: both languages, labels, the token field, classes."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient


class PageParser(HTMLParser):
    """Collect the attributes of every element and the text of the page's JSON scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.scripts: dict[str, str] = {}
        self._open: list[str] = []
        self._script_id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs), list(self._open)))
        if tag not in {"input", "meta", "link", "br"}:
            self._open.append(tag)
        if tag == "script":
            self._script_id = dict(attrs).get("id")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open.pop() != tag:
                pass
        if tag == "script":
            self._script_id = None

    def handle_data(self, data: str) -> None:
        if self._script_id:
            self.scripts[self._script_id] = self.scripts.get(self._script_id, "") + data

    def find(self, tag: str, **attrs: str) -> list[tuple[dict[str, str | None], list[str]]]:
        return [
            (found, ancestors)
            for name, found, ancestors in self.elements
            if name == tag and all(found.get(key) == value for key, value in attrs.items())
        ]


def parse(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    return parser


@pytest.mark.parametrize(
    ("query", "lang", "heading", "button"),
    [
        ("", "ru", "Сопоставление каталога с онтологией", "Сопоставить"),
        ("?lang=en", "en", "Catalogue mapping to the ontology", "Map"),
    ],
)
def test_mapping_page_renders_language(
    client: TestClient, query: str, lang: str, heading: str, button: str
) -> None:
    response = client.get("/mapping" + query)

    assert response.status_code == 200
    assert response.headers["content-language"] == lang
    assert f'<html lang="{lang}">' in response.text
    assert f"<h1>{heading}</h1>" in response.text
    assert f'<button type="submit">{button}</button>' in response.text
    assert f'href="/mapping?lang={lang}" aria-current="page"' in response.text


def test_mapping_page_follows_accept_language(client: TestClient) -> None:
    response = client.get("/mapping", headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert response.headers["content-language"] == "en"
    assert "<h1>Catalogue mapping to the ontology</h1>" in response.text


def test_mapping_page_has_landmarks_and_script(client: TestClient) -> None:
    page = parse(client.get("/mapping").text)

    assert page.find("main", id="content")
    assert page.find("nav", **{"aria-label": "Основные разделы"})
    assert page.find("a", **{"class": "skip-link", "href": "#content"})
    assert page.find("script", src="/static/mapping.js")
    assert page.find("div", id="mapping-status", role="status")
    assert page.find("div", id="save-status", role="status")
    assert client.get("/static/mapping.js").status_code == 200


def test_mapping_page_labels_every_field(client: TestClient) -> None:
    page = parse(client.get("/mapping").text)
    labelled = {attrs.get("for") for attrs, _ in page.find("label")}

    inputs = [attrs for attrs, _ in page.find("input")]
    selects = [attrs for attrs, _ in page.find("select")]
    fields = inputs + selects

    assert fields
    for attrs in fields:
        assert attrs.get("id") in labelled, attrs


def test_token_field_never_submitted(client: TestClient) -> None:
    page = parse(client.get("/mapping").text)

    [(token, ancestors)] = page.find("input", id="member-token")

    assert token.get("type") == "password"
    assert token.get("autocomplete") == "off"
    # Without a name, and outside every form, no form submission can carry the token.
    assert "name" not in token
    assert "form" not in ancestors


def test_class_list_holds_product_classes(client: TestClient) -> None:
    russian = json.loads(parse(client.get("/mapping").text).scripts["product-classes"])
    english = json.loads(parse(client.get("/mapping?lang=en").text).scripts["product-classes"])

    by_curie_ru = {option["curie"]: option for option in russian}
    by_curie_en = {option["curie"]: option for option in english}

    assert by_curie_ru["vic:Kefir"] == {"curie": "vic:Kefir", "term": "Kefir", "label": "кефир"}
    assert by_curie_en["vic:Kefir"]["label"] == "kefir"
    assert "vic:Plombir" in by_curie_ru
    assert "vic:CookedSausage" in by_curie_ru
    assert "vic:ClusterMember" not in by_curie_ru
    assert by_curie_ru.keys() == by_curie_en.keys()


def test_other_pages_link_mapping(client: TestClient) -> None:
    for path in ("/", "/members", "/upload?lang=en"):
        text = client.get(path).text
        assert 'href="/mapping?lang=' in text, path
