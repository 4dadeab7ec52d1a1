"""The audit log of writes: who changed which graphs, when, by how many triples.

Every write through the store's client-facing write methods produces one JSON record. It
goes to the logger ``vic_semantic.audit`` and, unless the store is in memory, is appended to
``<data_dir>/audit.log`` and fsync'd before the write is acknowledged; a remote store's writes
are recorded there too. A record names the principal by role, member and token id, never by
the token itself.

``install_write_audit`` wraps the write methods of one store object in place, so the
routers, the CLI and the library keep calling the store as before and keep its type.
The library's own derived writes (``Store.update``, which the inference step uses) are
not audited: they follow from an audited write.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from vic_semantic.request_context import current_request
from vic_semantic.sparql.update_targets import TargetKind, WrittenGraph, written_graphs
from vic_semantic.store.base import Store

logger = logging.getLogger(__name__)
audit_logger = logging.getLogger("vic_semantic.audit")

AUDIT_FILE = "audit.log"
DEFAULT = "DEFAULT"

# Updates longer than this are not parsed for their graphs: rdflib's parser takes time that
# grows with the square of the triples in one template, and bulk updates come from the
# administrator, whose rights cover every graph anyway.
_MAX_PARSED_UPDATE_BYTES = 64 * 1024


@dataclass
class AuditRecord:
    """One write as the audit log stores it.

    ``triples`` is the number of triples the request sent (Graph Store PUT and POST), the
    number removed (DELETE), or the net change of the named graphs a SPARQL update writes;
    None when it is not known, as for an update that writes ALL or a variable graph.
    """

    operation: str
    graphs: list[str]
    triples: int | None
    outcome: str = "ok"
    error: str | None = None
    time: str = field(default_factory=lambda: _now())
    request_id: str | None = None
    role: str = "local"
    member: str | None = None
    token_id: str | None = None
    duration_ms: float = 0.0


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class AuditLog:
    """Writes audit records to the ``vic_semantic.audit`` logger and to an optional file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, record: AuditRecord) -> None:
        """Log ``record`` and append it to the file, synced to disk, before returning."""
        _fill_principal(record)
        fields = asdict(record)
        line = json.dumps(fields, ensure_ascii=False, sort_keys=True)
        audit_logger.info(
            "%s %s by %s: %s triples, %s",
            record.operation,
            " ".join(record.graphs),
            record.role if record.member is None else f"{record.role} {record.member}",
            "?" if record.triples is None else record.triples,
            record.outcome,
            extra={"fields": fields},
        )
        if self.path is None:
            return
        try:
            self._append(line)
        except OSError as error:
            # NOTE: the write itself already landed; failing the request now would tell
            # the client it did not. The record is still in the audit logger's output.
            logger.error("failed to append to the audit file %s: %s", self.path, error)

    def _append(self, line: str) -> None:
        assert self.path is not None
        data = (line + "\n").encode("utf-8")
        with self._lock:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, data)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)


def _fill_principal(record: AuditRecord) -> None:
    request = current_request()
    if request is None:
        return
    record.request_id = request.request_id
    principal = request.principal
    record.role = principal.role.value if principal else "unknown"
    record.member = principal.member if principal else None
    record.token_id = principal.token_id if principal else None


def read_audit_file(path: Path) -> list[dict[str, Any]]:
    """Return the records of an audit file, oldest first."""
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


