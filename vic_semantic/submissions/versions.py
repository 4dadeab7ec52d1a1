"""Versions of catalogues and veterinary logs: where they are kept and how they are read back.

Decision: a version is kept as one N-Triples snapshot literal (``vic:snapshot``) on the
version entity in the provenance graph, not as a named graph of its own. The store's union
default graph, which analysts query, would otherwise hold every product once per version
and count it several times. A literal is never matched by a product pattern, so only the
current catalogue graph ``graph/catalogue/{slug}`` holds products as triples.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rdflib import Graph

from vic_semantic.catalogues.slug import require_member_slug
from vic_semantic.namespaces import GRAPH, ID, PROV, VIC
from vic_semantic.store.base import Store

PROVENANCE_GRAPH = GRAPH["provenance"]


class SubmissionKind(StrEnum):
    """Kind of data a submission replaces: a product catalogue or veterinary records."""

    CATALOGUE = "catalogue"
    VETERINARY = "veterinary"


def catalogue_entity(slug: str, kind: SubmissionKind = SubmissionKind.CATALOGUE) -> str:
    """Return the IRI of the member's catalogue (or veterinary records) as a whole.

    Versions are revisions of this entity.
    """
    return str(ID[f"{kind}/{require_member_slug(slug)}"])


def version_iri(slug: str, number: int, kind: SubmissionKind = SubmissionKind.CATALOGUE) -> str:
    return str(ID[f"{kind}/{require_member_slug(slug)}/version/{number}"])


@dataclass(frozen=True)
class SubmissionVersion:
    """One accepted submission: a version of a catalogue or of a farm's veterinary logs.

    ``products`` is None for veterinary versions, which record no product count.
    """

    number: int
    iri: str
    started: str
    ended: str
    member: str
    products: int | None
    warnings: int
    files: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "version": self.number,
            "iri": self.iri,
            "startedAtTime": self.started,
            "endedAtTime": self.ended,
            "member": self.member,
        }
        if self.products is not None:
            data["products"] = self.products
        data["warnings"] = self.warnings
        data["files"] = list(self.files)
        return data


# The name from before veterinary versions could be listed.
CatalogueVersion = SubmissionVersion


_LIST = """
PREFIX prov: <{prov}>
PREFIX vic: <{vic}>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?version ?n ?started ?ended ?member ?products ?warnings
       (GROUP_CONCAT(?file; SEPARATOR="\\u0001") AS ?files)
WHERE {{ GRAPH <{graph}> {{
    ?version prov:specializationOf <{catalogue}> ; vic:versionNumber ?n ;
        vic:warningCount ?warnings ; prov:wasGeneratedBy ?activity .
    OPTIONAL {{ ?version vic:productCount ?products . }}
    ?activity prov:startedAtTime ?started ; prov:endedAtTime ?ended ;
        prov:wasAssociatedWith ?member .
    OPTIONAL {{ ?activity prov:used ?used . ?used dcterms:title ?file . }}
}} }}
GROUP BY ?version ?n ?started ?ended ?member ?products ?warnings
ORDER BY ?n
"""


def list_versions(
    store: Store, slug: str, kind: SubmissionKind = SubmissionKind.CATALOGUE
) -> list[SubmissionVersion]:
    """Return the accepted versions of a member's catalogue or veterinary logs, oldest first."""
    entity = catalogue_entity(slug, kind)
    rows = store.select(_LIST.format(prov=PROV, vic=VIC, graph=PROVENANCE_GRAPH, catalogue=entity))
    return [
        SubmissionVersion(
            number=int(row["n"]),
            iri=row["version"],
            started=row["started"],
            ended=row["ended"],
            member=row["member"],
            products=int(row["products"]) if "products" in row else None,
            warnings=int(row["warnings"]),
            files=tuple(sorted(filter(None, row.get("files", "").split("\u0001")))),
        )
        for row in rows
    ]


def version_numbers(
    store: Store, slug: str, kind: SubmissionKind = SubmissionKind.CATALOGUE
) -> list[int]:
    """Return the numbers of the stored versions, in ascending order."""
    rows = store.select(
        f"SELECT ?n WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ "
        f"?version <{PROV.specializationOf}> <{catalogue_entity(slug, kind)}> ; "
        f"<{VIC.versionNumber}> ?n }} }}"
    )
    return sorted(int(row["n"]) for row in rows)


def read_version(
    store: Store, slug: str, number: int, kind: SubmissionKind = SubmissionKind.CATALOGUE
) -> Graph | None:
    """Return the triples of one version, or None when it does not exist."""
    rows = store.select(
        f"SELECT ?snapshot WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ "
        f"<{version_iri(slug, number, kind)}> <{VIC.snapshot}> ?snapshot }} }}"
    )
    if not rows:
        return None
    return Graph().parse(data=rows[0]["snapshot"], format="nt")


def latest_version(store: Store, slug: str, kind: SubmissionKind = SubmissionKind.CATALOGUE) -> int:
    """Return the number of the latest version, 0 when there is none."""
    rows = store.select(
        f"SELECT (MAX(?n) AS ?latest) WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ "
        f"?version <{PROV.specializationOf}> <{catalogue_entity(slug, kind)}> ; "
        f"<{VIC.versionNumber}> ?n }} }}"
    )
    return int(rows[0]["latest"]) if rows and rows[0].get("latest") else 0
