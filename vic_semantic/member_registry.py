"""Whether a member slug is registered: described in the members graph of the cluster.

Tokens, catalogue submissions and version listings name members by slug. A slug that no
member row describes would create catalogue graphs and versions that the cluster views
never show, so those entry points check it here first.
"""

from __future__ import annotations

from vic_semantic.errors import InputError
from vic_semantic.namespaces import ID, MEMBERS_GRAPH
from vic_semantic.store.base import Store

MEMBER_PREFIX = str(ID) + "member/"


class UnknownMemberError(InputError):
    """The slug names no member of the members graph."""

    def __init__(self, slug: str) -> None:
        super().__init__(
            f"Участник «{slug}» не зарегистрирован: в графе <{MEMBERS_GRAPH}> нет "
            f"<{MEMBER_PREFIX}{slug}>. Добавьте строку участника в таблицу участников "
            "кластера и загрузите её: vic-semantic load cluster-members.csv (или проверьте "
            "код участника в GET /api/cluster/members).",
            f"The member '{slug}' is not registered: the graph <{MEMBERS_GRAPH}> has no "
            f"<{MEMBER_PREFIX}{slug}>. Add the member's row to the cluster members table "
            "and load it: vic-semantic load cluster-members.csv (or check the member slug "
            "in GET /api/cluster/members).",
        )
        self.slug = slug


def is_registered_member(store: Store, slug: str) -> bool:
    """Return whether the members graph describes the member with path segment ``slug``."""
    # A character that IRIs forbid would end the IRI early in the query text.
    iri = MEMBER_PREFIX + slug
    if any(character in iri for character in '<>"{}|^`\\ \n'):
        return False
    return store.ask(f"ASK {{ GRAPH <{MEMBERS_GRAPH}> {{ <{iri}> ?p ?o }} }}")


def require_registered_member(store: Store, slug: str) -> None:
    """Raise UnknownMemberError unless ``slug`` is a registered member."""
    if not is_registered_member(store, slug):
        raise UnknownMemberError(slug)
