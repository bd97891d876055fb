"""Conferral: ``nomination_conferred`` through the outbox once, without personal data; the claim check."""
import json

import pytest

from services.chassis.errors import Conflict, Forbidden, NotFound
from services.nomination.models import Nomination

from .flows import (
    BANK,
    CITY,
    CONFERRAL,
    HAIDIAN,
    at_the_city,
    notice_data,
    open_campaign,
    person,
    ready_to_confer,
    reviewed,
    through_notices,
)


def test_conferral_publishes_the_event_once_with_no_personal_data(nomination, clock):
    candidate = person(name="李秀英")
    campaign, nominated = ready_to_confer(nomination, clock, candidate)
    assert nomination.events("nomination_conferred") == []
    conferred = nomination.confer(CITY, nominated["id"], CONFERRAL)
    assert conferred["status"] == "conferred" and conferred["steps"][-1]["evidence"] == CONFERRAL
    (event,) = nomination.events("nomination_conferred")
    assert {k: v for k, v in event.items() if k not in ("event_id", "occurred_at")} == {
        "nomination_id": nominated["id"], "campaign_id": campaign["id"], "honour_type": "beijing_model_worker",
        "year": 2025, "level": "municipal", "conferring_body": "北京市人民政府", "managing_unit_id": "hd-bank"}
    text = json.dumps(event, ensure_ascii=False)
    for personal in (candidate["id_number"], candidate["name"], candidate["phone"], candidate["birth_date"],
                     candidate["address"]):
        assert personal not in text
    with pytest.raises(Conflict) as raised:
        nomination.confer(CITY, nominated["id"], CONFERRAL)
    assert raised.value.details == {"status": "conferred", "step": "conferral"}
    assert len(nomination.events("nomination_conferred")) == 1


def test_an_honourees_conferral_names_the_honouree(nomination, registry, clock):
    registry.add_honouree("h-wang", "hd-bank")
    _, nominated = ready_to_confer(nomination, clock, {"honouree_id": "h-wang"})
    nomination.confer(CITY, nominated["id"], CONFERRAL)
    (event,) = nomination.events("nomination_conferred")
    assert event["honouree_id"] == "h-wang" and event["managing_unit_id"] == "hd-bank"
    with pytest.raises(NotFound):  # the registry has the record: nothing to claim
        nomination.candidate_record(nominated["id"])


def test_the_candidate_record_is_answered_only_after_conferral(nomination, clock):
    candidate = person(name="李秀英", family={"members": 3, "income_band": "middle"})
    _, nominated = ready_to_confer(nomination, clock, candidate)
    with pytest.raises(NotFound) as raised:
        nomination.candidate_record(nominated["id"])
    assert raised.value.details == {"nomination_id": nominated["id"]}
    nomination.confer(CITY, nominated["id"], CONFERRAL)
    record = nomination.candidate_record(nominated["id"])
    assert record == {
        "name": "李秀英", "gender": "female", "ethnicity": "汉族", "birth_date": candidate["birth_date"],
        "id_number": candidate["id_number"], "category": "worker", "front_line": True, "migrant_worker": False,
        "non_public_enterprise": False, "high_tech_enterprise": False, "employer": "海淀银行", "position": "柜员",
        "phone": "13800000000", "address": "北京市海淀区某路1号",
        "family": {"members": 3, "income_band": "middle", "hardships": []},
        "employment_status": "in_service", "beijing_hukou": True, "management_mode": "by_unit",
        "managing_unit_id": "hd-bank"}
    with pytest.raises(NotFound):
        nomination.candidate_record("no-such-nomination")


def test_conferral_waits_for_the_city_wide_notice(nomination, clock):
    campaign = open_campaign(nomination)
    nominated = at_the_city(nomination, campaign)
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    reviewed(nomination, nominated)
    nomination.transition_campaign(CITY, campaign["id"], "notice")
    through_notices(nomination, clock, [nominated["id"]], levels=(("unit", BANK), ("second_tier", HAIDIAN)))
    with pytest.raises(Conflict) as raised:
        nomination.confer(CITY, nominated["id"], CONFERRAL)
    assert raised.value.details == {"step": "conferral", "stage": "city_notice", "missing_step": "city_notice"}
    with pytest.raises(NotFound):
        nomination.candidate_record(nominated["id"])


