"""Real replies of every kind against the reply schemas the gateway documents (responses.py).

Each reply is checked against the JSON Schema apispec (OpenAPI 3.0.3) derives from its schema:
an undocumented key, a documented key missing, a wrong type or enum value, a null where none
is allowed, a malformed date or time, all fail.
"""

import pytest

from services.chassis.testing import check, problems
from services.nomination import responses as out

from .flows import (
    BANK,
    CITY,
    CONFERRAL,
    HAIDIAN,
    actor,
    at_the_city,
    nominate,
    notice_data,
    open_campaign,
    person,
    ready_to_confer,
    reviewed,
)


def test_the_check_itself_can_fail():
    good = {"id": "x", "notice_id": "n", "nomination_id": "m", "status": "open", "lodged_at": "2025-03-03T02:00:00+00:00"}
    assert not problems(good, out.ObjectionReceiptOut)
    assert problems(dict(good, status="pending"), out.ObjectionReceiptOut)
    assert problems(dict(good, extra=1), out.ObjectionReceiptOut)  # an undocumented key
    assert problems({k: v for k, v in good.items() if k != "id"}, out.ObjectionReceiptOut)
    assert problems(dict(good, lodged_at="yesterday"), out.ObjectionReceiptOut)


def test_campaign_replies(nomination):
    campaign = check(nomination.create_campaign(CITY, {
        "honour_type": "beijing_model_worker", "year": 2025, "title": "t", "total_quota": 5,
        "timetable": {"open": {"start": "2025-03-01", "end": "2025-03-31"},
                      "reviewing": {"start": "2025-04-01", "end": "2025-04-30"},
                      "notice": {"start": "2025-05-01", "end": "2025-05-31"}}}), out.CampaignOut)
    check(nomination.update_campaign(CITY, campaign["id"], {"title": "t2"}), out.CampaignOut)
    check(nomination.allocate_quotas(CITY, campaign["id"], {"allocations": [{"unit_id": "bj-haidian", "quota": 2}]}),
          out.QuotaOut, many=True)
    check(nomination.get_campaign(BANK, campaign["id"]), out.CampaignWithQuotasOut)
    check(nomination.list_campaigns(BANK), out.CampaignPageOut)
    check(nomination.list_quotas(HAIDIAN, campaign["id"]), out.QuotaOut, many=True)
    check(nomination.transition_campaign(CITY, campaign["id"], "open"), out.CampaignOut)
    check(nomination.audit_trail(CITY, "campaign", campaign["id"]), out.AuditEntryOut, many=True)


def test_nomination_replies(nomination, registry):
    campaign = open_campaign(nomination)
    registry.add_honouree("h-wang", "hd-bank")
    check(nominate(nomination, campaign), out.NominationOut)
    check(nominate(nomination, campaign, candidate={"honouree_id": "h-wang"}), out.NominationOut)
    clear = nominate(nomination, campaign, by=actor("hd-bank", personal_data=True),
                     candidate=person(family={"members": 2, "income_band": "low"}))
    check(clear, out.NominationOut)
    arrived = check(at_the_city(nomination, campaign), out.NominationOut)
    check(nomination.list_nominations(CITY, campaign["id"]), out.NominationPageOut)
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    check(nomination.preliminary_review(CITY, arrived["id"], {"outcome": "passed", "findings": "属实"}), out.ReviewOut)
    check(nomination.second_review(CITY, arrived["id"], {"outcome": "passed", "findings": "翔实"}), out.NominationOut)
    check(nomination.structure_ratios(CITY, campaign["id"]), out.RatiosOut)
    check(nomination.structure_ratios(HAIDIAN, campaign["id"], {"basis": "live"}), out.RatiosOut)
    check(nomination.campaign_dashboard(HAIDIAN, campaign["id"]), out.DashboardOut)
    check(nomination.campaign_dashboard(CITY, campaign["id"]), out.DashboardOut)
    check(nomination.audit_trail(CITY, "nomination", arrived["id"]), out.AuditEntryOut, many=True)


def test_notice_objection_and_conferral_replies(nomination, clock):
    campaign = open_campaign(nomination)
    first, second = (at_the_city(nomination, campaign) for _ in range(2))
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    for nominated in (first, second):
        reviewed(nomination, nominated)
    nomination.transition_campaign(CITY, campaign["id"], "notice")
    notice = check(nomination.open_notice(BANK, campaign["id"], notice_data("unit", [first["id"], second["id"]],
                                                                            clock)), out.NoticeOut)
    check(nomination.public_notices(), out.PublicNoticePageOut)
    receipt = check(nomination.lodge_objection(notice["id"], first["id"], {"grounds": "g", "contact": "c"}, "a"),
                    out.ObjectionReceiptOut)
    check(nomination.get_objection(actor("hd-bank", personal_data=True), receipt["id"]), out.ObjectionOut)
    check(nomination.list_objections(HAIDIAN), out.ObjectionPageOut)
    check(nomination.resolve_objection(BANK, receipt["id"], {"outcome": "upheld", "reasons": "r"}), out.ObjectionOut)
    clock.advance(days=5)
    check(nomination.close_notice(BANK, notice["id"]), out.NoticeOut)
    check(nomination.get_notice(CITY, notice["id"]), out.NoticeOut)
    check(nomination.list_notices(CITY, campaign["id"]), out.NoticePageOut)
    check(nomination.campaign_dashboard(BANK, campaign["id"]), out.DashboardOut)


def test_conferral_and_claim_check_replies(nomination, clock):
    _, nominated = ready_to_confer(nomination, clock, person(family={"members": 3}))
    check(nomination.confer(CITY, nominated["id"], CONFERRAL), out.NominationOut)
    check(nomination.candidate_record(nominated["id"]), out.CandidateRecordOut)


def test_cultivation_replies(nomination):
    campaign = open_campaign(nomination)
    record = check(nomination.track_candidate(BANK, {"year": 2025, "source": "chief_employee",
                                                     "candidate": person(), "note": "n"}), out.CultivationOut)
    check(nomination.add_cultivation_note(BANK, record["id"], {"note": "m"}), out.CultivationOut)
    check(nomination.list_cultivations(HAIDIAN), out.CultivationPageOut)
    check(nomination.get_cultivation(CITY, record["id"]), out.CultivationOut)
    check(nomination.promote_cultivation(BANK, record["id"], {"campaign_id": campaign["id"], "deeds_summary": "s",
                                                              "deeds": "d"}), out.NominationOut)
    other = nomination.track_candidate(BANK, {"year": 2025, "source": "other", "candidate": person()})
    check(nomination.end_cultivation(BANK, other["id"], {"reasons": "r"}), out.CultivationOut)
    check(nomination.audit_trail(CITY, "cultivation", record["id"]), out.AuditEntryOut, many=True)


@pytest.mark.parametrize("schema", [out.NominationOut, out.CampaignOut, out.NoticeOut, out.ObjectionOut,
                                    out.CultivationOut, out.DashboardOut, out.RatiosOut, out.PublicNoticeOut])
def test_every_documented_key_is_required_or_deliberately_optional(schema):
    # a reply always has every key of these shapes: a key dropped from a view fails the checks above
    assert all(field.required for field in schema().fields.values())
