"""Cluster analytics on the demo store: coverage of the innovation cycle and member closeness.

Expected numbers are counted by hand from demo/catalogues/cluster-members.csv and the three
demo catalogues.
"""

from __future__ import annotations

import pytest

from vic_semantic.analytics import (
    closeness,
    closeness_matrix,
    find_member,
    innovation_coverage,
    list_members,
    load_closeness_inputs,
    member_iri,
    member_product_classes,
    pair_closeness,
)
from vic_semantic.errors import InputError
from vic_semantic.namespaces import ID, VIC
from vic_semantic.service import VicService

STAGE = str(ID) + "stage/"
REGION = str(ID) + "region/"
DAIRY = member_iri("molochnyj-zavod-1")
MEAT = member_iri("myasokombinat-1")
ICE_CREAM = member_iri("fabrika-morozhenogo")
BANK = member_iri("bank-razvitiya-agropromyshlennogo-kompleksa-uslovnyj")
TRADE_MOSCOW = member_iri("torgovyj-dom-moskva")
COUNCIL = member_iri("sovet-klastera")


def test_coverage_counts_members_per_stage(demo_service: VicService) -> None:
    report = innovation_coverage(demo_service.store)

    counts = {stage.iri.removeprefix(STAGE): len(stage.members) for stage in report.stages}
    assert counts == {
        "fundamental-research": 1,
        "applied-research": 2,
        "pilot-production": 1,
        "production": 16,
        "commercialisation": 3,
    }
    assert [stage.order for stage in report.stages] == [1, 2, 3, 4, 5]
    assert report.stage_gaps == ()


def test_coverage_gaps_per_region(demo_service: VicService) -> None:
    report = innovation_coverage(demo_service.store)

    gaps = {region.region.removeprefix(REGION): region.gaps for region in report.regions}
    assert gaps["gomel-oblast"] == (STAGE + "fundamental-research",)
    assert gaps["moscow"] == (STAGE + "pilot-production", STAGE + "production")
    # The logistics company in Minsk oblast takes no stage role, so every stage is a gap there.
    assert len(gaps["minsk-oblast"]) == 5
    territory = {r.region.removeprefix(REGION): r.in_territory for r in report.regions}
    assert territory == {"gomel-oblast": True, "moscow": True, "minsk-oblast": False}


def test_supporting_roles_have_members(demo_service: VicService) -> None:
    report = innovation_coverage(demo_service.store)

    assert len(report.supporting_roles) == 8
    assert report.role_gaps == ()


def test_technical_both_api_shared_json(demo_service: VicService) -> None:
    result = closeness(demo_service.store, BANK, TRADE_MOSCOW)

    # The bank exchanges JSON; the trading house JSON and CSV: Jaccard 1/2, both have an API.
    assert result.technical.format_jaccard == pytest.approx(0.5)
    assert result.technical.both_api is True
    assert result.technical.value == pytest.approx(0.75)


def test_technical_no_formats_is_zero(demo_service: VicService) -> None:
    # The cluster council declares no exchange format («—» in the registry).
    result = closeness(demo_service.store, COUNCIL, DAIRY)

    assert result.technical.value == 0
    assert result.technical.shared_formats == 0


def test_semantic_dairy_and_ice_cream(demo_service: VicService) -> None:
    result = closeness(demo_service.store, DAIRY, ICE_CREAM)

    assert result.semantic is not None
    # 28 of the dairy plant's 30 items have a class below vic:FoodProduct; all 8 ice creams do.
    assert result.a == ICE_CREAM
    assert result.semantic.mapped_share_a == pytest.approx(1.0)
    assert result.semantic.mapped_share_b == pytest.approx(28 / 30)
    # The plants share only vic:DairyProduct among 18 classes, and cite no common document.
    assert result.semantic.class_jaccard == pytest.approx(1 / 18)
    assert result.semantic.standard_jaccard == 0
    assert result.semantic.value == pytest.approx(28 / 30 * (1 / 18) / 2)


