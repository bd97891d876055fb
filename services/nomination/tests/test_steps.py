"""The procedure's steps through the service: who may take each, what each records, and refusals."""
import pytest

from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound

from .flows import (
    BANK,
    CHAOYANG,
    CITY,
    DEEDS_REPORT,
    DIRECT,
    HAIDIAN,
    HOTEL,
    JIANSHE,
    PARTY_APPROVAL,
    PASSED,
    SCHOOL,
    at_the_city,
    nominate,
    open_campaign,
    person,
    steps_of,
    through_unit,
    vote,
)


@pytest.fixture
def campaign(nomination):
    return open_campaign(nomination)


@pytest.fixture
def nominated(nomination, campaign):
    return nominate(nomination, campaign)


# --- at the entry unit --------------------------------------------------------------------------

def test_the_deeds_report_records_who_when_and_its_evidence(nomination, nominated, clock):
    reported = nomination.record_deeds_report(BANK, nominated["id"], DEEDS_REPORT)
    assert reported["stage"] == "democratic_recommendation"
    step = reported["steps"][-1]
    assert step == {"step": "deeds_report", "outcome": "done", "unit_id": "hd-bank", "account": "wang.bank",
                    "at": clock.now().isoformat(), "evidence": DEEDS_REPORT}


def test_the_deeds_report_needs_an_audience_and_minutes_and_a_past_date(nomination, nominated):
    with pytest.raises(Invalid) as raised:
        nomination.record_deeds_report(BANK, nominated["id"], {"reported_on": "2025-03-02", "audience_size": 0})
    assert set(raised.value.details) == {"audience_size", "minutes"}
    with pytest.raises(Invalid) as raised:
        nomination.record_deeds_report(BANK, nominated["id"], dict(DEEDS_REPORT, reported_on="2025-03-04"))
    assert set(raised.value.details) == {"reported_on"}


def test_a_step_out_of_order_is_a_conflict_naming_the_missing_step(nomination, nominated):
    with pytest.raises(Conflict) as raised:
        nomination.record_party_approval(BANK, nominated["id"], PARTY_APPROVAL)
    assert raised.value.details == {"step": "party_approval", "stage": "deeds_report", "missing_step": "deeds_report"}
    nomination.record_deeds_report(BANK, nominated["id"], DEEDS_REPORT)
    with pytest.raises(Conflict) as raised:  # the vote was skipped
        nomination.record_party_approval(BANK, nominated["id"], PARTY_APPROVAL)
    assert raised.value.details["missing_step"] == "democratic_recommendation"
    with pytest.raises(Conflict) as raised:
        nomination.recommend_nomination(BANK, nominated["id"], {"opinion": "同意"})
    assert raised.value.details["missing_step"] == "democratic_recommendation"
    with pytest.raises(Conflict) as raised:  # done already
        nomination.record_deeds_report(BANK, nominated["id"], DEEDS_REPORT)
    assert raised.value.details == {"step": "deeds_report", "stage": "democratic_recommendation"}
    assert [s["step"] for s in nomination.get_nomination(BANK, nominated["id"])["steps"]] == [
        "nominated", "deeds_report"]  # nothing refused was recorded


def test_a_passed_vote_records_the_counts(nomination, nominated):
    nomination.record_deeds_report(BANK, nominated["id"], DEEDS_REPORT)
    voted = nomination.record_democratic_recommendation(BANK, nominated["id"], vote(100, 51, 40, 9))
    assert voted["stage"] == "party_approval"
    assert voted["steps"][-1]["outcome"] == "passed"
    assert voted["steps"][-1]["evidence"]["votes_for"] == 51


def test_a_failed_vote_ends_the_nomination_as_not_recommended(nomination, nominated):
    nomination.record_deeds_report(BANK, nominated["id"], DEEDS_REPORT)
    voted = nomination.record_democratic_recommendation(BANK, nominated["id"], vote(100, 50, 30, 20))
    assert voted["status"] == "not_recommended" and voted["ended_at"] is not None
    assert voted["steps"][-1]["outcome"] == "failed"
    with pytest.raises(Conflict) as raised:
        nomination.record_party_approval(BANK, nominated["id"], PARTY_APPROVAL)
    assert raised.value.details["status"] == "not_recommended"


