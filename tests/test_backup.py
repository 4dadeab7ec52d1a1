"""Online backups taken while a writer goes on, restored into fresh data folders."""

from __future__ import annotations

import io
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ServiceFactory
from fastapi.testclient import TestClient
from remote_server import OxigraphServers
from typer.testing import CliRunner

from api.main import create_app
from vic_semantic.backup import MANIFEST, BackupManifest, backup, restore
from vic_semantic.cli import app
from vic_semantic.config import Settings
from vic_semantic.errors import InputError
from vic_semantic.service import VicService

COUNTERS = ("http://example.org/counter-a", "http://example.org/counter-b")
STEP = "http://example.org/step/"
VALUE = "<http://example.org/counter> <http://example.org/value>"
ADMIN_TOKEN = "backup-admin-token"
runner = CliRunner()


def _write(service: VicService, step: int) -> None:
    """Set both counters to ``step`` and add the graph of ``step``, in one transaction."""
    deletes = " ;\n".join(
        f"DELETE WHERE {{ GRAPH <{graph}> {{ {VALUE} ?old }} }}" for graph in COUNTERS
    )
    inserts = " ".join(f"GRAPH <{graph}> {{ {VALUE} {step} }}" for graph in COUNTERS)
    step_graph = (
        f"GRAPH <{STEP}{step}> {{ <http://example.org/step> <http://example.org/n> {step} }}"
    )
    service.store.run_update(f"{deletes} ;\nINSERT DATA {{ {inserts} {step_graph} }}", None)


def _state(base: set[str], step: int) -> set[str]:
    """Return the N-Quads lines of the dataset right after the writer's write ``step``."""
    expected = set(base)
    if step == 0:
        return expected
    for graph in COUNTERS:
        expected.add(f'{VALUE} "{step}"^^<http://www.w3.org/2001/XMLSchema#integer> <{graph}> .')
    for done in range(1, step + 1):
        expected.add(
            f"<http://example.org/step> <http://example.org/n> "
            f'"{done}"^^<http://www.w3.org/2001/XMLSchema#integer> <{STEP}{done}> .'
        )
    return expected


def _quads(store: ox.Store) -> set[str]:
    return {str(quad) + " ." for quad in store}


def _step_of(quads: set[str]) -> int:
    """Return the counter value in graph A of a dataset, or 0 when it has none."""
    for line in quads:
        if line.startswith(VALUE) and line.endswith(f"<{COUNTERS[0]}> ."):
            return int(line.split('"')[1])
    return 0


def _comparable(quads: set[str]) -> tuple[set[str], int]:
    """Return the quads without blank nodes and the number of quads with them.

    Restoring an N-Quads dump gives blank nodes new labels, so a remote store's backup is
    compared by its quads without blank nodes and the count of the others.
    """
    plain = {line for line in quads if "_:" not in line}
    return plain, len(quads) - len(plain)


def _restored_quads(data_dir: Path) -> set[str]:
    store = ox.Store(str(data_dir / "store"))
    try:
        return _quads(store)
    finally:
        del store


class Writer:
    """A thread that writes step after step until stopped."""

    def __init__(self, service: VicService) -> None:
        self.service = service
        self.steps = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Writer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def wait_for(self, steps: int) -> None:
        while self.steps < steps and self.error is None:
            self._stop.wait(0.01)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                _write(self.service, self.steps + 1)
                self.steps += 1
        except BaseException as error:
            self.error = error


@pytest.fixture
def service(service_factory: ServiceFactory) -> VicService:
    return service_factory(admin_token=ADMIN_TOKEN)


def _remote_env(service: VicService) -> dict[str, str]:
    """Return the environment that points the CLI at the service's remote store, if any."""
    settings = service.settings
    if settings.store_url is None:
        return {}
    return {
        "VIC_STORE_URL": settings.store_url,
        "VIC_STORE_UPDATE_URL": settings.store_update_url or settings.store_url,
        "VIC_STORE_GSP_URL": settings.store_gsp_url or "",
    }


def _base(service: VicService) -> set[str]:
    data = service.store.dump(ox.RdfFormat.N_QUADS).decode()
    return {line for line in data.splitlines() if line.strip()}


def test_backup_during_writes_restores_one_state(
    service: VicService, store_kind: str, tmp_path: Path
) -> None:
    base = _base(service)
    assert len(base) > 1000  # the demo cluster

    with Writer(service) as writer:
        writer.wait_for(5)
        manifest = backup(service.store, service.settings.data_dir, tmp_path / "backup")
        at_backup = writer.steps
        writer.wait_for(at_backup + 5)
    assert writer.error is None, writer.error

    restore(tmp_path / "backup", tmp_path / "restored")
    restored = _restored_quads(tmp_path / "restored")
    step = _step_of(restored)

    assert manifest.kind == ("checkpoint" if store_kind == "embedded" else "nquads")
    assert step >= 5
    assert writer.steps > step  # the writer went on after the backup point
    assert _comparable(restored) == _comparable(_state(base, step))
    assert manifest.triples == len(restored)


def test_backup_copies_tokens(service: VicService, tmp_path: Path) -> None:
    (service.settings.data_dir / "tokens.json").write_text('{"tokens": []}', encoding="utf-8")

    backup(service.store, service.settings.data_dir, tmp_path / "backup")
    restore(tmp_path / "backup", tmp_path / "restored")

    assert (tmp_path / "restored" / "tokens.json").read_text() == '{"tokens": []}'


