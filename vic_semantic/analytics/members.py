"""Cluster members as analysts read them: kind, region, roles, formats, API and catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vic_semantic.analytics.sparql_files import SelectStore, measure_query
from vic_semantic.namespaces import ID

MEMBER_PREFIX = str(ID) + "member/"
# Member slugs are transliterated, lower-case and hyphenated (vic_semantic.catalogues.slug).
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class Member:
    """One row of ``measures/members.rq``; IRIs are kept, labels are looked up by the caller."""

    iri: str
    kind: str
    region: str | None
    provides_api: bool
    roles: tuple[str, ...]
    formats: tuple[str, ...]
    products: int

    @property
    def slug(self) -> str:
        """The last segment of the member IRI, used in portal and API paths."""
        return self.iri.removeprefix(MEMBER_PREFIX)


@dataclass(frozen=True)
class ProductClassCount:
    """How many catalogue products of a member fall in one class, and the documents they cite."""

    product_class: str
    products: int
    documents: tuple[str, ...]


def member_iri(slug: str) -> str:
    """Return the IRI of the member with path segment ``slug`` (no check that it exists)."""
    return MEMBER_PREFIX + slug


def _for_member(query: str, iri: str | None) -> str:
    """Bind ``?member`` through the query's ``VALUES ?member { UNDEF }`` line."""
    if iri is None:
        return query
    if ">" in iri or "<" in iri or " " in iri:
        raise ValueError(f"not an IRI: {iri!r}")
    return query.replace("VALUES ?member { UNDEF }", f"VALUES ?member {{ <{iri}> }}", 1)


def _member(row: dict[str, str]) -> Member:
    return Member(
        iri=row["member"],
        kind=row["kind"],
        region=row.get("region"),
        provides_api=row.get("api") == "true",
        roles=tuple(sorted(row.get("roles", "").split())),
        formats=tuple(sorted(row.get("formats", "").split())),
        products=int(row.get("products", "0")),
    )


def list_members(store: SelectStore) -> list[Member]:
    """Return every cluster member, ordered by IRI."""
    return [_member(row) for row in store.select(measure_query("members"))]


def find_member(store: SelectStore, slug: str) -> Member | None:
    """Return the member whose IRI ends in ``slug``, or None when there is none."""
    if not _SLUG.fullmatch(slug):
        return None
    rows = store.select(_for_member(measure_query("members"), member_iri(slug)))
    return _member(rows[0]) if rows else None


def member_product_classes(store: SelectStore, iri: str) -> list[ProductClassCount]:
    """Return the classes of the member's catalogue products with counts and cited documents."""
    rows = store.select(_for_member(measure_query("member-product-classes"), iri))
    return [
        ProductClassCount(
            product_class=row["class"],
            products=int(row["products"]),
            documents=tuple(d for d in row.get("documents", "").split("; ") if d),
        )
        for row in rows
    ]
