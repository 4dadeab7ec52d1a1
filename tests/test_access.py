from __future__ import annotations

import hmac
import json
from pathlib import Path

import pytest

from vic_semantic.access import ANONYMOUS, Principal, Role, TokenRegistry
from vic_semantic.errors import InputError
from vic_semantic.namespaces import (
    GRAPH,
    INFERRED_GRAPH,
    MEMBERS_GRAPH,
    ONTOLOGY_GRAPH,
    catalogue_graph,
)


def test_token_created_stored_hashed(tmp_path: Path) -> None:
    registry = TokenRegistry(tmp_path / "tokens.json")

    token_id, secret = registry.create(Role.MEMBER, member="molochnyj-zavod-1")

    stored = (tmp_path / "tokens.json").read_text(encoding="utf-8")
    assert secret not in stored
    assert json.loads(stored)["tokens"][0]["id"] == token_id
    principal = registry.authenticate(secret)
    assert principal == Principal(Role.MEMBER, "molochnyj-zavod-1", token_id)


def test_unknown_and_revoked_tokens_rejected(tmp_path: Path) -> None:
    registry = TokenRegistry(tmp_path / "tokens.json")
    token_id, secret = registry.create(Role.ANALYST)

    assert registry.authenticate(secret + "x") is None
    registry.revoke(token_id)
    assert registry.authenticate(secret) is None
    with pytest.raises(InputError):
        registry.revoke(token_id)


def test_admin_token_from_environment(tmp_path: Path) -> None:
    registry = TokenRegistry(tmp_path / "tokens.json", admin_token="from-env")

    assert registry.authenticate("from-env") == Principal(Role.ADMIN, token_id="environment")
    assert not (tmp_path / "tokens.json").exists()


def test_member_role_needs_member(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        TokenRegistry(tmp_path / "t.json").create(Role.MEMBER)


@pytest.mark.parametrize(
    ("graph", "allowed"),
    [
        (str(catalogue_graph("molochnyj-zavod-1")), True),
        (str(GRAPH["member/molochnyj-zavod-1/notes"]), True),
        (str(catalogue_graph("molochnyj-zavod-2")), False),
        (str(GRAPH["member/molochnyj-zavod-10/notes"]), False),
        (str(ONTOLOGY_GRAPH), False),
        (str(MEMBERS_GRAPH), False),
    ],
)
def test_member_writes_only_own_graphs(graph: str, allowed: bool) -> None:
    member = Principal(Role.MEMBER, "molochnyj-zavod-1")

    assert member.can_write_graph(graph) is allowed
    assert Principal(Role.ADMIN).can_write_graph(graph)
    assert not Principal(Role.ANALYST).can_write_graph(graph)


def test_default_and_inferred_graphs() -> None:
    member = Principal(Role.MEMBER, "molochnyj-zavod-1")
    admin = Principal(Role.ADMIN)

    assert not member.can_write_graph(None)
    assert admin.can_write_graph(None)
    assert not member.can_write_graph(str(INFERRED_GRAPH))
    assert not admin.can_write_graph(str(INFERRED_GRAPH))


@pytest.mark.parametrize(
    "path", ["", "../molochnyj-zavod-2/x", "notes/../../molochnyj-zavod-2/x", "./x"]
)
def test_member_graph_path_segments(path: str) -> None:
    member = Principal(Role.MEMBER, "molochnyj-zavod-1")

    assert not member.can_write_graph(str(GRAPH["member/molochnyj-zavod-1/"]) + path)


def test_anonymous_read_setting() -> None:
    assert ANONYMOUS.can_read(allow_anonymous_read=True)
    assert not ANONYMOUS.can_read(allow_anonymous_read=False)
    assert Principal(Role.ANALYST).can_read(allow_anonymous_read=False)


def test_token_compared_in_constant_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Records each comparison and still runs the real one. The time taken must not depend on
    # how many records come before the match or on how much of a guess is right, so every
    # digest is compared, always with hmac.compare_digest, and never the token itself.
    registry = TokenRegistry(tmp_path / "tokens.json", admin_token="from-env")
    secrets = [registry.create(Role.MEMBER, member=f"member-{k}")[1] for k in range(5)]
    compared: list[tuple[str, str]] = []
    real_compare = hmac.compare_digest

    def recording_compare(left: str, right: str) -> bool:
        compared.append((left, right))
        return real_compare(left, right)

    monkeypatch.setattr("vic_semantic.access.hmac.compare_digest", recording_compare)

    for token in (secrets[0], secrets[-1], secrets[0][:-1] + "x", "vic_guess"):
        compared.clear()
        registry.authenticate(token)

        assert len(compared) >= 1 + len(secrets), f"comparisons stopped early for {token[:8]}…"
        for left, right in compared:
            assert len(left) == len(right) == 64, "a comparison of something but two digests"
            assert token not in (left, right)