def test_restored_folder_serves(service: VicService, tmp_path: Path) -> None:
    _write(service, 1)
    backup(service.store, service.settings.data_dir, tmp_path / "backup")
    restore(tmp_path / "backup", tmp_path / "restored")

    reopened = VicService.open(Settings(data_dir=tmp_path / "restored"))
    try:
        rows = reopened.store.select(
            f"SELECT ?v WHERE {{ GRAPH <{COUNTERS[1]}> {{ {VALUE} ?v }} }}"
        )
    finally:
        reopened.close()

    assert rows == [{"v": "1"}]


def test_restore_rejects_non_empty_target(service: VicService, tmp_path: Path) -> None:
    backup(service.store, service.settings.data_dir, tmp_path / "backup")
    target = tmp_path / "busy"
    target.mkdir()
    (target / "something").write_text("x")

    with pytest.raises(InputError) as raised:
        restore(tmp_path / "backup", target)

    assert str(target) in raised.value.message_en
    assert "not empty" in raised.value.message_en
    assert "не пуста" in raised.value.message_ru
    assert (target / "something").read_text() == "x"


def test_backup_rejects_non_empty_destination(service: VicService, tmp_path: Path) -> None:
    destination = tmp_path / "taken"
    destination.mkdir()
    (destination / "file").write_text("x")

    with pytest.raises(InputError):
        backup(service.store, service.settings.data_dir, destination)


def test_restore_rejects_unfinished_backup(service: VicService, tmp_path: Path) -> None:
    backup(service.store, service.settings.data_dir, tmp_path / "backup")
    (tmp_path / "backup" / MANIFEST).unlink()

    with pytest.raises(InputError) as raised:
        restore(tmp_path / "backup", tmp_path / "restored")

    assert MANIFEST in raised.value.message_en


def test_restore_detects_damaged_backup(service: VicService, tmp_path: Path) -> None:
    backup(service.store, service.settings.data_dir, tmp_path / "backup")
    manifest = tmp_path / "backup" / MANIFEST
    manifest.write_text(manifest.read_text().replace('"graphs": {', '"graphs": {"http://x/": 7,'))

    with pytest.raises(OSError, match="does not match"):
        restore(tmp_path / "backup", tmp_path / "restored")


@pytest.fixture
def client(service: VicService) -> Iterator[TestClient]:
    with TestClient(create_app(service.settings, service=service)) as test:
        yield test


def test_online_backup_endpoint(service: VicService, client: TestClient, tmp_path: Path) -> None:
    base = _base(service)
    with Writer(service) as writer:
        writer.wait_for(3)
        response = client.get("/admin/backup", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert writer.error is None, writer.error
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-tar"

    with tarfile.open(fileobj=io.BytesIO(response.content)) as tar:
        tar.extractall(tmp_path / "backup", filter="data")
    restore(tmp_path / "backup", tmp_path / "restored")
    restored = _restored_quads(tmp_path / "restored")

    assert _comparable(restored) == _comparable(_state(base, _step_of(restored)))
    assert not list(service.settings.data_dir.glob(".backup-*"))  # work folder deleted


def test_online_backup_needs_admin(client: TestClient) -> None:
    assert client.get("/admin/backup").status_code == 401


def test_cli_backup_and_restore(service: VicService, tmp_path: Path) -> None:
    _write(service, 1)
    expected = _base(service)
    data_dir = service.settings.data_dir
    env = _remote_env(service)
    service.close()

    backed_up = runner.invoke(
        app, ["backup", str(tmp_path / "b"), "--data-dir", str(data_dir)], env=env
    )
    restored = runner.invoke(
        app, ["restore", str(tmp_path / "b"), "--data-dir", str(tmp_path / "r")]
    )
    again = runner.invoke(app, ["restore", str(tmp_path / "b"), "--data-dir", str(tmp_path / "r")])

    assert backed_up.exit_code == 0, backed_up.output
    assert restored.exit_code == 0, restored.output
    assert _comparable(_restored_quads(tmp_path / "r")) == _comparable(expected)
    assert again.exit_code == 2
    assert "не пуста" in again.output


def test_cli_backup_of_held_store_names_server_option(
    service: VicService, store_kind: str, tmp_path: Path
) -> None:
    data_dir = service.settings.data_dir
    env = _remote_env(service)

    result = runner.invoke(
        app, ["backup", str(tmp_path / "b"), "--data-dir", str(data_dir)], env=env
    )

    if store_kind == "remote":
        # No process locks a remote store, so the CLI backs it up while the service runs.
        assert result.exit_code == 0, result.output
        assert "nquads" in result.output
        return
    assert result.exit_code == 2
    assert "--server" in result.output


def test_remote_store_backup_restores_embedded(
    oxigraph_servers: OxigraphServers, tmp_path: Path
) -> None:
    remote = oxigraph_servers.get("scratch")
    remote.clear()
    settings = Settings(data_dir=tmp_path / "api", load_demo=False, **remote.settings)  # type: ignore[arg-type]
    service = VicService.open(settings)
    try:
        _write(service, 1)
        _write(service, 2)
        expected = _base(service)
        manifest = backup(service.store, settings.data_dir, tmp_path / "backup")
    finally:
        service.close()

    restore(tmp_path / "backup", tmp_path / "restored")

    assert manifest.kind == "nquads"
    assert BackupManifest.read(tmp_path / "backup").graphs == manifest.graphs
    assert _restored_quads(tmp_path / "restored") == expected
