"""Loading several RDF files into new graphs in one pass of the bulk loader: every graph lands
with its triples, a syntax error in any file changes nothing, and a killed load is undone."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from vic_semantic.cli import app
from vic_semantic.config import Settings
from vic_semantic.loading import default_graph_for, load_paths
from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from vic_semantic.service import VicService
from vic_semantic.store import EmbeddedStore
from vic_semantic.store.bulk import RdfFileSyntaxError
from vic_semantic.write_audit import AUDIT_FILE, read_audit_file

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()

ONTOLOGY = b"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://e/Kefir> rdfs:subClassOf <http://e/Dairy> .
"""
TURTLE = """@prefix e: <http://e/> .
e:k1 a e:Kefir ; e:name "кефир"@ru .
_:b1 e:name "первый" .
"""
N_TRIPLES = """<http://e/m1> <http://e/name> "молоко" .
_:b1 <http://e/name> "второй" .
"""
RDF_XML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">
  <rdf:Description rdf:about="http://e/c1"><e:name>сыр</e:name></rdf:Description>
</rdf:RDF>
"""
# Line 3, column 12: the object is missing.
BAD_TURTLE = """@prefix e: <http://e/> .
e:x e:name "x" .
e:y e:name .
e:q e:name "after" .
"""


def _write_files(folder: Path) -> list[Path]:
    files = {"kefir.ttl": TURTLE, "milk.nt": N_TRIPLES, "cheese.rdf": RDF_XML}
    paths = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _open(data_dir: Path) -> VicService:
    return VicService.open(Settings(data_dir=data_dir, load_demo=False))


def _triples(store: EmbeddedStore, graph: str) -> set[tuple[str, str, str]]:
    rows = store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {(row["s"], row["p"], row["o"]) for row in rows}


def _snapshot(store: EmbeddedStore) -> tuple[list[object], set[str]]:
    """Return every graph with its count and every quad as text, blank nodes included."""
    dump = store.dump(ox.RdfFormat.N_QUADS).decode()
    return list(store.graphs()), set(dump.splitlines())


def _embedded(service: VicService) -> EmbeddedStore:
    assert isinstance(service.store, EmbeddedStore)
    return service.store


def test_multi_file_load_lands_every_graph(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    paths = _write_files(tmp_path)
    service = _open(tmp_path / "data")
    store = _embedded(service)
    store.replace_graph(str(ONTOLOGY_GRAPH), ONTOLOGY, ox.RdfFormat.TURTLE)

    with caplog.at_level(logging.INFO):
        lines = list(load_paths(service, paths, graph=None, member=None))

    kefir, milk, cheese = (default_graph_for(path) for path in paths)
    assert "bulk-loaded 3 graphs" in caplog.text
    # The pass computes the inferred graph itself, so the full inference step never runs.
    assert caplog.text.count("inferred graph done") == 1
    assert "materialised inferences" not in caplog.text
    assert lines == [
        f"{paths[0]}: 3 triples → <{kefir}>",
        f"{paths[1]}: 2 triples → <{milk}>",
        f"{paths[2]}: 1 triples → <{cheese}>",
    ]
    assert store.ask(f'ASK {{ GRAPH <{kefir}> {{ <http://e/k1> <http://e/name> "кефир"@ru }} }}')
    assert ("http://e/k1", RDF_TYPE, "http://e/Kefir") in _triples(store, kefir)
    assert ("http://e/m1", "http://e/name", "молоко") in _triples(store, milk)
    assert _triples(store, cheese) == {("http://e/c1", "http://e/name", "сыр")}
    # _:b1 of two files is two blank nodes, as when each file is loaded on its own.
    named = store.select(
        "SELECT DISTINCT ?b WHERE { GRAPH ?g { ?b <http://e/name> ?n } FILTER isBlank(?b) }"
    )
    assert len(named) == 2
    assert store.ask(f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ <http://e/k1> a <http://e/Dairy> }} }}")
    assert store.inferences_current()
    service.close()


def test_multi_file_load_writes_audit_records(tmp_path: Path) -> None:
    paths = _write_files(tmp_path)
    bad = tmp_path / "bad.ttl"
    bad.write_text(BAD_TURTLE, encoding="utf-8")
    data_dir = tmp_path / "data"
    service = _open(data_dir)

    list(load_paths(service, paths, graph=None, member=None))
    with pytest.raises(RdfFileSyntaxError):
        list(load_paths(service, [bad], graph=None, member=None))
    service.close()

    records = read_audit_file(data_dir / AUDIT_FILE)
    loaded = [(r["operation"], r["graphs"], r["triples"], r["outcome"]) for r in records]
    expected: list[tuple[str, list[str], int | None, str]] = [
        ("graph_replace", [default_graph_for(path)], count, "ok")
        for path, count in zip(paths, (3, 2, 1), strict=True)
    ]
    expected.append(("graph_replace", [default_graph_for(bad)], None, "failed"))
    assert loaded == expected
    assert records[-1]["error"] == "RdfFileSyntaxError"


def test_multi_file_load_replaces_filled_graph(tmp_path: Path) -> None:
    paths = _write_files(tmp_path)
    service = _open(tmp_path / "data")
    store = _embedded(service)
    milk = default_graph_for(paths[1])
    store.replace_graph(milk, b"<http://e/old> <http://e/name> 'old' .", ox.RdfFormat.TURTLE)

    list(load_paths(service, paths, graph=None, member=None))

    # The filled graph went through the transactional replace: the old triple is gone.
    assert ("http://e/old", "http://e/name", "old") not in _triples(store, milk)
    assert ("http://e/m1", "http://e/name", "молоко") in _triples(store, milk)
    assert len(_triples(store, default_graph_for(paths[0]))) == 3
    service.close()


def test_bad_file_leaves_store_unchanged(tmp_path: Path) -> None:
    paths = _write_files(tmp_path)
    bad = tmp_path / "bad.ttl"
    bad.write_text(BAD_TURTLE, encoding="utf-8")
    service = _open(tmp_path / "data")
    store = _embedded(service)
    store.replace_graph("http://g/kept", b"<http://e/a> <http://e/p> 1 .", ox.RdfFormat.TURTLE)
    # An empty graph that exists must stay, empty.
    store.update(f"CREATE GRAPH <{default_graph_for(paths[2])}>")
    before = _snapshot(store)

    with pytest.raises(RdfFileSyntaxError) as raised:
        list(load_paths(service, [paths[0], paths[1], bad, paths[2]], graph=None, member=None))

    assert raised.value.source == str(bad)
    assert raised.value.line == 3
    assert raised.value.column == 12
    assert str(bad) in raised.value.message("en")
    assert "line 3, column 12" in raised.value.message("en")
    assert "строка 3, столбец 12" in raised.value.message("ru")
    assert _snapshot(store) == before
    service.close()


def test_cli_bad_file_names_file_and_position(tmp_path: Path) -> None:
    paths = _write_files(tmp_path)
    bad = tmp_path / "bad.ttl"
    bad.write_text(BAD_TURTLE, encoding="utf-8")
    data_dir = tmp_path / "data"

    result = runner.invoke(
        app, ["load", "--data-dir", str(data_dir), str(paths[0]), str(bad), str(paths[1])]
    )

    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "bad.ttl" in output
    assert "строка 3, столбец 12" in output
    service = _open(data_dir)
    assert _embedded(service).graphs() == []
    service.close()


def _killed_load(tmp_path: Path, crash: str) -> Path:
    """Load the three files in a process that dies at ``crash``; return its data folder."""
    paths = _write_files(tmp_path)
    data_dir = tmp_path / "data"
    service = _open(data_dir)
    _embedded(service).replace_graph(
        "http://g/kept", b"<http://e/a> <http://e/p> 1 .", ox.RdfFormat.TURTLE
    )
    service.close()
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "import vic_semantic.store.embedded as embedded\n"
        "from vic_semantic.config import Settings\n"
        "from vic_semantic.loading import load_paths\n"
        "from vic_semantic.service import VicService\n"
        f"{crash}\n"
        "service = VicService.open(Settings(data_dir=Path(sys.argv[1]), load_demo=False))\n"
        "list(load_paths(service, [Path(p) for p in sys.argv[2:]], graph=None, member=None))\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", script, str(data_dir), *map(str, paths)], cwd=REPO, check=False
    )
    assert killed.returncode == 9
    return data_dir


# The process dies once the loader has written every quad, before the state file records
# the load as finished: every graph is complete on disk, and all must be dropped.
AFTER_WRITE = (
    "def crash(self):\n"
    "    embedded.EmbeddedStore.flush(service.store)\n"
    "    os._exit(9)\n"
    "embedded.StoreJournal.end_load = crash\n"
)
# The process dies after the loader wrote one file's quads and before it writes another's:
# each file is its own loader call here.
MID_STREAM = (
    "import vic_semantic.store.bulk_pass as bulk_pass\n"
    "bulk_pass.CHUNK_QUADS = 1\n"
    "original = bulk_pass.BulkPass._load\n"
    "written = []\n"
    "def crash(self, *chunk):\n"
    "    if written:\n"
    "        embedded.EmbeddedStore.flush(service.store)\n"
    "        os._exit(9)\n"
    "    original(self, *chunk)\n"
    "    written.append(chunk)\n"
    "bulk_pass.BulkPass._load = crash\n"
)


@pytest.mark.parametrize("crash", [AFTER_WRITE, MID_STREAM], ids=["after-write", "mid-stream"])
def test_killed_load_leaves_no_graph(tmp_path: Path, crash: str) -> None:
    data_dir = _killed_load(tmp_path, crash)

    service = _open(data_dir)
    store = _embedded(service)

    assert [info.iri for info in store.graphs()] == ["http://g/kept"]
    assert not store.inferences_current()
    service.close()