def test_vote_counts_that_do_not_add_up_are_invalid(nomination, nominated):
    nomination.record_deeds_report(BANK, nominated["id"], DEEDS_REPORT)
    with pytest.raises(Invalid) as raised:
        nomination.record_democratic_recommendation(BANK, nominated["id"], vote(100, 60, 30, 11))
    assert raised.value.details == {"_schema": ["for + against + abstain (101) exceeds the participants (100)"]}
    assert nomination.get_nomination(BANK, nominated["id"])["stage"] == "democratic_recommendation"


def test_only_the_unit_the_nomination_is_at_takes_its_steps(nomination, nominated):
    with pytest.raises(Forbidden) as raised:  # Haidian sees it, but it is at the bank
        nomination.record_deeds_report(HAIDIAN, nominated["id"], DEEDS_REPORT)
    assert raised.value.details == {"unit_id": "hd-bank"}
    with pytest.raises(NotFound):  # Chaoyang does not even see it
        nomination.record_deeds_report(CHAOYANG, nominated["id"], DEEDS_REPORT)


# --- up the tiers -------------------------------------------------------------------------------

def test_each_tier_recommends_it_upward_to_the_city(nomination, campaign, nominated):
    through_unit(nomination, nominated)
    at_haidian = nomination.recommend_nomination(BANK, nominated["id"], {"opinion": "同意推荐"})
    assert (at_haidian["current_unit_id"], at_haidian["stage"]) == ("bj-haidian", "tier_recommendation")
    assert at_haidian["steps"][-1]["evidence"] == {"opinion": "同意推荐", "from_unit_id": "hd-bank",
                                                   "to_unit_id": "bj-haidian", "quota": None, "used": 1}
    with pytest.raises(Forbidden):  # it is at Haidian now
        nomination.recommend_nomination(BANK, nominated["id"], {"opinion": "again"})
    at_city = nomination.recommend_nomination(HAIDIAN, nominated["id"], {"opinion": "区总工会同意推荐"})
    assert (at_city["current_unit_id"], at_city["stage"]) == ("bj", "preliminary_review")
    assert at_city["steps"][-1]["evidence"]["quota"] == 3
    assert steps_of(at_city)[-2:] == [("recommended", "recommended", "hd-bank"),
                                      ("recommended", "recommended", "bj-haidian")]
    assert nomination.get_nomination(BANK, nominated["id"])["current_unit_id"] == "bj"  # still seen by the bank


def test_a_grassroots_union_in_two_trees_may_go_up_its_system_chain(nomination, campaign):
    nominated = nominate(nomination, campaign, by=SCHOOL)
    through_unit(nomination, nominated, SCHOOL)
    with pytest.raises(Invalid) as raised:
        nomination.recommend_nomination(SCHOOL, nominated["id"], {"opinion": "x", "to_unit_id": "bj-chaoyang"})
    assert raised.value.details == {"to_unit_id": ["one of bj-haidian, bj-jianshe"]}
    up = nomination.recommend_nomination(SCHOOL, nominated["id"], {"opinion": "报建设工会", "to_unit_id": "bj-jianshe"})
    assert up["current_unit_id"] == "bj-jianshe"
    assert nomination.get_nomination(JIANSHE, nominated["id"])["id"] == nominated["id"]
    assert nomination.get_nomination(HAIDIAN, nominated["id"])["id"] == nominated["id"]  # via the school


def test_a_tier_within_its_quota_and_a_quota_exceeded_is_a_conflict(nomination, campaign):
    arrived = [at_the_city(nomination, campaign) for _ in range(3)]  # Haidian's quota is 3
    assert all(a["current_unit_id"] == "bj" for a in arrived)
    fourth = nominate(nomination, campaign)
    through_unit(nomination, fourth)
    nomination.recommend_nomination(BANK, fourth["id"], {"opinion": "同意"})
    with pytest.raises(Conflict) as raised:
        nomination.recommend_nomination(HAIDIAN, fourth["id"], {"opinion": "同意"})
    assert raised.value.details == {"unit_id": "bj-haidian", "quota": 3, "used": 3}
    assert nomination.get_nomination(HAIDIAN, fourth["id"])["current_unit_id"] == "bj-haidian"


