"""Names of cluster members as the members graph gives them, for output that people read."""

from __future__ import annotations

from collections.abc import Iterable

from vic_semantic.namespaces import MEMBERS_GRAPH, VIC
from vic_semantic.store.base import Store

# Characters that would end an IRI early in the query text; such an IRI names no member.
_NOT_IN_IRI = set('<>"{}|^`\\ \n')


def member_names(store: Store, members: Iterable[str]) -> dict[str, str]:
    """Return member IRI → ``vic:name`` for the members the members graph describes.

    A member with several names gets its Russian one, else an untagged one, else any.
    Members without a name are left out.
    """
    iris = sorted({iri for iri in members if iri and not _NOT_IN_IRI & set(iri)})
    if not iris:
        return {}

    values = " ".join(f"<{iri}>" for iri in iris)
    rows = store.select(
        f"SELECT ?member ?name (LANG(?name) AS ?lang) WHERE {{ VALUES ?member {{ {values} }} "
        f"GRAPH <{MEMBERS_GRAPH}> {{ ?member <{VIC.name}> ?name }} }}"
    )

    preference = {"ru": 0, "": 1}
    best: dict[str, tuple[int, str]] = {}
    for row in rows:
        rank = (preference.get(row.get("lang", ""), 2), row["name"])
        if row["member"] not in best or rank < best[row["member"]]:
            best[row["member"]] = rank
    return {member: name for member, (_, name) in best.items()}
