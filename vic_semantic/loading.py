"""Loading files into the store: RDF documents whole into named graphs, member files
converted first."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from vic_semantic.errors import UnsupportedFormatError
from vic_semantic.inference import materialise
from vic_semantic.inference_load import bulk_load_with_inferences
from vic_semantic.namespaces import GRAPH
from vic_semantic.service import VicService
from vic_semantic.sparql.formats import FILE_EXTENSIONS
from vic_semantic.store.bulk import GraphSource, file_syntax_error
from vic_semantic.store.embedded import EmbeddedStore
from vic_semantic.triple_terms import reject_triple_terms
from vic_semantic.write_audit import AUDIT_FILE, AuditLog, AuditRecord

logger = logging.getLogger(__name__)

MEMBER_FILE_EXTENSIONS = {".csv", ".xlsx", ".json"}


def default_graph_for(path: Path) -> str:
    """Return the graph a file loads into when none is named: one graph per file name."""
    return str(GRAPH[f"file/{path.name}"])


def load_paths(
    service: VicService, paths: list[Path], graph: str | None, member: str | None
) -> Iterator[str]:
    """Load each file, yielding one line of progress per file; inferences are updated last.

    RDF files of triples whose graphs are new or empty, each named by one file only, are
    loaded together in one pass of the bulk loader, before the other files. That pass
    lands whole or not at all: a syntax error in any of its files changes none of its
    graphs. When it loads every file, it also computes the inferred graph from the
    triples it reads (``inference_load``). Every other file replaces its graph in its own
    transaction, in the given order, so a file that fails changes nothing, and the files
    before it stay loaded. Files that name one graph (``--graph`` with several files)
    replace it with their union, in the transaction of the first of them.
    """
    _check_extensions(paths)
    bulk = _bulk_sources(service, paths, graph)
    in_bulk = {source.path for source in bulk}
    rest = [path for path in paths if path not in in_bulk]
    if bulk:
        yield from _bulk_load(service, bulk, with_inferences=not rest)
    if bulk and not rest:
        return

    by_target = _rdf_files_by_target(rest, graph)
    for path in rest:
        if path.suffix.lower() not in FILE_EXTENSIONS:
            yield _load_member_file(service, path, member)
            continue
        target = graph or default_graph_for(path)
        group = by_target[target]
        if len(group) == 1:
            data, rdf_format = path.read_bytes(), FILE_EXTENSIONS[path.suffix.lower()]
        elif path == group[0]:
            data, rdf_format = union_of_files(group), ox.RdfFormat.N_TRIPLES
        else:
            continue  # loaded with the first file of its group
        count = service.store.replace_graph(target, data, rdf_format)
        names = ", ".join(str(member_path) for member_path in group)
        yield f"{names}: {count} triples → <{target}>"
    materialise(service.store)


def _rdf_files_by_target(paths: list[Path], graph: str | None) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for path in paths:
        if path.suffix.lower() in FILE_EXTENSIONS:
            groups.setdefault(graph or default_graph_for(path), []).append(path)
    return groups


def union_of_files(paths: list[Path]) -> bytes:
    """Return the triples of every file as one N-Triples document, for one graph.

    Every file is parsed before anything is written, so a syntax error in any of them (an
    RdfFileSyntaxError naming it) leaves the graph unchanged. Graph names of TriG and
    N-Quads files are dropped, as when one such file is loaded into a graph. Blank node
    labels are renamed per file, so ``_:b1`` of two files stays two nodes.
    """
    triples: list[ox.Triple] = []
    for path in paths:
        rdf_format = FILE_EXTENSIONS[path.suffix.lower()]
        try:
            quads = ox.parse(path=path, format=rdf_format, rename_blank_nodes=True)
            for quad in reject_triple_terms(quads, path.name):
                triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
        except SyntaxError as error:
            raise file_syntax_error(path.name, error) from error
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _check_extensions(paths: list[Path]) -> None:
    # Checked before any write, so an unknown file does not stop a load half-way.
    known = {*FILE_EXTENSIONS, *MEMBER_FILE_EXTENSIONS}
    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in known:
            names = ", ".join(sorted(known))
            raise UnsupportedFormatError(
                f"Файл {path}: расширение «{suffix}» не поддерживается. Допустимые: {names}.",
                f"File {path}: the extension '{suffix}' is not supported. Known: {names}.",
            )


def _bulk_sources(service: VicService, paths: list[Path], graph: str | None) -> list[GraphSource]:
    """Return the RDF files that one bulk pass can load: triple formats whose target graph
    is empty or new and is the target of no other file of this load."""
    store = service.store
    if not isinstance(store, EmbeddedStore):
        return []

    rdf = [path for path in paths if path.suffix.lower() in FILE_EXTENSIONS]
    targets = {path: graph or default_graph_for(path) for path in rdf}
    # Several files into one graph are loaded as their union in one transaction instead.
    uses = Counter(targets.values())
    sources = []
    for path in rdf:
        rdf_format = FILE_EXTENSIONS[path.suffix.lower()]
        target = targets[path]
        if rdf_format.supports_datasets or uses[target] > 1 or store.has_graph_content(target):
            continue
        sources.append(GraphSource(graph=target, rdf_format=rdf_format, path=path))
    return sources


def _bulk_load(
    service: VicService, sources: list[GraphSource], with_inferences: bool
) -> Iterator[str]:
    store = service.store
    assert isinstance(store, EmbeddedStore)
    started = time.perf_counter()
    try:
        if with_inferences:
            counts = bulk_load_with_inferences(store, sources).counts
        else:
            counts = store.bulk_load_graphs(sources)
        if service.settings.sync_writes:
            store.flush()
    except BaseException as error:
        _audit(service, sources, {}, started, error)
        raise
    _audit(service, sources, counts, started, None)

    for source in sources:
        yield f"{source.path}: {counts[source.graph]} triples → <{source.graph}>"


def _audit(
    service: VicService,
    sources: list[GraphSource],
    counts: dict[str, int],
    started: float,
    error: BaseException | None,
) -> None:
    """Write the audit records that ``replace_graph`` writes, one per graph of the load.

    ``install_write_audit`` wraps only the store's client-facing write methods, and
    ``bulk_load_graphs`` is not one of them, so this caller audits it.
    """
    settings = service.settings
    audit = AuditLog(None if settings.in_memory else settings.data_dir / AUDIT_FILE)
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    for source in sources:
        record = AuditRecord("graph_replace", [source.graph], counts.get(source.graph))
        record.duration_ms = duration_ms
        if error is not None:
            record.outcome = "failed"
            record.error = type(error).__name__
        audit.write(record)


def _load_member_file(service: VicService, path: Path, member: str | None) -> str:
    from vic_semantic.demo import load_member_file

    return load_member_file(service, path.name, path.read_bytes(), member)