def test_a_slot_frees_when_a_recommended_nomination_ends(nomination, campaign):
    arrived = [at_the_city(nomination, campaign) for _ in range(3)]
    nomination.withdraw_nomination(CITY, arrived[0]["id"], {"reasons": "本人申请退出"})
    fourth = at_the_city(nomination, campaign)
    assert fourth["current_unit_id"] == "bj"


def test_a_sub_allocated_quota_binds_the_grassroots_union(nomination, campaign):
    nomination.allocate_quotas(HAIDIAN, campaign["id"], {"allocations": [{"unit_id": "hd-bank", "quota": 1}]})
    first = nominate(nomination, campaign)
    through_unit(nomination, first)
    nomination.recommend_nomination(BANK, first["id"], {"opinion": "同意"})
    second = nominate(nomination, campaign)
    through_unit(nomination, second)
    with pytest.raises(Conflict) as raised:
        nomination.recommend_nomination(BANK, second["id"], {"opinion": "同意"})
    assert raised.value.details == {"unit_id": "hd-bank", "quota": 1, "used": 1}


def test_a_unit_without_a_quota_cannot_recommend_to_the_city(nomination):
    campaign = open_campaign(nomination, quotas={"allocations": [{"unit_id": "bj-haidian", "quota": 3}]})
    nominated = nominate(nomination, campaign, by=DIRECT)
    through_unit(nomination, nominated, DIRECT)
    with pytest.raises(Conflict) as raised:
        nomination.recommend_nomination(DIRECT, nominated["id"], {"opinion": "同意"})
    assert raised.value.details == {"unit_id": "bj-direct", "quota": 0, "used": 0}


def test_a_tier_rejects_with_reasons_and_the_nomination_ends(nomination, nominated):
    through_unit(nomination, nominated)
    nomination.recommend_nomination(BANK, nominated["id"], {"opinion": "同意推荐"})
    with pytest.raises(Invalid):
        nomination.reject_nomination(HAIDIAN, nominated["id"], {})
    rejected = nomination.reject_nomination(HAIDIAN, nominated["id"], {"reasons": "事迹不够突出"})
    assert rejected["status"] == "rejected"
    assert rejected["steps"][-1]["evidence"] == {"reasons": "事迹不够突出"}
    with pytest.raises(Conflict):
        nomination.recommend_nomination(HAIDIAN, nominated["id"], {"opinion": "改主意了"})


def test_tier_steps_need_the_campaign_open(nomination, campaign, nominated):
    nomination.record_deeds_report(BANK, nominated["id"], DEEDS_REPORT)
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")  # it lapses
    with pytest.raises(Conflict) as raised:
        nomination.record_democratic_recommendation(BANK, nominated["id"], vote())
    assert raised.value.details["state"] == "reviewing"


def test_a_self_nomination_at_the_city_goes_straight_to_the_reviews(nomination):
    campaign = open_campaign(nomination, entry_level="organiser")
    nominated = nominate(nomination, campaign, by=CITY, channel="self")
    approved = through_unit(nomination, nominated, CITY)
    assert approved["stage"] == "preliminary_review"


# --- at the city --------------------------------------------------------------------------------

@pytest.fixture
def arrived(nomination, campaign):
    return at_the_city(nomination, campaign)


