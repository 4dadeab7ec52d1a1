"""The PROV-O records of catalogue submissions: accepted ones with their version, rejected
ones with the member, the times and the number of violations only."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from vic_semantic.namespaces import DCTERMS, ID, PROV, VIC
from vic_semantic.submissions.versions import SubmissionKind, catalogue_entity, version_iri
from vic_semantic.validation.report import ValidationReport


@dataclass(frozen=True)
class SubmissionRecord:
    """What the provenance record states about one submission."""

    slug: str
    number: int
    files: list[tuple[str, bytes]]
    started: str
    ended: str
    report: ValidationReport
    products: int
    snapshot: str
    kind: SubmissionKind = SubmissionKind.CATALOGUE


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def provenance_graph(record: SubmissionRecord) -> Graph:
    """Return the triples of the submission's prov:Activity and the version it generated."""
    graph = Graph()
    # Catalogue submissions keep their original IRIs; veterinary ones get a path of their own.
    prefix = f"submission/{record.slug}/"
    if record.kind is SubmissionKind.VETERINARY:
        prefix += "veterinary/"
    activity = ID[f"{prefix}{record.number}"]
    version = URIRef(version_iri(record.slug, record.number, record.kind))
    member = ID[f"member/{record.slug}"]

    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, PROV.wasAssociatedWith, member))
    graph.add((activity, PROV.startedAtTime, Literal(record.started, datatype=XSD.dateTime)))
    graph.add((activity, PROV.endedAtTime, Literal(record.ended, datatype=XSD.dateTime)))
    graph.add((activity, PROV.generated, version))
    for index, (name, data) in enumerate(record.files, start=1):
        used = ID[f"{prefix}{record.number}/file/{index}"]
        graph.add((activity, PROV.used, used))
        graph.add((used, RDF.type, PROV.Entity))
        graph.add((used, DCTERMS.title, Literal(name)))
        graph.add((used, VIC.sha256, Literal(sha256(data))))

    graph.add((version, RDF.type, PROV.Entity))
    graph.add((version, PROV.wasGeneratedBy, activity))
    graph.add((version, PROV.specializationOf, URIRef(catalogue_entity(record.slug, record.kind))))
    graph.add((version, PROV.generatedAtTime, Literal(record.ended, datatype=XSD.dateTime)))
    graph.add((version, VIC.versionNumber, Literal(record.number)))
    if record.kind is SubmissionKind.CATALOGUE:
        graph.add((version, VIC.productCount, Literal(record.products)))
    graph.add((version, VIC.snapshot, Literal(record.snapshot)))
    if record.number > 1:
        previous = URIRef(version_iri(record.slug, record.number - 1, record.kind))
        graph.add((version, PROV.wasRevisionOf, previous))
    _add_summary(graph, version, record.report)
    return graph


def rejection_graph(slug: str, started: str, ended: str, violations: int) -> Graph:
    """Return the triples of a rejected submission: a vic:RejectedSubmission activity.

    The submitted files are not stored, not even their names or checksums, because a member
    may send a wrong file by mistake. The IRI ends in a random UUID, so recording a rejection
    needs no lock and no read of earlier records.
    """
    graph = Graph()
    activity = ID[f"submission/{slug}/rejected/{uuid.uuid4().hex}"]
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, RDF.type, VIC.RejectedSubmission))
    graph.add((activity, PROV.wasAssociatedWith, ID[f"member/{slug}"]))
    graph.add((activity, PROV.startedAtTime, Literal(started, datatype=XSD.dateTime)))
    graph.add((activity, PROV.endedAtTime, Literal(ended, datatype=XSD.dateTime)))
    graph.add((activity, VIC.rejectedViolationCount, Literal(violations)))
    return graph


def _add_summary(graph: Graph, version: URIRef, report: ValidationReport) -> None:
    """Add the report's summary and its warnings, which are stored with the version."""
    warnings = [r for r in report.results if r.severity != "Violation"]
    graph.add((version, VIC.conforms, Literal(report.conforms)))
    graph.add((version, VIC.violationCount, Literal(len(report.violations))))
    graph.add((version, VIC.warningCount, Literal(len(warnings))))
    for warning in warnings:
        node = BNode()
        graph.add((version, VIC.validationResult, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, URIRef(warning.focus_node)))
        graph.add((node, SH.resultSeverity, SH[warning.severity]))
        graph.add((node, SH.sourceShape, URIRef(warning.source_shape)))
        graph.add((node, SH.resultMessage, Literal(warning.message_ru, lang="ru")))
        graph.add((node, SH.resultMessage, Literal(warning.message_en, lang="en")))
        if warning.file is not None:
            graph.add((node, VIC.sourceFile, Literal(warning.file)))
        if warning.row is not None:
            graph.add((node, VIC.sourceRow, Literal(warning.row)))
