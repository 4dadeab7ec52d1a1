"""The /api/cluster endpoints and the portal pages, over the demo store."""

from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree

from fastapi.testclient import TestClient

from api.routers.home import EXAMPLE_QUERY

MEMBER = "https://w3id.org/vic-semantic/id/member/"


def test_coverage_endpoint(client: TestClient) -> None:
    body = client.get("/api/cluster/coverage?lang=en").json()

    assert [stage["order"] for stage in body["stages"]] == [1, 2, 3, 4, 5]
    first = body["stages"][0]["members"][0]["iri"]
    assert first == MEMBER + "institut-molochnoj-promyshlennosti-uslovnyj"
    assert body["stageGaps"] == []
    assert {region["label"] for region in body["regions"]} >= {"Moscow"}


def test_closeness_endpoint(client: TestClient) -> None:
    response = client.get(
        "/api/cluster/closeness",
        params={
            "a": "torgovyj-dom-moskva",
            "b": MEMBER + "bank-razvitiya-agropromyshlennogo-kompleksa-uslovnyj",
        },
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["technical"] == {
        "value": 0.75, "formatJaccard": 0.5, "sharedFormats": 1, "bothApi": True
    }
    assert body["semantic"] is None
    trust = body["trust"]
    assert trust["value"] == 0.0
    assert trust["components"] == {
        "dataConsistency": None, "agreements": 0.0, "acceptedSubmissions": None, "freshness": None
    }
    missing = {part["component"] for part in trust["notAvailable"]}
    assert missing == {"data_consistency", "accepted_submissions", "freshness"}


def test_closeness_unknown_member_404(client: TestClient) -> None:
    response = client.get("/api/cluster/closeness", params={"a": "nobody", "b": "sovet-klastera"})

    assert response.status_code == 404
    assert "nobody" in response.json()["message"]


def test_closeness_same_member_400(client: TestClient) -> None:
    response = client.get(
        "/api/cluster/closeness", params={"a": "sovet-klastera", "b": "sovet-klastera"}
    )

    assert response.status_code == 400


def test_closeness_matrix_endpoint(client: TestClient) -> None:
    body = client.get("/api/cluster/closeness/matrix").json()

    assert len(body["members"]) == 27
    assert len(body["pairs"]) == 27 * 26 // 2


def test_queries_list_in_request_language(client: TestClient) -> None:
    russian = client.get("/api/cluster/queries", headers={"Accept-Language": "ru"}).json()
    english = client.get("/api/cluster/queries", headers={"Accept-Language": "en"}).json()

    titles_ru = {q["id"]: q["title"] for q in russian}
    titles_en = {q["id"]: q["title"] for q in english}
    assert titles_ru["members-with-api"] == "Участники с API"
    assert titles_en["members-with-api"] == "Members with an API"
    assert len(russian) >= 20


def test_query_as_csv(client: TestClient) -> None:
    response = client.get(
        "/api/cluster/queries/members-outside-territory", headers={"Accept": "text/csv"}
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["regionName"] for row in rows] == ["Минская область"]


def test_query_download_header(client: TestClient) -> None:
    response = client.get("/api/cluster/queries/catalogue-sizes?format=json")

    assert response.status_code == 200
    assert 'filename="catalogue-sizes.json"' in response.headers["content-disposition"]
    assert len(response.json()["results"]["bindings"]) == 3


def test_query_unknown_404(client: TestClient) -> None:
    response = client.get("/api/cluster/queries/no-such-query")

    assert response.status_code == 404
    assert "no-such-query" in response.json()["message"]


def test_query_unacceptable_406(client: TestClient) -> None:
    response = client.get("/api/cluster/queries/catalogue-sizes", headers={"Accept": "image/png"})

    assert response.status_code == 406


def test_query_bad_format_400(client: TestClient) -> None:
    response = client.get("/api/cluster/queries/catalogue-sizes?format=xml")

    assert response.status_code == 400


def test_members_endpoint(client: TestClient) -> None:
    members = client.get("/api/cluster/members?lang=en").json()

    assert len(members) == 27
    outside = [m["name"] for m in members if m["region"]["label"] == "Minsk region"]
    assert len(outside) == 1


def test_member_detail_endpoint(client: TestClient) -> None:
    body = client.get("/api/cluster/members/myasokombinat-1").json()

    assert body["catalogueProducts"] == 20
    assert sum(item["products"] for item in body["productClasses"]) == 20


def test_member_detail_unknown_404(client: TestClient) -> None:
    assert client.get("/api/cluster/members/nobody").status_code == 404


def test_home_shows_cluster_and_example(client: TestClient) -> None:
    text = client.get("/").text

    assert '<label for="query">' in text
    assert "GROUP BY ?plant ?productClass" in text
    assert EXAMPLE_QUERY.splitlines()[3] in text  # the SELECT line, which has no < or >
    assert "Участники по типам" in text
    assert "промышленная организация" in text
    assert "Гомельская область" in text


def test_home_in_english(client: TestClient) -> None:
    by_param = client.get("/?lang=en")
    by_header = client.get("/", headers={"Accept-Language": "en"})

    for response in (by_param, by_header):
        assert response.headers["content-language"] == "en"
        assert "Members by kind" in response.text
        assert '<html lang="en">' in response.text


def test_pages_have_landmarks(client: TestClient) -> None:
    for path in ("/", "/members", "/members/molochnyj-zavod-1", "/editor", "/upload", "/analytics"):
        text = client.get(path).text
        assert "<main" in text, path
        assert re.search(r"<nav aria-label=", text), path
        assert 'class="skip-link"' in text, path


def test_member_page(client: TestClient) -> None:
    text = client.get("/members/fabrika-morozhenogo").text

    assert "<h1>Фабрика мороженого</h1>" in text
    assert "пломбир" in text
    assert "ГОСТ 31457-2012" in text


def test_member_page_unknown_404(client: TestClient) -> None:
    assert client.get("/members/nobody").status_code == 404


def test_editor_lists_named_queries(client: TestClient) -> None:
    text = client.get("/editor").text

    assert '<option value="milk-under-withdrawal">Молоко в период ожидания</option>' in text
    assert "/static/vendor/yasgui/yasgui.min.js" in text
    assert "cdn" not in text.lower()


def test_vendored_editor_served(client: TestClient) -> None:
    response = client.get("/static/vendor/yasgui/yasgui.min.js")

    assert response.status_code == 200
    assert len(response.content) > 100_000


def test_coverage_chart_svg(client: TestClient) -> None:
    response = client.get("/portal/charts/coverage.svg?lang=en")

    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "<title" in response.text
    assert "stage of production" in response.text.lower() or "production" in response.text


def test_closeness_chart_svg(client: TestClient) -> None:
    text = client.get("/portal/charts/closeness.svg?measure=semantic").text

    assert text.startswith("<svg")
    # Dairy and ice cream share vic:DairyProduct; dairy and meat both cite ГОСТ 23670-2019.
    assert text.count("<line") == 2
    assert "Фабрика мороженого" in text


def test_trust_chart_svg(client: TestClient) -> None:
    response = client.get("/portal/charts/closeness.svg?measure=trust")
    text = response.text

    assert response.status_code == 200
    assert ElementTree.fromstring(text).tag == "{http://www.w3.org/2000/svg}svg"
    # Three pairs of the members with catalogues (consistency above 0) and five pairs bound
    # by an agreement in force share the pair Молочный завод №1 – Мясокомбинат №1, so
    # 3 + 5 - 1 = 7 lines. The agreement of Фабрика мороженого and Торговый дом «Москва» ended.
    assert text.count("<line") == 7
    assert "Лаборатория испытаний" in text
    assert "Торговый дом «Москва»" not in text


def test_coverage_chart_is_valid_svg(client: TestClient) -> None:
    text = client.get("/portal/charts/coverage.svg").text

    assert ElementTree.fromstring(text).tag == "{http://www.w3.org/2000/svg}svg"


def test_analytics_page_ranks_trust(client: TestClient) -> None:
    response = client.get("/analytics?measure=trust")

    assert response.status_code == 200
    assert "/portal/charts/closeness.svg?lang=ru&amp;measure=trust" in response.text
    assert "Лаборатория испытаний" in response.text