def test_reviews_happen_at_the_city_while_the_campaign_is_reviewing(nomination, campaign, arrived):
    with pytest.raises(Conflict) as raised:
        nomination.preliminary_review(CITY, arrived["id"], PASSED)
    assert raised.value.details == {"state": "open", "expected_state": ["reviewing"]}
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    with pytest.raises(Forbidden):
        nomination.preliminary_review(HAIDIAN, arrived["id"], PASSED)
    with pytest.raises(Conflict) as raised:
        nomination.second_review(CITY, arrived["id"], PASSED)
    assert raised.value.details["missing_step"] == "preliminary_review"
    result = nomination.preliminary_review(CITY, arrived["id"], PASSED)
    assert result["nomination"]["stage"] == "second_review"
    second = nomination.second_review(CITY, arrived["id"], {"outcome": "passed", "findings": "材料翔实"})
    assert second["stage"] == "unit_notice"


def test_the_preliminary_review_returns_the_slates_structure_ratios(nomination, campaign):
    a = at_the_city(nomination, campaign, candidate=person(front_line=True))
    b = at_the_city(nomination, campaign, candidate=person(front_line=False, category="cadre"))
    c = at_the_city(nomination, campaign, by=HOTEL, chain=(HOTEL, CHAOYANG),
                    candidate=person(front_line=False, migrant_worker=True, non_public_enterprise=True))
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    result = nomination.preliminary_review(CITY, a["id"], PASSED)
    ratios = result["structure_ratios"]
    assert ratios["basis"] == "slate" and ratios["total"] == 3
    assert ratios["measures"]["front_line"] == {"count": 1, "share": 0.3333, "target": {"kind": "min", "percent": 40},
                                                "met": False, "gap": 1}
    assert ratios["measures"]["leader_cadre"] == {"count": 1, "share": 0.3333,
                                                  "target": {"kind": "max", "percent": 20}, "met": False, "gap": 1}
    assert ratios["measures"]["migrant_worker"]["met"] is True
    assert ratios["all_met"] is False
    rejected = nomination.preliminary_review(CITY, b["id"], {"outcome": "rejected", "findings": "领导干部比例超标",
                                                             "reasons": "结构比例"})
    assert rejected["nomination"]["status"] == "rejected"
    after = rejected["structure_ratios"]  # computed live, without the rejected cadre
    assert after["total"] == 2 and after["measures"]["leader_cadre"]["met"] is True
    evidence = rejected["nomination"]["steps"][-1]["evidence"]
    assert evidence["structure_ratios"]["total"] == 2 and evidence["reasons"] == "结构比例"
    trail = nomination.audit_trail(CITY, "nomination", b["id"])
    assert trail[-1]["action"] == "preliminary_review"
    assert trail[-1]["changes"]["status"] == ["in_progress", "rejected"]
    assert nomination.structure_ratios(CITY, campaign["id"])["total"] == 2
    assert c["id"]


def test_a_rejection_needs_reasons(nomination, campaign, arrived):
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    with pytest.raises(Invalid) as raised:
        nomination.preliminary_review(CITY, arrived["id"], {"outcome": "rejected", "findings": "x"})
    assert set(raised.value.details) == {"reasons"}


def test_withdrawal_by_the_nominating_unit_or_the_organiser_only(nomination, nominated):
    with pytest.raises(Forbidden):
        nomination.withdraw_nomination(HAIDIAN, nominated["id"], {"reasons": "x"})
    withdrawn = nomination.withdraw_nomination(BANK, nominated["id"], {"reasons": "本人申请"})
    assert withdrawn["status"] == "withdrawn"
    with pytest.raises(Conflict):
        nomination.withdraw_nomination(BANK, nominated["id"], {"reasons": "again"})


def test_every_step_is_in_the_audit_trail_with_its_actor(nomination, arrived):
    trail = nomination.audit_trail(CITY, "nomination", arrived["id"])
    assert [(e["action"], e["unit_id"]) for e in trail] == [
        ("nominated", "hd-bank"), ("deeds_report", "hd-bank"), ("democratic_recommendation", "hd-bank"),
        ("party_approval", "hd-bank"), ("recommended", "hd-bank"), ("recommended", "bj-haidian")]
    assert trail[-1]["changes"]["current_unit_id"] == ["bj-haidian", "bj"]
    assert trail[-1]["changes"]["stage"] == ["tier_recommendation", "preliminary_review"]
