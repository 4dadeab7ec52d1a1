"""JSON views of the cluster analytics, with labels in the reader's language.

The API (``api/routers/cluster.py``) returns these dictionaries and the portal templates
render them, so both show the same figures.
"""

from __future__ import annotations

from typing import Any

from vic_semantic.analytics import (
    Closeness,
    CoverageReport,
    CoveredItem,
    Labels,
    Member,
)
from vic_semantic.analytics.members import ProductClassCount
from vic_semantic.analytics.trust import (
    ACCEPTED,
    AGREEMENTS,
    CONSISTENCY,
    FRESHNESS,
    MemberTrust,
    Trust,
)


def member_view(member: Member, labels: Labels, lang: str) -> dict[str, Any]:
    return {
        "iri": member.iri,
        "id": member.slug,
        "name": labels.get(member.iri, lang),
        "kind": {"iri": member.kind, "label": labels.get(member.kind, lang)},
        "region": (
            {"iri": member.region, "label": labels.get(member.region, lang)}
            if member.region
            else None
        ),
        "providesApi": member.provides_api,
        "roles": [{"iri": role, "label": labels.get(role, lang)} for role in member.roles],
        "formats": [{"iri": fmt, "label": labels.get(fmt, lang)} for fmt in member.formats],
        "catalogueProducts": member.products,
    }


def product_class_view(item: ProductClassCount, labels: Labels, lang: str) -> dict[str, Any]:
    return {
        "iri": item.product_class,
        "label": labels.get(item.product_class, lang),
        "products": item.products,
        "documents": list(item.documents),
    }


def _covered_view(item: CoveredItem, labels: Labels, lang: str) -> dict[str, Any]:
    region_of = {
        member: region for region, members in item.members_by_region.items() for member in members
    }
    return {
        "iri": item.iri,
        "label": labels.get(item.iri, lang),
        "order": item.order,
        "gap": item.is_gap,
        "members": [
            {
                "iri": member,
                "name": labels.get(member, lang),
                "region": region_of.get(member) or None,
            }
            for member in item.members
        ],
    }


def coverage_view(report: CoverageReport, labels: Labels, lang: str) -> dict[str, Any]:
    return {
        "stages": [_covered_view(stage, labels, lang) for stage in report.stages],
        "supportingRoles": [_covered_view(role, labels, lang) for role in report.supporting_roles],
        "stageGaps": list(report.stage_gaps),
        "roleGaps": list(report.role_gaps),
        "regions": [
            {
                "iri": region.region,
                "label": labels.get(region.region, lang),
                "inTerritory": region.in_territory,
                "membersPerStage": region.members_per_stage,
                "gaps": list(region.gaps),
            }
            for region in report.regions
        ],
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def closeness_view(item: Closeness, labels: Labels, lang: str) -> dict[str, Any]:
    semantic = None
    if item.semantic is not None:
        semantic = {
            "value": _rounded(item.semantic.value),
            "mappedShareA": _rounded(item.semantic.mapped_share_a),
            "mappedShareB": _rounded(item.semantic.mapped_share_b),
            "classJaccard": _rounded(item.semantic.class_jaccard),
            "standardJaccard": _rounded(item.semantic.standard_jaccard),
        }
    return {
        "a": {"iri": item.a, "name": labels.get(item.a, lang)},
        "b": {"iri": item.b, "name": labels.get(item.b, lang)},
        "semantic": semantic,
        "technical": {
            "value": _rounded(item.technical.value),
            "formatJaccard": _rounded(item.technical.format_jaccard),
            "sharedFormats": item.technical.shared_formats,
            "bothApi": item.technical.both_api,
        },
        "trust": trust_view(item.trust, lang),
    }


def _member_trust_view(member: MemberTrust) -> dict[str, Any]:
    return {
        "dataConsistency": _rounded(member.consistency),
        "acceptedSubmissions": member.accepted,
        "rejectedSubmissions": member.rejected,
        "acceptedShare": _rounded(member.accepted_share),
        "lastSubmission": member.last_submission,
        "daysSinceSubmission": member.days_since_submission,
        "freshness": _rounded(member.freshness),
    }


def trust_view(trust: Trust, lang: str) -> dict[str, Any]:
    """Return the trust value, its pair components, each member's inputs and what is missing."""
    return {
        "value": _rounded(trust.value),
        "components": {
            "dataConsistency": _rounded(trust.components[CONSISTENCY]),
            "agreements": _rounded(trust.components[AGREEMENTS]),
            "acceptedSubmissions": _rounded(trust.components[ACCEPTED]),
            "freshness": _rounded(trust.components[FRESHNESS]),
        },
        "agreementsInForce": trust.agreements,
        "dataConsistencyA": _rounded(trust.data_consistency_a),
        "dataConsistencyB": _rounded(trust.data_consistency_b),
        "memberA": _member_trust_view(trust.member_a),
        "memberB": _member_trust_view(trust.member_b),
        "notAvailable": [
            {
                "component": part.component,
                "reason": part.reason_en if lang == "en" else part.reason_ru,
            }
            for part in trust.unavailable
        ],
    }
