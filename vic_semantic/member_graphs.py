"""Members' working graphs (``graph/member/{slug}/…``): what a member may state in them.

These graphs are not validated against the shapes, but they are part of the union default
graph that queries read. So a member may make statements there only about its own resources
(``id/{kind}/{slug}`` and below) and about IRIs outside the service's namespace. Otherwise one
member could rename another member, or add products to its catalogue, in every query's results.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from vic_semantic.errors import VicError
from vic_semantic.namespaces import BASE, GRAPH, ID

# Subjects named in an error, at most.
_SHOWN = 5


class ForeignStatementsError(VicError):
    """A write would make a member's working graph state things about others' resources."""

    def __init__(self, graph: str, slug: str, subjects: list[str]) -> None:
        shown = ", ".join(f"<{subject}>" for subject in subjects[:_SHOWN])
        more_ru = f" и ещё {len(subjects) - _SHOWN}" if len(subjects) > _SHOWN else ""
        more_en = f" and {len(subjects) - _SHOWN} more" if len(subjects) > _SHOWN else ""
        own = f"{ID}{{вид}}/{slug}/…"
        super().__init__(
            f"В рабочем графе <{graph}> участник {slug} может делать утверждения только о "
            f"своих ресурсах ({own}) и об IRI вне {BASE}. Чужие или общие ресурсы: "
            f"{shown}{more_ru}. Ничего не записано. Уберите эти тройки или используйте IRI "
            "своего пространства.",
            f"In the working graph <{graph}> member {slug} may state things only about its "
            f"own resources ({ID}{{kind}}/{slug}/…) and IRIs outside {BASE}. Resources of "
            f"others or of the cluster: {shown}{more_en}. Nothing was written. Remove these "
            "triples or use IRIs of your own namespace.",
        )
        self.graph = graph
        self.subjects = subjects


def working_graph_member(graph: str) -> str | None:
    """Return the member slug of a working graph ``graph/member/{slug}/…``, or None."""
    prefix = str(GRAPH["member/"])
    if not graph.startswith(prefix):
        return None
    slug, separator, rest = graph[len(prefix) :].partition("/")
    return slug if slug and separator and rest else None


def foreign_subjects(triples: Iterable[ox.Triple], slug: str) -> list[str]:
    """Return the subjects in the service's namespace that are not the member's own."""
    foreign: dict[str, None] = {}
    for triple in triples:
        subject = triple.subject
        if isinstance(subject, ox.NamedNode) and not _may_describe(subject.value, slug):
            foreign[subject.value] = None
    return list(foreign)


def _may_describe(iri: str, slug: str) -> bool:
    if not iri.startswith(BASE):
        return True
    if not iri.startswith(str(ID)):
        return False
    kind, _, rest = iri[len(str(ID)) :].partition("/")
    return bool(kind) and (rest == slug or rest.startswith(f"{slug}/"))