def test_semantic_missing_without_catalogue(demo_service: VicService) -> None:
    result = closeness(demo_service.store, DAIRY, BANK)

    assert result.semantic is None
    assert result.trust.components["data_consistency"] is None
    assert result.trust.components["agreements"] == 0.0
    assert result.trust.value == 0.0, "only the agreement component has data, and it is 0"


def test_trust_combines_consistency_and_agreement(demo_service: VicService) -> None:
    result = closeness(demo_service.store, DAIRY, MEAT)

    # Dairy: rows 17, 20 (standard not for the class) and 29 (unknown document) of 30.
    # Meat: row 17 (standard not for the class) of 20.
    assert result.trust.data_consistency_a == pytest.approx(27 / 30)
    assert result.trust.data_consistency_b == pytest.approx(19 / 20)
    assert result.trust.components["data_consistency"] == pytest.approx(0.9)
    # The holding's agreement with both plants (demo-2026-02) is in force until 2030-01-31.
    assert result.trust.agreements == 1
    assert result.trust.components["agreements"] == 1.0
    assert result.trust.value == pytest.approx((0.9 + 1.0) / 2)
    components = {part.component for part in result.trust.unavailable}
    assert components == {"accepted_submissions", "freshness"}, "demo has no submissions"


def test_agreement_from_signing_date(demo_service: VicService) -> None:
    laboratory = member_iri("laboratoriya-ispytanij-uslovnaya")

    result = closeness(demo_service.store, MEAT, laboratory)

    assert result.trust.agreements == 1, "demo-2025-11 has only dcterms:date and no end"
    assert result.trust.value == 1.0, "the laboratory has no catalogue: agreement alone"


def test_expired_agreement_not_counted(demo_service: VicService) -> None:
    result = closeness(demo_service.store, ICE_CREAM, TRADE_MOSCOW)

    assert result.trust.agreements == 0, "demo-2023-04 ended on 2024-12-31"
    assert result.trust.components["agreements"] == 0.0


def test_closeness_is_symmetric(demo_service: VicService) -> None:
    inputs = load_closeness_inputs(demo_service.store)

    assert pair_closeness(inputs, DAIRY, MEAT) == pair_closeness(inputs, MEAT, DAIRY)


def test_closeness_rejects_same_member(demo_service: VicService) -> None:
    with pytest.raises(InputError, match="two different members"):
        closeness(demo_service.store, DAIRY, DAIRY)


def test_closeness_rejects_unknown_member(demo_service: VicService) -> None:
    with pytest.raises(InputError, match="not in the cluster"):
        closeness(demo_service.store, DAIRY, member_iri("no-such-member"))


def test_matrix_covers_every_pair(demo_service: VicService) -> None:
    members, pairs = closeness_matrix(demo_service.store)

    assert len(members) == 27
    assert len(pairs) == 27 * 26 // 2
    assert all(0 <= pair.technical.value <= 1 for pair in pairs)


def test_members_list_kinds(demo_service: VicService) -> None:
    members = list_members(demo_service.store)

    assert len(members) == 27
    kinds = {member.slug: member.kind for member in members}
    assert kinds["torgovyj-dom-moskva"] == str(VIC.TradingOrganisation)
    assert kinds["sovet-klastera"] == str(VIC.ClusterGovernanceBody)


def test_find_member_details(demo_service: VicService) -> None:
    member = find_member(demo_service.store, "fabrika-morozhenogo")

    assert member is not None
    assert member.provides_api is True
    assert member.formats == (str(ID) + "format/json",)
    assert member.products == 8
    assert find_member(demo_service.store, "nobody") is None
    assert find_member(demo_service.store, "bad> slug") is None


def test_member_product_classes(demo_service: VicService) -> None:
    classes = member_product_classes(demo_service.store, ICE_CREAM)

    counts = {item.product_class.removeprefix(str(VIC)): item.products for item in classes}
    assert counts == {"CreamIceCream": 2, "MilkIceCream": 2, "Plombir": 4}
    assert all(item.documents == ("ГОСТ 31457-2012",) for item in classes)
