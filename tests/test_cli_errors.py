"""Command-line errors and loads: unknown members, a store held by a server, several files
into one graph, triple terms, and start-up that restores missing fixed graphs."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ServiceFactory
from typer.testing import CliRunner

from vic_semantic.cli import app
from vic_semantic.config import Settings
from vic_semantic.namespaces import ID, MEMBERS_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH, VIC
from vic_semantic.service import VicService

runner = CliRunner()
GRAPH = "https://example.org/graph/union"


def _tokens(data_dir: Path) -> list[dict[str, object]]:
    path = data_dir / "tokens.json"
    if not path.is_file():
        return []
    stored = json.loads(path.read_text())
    return list(stored.values()) if isinstance(stored, dict) else list(stored)


def _graph_quads(data_dir: Path, graph: str) -> set[str]:
    out = data_dir / "dump.nq"
    result = runner.invoke(
        app, ["dump", "--data-dir", str(data_dir), "--format", "nquads", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    quads = ox.parse(out.read_bytes(), format=ox.RdfFormat.N_QUADS)
    return {f"{q.subject} {q.predicate} {q.object}" for q in quads if q.graph_name.value == graph}


def _register(tmp_path: Path, slug: str) -> None:
    members = tmp_path / "members.ttl"
    members.write_text(f"<{ID}member/{slug}> a <{VIC.ClusterMember}> .\n", encoding="utf-8")
    loaded = runner.invoke(
        app,
        ["load", "--data-dir", str(tmp_path), "--graph", str(MEMBERS_GRAPH), str(members)],
    )
    assert loaded.exit_code == 0, loaded.output


def test_token_for_unknown_member_rejected(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "token", "create", "--role", "member", "--member", "no-such-member",
            "--data-dir", str(tmp_path),
        ],
    )  # fmt: skip

    assert result.exit_code == 2, result.output
    assert "no-such-member" in result.output
    assert "vic-semantic load" in result.output
    assert _tokens(tmp_path) == []


def test_token_for_registered_member(tmp_path: Path) -> None:
    _register(tmp_path, "molochnyj-zavod-1")

    result = runner.invoke(
        app,
        [
            "token", "create", "--role", "member", "--member", "molochnyj-zavod-1",
            "--data-dir", str(tmp_path),
        ],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert len(_tokens(tmp_path)) == 1


def test_token_warns_when_store_held(tmp_path: Path) -> None:
    held = VicService.open(Settings(data_dir=tmp_path, load_demo=False))
    try:
        result = runner.invoke(
            app,
            [
                "token", "create", "--role", "member", "--member", "no-such-member",
                "--data-dir", str(tmp_path),
            ],
        )  # fmt: skip
    finally:
        held.close()

    assert result.exit_code == 0, result.output
    assert "unchecked" in result.output
    assert len(_tokens(tmp_path)) == 1


def test_dump_and_load_while_store_held(tmp_path: Path) -> None:
    data = tmp_path / "a.ttl"
    data.write_text("<http://e/a> <http://e/p> 1 .\n", encoding="utf-8")
    held = VicService.open(Settings(data_dir=tmp_path, load_demo=False))
    try:
        dumped = runner.invoke(app, ["dump", "--data-dir", str(tmp_path)])
        loaded = runner.invoke(app, ["load", "--data-dir", str(tmp_path), str(data)])
    finally:
        held.close()

    for result in (dumped, loaded):
        assert result.exit_code == 2, result.output
        assert "running vic-semantic server" in result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_load_several_files_into_one_graph(tmp_path: Path) -> None:
    first = tmp_path / "a.ttl"
    second = tmp_path / "b.nt"
    first.write_text("<http://e/a> <http://e/p> 1 .\n", encoding="utf-8")
    second.write_text("<http://e/b> <http://e/p> <http://e/c> .\n", encoding="utf-8")

    result = runner.invoke(
        app, ["load", "--data-dir", str(tmp_path), "--graph", GRAPH, str(first), str(second)]
    )

    assert result.exit_code == 0, result.output
    assert _graph_quads(tmp_path, GRAPH) == {
        '<http://e/a> <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer>',
        "<http://e/b> <http://e/p> <http://e/c>",
    }


def test_union_load_error_keeps_graph(tmp_path: Path) -> None:
    old = tmp_path / "old.ttl"
    good = tmp_path / "good.ttl"
    bad = tmp_path / "bad.ttl"
    old.write_text("<http://e/old> <http://e/p> 1 .\n", encoding="utf-8")
    good.write_text("<http://e/a> <http://e/p> 1 .\n", encoding="utf-8")
    bad.write_text("<http://e/b> <http://e/p> .\n", encoding="utf-8")
    runner.invoke(app, ["load", "--data-dir", str(tmp_path), "--graph", GRAPH, str(old)])

    result = runner.invoke(
        app, ["load", "--data-dir", str(tmp_path), "--graph", GRAPH, str(good), str(bad)]
    )

    assert result.exit_code == 2, result.output
    assert "bad.ttl" in result.output
    assert _graph_quads(tmp_path, GRAPH) == {
        '<http://e/old> <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer>'
    }


# The ontology graph is loaded before the other graphs of a bulk pass, by another path.
@pytest.mark.parametrize("graph", [GRAPH, str(ONTOLOGY_GRAPH)])
def test_load_triple_term_rejected(tmp_path: Path, graph: str) -> None:
    data = tmp_path / "star.ttl"
    data.write_text("<< <http://e/a> <http://e/b> <http://e/c> >> <http://e/p> 1 .\n")

    result = runner.invoke(app, ["load", "--data-dir", str(tmp_path), "--graph", graph, str(data)])

    assert result.exit_code == 2, result.output
    assert "RDF-star" in result.output
    assert _graph_quads(tmp_path, graph) == set()


def test_demo_start_restores_fixed_graphs(service_factory: ServiceFactory) -> None:
    first = service_factory(load_demo=True)
    first.store.update(f"DROP GRAPH <{ONTOLOGY_GRAPH}> ; DROP GRAPH <{SHAPES_GRAPH}>")
    first.close()
    del first

    reopened = service_factory(load_demo=True)

    for graph in (ONTOLOGY_GRAPH, SHAPES_GRAPH):
        assert reopened.store.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"), graph


def test_validate_missing_file_named_in_both_languages(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"

    russian = runner.invoke(app, ["validate", str(missing)])
    english = runner.invoke(app, ["validate", "--lang", "en", str(missing)])

    assert russian.exit_code == english.exit_code == 2
    assert "не прочитан" in russian.output
    assert "missing.csv" in russian.output
    assert "Could not read" in english.output
    assert "Check the path" in english.output
