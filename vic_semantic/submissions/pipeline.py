"""Submitting a member's catalogue: parse, map, validate, and store it only when valid."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from rdflib import XSD, Graph

from vic_semantic.catalogues.conversion import Conversion
from vic_semantic.catalogues.convert_products import convert_products
from vic_semantic.catalogues.errors import CatalogueError
from vic_semantic.catalogues.readers import read_table
from vic_semantic.catalogues.table import FileKind
from vic_semantic.errors import StoreError
from vic_semantic.inference import materialise
from vic_semantic.namespaces import PROV, VIC, catalogue_graph
from vic_semantic.store.base import Store
from vic_semantic.submissions.provenance import (
    SubmissionRecord,
    provenance_graph,
    rejection_graph,
)
from vic_semantic.submissions.versions import PROVENANCE_GRAPH, latest_version, version_iri
from vic_semantic.validation.engine import default_ontology, validate_graph
from vic_semantic.validation.report import ValidationReport

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


def convert_catalogue(files: list[tuple[str, bytes]], slug: str, ontology: Graph) -> Conversion:
    """Read and map product files; any other kind of file raises CatalogueError."""
    conversion = Conversion()
    for name, data in files:
        table = read_table(name, data)
        if table.kind is not FileKind.PRODUCTS:
            raise CatalogueError(
                f"это не каталог продукции ({table.kind}). Каталог принимает только файлы "
                "с товарами; остальные файлы проверьте через /catalogues/validate.",
                f"this is not a product catalogue ({table.kind}). A catalogue takes product "
                "files only; check other files with /catalogues/validate.",
                file=name,
            )
        convert_products(table, ontology, slug, conversion, member_slug=slug)
    return conversion


def _insert_data(graph: Graph) -> str:
    return graph.serialize(format="nt")


def _store_version(
    store: Store, slug: str, conversion: Conversion, record: SubmissionRecord
) -> bool:
    """Replace the catalogue and add its provenance unless version ``record.number`` exists.

    Both operations are one SPARQL Update request, so a store that applies a request
    atomically (the embedded store, Oxigraph server) keeps both or neither. Returns whether
    this write claimed the version; False means another process stored it first.
    """
    provenance = provenance_graph(record)
    target = catalogue_graph(slug)
    version = version_iri(slug, record.number)
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
) -> int:
    """Store the catalogue as the member's next version and return its number."""
    snapshot = conversion.graph.serialize(format="nt")
    products = len(set(conversion.graph.subjects(VIC.inCatalogue, None)))
    with store.exclusive():
        for _ in range(_MAX_VERSION_ATTEMPTS):
            number = latest_version(store, slug) + 1
            record = SubmissionRecord(
                slug=slug,
                number=number,
                files=files,
                started=started,
                ended=_now(),
                report=report,
                products=products,
                snapshot=snapshot,
            )
            if _store_version(store, slug, conversion, record):
                return number
            logger.warning(
                "version %d of the catalogue of %s was taken meanwhile; retrying", number, slug
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
) -> Submission:
    """Validate the member's files and, without violations, make them its catalogue.

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
    ontology = default_ontology()
    conversion = convert_catalogue(files, slug, ontology)
    report = validate_graph(
        conversion.graph,
        lang,
        provenance=conversion.provenance,
        ontology=ontology,
        timeout_seconds=timeout_seconds,
    )
    if not report.conforms or dry_run:
        logger.info(
            "Catalogue of %s not stored (%s): %d violations",
            slug,
            "dry run" if dry_run else "rejected",
            len(report.violations),
        )
        # NOTE: files that cannot be read or are not product catalogues raise CatalogueError
        # above and are not recorded; only validation rejections count as rejected attempts.
        if not report.conforms and not dry_run:
            _record_rejection(store, slug, started, len(report.violations))
        return Submission(report, stored=False)

    number = _claim_next_version(store, slug, conversion, files, started, report)
    materialise(store)
    logger.info("Stored version %d of the catalogue of %s", number, slug)
    return Submission(report, stored=True, version=number)


__all__ = ["Submission", "convert_catalogue", "submit_catalogue"]