def test_only_the_organiser_confers(nomination, clock):
    _, nominated = ready_to_confer(nomination, clock)
    with pytest.raises(Forbidden):
        nomination.confer(HAIDIAN, nominated["id"], CONFERRAL)
    with pytest.raises(NotFound):
        nomination.confer({"account": "x", "unit_id": "bj-chaoyang"}, nominated["id"], CONFERRAL)
    assert nomination.events("nomination_conferred") == []


def test_conferrals_stop_at_the_total_quota(nomination, clock):
    campaign = open_campaign(nomination, total_quota=1, quotas={"allocations": [{"unit_id": "bj-haidian", "quota": 1}]})
    nominated = at_the_city(nomination, campaign)
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    reviewed(nomination, nominated)
    nomination.transition_campaign(CITY, campaign["id"], "notice")
    through_notices(nomination, clock, [nominated["id"]])
    nomination.confer(CITY, nominated["id"], CONFERRAL)
    # a second candidate at the same stage (by hand: the tiers' quotas would have stopped it earlier)
    with nomination.engine.unit_of_work() as uow:
        row = uow.session.get(Nomination, nominated["id"])
        twin = Nomination(**{c.key: getattr(row, c.key) for c in Nomination.__table__.columns
                             if c.key not in ("id", "candidate_key", "request_id")},
                          id="twin", candidate_key="p:twin")
        twin.status, twin.stage = "in_progress", "conferral"
        uow.session.add(twin)
    with pytest.raises(Conflict) as raised:
        nomination.confer(CITY, "twin", CONFERRAL)
    assert raised.value.details == {"total_quota": 1, "conferred": 1}


def test_the_campaign_closes_once_every_nomination_is_decided(nomination, clock):
    campaign, nominated = ready_to_confer(nomination, clock)
    with pytest.raises(Conflict):
        nomination.transition_campaign(CITY, campaign["id"], "closed")
    nomination.confer(CITY, nominated["id"], CONFERRAL)
    assert nomination.transition_campaign(CITY, campaign["id"], "closed")["state"] == "closed"
    dashboard = nomination.campaign_dashboard(CITY, campaign["id"])
    assert dashboard["by_status"]["conferred"] == 1 and dashboard["quota"] == {
        "quota": 10, "used": 1, "allocated_below": 8, "below": [
            {"unit_id": "bj-chaoyang", "quota": 2, "used": 0}, {"unit_id": "bj-direct", "quota": 1, "used": 0},
            {"unit_id": "bj-haidian", "quota": 3, "used": 1}, {"unit_id": "bj-jianshe", "quota": 2, "used": 0}]}


def test_an_open_notice_keeps_the_campaign_from_closing(nomination, clock):
    campaign = open_campaign(nomination)
    first, second = (at_the_city(nomination, campaign) for _ in range(2))
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    for nominated in (first, second):
        reviewed(nomination, nominated)
    nomination.transition_campaign(CITY, campaign["id"], "notice")
    through_notices(nomination, clock, [first["id"]])
    nomination.confer(CITY, first["id"], CONFERRAL)
    notice = nomination.open_notice(BANK, campaign["id"], notice_data("unit", [second["id"]], clock))
    nomination.withdraw_nomination(BANK, second["id"], {"reasons": "本人申请退出"})
    with pytest.raises(Conflict) as raised:
        nomination.transition_campaign(CITY, campaign["id"], "closed")
    assert raised.value.details == {"open_notices": [notice["id"]], "missing_step": "notice_closed"}
    clock.advance(days=5)
    nomination.close_notice(BANK, notice["id"])
    assert nomination.transition_campaign(CITY, campaign["id"], "closed")["state"] == "closed"
