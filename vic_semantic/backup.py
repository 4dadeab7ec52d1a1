"""Online backups of the store, and restoring one into a new data folder.

A backup is a folder:

- ``store/``: for the embedded store, a RocksDB checkpoint (``EmbeddedStore.backup``);
- ``dataset.nq``: for a remote store, the whole dataset as N-Quads, read with one Graph
  Store Protocol GET;
- ``tokens.json`` and ``demo-fingerprint``, copied from the data folder when present;
- ``backup.json``, written last: what the backup contains (kind, time, triples per graph).
  A folder without it is an unfinished backup, and ``restore`` rejects it.

Both kinds are consistent while writes go on: a checkpoint contains every write committed
before it began and none after, and Oxigraph server serves the GET from one snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from vic_semantic.errors import InputError, StoreError
from vic_semantic.store.base import Store
from vic_semantic.store.embedded import EmbeddedStore

logger = logging.getLogger(__name__)

MANIFEST = "backup.json"
STORE_FOLDER = "store"
DUMP_FILE = "dataset.nq"
# Files of the data folder that belong with the store: the hashed bearer tokens, and the
# fingerprint that tells the demo loader the demo graphs are current.
DATA_FILES = ("tokens.json", "demo-fingerprint")
DEFAULT_GRAPH = ""


@dataclass(frozen=True)
class BackupManifest:
    """Contents of one backup: ``kind`` is "checkpoint" or "nquads"; triples by graph IRI.

    The default graph is listed under the empty string.
    """

    kind: str
    created: str
    graphs: dict[str, int]

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    @classmethod
    def read(cls, folder: Path) -> BackupManifest:
        path = folder / MANIFEST
        if not path.is_file():
            raise InputError(
                f"В папке {folder} нет {MANIFEST}: это не резервная копия vic-semantic или "
                "копия, создание которой прервалось. Укажите папку, созданную командой backup.",
                f"The folder {folder} has no {MANIFEST}: it is not a vic-semantic backup, or "
                "its creation was interrupted. Name a folder made by the backup command.",
            )
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(kind=raw["kind"], created=raw["created"], graphs=dict(raw["graphs"]))


def backup(store: Store, data_dir: Path, destination: Path) -> BackupManifest:
    """Back up ``store`` and the data files of ``data_dir`` into the new folder ``destination``.

    Writes may go on meanwhile. Raises InputError when ``destination`` exists and is not
    empty.
    """
    require_empty(destination, "резервной копии", "backup")
    destination.mkdir(parents=True, exist_ok=True)

    if isinstance(store, EmbeddedStore):
        store.backup(destination / STORE_FOLDER)
        kind, graphs = "checkpoint", _checkpoint_counts(destination / STORE_FOLDER)
    else:
        data = store.dump(ox.RdfFormat.N_QUADS)
        (destination / DUMP_FILE).write_bytes(data)
        kind, graphs = "nquads", _nquads_counts(destination / DUMP_FILE)

    for name in DATA_FILES:
        if (data_dir / name).is_file():
            shutil.copy2(data_dir / name, destination / name)
    manifest = BackupManifest(kind=kind, created=_now(), graphs=graphs)
    (destination / MANIFEST).write_text(
        json.dumps(asdict(manifest), ensure_ascii=False, indent=2, sort_keys=True),
        encoding="utf-8",
    )
    logger.info(
        "backup of %d triples in %d graphs written to %s",
        manifest.triples,
        len(graphs),
        destination,
    )
    return manifest


def restore(source: Path, data_dir: Path) -> BackupManifest:
    """Restore the backup in ``source`` as the embedded store of the new folder ``data_dir``.

    Raises InputError when ``data_dir`` exists and is not empty, or when ``source`` is not
    a finished backup, and StoreError when the restored store does not contain what the
    backup's manifest lists.
    """
    manifest = BackupManifest.read(source)
    require_empty(data_dir, "данных", "data")
    data_dir.mkdir(parents=True, exist_ok=True)

    target = data_dir / STORE_FOLDER
    if manifest.kind == "checkpoint":
        shutil.copytree(source / STORE_FOLDER, target)
    else:
        _load_nquads(source / DUMP_FILE, target)
    for name in DATA_FILES:
        if (source / name).is_file():
            shutil.copy2(source / name, data_dir / name)

    restored = _store_counts(target)
    if restored != manifest.graphs:
        raise StoreError(
            f"Восстановленное хранилище в {target} не совпадает с описанием копии "
            f"{source / MANIFEST}: {_difference(manifest.graphs, restored)}. Копия повреждена; "
            "возьмите другую.",
            f"The store restored in {target} does not match the backup's manifest "
            f"{source / MANIFEST}: {_difference(manifest.graphs, restored)}. The backup is "
            "damaged; use another one.",
        )
    logger.info("restored %d triples from %s into %s", manifest.triples, source, data_dir)
    return manifest


def require_empty(folder: Path, what_ru: str, what_en: str) -> None:
    """Raise InputError unless ``folder`` is missing or an empty folder."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(
            f"Папка {what_ru} {folder} уже существует и не пуста; укажите новую или пустую "
            "папку, чтобы ничего не перезаписать.",
            f"The {what_en} folder {folder} already exists and is not empty; name a new or "
            "empty folder, so that nothing is overwritten.",
        )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _checkpoint_counts(path: Path) -> dict[str, int]:
    # A checkpoint nobody writes, so opening it read-only is safe.
    store = ox.Store.read_only(str(path))
    return _counts(store)


def _store_counts(path: Path) -> dict[str, int]:
    store = ox.Store(str(path))
    try:
        return _counts(store)
    finally:
        store.flush()
        del store


def _counts(store: ox.Store) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for quad in store:
        counts[_graph_key(quad.graph_name)] += 1
    return dict(counts)


def _nquads_counts(path: Path) -> dict[str, int]:
    counts: Counter[str] = Counter()
    with path.open("rb") as data:
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            counts[_graph_key(quad.graph_name)] += 1
    return dict(counts)


def _graph_key(name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    return DEFAULT_GRAPH if isinstance(name, ox.DefaultGraph) else str(name.value)


def _load_nquads(dump: Path, target: Path) -> None:
    store = ox.Store(str(target))
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store


def _difference(expected: dict[str, int], found: dict[str, int]) -> str:
    lines = []
    for graph in sorted(set(expected) | set(found)):
        if expected.get(graph, 0) != found.get(graph, 0):
            name = graph or "DEFAULT"
            lines.append(f"{name}: {expected.get(graph, 0)} → {found.get(graph, 0)}")
    return "; ".join(lines[:5]) + (" …" if len(lines) > 5 else "")