class _AuditedWrites:
    """The audited versions of one store's write methods; writes run one at a time.

    Serialising the writes makes the before and after counts of a SPARQL update exact, and
    makes the flush that follows each write cover it. With ``sync`` the store is flushed
    to disk after each write, before the caller acknowledges it.
    """

    def __init__(self, store: Store, log: AuditLog, sync: bool) -> None:
        self._store = store
        self._log = log
        self._sync = sync
        self._lock = threading.Lock()
        self._put_graph = store.put_graph
        self._post_graph = store.post_graph
        self._add_quads = store.add_quads
        self._delete_graph = store.delete_graph
        self._run_update = store.run_update
        self._replace_graph = store.replace_graph
        self._add_to_graph = store.add_to_graph
        self._drop_graph = store.drop_graph

    def put_graph(self, graph: str | None, triples: Iterable[ox.Triple]) -> None:
        written = list(triples)
        record = AuditRecord("graph_put", [graph or DEFAULT], len(written))
        self._run(record, lambda: self._put_graph(graph, written))

    def post_graph(self, graph: str | None, triples: Iterable[ox.Triple]) -> None:
        written = list(triples)
        record = AuditRecord("graph_post", [graph or DEFAULT], len(written))
        self._run(record, lambda: self._post_graph(graph, written))

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        written = list(quads)
        graphs = sorted({_graph_name(quad.graph_name) for quad in written})
        record = AuditRecord("dataset_post", graphs, len(written))
        self._run(record, lambda: self._add_quads(written))

    def delete_graph(self, graph: str | None) -> bool:
        record = AuditRecord("graph_delete", [graph or DEFAULT], None)
        return bool(self._run(record, lambda: self._delete_counted(graph, record)))

    def _delete_counted(self, graph: str | None, record: AuditRecord) -> bool:
        record.triples = self._count([graph]) if graph is not None else None
        return self._delete_graph(graph)

    def run_update(self, update: str, base_iri: str | None, locate: Any = None) -> None:
        targets = _update_graphs(update, base_iri)
        graphs = ["unknown"] if targets is None else [str(target) for target in targets]
        record = AuditRecord("sparql_update", graphs, None)
        named = [target.name for target in targets or () if target.kind is TargetKind.GRAPH]
        countable = targets is not None and len(named) == len(targets)

        def write() -> None:
            before = self._count(named) if countable else None
            self._run_update(update, base_iri, locate)
            if before is not None:
                record.triples = self._count(named) - before

        self._run(record, write)

    def replace_graph(self, graph: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        record = AuditRecord("graph_replace", [graph], None)

        def write() -> int:
            record.triples = self._replace_graph(graph, data, rdf_format)
            return record.triples

        return int(self._run(record, write))

    def add_to_graph(self, graph: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        record = AuditRecord("graph_add", [graph], None)

        def write() -> int:
            record.triples = self._add_to_graph(graph, data, rdf_format)
            return record.triples

        return int(self._run(record, write))

    def drop_graph(self, graph: str) -> None:
        record = AuditRecord("graph_drop", [graph], None)

        def write() -> None:
            record.triples = self._count([graph])
            self._drop_graph(graph)

        self._run(record, write)

    def _run(self, record: AuditRecord, write: Callable[[], Any]) -> Any:
        """Run ``write`` alone, flush it when asked, and audit it whether it landed or not."""
        started = time.perf_counter()
        with self._lock:
            try:
                result = write()
                if self._sync:
                    self._store.flush()
            except BaseException as error:
                record.outcome = "failed"
                record.error = type(error).__name__
                record.duration_ms = _elapsed_ms(started)
                self._log.write(record)
                raise
        record.duration_ms = _elapsed_ms(started)
        self._log.write(record)
        return result

    def _count(self, graphs: list[str]) -> int:
        total = 0
        for graph in graphs:
            rows = self._store.select(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            )
            total += int(rows[0]["n"]) if rows else 0
        return total


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _graph_name(name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    return DEFAULT if isinstance(name, ox.DefaultGraph) else str(name.value)


def _update_graphs(update: str, base_iri: str | None) -> list[WrittenGraph] | None:
    """Return the graphs ``update`` writes, or None for a long or unparseable update."""
    if len(update.encode()) > _MAX_PARSED_UPDATE_BYTES:
        return None
    try:
        return written_graphs(update, base_iri)
    except Exception as error:  # the store reports the real syntax error when it runs
        logger.debug("audit could not find the graphs of an update: %s", error)
        return None


_WRITE_METHODS = (
    "put_graph",
    "post_graph",
    "add_quads",
    "delete_graph",
    "run_update",
    "replace_graph",
    "add_to_graph",
    "drop_graph",
)


def install_write_audit(store: Store, log: AuditLog, *, sync: bool) -> None:
    """Make every client-facing write of ``store`` audited, serialised and, with ``sync``, flushed.

    The methods are replaced on this store object only. Installing twice on one store is
    rejected, because each layer would write its own record.
    """
    if getattr(store, "_vic_audited", False):
        raise RuntimeError(f"the store {store!r} already has the write audit installed")
    audited = _AuditedWrites(store, log, sync)
    for name in _WRITE_METHODS:
        setattr(store, name, getattr(audited, name))
    setattr(store, "_vic_audited", True)  # noqa: B010
    logger.info("write audit installed (file %s, sync %s)", log.path or "none", sync)
