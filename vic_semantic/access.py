"""Who may do what: roles, bearer tokens stored hashed, and the graphs each role may write.

Roles, from least to most trusted:
- anonymous: reads, when the service allows anonymous reading;
- analyst: reads everything;
- member: reads everything, writes only its own graphs (its catalogue and its veterinary
  records, and graphs under ``graph/member/{slug}/``), never the default graph;
- admin: reads and writes everything but the inferred graph, which only the server writes.

Owning a graph is not enough to write it every way (see ``direct_write_rule``): a member's
catalogue changes only through a validated submission (POST /catalogues), and a member's
veterinary graph takes Graph Store and SPARQL Update writes only when the resulting graph
has no violations. The administrator is trusted and writes directly.

Tokens are random strings shown once at creation. Only their SHA-256 digests are stored, in
``tokens.json`` in the data folder: a token has 256 bits of randomness, so an unsalted fast
hash is enough to make a leaked file useless. The administrator's token can instead come from
the environment (VIC_ADMIN_TOKEN) for deployments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from vic_semantic.errors import InputError
from vic_semantic.namespaces import GRAPH, INFERRED_GRAPH, catalogue_graph, veterinary_graph
from vic_semantic.sparql.update_targets import TargetKind, WrittenGraph

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "vic_"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    ANALYST = "analyst"
    MEMBER = "member"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """The party behind a request: its role and, for a member, the member's slug."""

    role: Role
    member: str | None = None
    token_id: str | None = None

    def can_read(self, allow_anonymous_read: bool) -> bool:
        """Return whether this principal may read; anonymous only when the service allows it."""
        return self.role is not Role.ANONYMOUS or allow_anonymous_read

    def can_write_graph(self, graph: str | None) -> bool:
        """Return whether this principal may change the named graph ``graph``.

        ``None`` is the store's default graph, which only the administrator writes. No principal
        writes the inferred graph, because the server recomputes it after every write.
        """
        if graph == str(INFERRED_GRAPH):
            return False
        if self.role is Role.ADMIN:
            return True
        if self.role is not Role.MEMBER or not self.member or graph is None:
            return False
        return graph in owned_graphs(self.member) or _is_own_member_graph(graph, self.member)


class DirectWrite(StrEnum):
    """Handling of a principal's Graph Store or SPARQL Update write to one graph."""

    # Written as sent, after the ownership check.
    ALLOWED = "allowed"
    # Never written directly: the graph changes only through POST /catalogues.
    SUBMISSION_ONLY = "submission_only"
    # Computed on a scratch copy first and written only when the result has no violations.
    VALIDATED = "validated"


def direct_write_rule(principal: Principal, graph: str | None) -> DirectWrite:
    """Return how a direct write (Graph Store, SPARQL Update) of ``principal`` to ``graph`` goes.

    Ownership is checked separately, by ``can_write_graph``. Only a member's own catalogue,
    veterinary and working graphs have rules of their own; the administrator writes them
    directly.
    """
    if principal.role is not Role.MEMBER or not principal.member or graph is None:
        return DirectWrite.ALLOWED
    if graph == str(catalogue_graph(principal.member)):
        return DirectWrite.SUBMISSION_ONLY
    if graph == str(veterinary_graph(principal.member)):
        return DirectWrite.VALIDATED
    if _is_own_member_graph(graph, principal.member):
        # Checked for statements about others' resources (``member_graphs``), not shapes.
        return DirectWrite.VALIDATED
    return DirectWrite.ALLOWED


def _is_own_member_graph(graph: str, member: str) -> bool:
    """Return whether ``graph`` lies under ``graph/member/{member}/``.

    A path with "." or ".." segments is refused: RDF compares IRIs as strings, but a client
    that normalises ``member/a/../b/x`` would read it as another member's graph.
    """
    prefix = str(GRAPH[f"member/{member}/"])
    if not graph.startswith(prefix):
        return False
    rest = graph[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
    return bool(rest) and not {".", ".."}.intersection(rest.split("/"))


ANONYMOUS = Principal(Role.ANONYMOUS)


def denied_graphs(principal: Principal, targets: Iterable[WrittenGraph]) -> list[WrittenGraph]:
    """Return the graphs of an update that ``principal`` may not write, in the given order.

    ALL, NAMED and a variable graph (``GRAPH ?g`` in a template) may reach any graph, so only
    the administrator may write them.
    """
    denied = []
    for target in targets:
        if target.kind is TargetKind.GRAPH:
            allowed = principal.can_write_graph(target.name)
        elif target.kind is TargetKind.DEFAULT:
            allowed = principal.can_write_graph(None)
        else:
            allowed = principal.role is Role.ADMIN
        if not allowed:
            denied.append(target)
    return denied


def owned_graphs(member: str) -> set[str]:
    """Return the fixed graphs a member owns: its catalogue and its veterinary records."""
    return {str(catalogue_graph(member)), str(veterinary_graph(member))}


@dataclass(frozen=True)
class TokenRecord:
    """A stored token: its id, the digest of its secret, and whom it stands for."""

    id: str
    digest: str
    role: Role
    member: str | None
    created: str
    label: str = ""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenRegistry:
    """The tokens of one data folder, read from and written to ``tokens.json``."""

    def __init__(self, path: Path, admin_token: str | None = None) -> None:
        self.path = path
        self._admin_digest = _digest(admin_token) if admin_token else None

    def create(self, role: Role, member: str | None = None, label: str = "") -> tuple[str, str]:
        """Create a token and return (id, secret); only the digest is stored."""
        if role is Role.MEMBER and not member:
            raise InputError(
                "Для роли member укажите участника (--member).",
                "The member role needs a member (--member).",
            )
        if role is Role.ANONYMOUS:
            raise InputError(
                "Токен для анонимной роли не нужен.",
                "The anonymous role needs no token.",
            )
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = TokenRecord(
            id=secrets.token_hex(4),
            digest=_digest(secret),
            role=role,
            member=member if role is Role.MEMBER else None,
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            label=label,
        )
        self._write([*self.records(), record])
        logger.info("created token %s for role %s member %s", record.id, role, member)
        return record.id, secret

    def revoke(self, token_id: str) -> None:
        """Delete the token with this id, raising InputError when there is none."""
        records = self.records()
        kept = [record for record in records if record.id != token_id]
        if len(kept) == len(records):
            raise InputError(
                f"Токен с идентификатором «{token_id}» не найден; список: vic-semantic token list.",
                f"No token has the id '{token_id}'; list them with: vic-semantic token list.",
            )
        self._write(kept)
        logger.info("revoked token %s", token_id)

    def records(self) -> list[TokenRecord]:
        if not self.path.is_file():
            return []
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        return [TokenRecord(**{**entry, "role": Role(entry["role"])}) for entry in raw["tokens"]]

    def authenticate(self, token: str) -> Principal | None:
        """Return the principal of ``token``, or None when no stored token matches.

        Every stored digest is compared in constant time, so the time taken does not tell
        how much of a guessed token was right.
        """
        digest = _digest(token)
        if self._admin_digest and hmac.compare_digest(digest, self._admin_digest):
            return Principal(Role.ADMIN, token_id="environment")
        found = None
        for record in self.records():
            if hmac.compare_digest(digest, record.digest):
                found = Principal(record.role, record.member, record.id)
        return found

    def _write(self, records: list[TokenRecord]) -> None:
        """Write the file atomically: a crash leaves either the old or the new list."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"tokens": [asdict(r) for r in records]}, ensure_ascii=False, indent=2)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tokens-")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(body)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)
