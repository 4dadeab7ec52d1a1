"""Innovation-cycle coverage: which members cover each stage and supporting role, and the gaps.

Every figure comes from ``measures/stage-coverage.rq``, ``supporting-role-coverage.rq`` and
``cluster-regions.rq``, so an analyst can reproduce it at the SPARQL endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vic_semantic.analytics.sparql_files import SelectStore, run_measure


@dataclass(frozen=True)
class CoveredItem:
    """One innovation stage or supporting role, with the members covering it by region."""

    iri: str
    order: int | None
    members: tuple[str, ...]
    members_by_region: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_gap(self) -> bool:
        return not self.members


@dataclass(frozen=True)
class RegionCoverage:
    """Coverage inside one region: the stages members of that region cover and those they miss."""

    region: str
    in_territory: bool
    members_per_stage: dict[str, int]
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of the whole cycle (``stages`` in stage order), of roles, and per region."""

    stages: tuple[CoveredItem, ...]
    supporting_roles: tuple[CoveredItem, ...]
    regions: tuple[RegionCoverage, ...]

    @property
    def stage_gaps(self) -> tuple[str, ...]:
        return tuple(stage.iri for stage in self.stages if stage.is_gap)

    @property
    def role_gaps(self) -> tuple[str, ...]:
        return tuple(role.iri for role in self.supporting_roles if role.is_gap)


def _group(rows: list[dict[str, str]], key: str) -> list[CoveredItem]:
    """Fold rows of (item, member, region) into one CoveredItem per item, keeping row order."""
    members: dict[str, list[str]] = {}
    by_region: dict[str, dict[str, list[str]]] = {}
    orders: dict[str, int | None] = {}
    for row in rows:
        item = row[key]
        orders.setdefault(item, int(row["order"]) if "order" in row else None)
        members.setdefault(item, [])
        by_region.setdefault(item, {})
        member = row.get("member")
        if member is None or member in members[item]:
            continue
        members[item].append(member)
        region = row.get("region", "")
        by_region[item].setdefault(region, []).append(member)
    return [
        CoveredItem(
            iri=item,
            order=orders[item],
            members=tuple(members[item]),
            members_by_region={region: tuple(m) for region, m in by_region[item].items()},
        )
        for item in members
    ]


def _region_coverage(
    stages: list[CoveredItem], regions: list[dict[str, str]]
) -> tuple[RegionCoverage, ...]:
    result = []
    for row in regions:
        region = row["region"]
        counts = {stage.iri: len(stage.members_by_region.get(region, ())) for stage in stages}
        gaps = tuple(stage for stage, count in counts.items() if count == 0)
        result.append(
            RegionCoverage(
                region=region,
                in_territory=row.get("inTerritory") == "true",
                members_per_stage=counts,
                gaps=gaps,
            )
        )
    return tuple(result)


def innovation_coverage(store: SelectStore) -> CoverageReport:
    """Compute the coverage of the innovation cycle by the cluster's members."""
    stages = _group(run_measure(store, "stage-coverage"), "stage")
    stages.sort(key=lambda stage: (stage.order if stage.order is not None else 0, stage.iri))
    roles = _group(run_measure(store, "supporting-role-coverage"), "role")
    regions = _region_coverage(stages, run_measure(store, "cluster-regions"))
    return CoverageReport(stages=tuple(stages), supporting_roles=tuple(roles), regions=regions)
