"""Submitting a member's catalogue or veterinary records: parse, validate, store only when valid.

Product files replace ``graph/catalogue/{slug}``. Treatment and milk delivery logs replace
``graph/veterinary/{slug}`` on the same terms: validated together, stored only without
violations, and recorded as a PROV-O version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass

from rdflib import XSD, Graph, URIRef

from vic_semantic.catalogues.conversion import Conversion
from vic_semantic.catalogues.convert import convert_tables
from vic_semantic.catalogues.convert_products import convert_products
from vic_semantic.catalogues.errors import CatalogueError
from vic_semantic.catalogues.limits import DEFAULT_LIMITS, ReadLimits
from vic_semantic.catalogues.readers import read_table
from vic_semantic.catalogues.table import FileKind, Table
from vic_semantic.errors import StoreError
from vic_semantic.inference import materialise
from vic_semantic.namespaces import PROV, VIC, catalogue_graph, veterinary_graph
from vic_semantic.store.base import Store
from vic_semantic.submissions.checked_writes import graph_lock
from vic_semantic.submissions.provenance import (
    SubmissionRecord,
    provenance_graph,
    rejection_graph,
)
from vic_semantic.submissions.versions import (
    PROVENANCE_GRAPH,
    SubmissionKind,
    latest_version,
    version_iri,
)
from vic_semantic.validation.engine import default_ontology, validate_graph
from vic_semantic.validation.fast.evaluator import ValidationTimeoutError
from vic_semantic.validation.report import ValidationReport
from vic_semantic.validation.withdrawal_notice import add_withdrawal_notice, needs_withdrawal_notice

logger = logging.getLogger(__name__)

# The next version number is read and stored under the store's write lock, which also keeps
# the writers of other processes on a remote store out. The write is still conditional on
# the version being unclaimed, in case a writer that does not take the lock stored it.
_MAX_VERSION_ATTEMPTS = 5


@dataclass(frozen=True)
class Submission:
    """The outcome of one submission: the report and, when stored, the new version number."""

    report: ValidationReport
    stored: bool
    version: int | None = None

    @property
    def rejected(self) -> bool:
        return not self.report.conforms


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def convert_catalogue(
    files: list[tuple[str, bytes]],
    slug: str,
    ontology: Graph,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Conversion:
    """Read and map product files; any other kind of file raises CatalogueError."""
    tables = [read_table(name, data, limits) for name, data in files]
    if submission_kind(tables) is not SubmissionKind.CATALOGUE:
        first = next(t for t in tables if t.kind is not FileKind.PRODUCTS)
        raise _not_a_catalogue(first)
    return _convert_products(tables, slug, ontology)


def _convert_products(tables: list[Table], slug: str, ontology: Graph) -> Conversion:
    conversion = Conversion()
    for table in tables:
        convert_products(table, ontology, slug, conversion, member_slug=slug)
    return conversion


_VETERINARY_KINDS = {FileKind.TREATMENTS, FileKind.DELIVERIES}


def submission_kind(tables: list[Table]) -> SubmissionKind:
    """Return what the files replace; raise CatalogueError for other or mixed kinds of file."""
    for table in tables:
        if table.kind is not FileKind.PRODUCTS and table.kind not in _VETERINARY_KINDS:
            raise _not_a_catalogue(table)
    veterinary = [t for t in tables if t.kind in _VETERINARY_KINDS]
    if not veterinary:
        return SubmissionKind.CATALOGUE
    if len(veterinary) < len(tables):
        raise CatalogueError(
            "каталог продукции и ветеринарные журналы отправляйте отдельными запросами: "
            "каталог заменяет граф каталога, журналы — ветеринарный граф.",
            "send the product catalogue and the veterinary logs in separate requests: the "
            "catalogue replaces the catalogue graph, the logs the veterinary graph.",
            file=veterinary[0].file_name,
        )
    return SubmissionKind.VETERINARY


def _not_a_catalogue(table: Table) -> CatalogueError:
    return CatalogueError(
        f"это не каталог продукции и не ветеринарный журнал ({table.kind}). Сюда отправляют "
        "файлы с товарами или журналы обработок и поставок молока; остальные файлы "
        "проверьте через /catalogues/validate.",
        f"this is neither a product catalogue nor a veterinary log ({table.kind}). Send "
        "product files, or treatment and milk delivery logs, here; check other files with "
        "/catalogues/validate.",
        file=table.file_name,
    )


def _insert_data(graph: Graph) -> str:
    return graph.serialize(format="nt")


def _target_graph(slug: str, kind: SubmissionKind) -> URIRef:
    if kind is SubmissionKind.VETERINARY:
        return veterinary_graph(slug)
    return catalogue_graph(slug)


def _store_version(
    store: Store, slug: str, conversion: Conversion, record: SubmissionRecord
) -> bool:
    """Replace the catalogue and add its provenance unless version ``record.number`` exists.

    Both operations are one SPARQL Update request, so a store that applies a request
    atomically (the embedded store, Oxigraph server) keeps both or neither. Returns whether
    this write claimed the version; False means another process stored it first.
    """
    provenance = provenance_graph(record)
    target = _target_graph(slug, record.kind)
    version = version_iri(slug, record.number, record.kind)
    unclaimed = f"FILTER NOT EXISTS {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{version}> ?vp ?vo }} }}"
    update = (
        f"DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}\n"
        f"WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} {unclaimed} }} ;\n"
        f"INSERT {{ GRAPH <{target}> {{\n{_insert_data(conversion.graph)}\n}}\n"
        f"GRAPH <{PROVENANCE_GRAPH}> {{\n{_insert_data(provenance)}\n}} }}\n"
        f"WHERE {{ {unclaimed} }}"
    )
    store.update(update)

    # The start time and the snapshot tell this submission from another one of the member.
    digest = hashlib.sha256(record.snapshot.encode("utf-8")).hexdigest()
    return store.ask(
        f"ASK {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{version}> <{VIC.snapshot}> ?snapshot ; "
        f"<{PROV.wasGeneratedBy}> ?activity . ?activity <{PROV.startedAtTime}> ?started }} "
        f'FILTER(SHA256(STR(?snapshot)) = "{digest}" '
        f'&& ?started = "{record.started}"^^<{XSD.dateTime}>) }}'
    )


def _claim_next_version(
    store: Store,
    slug: str,
    conversion: Conversion,
    files: list[tuple[str, bytes]],
    started: str,
    report: ValidationReport,
    kind: SubmissionKind = SubmissionKind.CATALOGUE,
) -> int:
    """Store the files' graph as the member's next version and return its number."""
    snapshot = conversion.graph.serialize(format="nt")
    products = len(set(conversion.graph.subjects(VIC.inCatalogue, None)))
    with store.exclusive():
        for _ in range(_MAX_VERSION_ATTEMPTS):
            number = latest_version(store, slug, kind) + 1
            record = SubmissionRecord(
                slug=slug,
                number=number,
                files=files,
                started=started,
                ended=_now(),
                report=report,
                products=products,
                snapshot=snapshot,
                kind=kind,
            )
            if _store_version(store, slug, conversion, record):
                return number
            logger.warning(
                "version %d of the %s of %s was taken meanwhile; retrying", number, kind, slug
            )
    raise StoreError(
        f"Каталог {slug} не сохранён: {_MAX_VERSION_ATTEMPTS} раз подряд другой процесс "
        "занимал номер следующей версии. Повторите отправку.",
        f"The catalogue of {slug} was not stored: {_MAX_VERSION_ATTEMPTS} times in a row "
        "another process took the next version number. Submit it again.",
    )


def _record_rejection(store: Store, slug: str, started: str, violations: int) -> None:
    """Add a rejected attempt to the provenance graph; the member's catalogue is not touched."""
    record = rejection_graph(slug, started, _now(), violations)
    store.update(f"INSERT DATA {{ GRAPH <{PROVENANCE_GRAPH}> {{\n{_insert_data(record)}\n}} }}")


