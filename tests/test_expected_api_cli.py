"""The expected findings for the sample member files, through the HTTP API and the CLI.

Each file is sent alone, as a member would send it, except the milk deliveries, which are
checked against the treatments sent with them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_expected_findings import Finding, comparable, expected_findings
from typer.testing import CliRunner

from vic_semantic.cli import app

REQUESTS = [
    ("dairy-plant-1c-export.csv",),
    ("meat-plant-price-list.xlsx",),
    ("ice-cream-shop-api.json",),
    ("farm-vet-treatments.csv", "farm-milk-deliveries.csv"),
    ("cluster-members.csv",),
]


def _findings(report: dict[str, object]) -> set[Finding]:
    results = report["results"]
    assert isinstance(results, list)
    return {
        (r["file"], r["row"], r["column"], r["severity"], comparable(str(r["value"] or "")))
        for r in results
    }


@pytest.fixture(scope="module")
def expected(shared: Path) -> set[Finding]:
    return expected_findings((shared / "catalogues" / "EXPECTED.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("names", REQUESTS, ids=lambda names: names[-1])
def test_api_reports_expected_findings(
    client: TestClient, shared: Path, expected: set[Finding], names: tuple[str, ...]
) -> None:
    files = [("file", (name, (shared / "catalogues" / name).read_bytes())) for name in names]

    response = client.post("/catalogues/validate", files=files)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conforms"] is False
    wanted = {f for f in expected if f[0] in names}
    assert _findings(body) == wanted


@pytest.mark.parametrize("names", REQUESTS, ids=lambda names: names[-1])
def test_cli_reports_expected_findings(
    shared: Path, expected: set[Finding], names: tuple[str, ...]
) -> None:
    paths = [str(shared / "catalogues" / name) for name in names]

    result = CliRunner().invoke(app, ["validate", "--format", "json", *paths])

    assert result.exit_code == 1, result.output
    wanted = {f for f in expected if f[0] in names}
    assert _findings(json.loads(result.stdout)) == wanted


def test_api_messages_follow_accept_language(client: TestClient, shared: Path) -> None:
    name = "ice-cream-shop-api.json"
    files = [("file", (name, (shared / "catalogues" / name).read_bytes()))]

    russian = client.post("/catalogues/validate", files=files).json()
    english = client.post(
        "/catalogues/validate", files=files, headers={"Accept-Language": "en"}
    ).json()

    assert russian["results"][0]["message"].startswith("Строка 3")
    assert english["results"][0]["message"].startswith("Row 3")


def test_api_turtle_report(client: TestClient, shared: Path) -> None:
    name = "farm-vet-treatments.csv"
    files = [("file", (name, (shared / "catalogues" / name).read_bytes()))]

    response = client.post("/catalogues/validate", files=files, headers={"Accept": "text/turtle"})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    assert "sh:ValidationReport" in response.text


def test_api_unreadable_file_names_problem(client: TestClient) -> None:
    files = [("file", ("notes.csv", "просто текст\nбез заголовка\n".encode()))]

    response = client.post("/catalogues/validate", files=files, headers={"Accept-Language": "en"})

    assert response.status_code == 400, response.text
    assert "notes.csv" in response.json()["message"]
