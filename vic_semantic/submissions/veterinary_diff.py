"""Differences between two versions of a farm's veterinary logs: treatments and milk deliveries.

A treatment or delivery IRI ends in its row number (``treatment/{farm}/{row}``), so a row
inserted near the top of a log gives every later record a new IRI. Records are therefore
matched by what identifies them for a person: a treatment by its animal group, preparation
and date, a delivery by its date and recipient plant. Records with the same identity are
first paired with an equal record of the other version. The rest are paired in row order as
changed records, and those left over are added or removed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from vic_semantic.namespaces import PREFIXES, VIC
from vic_semantic.store.base import Store
from vic_semantic.submissions.diff import bind_prefixes, compact_name
from vic_semantic.submissions.member_names import member_names

# Properties that record the source of a record, not its content, so a moved row is no change.
_SOURCE_PROPERTIES = {RDF.type, VIC.sourceFile, VIC.sourceRow}


@dataclass(frozen=True)
class RecordKind:
    """One kind of log record and the properties that identify a record for a person."""

    rdf_class: URIRef
    identity: tuple[URIRef, ...]


TREATMENTS = RecordKind(
    VIC.VeterinaryTreatment, (VIC.animalGroup, VIC.preparation, VIC.treatmentDate)
)
DELIVERIES = RecordKind(VIC.MilkDelivery, (VIC.deliveryDate, VIC.recipient))


@dataclass(frozen=True)
class LogRecord:
    """One treatment or delivery of a version, with its values as a person reads them.

    ``match_key`` contains the identity values as IRIs and lexical forms, so two spellings of
    one preparation or group code that map to the same IRI still match. ``identity`` and
    ``values`` contain readable text: group codes, preparation labels and member names.
    """

    iri: str
    row: int | None
    match_key: tuple[str, ...]
    identity: dict[str, str]
    values: dict[str, list[str]]

    @property
    def name(self) -> str:
        """The identity values joined for a person, "—" for a missing one."""
        return " · ".join(value or "—" for value in self.identity.values())

    def source(self) -> dict[str, object]:
        return {"row": self.row, "iri": self.iri}

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "key": self.identity, **self.source(), "values": self.values}


@dataclass(frozen=True)
class ChangedRecord:
    """A record of the older version and its counterpart in the newer one."""

    older: LogRecord
    newer: LogRecord

    @property
    def name(self) -> str:
        """The newer record's name, because a changed label shows in its newer spelling."""
        return self.newer.name

    def changes(self) -> dict[str, dict[str, list[str]]]:
        """Return property → the older and newer values, for the properties that differ."""
        before, after = self.older.values, self.newer.values
        return {
            key: {"from": before.get(key, []), "to": after.get(key, [])}
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        }

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "key": self.newer.identity,
            "from": self.older.source(),
            "to": self.newer.source(),
            "changes": self.changes(),
        }


@dataclass(frozen=True)
class RecordChanges:
    """The records of one kind that only the newer version has, only the older, or changed."""

    added: list[LogRecord]
    removed: list[LogRecord]
    changed: list[ChangedRecord]

    def to_json(self) -> dict[str, object]:
        return {
            "added": [record.to_json() for record in self.added],
            "removed": [record.to_json() for record in self.removed],
            "changed": [record.to_json() for record in self.changed],
        }


@dataclass(frozen=True)
class VeterinaryDiff:
    """Changed treatments and changed milk deliveries between two versions."""

    treatments: RecordChanges
    deliveries: RecordChanges

    def to_json(self) -> dict[str, object]:
        return {"treatments": self.treatments.to_json(), "deliveries": self.deliveries.to_json()}


def _readable(node: Node, graph: Graph, names: Mapping[str, str]) -> str:
    """Return the text a person reads for ``node``: a group code, a label or a member name."""
    if isinstance(node, Literal):
        return str(node)
    if not isinstance(node, URIRef):
        return node.n3()
    for predicate in (VIC.groupCode, RDFS.label):
        texts = sorted(str(text) for text in graph.objects(node, predicate))
        if texts:
            return texts[0]
    return names.get(str(node)) or _prefixed(str(node))


