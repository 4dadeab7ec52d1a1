"""What a member saves for mapping, as RDF in its own graphs.

Column profiles (file header → field key) live in ``graph/member/{slug}/profiles``;
corrections (member code → class, a manual mapping that wins over the automatic one) live
in ``graph/member/{slug}/mappings`` as SSSOM mappings. Only the member and the
administrator may write these graphs, as for every graph under ``graph/member/{slug}/``.
The vic: terms of profiles (vic:ColumnProfile, vic:ColumnMapping, vic:columnMapping,
vic:sourceHeader, vic:targetField) are declared in ``ontology/mapping.ttl``.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import pyoxigraph as ox
from rdflib import URIRef

from vic_semantic.catalogues.headers import PRODUCT_FIELDS
from vic_semantic.catalogues.slug import require_member_slug
from vic_semantic.errors import InputError
from vic_semantic.namespaces import GRAPH, ID, VIC

SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DCTERMS_CREATED = ox.NamedNode("http://purl.org/dc/terms/created")
PRODUCT_FIELD_KEYS = frozenset(f.key for f in PRODUCT_FIELDS)


class Store(Protocol):
    def select(self, query: str) -> list[dict[str, str]]: ...
    def put_graph(self, graph: str | None, triples: list[ox.Triple]) -> None: ...


def profiles_graph(member: str) -> str:
    return str(GRAPH[f"member/{require_member_slug(member)}/profiles"])


def mappings_graph(member: str) -> str:
    return str(GRAPH[f"member/{require_member_slug(member)}/mappings"])


def check_profile(name: str, columns: dict[str, str]) -> None:
    """Raise InputError when a profile maps a header to a field the mapper does not know."""
    unknown = sorted(set(columns.values()) - PRODUCT_FIELD_KEYS)
    if unknown or not columns:
        fields = ", ".join(sorted(PRODUCT_FIELD_KEYS))
        raise InputError(
            f"Профиль «{name}»: неизвестные поля {unknown or '—'}. Допустимые поля: {fields}.",
            f"Profile '{name}': unknown fields {unknown or '—'}. Allowed fields: {fields}.",
        )


def load_profiles(store: Store, member: str) -> dict[str, dict[str, str]]:
    """Return every saved profile of ``member``: name → (header → field)."""
    rows = store.select(
        f"SELECT ?name ?header ?field WHERE {{ GRAPH <{profiles_graph(member)}> {{ "
        f"?p a <{VIC.ColumnProfile}> ; <{RDFS_LABEL.value}> ?name ; <{VIC.columnMapping}> ?m . "
        f"?m <{VIC.sourceHeader}> ?header ; <{VIC.targetField}> ?field }} }}"
    )
    profiles: dict[str, dict[str, str]] = {}
    for row in rows:
        profiles.setdefault(row["name"], {})[row["header"]] = row["field"]
    return profiles


def save_profile(store: Store, member: str, name: str, columns: dict[str, str]) -> None:
    """Store or replace one profile of ``member``."""
    check_profile(name, columns)
    profiles = load_profiles(store, member)
    profiles[name] = columns
    triples = []
    for profile_name, mapping in sorted(profiles.items()):
        subject = ox.NamedNode(str(ID[f"profile/{member}/{_slug(profile_name)}"]))
        triples += [
            ox.Triple(subject, RDF_TYPE, ox.NamedNode(str(VIC.ColumnProfile))),
            ox.Triple(subject, RDFS_LABEL, ox.Literal(profile_name)),
        ]
        for header, field in sorted(mapping.items()):
            node = ox.BlankNode()
            triples += [
                ox.Triple(node, RDF_TYPE, ox.NamedNode(str(VIC.ColumnMapping))),
                ox.Triple(subject, ox.NamedNode(str(VIC.columnMapping)), node),
                ox.Triple(node, ox.NamedNode(str(VIC.sourceHeader)), ox.Literal(header)),
                ox.Triple(node, ox.NamedNode(str(VIC.targetField)), ox.Literal(field)),
            ]
    store.put_graph(profiles_graph(member), triples)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text) or "profile"


def load_corrections(store: Store, member: str) -> dict[str, URIRef]:
    """Return the member's manual mappings: member code → class IRI."""
    rows = store.select(
        f"SELECT ?code ?cls WHERE {{ GRAPH <{mappings_graph(member)}> {{ "
        f"?m a <{SSSOM}Mapping> ; <{SSSOM}subject_id> ?code ; <{SSSOM}object_id> ?cls }} }}"
    )
    return {row["code"]: URIRef(row["cls"]) for row in rows}


def save_correction(store: Store, member: str, code: str, cls: URIRef, label: str = "") -> None:
    """Store ``code`` → ``cls`` as a manual SSSOM mapping, replacing an earlier one."""
    corrections = load_corrections(store, member)
    corrections[code] = cls
    today = ox.Literal(
        dt.date.today().isoformat(),
        datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"),
    )
    triples = []
    for member_code, target in sorted(corrections.items()):
        subject = ox.NamedNode(str(ID[f"mapping/{member}/{_slug(member_code)}"]))
        triples += [
            ox.Triple(subject, RDF_TYPE, ox.NamedNode(f"{SSSOM}Mapping")),
            ox.Triple(subject, ox.NamedNode(f"{SSSOM}subject_id"), ox.Literal(member_code)),
            ox.Triple(
                subject, ox.NamedNode(f"{SSSOM}predicate_id"), ox.NamedNode(f"{SKOS}exactMatch")
            ),
            ox.Triple(subject, ox.NamedNode(f"{SSSOM}object_id"), ox.NamedNode(str(target))),
            ox.Triple(
                subject,
                ox.NamedNode(f"{SSSOM}mapping_justification"),
                ox.NamedNode(f"{SEMAPV}ManualMappingCuration"),
            ),
            ox.Triple(subject, DCTERMS_CREATED, today),
        ]
        if member_code == code and label:
            triples.append(
                ox.Triple(subject, ox.NamedNode(f"{SSSOM}subject_label"), ox.Literal(label))
            )
    store.put_graph(mappings_graph(member), triples)
