"""Closeness of cluster members on three measures: semantic, technical and trust.

Each measure's inputs come from SPARQL files in ``measures/`` (named in the docstrings
below and in ``trust``); this module only combines them with the arithmetic
``docs/analytics.md`` states.
A measure is None for a pair when its inputs do not exist, for example semantic
compatibility of a member that has sent no catalogue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import combinations

from vic_semantic.analytics.sparql_files import SelectStore, run_measure
from vic_semantic.analytics.trust import Trust, TrustInputs, load_trust_inputs, pair_trust
from vic_semantic.errors import InputError

logger = logging.getLogger(__name__)

Pair = tuple[str, str]


@dataclass(frozen=True)
class SemanticCompatibility:
    """``value`` = min(mapped_share_a, mapped_share_b) × (class_jaccard + standard_jaccard) / 2."""

    value: float
    mapped_share_a: float
    mapped_share_b: float
    class_jaccard: float
    standard_jaccard: float


@dataclass(frozen=True)
class TechnicalCompatibility:
    """``value`` = (format_jaccard + (1 if both_api else 0)) / 2."""

    value: float
    format_jaccard: float
    shared_formats: int
    both_api: bool


@dataclass(frozen=True)
class Closeness:
    """The three measures for one pair of members; ``a`` sorts before ``b`` by IRI."""

    a: str
    b: str
    semantic: SemanticCompatibility | None
    technical: TechnicalCompatibility
    trust: Trust


@dataclass(frozen=True)
class ClosenessInputs:
    """Results of the measure queries, read once and shared by every pair."""

    members: tuple[str, ...]
    technical: dict[Pair, dict[str, str]]
    class_overlap: dict[Pair, float]
    standard_overlap: dict[Pair, float]
    mapped_share: dict[str, float]
    trust: TrustInputs


def _by_pair(rows: list[dict[str, str]]) -> dict[Pair, dict[str, str]]:
    return {(row["a"], row["b"]): row for row in rows}


def _by_member(rows: list[dict[str, str]], column: str) -> dict[str, float]:
    return {row["member"]: float(row[column]) for row in rows}


def load_closeness_inputs(store: SelectStore) -> ClosenessInputs:
    """Run the measure queries; the matrix and every pair are computed from their rows."""
    technical = _by_pair(run_measure(store, "technical-compatibility"))
    classes = _by_pair(run_measure(store, "product-classes-overlap"))
    standards = _by_pair(run_measure(store, "product-standards-overlap"))
    members = sorted({member for pair in technical for member in pair})
    return ClosenessInputs(
        members=tuple(members),
        technical=technical,
        class_overlap={pair: float(row["jaccard"]) for pair, row in classes.items()},
        standard_overlap={pair: float(row["jaccard"]) for pair, row in standards.items()},
        mapped_share=_by_member(run_measure(store, "product-mapping"), "mappedShare"),
        trust=load_trust_inputs(store),
    )


def _semantic(inputs: ClosenessInputs, pair: Pair) -> SemanticCompatibility | None:
    a, b = pair
    if a not in inputs.mapped_share or b not in inputs.mapped_share:
        return None
    share_a, share_b = inputs.mapped_share[a], inputs.mapped_share[b]
    classes = inputs.class_overlap.get(pair, 0.0)
    standards = inputs.standard_overlap.get(pair, 0.0)
    return SemanticCompatibility(
        value=min(share_a, share_b) * (classes + standards) / 2,
        mapped_share_a=share_a,
        mapped_share_b=share_b,
        class_jaccard=classes,
        standard_jaccard=standards,
    )


def _technical(inputs: ClosenessInputs, pair: Pair) -> TechnicalCompatibility:
    row = inputs.technical[pair]
    return TechnicalCompatibility(
        value=float(row["technical"]),
        format_jaccard=float(row["formatJaccard"]),
        shared_formats=int(row["shared"]),
        both_api=row["bothApi"] == "true",
    )


def pair_closeness(inputs: ClosenessInputs, first: str, second: str) -> Closeness:
    """Return the closeness of two members given by IRI, in either order.

    Raises InputError when a member is unknown or both IRIs name the same member.
    """
    for member in (first, second):
        if member not in inputs.members:
            raise InputError(
                f"Участник <{member}> не найден в кластере. "
                "Список участников: /api/cluster/members.",
                f"The member <{member}> is not in the cluster. "
                "The list of members is at /api/cluster/members.",
            )
    if first == second:
        raise InputError(
            f"Близость считается для двух разных участников, а оба параметра равны <{first}>.",
            f"Closeness needs two different members, but both parameters are <{first}>.",
        )
    pair = (first, second) if first < second else (second, first)
    return Closeness(
        a=pair[0],
        b=pair[1],
        semantic=_semantic(inputs, pair),
        technical=_technical(inputs, pair),
        trust=pair_trust(inputs.trust, pair),
    )


def closeness(store: SelectStore, first: str, second: str) -> Closeness:
    """Compute the closeness of two members (IRIs) from the store."""
    return pair_closeness(load_closeness_inputs(store), first, second)


def closeness_matrix(store: SelectStore) -> tuple[tuple[str, ...], list[Closeness]]:
    """Return the members and the closeness of every unordered pair of them."""
    inputs = load_closeness_inputs(store)
    pairs = [pair_closeness(inputs, a, b) for a, b in combinations(inputs.members, 2)]
    logger.debug("computed closeness of %d member pairs", len(pairs))
    return inputs.members, pairs