def submit_catalogue(
    store: Store,
    files: list[tuple[str, bytes]],
    slug: str,
    *,
    dry_run: bool = False,
    lang: str = "ru",
    timeout_seconds: float | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Submission:
    """Validate the member's files and, without violations, make them its catalogue.

    Treatment and milk delivery logs replace the member's veterinary graph instead, with the
    same validation and versioning; product files and logs go in separate requests.
    The catalogue graph and the provenance record are written in one update, so a failure
    leaves both as they were. The store's write lock is held from reading the latest version
    number to that update, so no other writer, in this process or another one on the same
    remote store, takes the same number. Inferences are recomputed afterwards, in separate
    updates.
    A submission rejected for violations leaves the catalogue as it was and adds only a
    vic:RejectedSubmission record, which the trust measure of the cluster analytics counts.
    A dry run records nothing.
    """
    started = _now()
    deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
    ontology = default_ontology()
    tables = [read_table(name, data, limits) for name, data in files]
    kind = submission_kind(tables)
    if kind is SubmissionKind.CATALOGUE:
        conversion = _convert_products(tables, slug, ontology)
    else:
        conversion = convert_tables(tables, ontology, slug)
    report = validate_graph(
        conversion.graph,
        lang,
        provenance=conversion.provenance,
        ontology=ontology,
        timeout_seconds=timeout_seconds,
    )
    delivery = needs_withdrawal_notice(conversion.graph)
    if delivery is not None:
        deliveries = [t.file_name for t in tables if t.kind is FileKind.DELIVERIES]
        report = add_withdrawal_notice(report, delivery, deliveries[0])
    if not report.conforms or dry_run:
        logger.info(
            "%s of %s not stored (%s): %d violations",
            kind,
            slug,
            "dry run" if dry_run else "rejected",
            len(report.violations),
        )
        # NOTE: files that cannot be read or are of another kind raise CatalogueError above
        # and are not recorded; only validation rejections count as rejected attempts.
        if not report.conforms and not dry_run:
            _record_rejection(store, slug, started, len(report.violations))
        return Submission(report, stored=False)

    _check_time_left(deadline, slug)
    # The graph lock orders this write with the member's validated direct writes.
    with graph_lock(str(_target_graph(slug, kind))):
        number = _claim_next_version(store, slug, conversion, files, started, report, kind)
    materialise(store)
    logger.info("Stored version %d of the %s of %s", number, kind, slug)
    return Submission(report, stored=True, version=number)


# Seconds a submission must have left before its deadline to be stored. The API returns 503
# at the deadline, so a write that started later could land after that response.
_STORE_MARGIN_SECONDS = 5.0


def _check_time_left(deadline: float | None, slug: str) -> None:
    """Raise ValidationTimeoutError when too little time is left to store the submission."""
    if deadline is not None and time.monotonic() > deadline - _STORE_MARGIN_SECONDS:
        logger.warning("submission of %s validated too late to be stored; not stored", slug)
        raise ValidationTimeoutError(f"submission of {slug} passed its deadline before storing")


__all__ = ["Submission", "convert_catalogue", "submit_catalogue"]
