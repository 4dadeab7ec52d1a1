"""The analysts' named queries: each runs through /api/cluster/queries/{id} on the demo store
and must return exactly the rows of ``tests/named_queries/{id}.expected.json``.

Expected files hold ``{"vars": [...], "rows": [[...], ...]}`` with IRIs written with the
project prefixes and unbound values as null, as in ``tests/competency``. ``setColumns`` lists
columns holding a GROUP_CONCAT list, compared as sets because SPARQL leaves their order open.
Rows are compared in order when the query has ORDER BY.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vic_semantic.analytics import named_queries
from vic_semantic.analytics.named_queries import QUERIES_DIR, parse_named_query
from vic_semantic.namespaces import PREFIXES

EXPECTED_DIR = Path(__file__).resolve().parent / "named_queries"
QUERY_IDS = [query.id for query in named_queries()]
_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)


def compact(iri: str) -> str:
    for prefix, namespace in _NAMESPACES:
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _cell(binding: dict[str, str] | None) -> str | None:
    if binding is None:
        return None
    return compact(binding["value"]) if binding["type"] == "uri" else binding["value"]


def _normalise(rows: list[list[Any]], variables: list[str], set_columns: list[str]) -> list[Any]:
    indexes = [variables.index(column) for column in set_columns]
    result = []
    for row in rows:
        row = list(row)
        for index in indexes:
            if row[index] is not None:
                row[index] = sorted(row[index].split(", "))
        result.append(row)
    return result


def _is_ordered(query: str) -> bool:
    body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    return re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE) is not None


def test_library_has_twenty_queries() -> None:
    assert len(QUERY_IDS) >= 20


def test_every_query_has_expected_answer() -> None:
    expected = {path.name.removesuffix(".expected.json") for path in EXPECTED_DIR.glob("*.json")}

    assert set(QUERY_IDS) == expected


@pytest.mark.parametrize("query_id", QUERY_IDS)
def test_header_in_both_languages(query_id: str) -> None:
    query = parse_named_query(QUERIES_DIR / f"{query_id}.rq")

    assert re.search("[а-яё]", query.title_ru + query.description_ru, re.IGNORECASE)
    assert re.search("[a-z]", query.title_en + query.description_en, re.IGNORECASE)
    assert not re.search("[а-яё]", query.title_en + query.description_en, re.IGNORECASE)


@pytest.mark.parametrize("query_id", QUERY_IDS)
def test_named_query_answer(client: TestClient, query_id: str) -> None:
    expected = json.loads((EXPECTED_DIR / f"{query_id}.expected.json").read_text("utf-8"))
    text = (QUERIES_DIR / f"{query_id}.rq").read_text("utf-8")

    response = client.get(
        f"/api/cluster/queries/{query_id}",
        headers={"Accept": "application/sparql-results+json"},
    )

    assert response.status_code == 200, response.text
    results = response.json()
    variables = results["head"]["vars"]
    assert variables == expected["vars"]
    rows = [[_cell(b.get(v)) for v in variables] for b in results["results"]["bindings"]]
    set_columns = expected.get("setColumns", [])
    actual = _normalise(rows, variables, set_columns)
    wanted = _normalise(expected["rows"], variables, set_columns)
    if not _is_ordered(text):
        actual = sorted(actual, key=lambda row: json.dumps(row, ensure_ascii=False))
        wanted = sorted(wanted, key=lambda row: json.dumps(row, ensure_ascii=False))
    assert actual == wanted


def test_named_query_runs_unchanged_at_endpoint(client: TestClient) -> None:
    text = (QUERIES_DIR / "members-without-role.rq").read_text("utf-8")

    response = client.get(
        "/sparql", params={"query": text}, headers={"Accept": "application/sparql-results+json"}
    )

    assert response.status_code == 200, response.text
    members = [row["member"]["value"] for row in response.json()["results"]["bindings"]]
    assert members == ["https://w3id.org/vic-semantic/id/member/laboratoriya-ispytanij-uslovnaya"]


def test_missing_header_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("# title-ru: Запрос\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")

    with pytest.raises(ValueError, match="title-en"):
        parse_named_query(path)
