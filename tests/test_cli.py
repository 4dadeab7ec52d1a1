"""The vic-semantic command line, run in-process with typer's runner on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from typer.testing import CliRunner

from vic_semantic.cli import app

DEMO = Path(__file__).resolve().parent.parent / "demo" / "catalogues"
runner = CliRunner()


def test_validate_reports_violations_offline() -> None:
    result = runner.invoke(
        app, ["validate", "--format", "json", "--lang", "en", str(DEMO / "ice-cream-shop-api.json")]
    )

    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    found = {(r["row"], r["column"]) for r in report["results"]}
    assert found == {(3, "fatPercent"), (6, "gtin"), (8, "net.unit")}


def test_validate_conforming_rdf_exits_zero(tmp_path: Path) -> None:
    data = tmp_path / "ok.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n", encoding="utf-8")

    result = runner.invoke(app, ["validate", "--format", "json", str(data)])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["conforms"] is True


def test_validate_missing_file_exits_two(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "absent.csv")])

    assert result.exit_code == 2


def test_load_then_dump_round_trip(tmp_path: Path) -> None:
    data = tmp_path / "notes.ttl"
    data.write_text('<http://example.org/n1> <http://example.org/says> "привет"@ru .\n')
    graph = "https://example.org/graph/notes"

    loaded = runner.invoke(app, ["load", "--data-dir", str(tmp_path), "--graph", graph, str(data)])
    out = tmp_path / "dump.nq"
    dumped = runner.invoke(
        app, ["dump", "--data-dir", str(tmp_path), "--format", "nquads", "-o", str(out)]
    )

    assert loaded.exit_code == 0, loaded.output
    assert dumped.exit_code == 0, dumped.output
    quads = list(ox.parse(out.read_bytes(), format=ox.RdfFormat.N_QUADS))
    assert any(
        q.graph_name.value == graph and q.object == ox.Literal("привет", language="ru")
        for q in quads
    )


def test_load_bad_turtle_changes_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text("<http://example.org/a> <http://example.org/p> 1 .\n")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://example.org/b> <http://example.org/p> .\n")
    graph = "https://example.org/graph/g"
    runner.invoke(app, ["load", "--data-dir", str(tmp_path), "--graph", graph, str(good)])

    failed = runner.invoke(app, ["load", "--data-dir", str(tmp_path), "--graph", graph, str(bad)])
    out = tmp_path / "dump.nq"
    runner.invoke(app, ["dump", "--data-dir", str(tmp_path), "--format", "nquads", "-o", str(out)])

    assert failed.exit_code == 2
    assert "1" in failed.output
    subjects = {q.subject.value for q in ox.parse(out.read_bytes(), format=ox.RdfFormat.N_QUADS)}
    assert "http://example.org/a" in subjects
    assert "http://example.org/b" not in subjects


def test_load_member_file_needs_member(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["load", "--data-dir", str(tmp_path), str(DEMO / "ice-cream-shop-api.json")]
    )

    assert result.exit_code == 2
    assert "--member" in result.output