def _prefixed(iri: str) -> str:
    """Return ``iri`` under the longest matching project prefix ("vicd:member/x"), else <iri>.

    rdflib 7.6's own compaction splits at the last slash, so it leaves ``vicd:`` IRIs with a
    path as a full ``<iri>``.
    """
    matching = [prefix for prefix, namespace in PREFIXES.items() if iri.startswith(namespace)]
    if not matching:
        return f"<{iri}>"
    prefix = max(matching, key=lambda name: len(PREFIXES[name]))
    return f"{prefix}:{iri[len(PREFIXES[prefix]) :]}"


def _row(subject: URIRef, graph: Graph) -> int | None:
    row = graph.value(subject, VIC.sourceRow)
    return int(row) if isinstance(row, Literal) and str(row).isdigit() else None


def _record(subject: URIRef, graph: Graph, kind: RecordKind, names: Mapping[str, str]) -> LogRecord:
    readable: dict[str, set[str]] = defaultdict(set)
    for predicate, value in graph.predicate_objects(subject):
        if predicate not in _SOURCE_PROPERTIES:
            readable[compact_name(predicate, graph)].add(_readable(value, graph, names))
    values = {key: sorted(texts) for key, texts in sorted(readable.items())}

    match_key = tuple(
        "\n".join(sorted(str(value) for value in graph.objects(subject, predicate)))
        for predicate in kind.identity
    )
    identity: dict[str, str] = {}
    for predicate in kind.identity:
        key = compact_name(predicate, graph)
        identity[key] = ", ".join(values.get(key, []))
    return LogRecord(str(subject), _row(subject, graph), match_key, identity, values)


def _records(graph: Graph, kind: RecordKind, names: Mapping[str, str]) -> list[LogRecord]:
    records = [
        _record(subject, graph, kind, names)
        for subject in graph.subjects(RDF.type, kind.rdf_class)
        if isinstance(subject, URIRef)
    ]
    return sorted(records, key=lambda record: (record.row or 0, record.iri))


def _without_equal(
    older: list[LogRecord], newer: list[LogRecord]
) -> tuple[list[LogRecord], list[LogRecord]]:
    """Drop the records that have an equal record in the other list, one for one."""
    remaining = list(newer)
    unmatched: list[LogRecord] = []
    for record in older:
        twin = next((i for i, other in enumerate(remaining) if other.values == record.values), None)
        if twin is None:
            unmatched.append(record)
        else:
            del remaining[twin]
    return unmatched, remaining


def _compare(older: list[LogRecord], newer: list[LogRecord]) -> RecordChanges:
    before: dict[tuple[str, ...], list[LogRecord]] = defaultdict(list)
    after: dict[tuple[str, ...], list[LogRecord]] = defaultdict(list)
    for record in older:
        before[record.match_key].append(record)
    for record in newer:
        after[record.match_key].append(record)

    added: list[LogRecord] = []
    removed: list[LogRecord] = []
    changed: list[ChangedRecord] = []
    for key in sorted(set(before) | set(after)):
        old, new = _without_equal(before[key], after[key])
        changed += [ChangedRecord(o, n) for o, n in zip(old, new, strict=False)]
        removed += old[len(new) :]
        added += new[len(old) :]
    return RecordChanges(added, removed, changed)


def diff_veterinary(
    older: Graph, newer: Graph, names: Mapping[str, str] | None = None
) -> VeterinaryDiff:
    """Compare two versions of veterinary logs record by record.

    ``names`` maps member IRIs to the names shown for recipient plants. A plant without a
    name is shown by its prefixed IRI.
    """
    names = names or {}
    bind_prefixes(older)
    bind_prefixes(newer)
    changes = [
        _compare(_records(older, kind, names), _records(newer, kind, names))
        for kind in (TREATMENTS, DELIVERIES)
    ]
    return VeterinaryDiff(treatments=changes[0], deliveries=changes[1])


def compare_veterinary_versions(store: Store, older: Graph, newer: Graph) -> VeterinaryDiff:
    """Compare two versions, naming recipient plants as the store's members graph names them."""
    plants = {
        str(plant)
        for graph in (older, newer)
        for plant in graph.objects(None, VIC.recipient)
        if isinstance(plant, URIRef)
    }
    return diff_veterinary(older, newer, member_names(store, plants))
