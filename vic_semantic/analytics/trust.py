"""Trust between two cluster members, from four components the store can show.

Each component comes from one SPARQL file in ``measures/``: data consistency
(``data-consistency``), agreements in force (``agreements``), the share of accepted catalogue
submissions (``submission-acceptance``) and data freshness (``freshness``). This module only
combines their rows with the arithmetic ``docs/analytics.md`` states:

    trust(a, b) = mean of the pair components that have data, where
    consistency = min(consistency(a), consistency(b)),
    agreement   = 1 when an agreement in force has both members as parties, else 0,
    accepted    = min(acceptedShare(a), acceptedShare(b)),
    freshness   = min(freshness(a), freshness(b)).

A component is left out of the mean, and listed as unavailable with the reason, when either
member has no data for it. The agreement component always has data, because the absence of an
agreement is itself a known value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vic_semantic.analytics.sparql_files import SelectStore, run_measure

Pair = tuple[str, str]

CONSISTENCY = "data_consistency"
AGREEMENTS = "agreements"
ACCEPTED = "accepted_submissions"
FRESHNESS = "freshness"
COMPONENTS = (CONSISTENCY, AGREEMENTS, ACCEPTED, FRESHNESS)


@dataclass(frozen=True)
class UnavailableComponent:
    """A trust component without data for a pair, with the reason in both languages."""

    component: str
    reason_ru: str
    reason_en: str


_REASONS = {
    CONSISTENCY: UnavailableComponent(
        CONSISTENCY,
        "У одного или обоих участников нет каталога в хранилище, поэтому согласованность "
        "данных не из чего считать.",
        "One or both members have no catalogue in the store, so there is nothing to measure "
        "data consistency on.",
    ),
    ACCEPTED: UnavailableComponent(
        ACCEPTED,
        "Один или оба участника ещё не отправляли каталог через службу (POST /catalogues); "
        "каталоги демонстрационного кластера загружены без записи об отправке.",
        "One or both members have not submitted a catalogue through the service "
        "(POST /catalogues) yet; the demo cluster's catalogues are loaded without a "
        "submission record.",
    ),
    FRESHNESS: UnavailableComponent(
        FRESHNESS,
        "У одного или обоих участников нет принятой отправки каталога, от даты которой "
        "считается свежесть.",
        "One or both members have no accepted catalogue submission whose date freshness "
        "counts from.",
    ),
}


@dataclass(frozen=True)
class MemberTrust:
    """One member's trust inputs; None where the member has no data for the component."""

    consistency: float | None = None
    accepted: int = 0
    rejected: int = 0
    accepted_share: float | None = None
    last_submission: str | None = None
    days_since_submission: int | None = None
    freshness: float | None = None


@dataclass(frozen=True)
class Trust:
    """The trust of a pair: the combined value, each pair component and each member's inputs.

    ``components`` maps every name in ``COMPONENTS`` to its pair value or None;
    ``value`` is the mean of the values that are not None.
    """

    value: float | None
    agreements: int
    components: dict[str, float | None]
    member_a: MemberTrust = field(default_factory=MemberTrust)
    member_b: MemberTrust = field(default_factory=MemberTrust)
    unavailable: tuple[UnavailableComponent, ...] = ()

    @property
    def data_consistency_a(self) -> float | None:
        return self.member_a.consistency

    @property
    def data_consistency_b(self) -> float | None:
        return self.member_b.consistency


@dataclass(frozen=True)
class TrustInputs:
    """Rows of the four trust queries, read once and shared by every pair."""

    members: dict[str, MemberTrust]
    agreements: dict[Pair, int]


def _float_by_member(rows: list[dict[str, str]], column: str) -> dict[str, float]:
    return {row["member"]: float(row[column]) for row in rows}


def load_trust_inputs(store: SelectStore) -> TrustInputs:
    """Run the four trust queries and gather each member's inputs."""
    consistency = _float_by_member(run_measure(store, "data-consistency"), "consistentShare")
    acceptance = {row["member"]: row for row in run_measure(store, "submission-acceptance")}
    freshness = {row["member"]: row for row in run_measure(store, "freshness")}
    agreements = {
        (row["a"], row["b"]): int(row["agreements"]) for row in run_measure(store, "agreements")
    }

    members: dict[str, MemberTrust] = {}
    for member in set(consistency) | set(acceptance) | set(freshness):
        accepted = acceptance.get(member, {})
        fresh = freshness.get(member, {})
        members[member] = MemberTrust(
            consistency=consistency.get(member),
            accepted=int(accepted.get("acceptedCount", "0")),
            rejected=int(accepted.get("rejectedCount", "0")),
            accepted_share=float(accepted["acceptedShare"]) if accepted else None,
            last_submission=fresh.get("last"),
            days_since_submission=int(fresh["days"]) if fresh else None,
            freshness=float(fresh["freshness"]) if fresh else None,
        )
    return TrustInputs(members=members, agreements=agreements)


def _lower(first: float | None, second: float | None) -> float | None:
    """Return the weaker member's value, or None unless both members have one."""
    if first is None or second is None:
        return None
    return min(first, second)


def pair_trust(inputs: TrustInputs, pair: Pair) -> Trust:
    """Combine the trust components of a pair ordered by IRI (``a`` < ``b``)."""
    a = inputs.members.get(pair[0], MemberTrust())
    b = inputs.members.get(pair[1], MemberTrust())
    agreements = inputs.agreements.get(pair, 0)
    components: dict[str, float | None] = {
        CONSISTENCY: _lower(a.consistency, b.consistency),
        AGREEMENTS: 1.0 if agreements > 0 else 0.0,
        ACCEPTED: _lower(a.accepted_share, b.accepted_share),
        FRESHNESS: _lower(a.freshness, b.freshness),
    }

    known = [value for value in components.values() if value is not None]
    missing = tuple(_REASONS[name] for name, value in components.items() if value is None)
    return Trust(
        value=sum(known) / len(known) if known else None,
        agreements=agreements,
        components=components,
        member_a=a,
        member_b=b,
        unavailable=missing,
    )
