"""Competency questions: each ``cqNN-*.rq`` query runs over HTTP against the demo store and
must return exactly the rows of its ``cqNN-*.expected.json`` file.

Each query file opens with comment lines ``# RU: …`` and ``# EN: …`` that state the
question. Expected files hold ``{"vars": [...], "rows": [[...], ...]}`` (or ``{"boolean":
…}`` for ASK); IRIs are written with the project prefixes (``vic:``, ``vicd:`` …), literals as
their lexical form, unbound values as null. Rows are compared in order only when the query
has ORDER BY.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vic_semantic.namespaces import PREFIXES

FOLDER = Path(__file__).resolve().parent
QUERIES = sorted(FOLDER.glob("cq*.rq"))
RESULTS_JSON = "application/sparql-results+json"

# Longest namespace first, so that vicd: wins over a shorter namespace it starts with.
_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)


def compact(iri: str) -> str:
    """Return ``iri`` as prefix:local when a project prefix covers it, else unchanged."""
    for prefix, namespace in _NAMESPACES:
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _cell(binding: dict[str, str] | None) -> str | None:
    if binding is None:
        return None
    if binding["type"] == "uri":
        return compact(binding["value"])
    return binding["value"]


def run_query(client: TestClient, query: str) -> dict[str, Any]:
    """Run ``query`` through GET /sparql and return it in the expected-file form."""
    response = client.get("/sparql", params={"query": query}, headers={"Accept": RESULTS_JSON})
    assert response.status_code == 200, response.text
    results = response.json()
    if "boolean" in results:
        return {"boolean": results["boolean"]}
    variables = results["head"]["vars"]
    rows = [[_cell(row.get(v)) for v in variables] for row in results["results"]["bindings"]]
    return {"vars": variables, "rows": rows}


def _without_comments(query: str) -> str:
    return "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))


def _is_ordered(query: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", _without_comments(query), re.IGNORECASE) is not None


def _sorted_rows(rows: list[list[str | None]]) -> list[list[str | None]]:
    return sorted(rows, key=lambda row: json.dumps(row, ensure_ascii=False))


def test_enough_questions() -> None:
    assert len(QUERIES) >= 30


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_question_is_stated_in_both_languages(path: Path) -> None:
    header = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    ]

    assert any(line.startswith("# RU: ") and line.rstrip().endswith("?") for line in header)
    assert any(line.startswith("# EN: ") and line.rstrip().endswith("?") for line in header)


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_competency_question(client: TestClient, path: Path) -> None:
    query = path.read_text(encoding="utf-8")
    expected_path = path.with_name(path.stem + ".expected.json")
    assert expected_path.is_file(), f"missing expected answer {expected_path.name}"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))

    actual = run_query(client, query)

    if "boolean" in expected:
        assert actual == expected
        return
    assert actual["vars"] == expected["vars"]
    if _is_ordered(query):
        assert actual["rows"] == expected["rows"]
    else:
        assert _sorted_rows(actual["rows"]) == _sorted_rows(expected["rows"])
