"""Helpers of the nomination tests (not a test module): actors, inputs, and the procedure's steps.

Actors act for units of the tree in conftest.py; dates are the clock's (3 March 2025 in Beijing).
"""
import hashlib
import itertools
from datetime import date, timedelta

from services.chassis.id_numbers import make_id_number


def actor(unit_id, account=None, personal_data=False, roles=("officer",)):
    return {"account": account or f"officer@{unit_id}", "unit_id": unit_id, "roles": list(roles),
            "personal_data": personal_data}


CITY = actor("bj", "zhao.city")
HAIDIAN = actor("bj-haidian", "li.haidian")
CHAOYANG = actor("bj-chaoyang", "sun.chaoyang")
JIANSHE = actor("bj-jianshe", "zhou.jianshe")
BANK = actor("hd-bank", "wang.bank")
SCHOOL = actor("hd-school", "qian.school")
HOTEL = actor("cy-hotel", "wu.hotel")
DIRECT = actor("bj-direct", "zheng.direct")

TODAY = date(2025, 3, 3)
BORN = date(1978, 6, 15)
_sequence = itertools.count(1)

TIMETABLE = {"open": {"start": "2025-03-01", "end": "2025-05-31"},
             "reviewing": {"start": "2025-06-01", "end": "2025-06-30"},
             "notice": {"start": "2025-07-01", "end": "2025-08-31"},
             "conferral_on": "2025-09-20"}
TARGETS = {"front_line_min": 40, "farmer_min": 10, "migrant_worker_min": 5, "non_public_enterprise_min": 10,
           "high_tech_enterprise_min": 5, "leader_cadre_max": 20}


def campaign_data(**extra):
    return dict({"honour_type": "beijing_model_worker", "year": 2025, "title": "2025年北京市劳动模范评选",
                 "total_quota": 10, "timetable": TIMETABLE, "targets": TARGETS,
                 "entry_level": "second_tier", "revocation_bar_years": 5}, **extra)


QUOTAS = {"allocations": [{"unit_id": "bj-haidian", "quota": 3}, {"unit_id": "bj-chaoyang", "quota": 2},
                          {"unit_id": "bj-jianshe", "quota": 2}, {"unit_id": "bj-direct", "quota": 1}]}


def open_campaign(nomination, quotas=QUOTAS, **extra):
    """A campaign organised by the city, with quotas for the units below it, open."""
    campaign = nomination.create_campaign(CITY, campaign_data(**extra))
    if quotas:
        nomination.allocate_quotas(CITY, campaign["id"], quotas)
    return nomination.transition_campaign(CITY, campaign["id"], "open")


def person(sequence=None, born=BORN, **extra):
    """A new person as a candidate, with a valid ID number of their own."""
    number = make_id_number("110108", born, next(_sequence) if sequence is None else sequence)
    return dict({"name": "李秀英", "gender": "female", "ethnicity": "汉族", "birth_date": born.isoformat(),
                 "id_number": number, "category": "worker", "front_line": True, "employer": "海淀银行",
                 "position": "柜员", "phone": "13800000000", "address": "北京市海淀区某路1号"}, **extra)


def attachment(name="事迹材料.pdf", content=b"deeds"):
    return {"name": name, "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
            "content_type": "application/pdf"}


def nomination_data(candidate=None, channel="organisational", **extra):
    return dict({"channel": channel, "candidate": candidate or person(),
                 "deeds_summary": "扎根一线二十年，服务群众零投诉。",
                 "deeds": "该同志长期在一线岗位工作……（事迹全文）", "attachments": [attachment()]}, **extra)


def nominate(nomination, campaign, by=BANK, candidate=None, **extra):
    return nomination.nominate(by, campaign["id"], nomination_data(candidate, **extra))


DEEDS_REPORT = {"reported_on": "2025-03-02", "audience_size": 120, "minutes": "事迹报告会记录……"}


def vote(participants=100, votes_for=80, votes_against=10, votes_abstain=10):
    return {"held_on": "2025-03-02", "meeting": "workers_representatives_congress", "participants": participants,
            "votes_for": votes_for, "votes_against": votes_against, "votes_abstain": votes_abstain}


PARTY_APPROVAL = {"committee": "中共海淀银行委员会", "approved_on": "2025-03-03", "document": "海银党〔2025〕3号"}


def through_unit(nomination, nominated, by=BANK):
    """一报告, 民主推荐 (passed), 同级党委同意: the steps at the entry unit."""
    nomination.record_deeds_report(by, nominated["id"], DEEDS_REPORT)
    nomination.record_democratic_recommendation(by, nominated["id"], vote())
    return nomination.record_party_approval(by, nominated["id"], PARTY_APPROVAL)


def up_to_city(nomination, nominated, chain=(BANK, HAIDIAN)):
    """Recommended tier by tier to the city: the bank to Haidian, Haidian to the city."""
    result = None
    for by in chain:
        result = nomination.recommend_nomination(by, nominated["id"], {"opinion": "同意推荐"})
    return result


def at_the_city(nomination, campaign, candidate=None, by=BANK, chain=(BANK, HAIDIAN)):
    """A nomination from ``by`` that has reached the city, the campaign still open."""
    nominated = nominate(nomination, campaign, by=by, candidate=candidate)
    through_unit(nomination, nominated, by)
    return up_to_city(nomination, nominated, chain)


PASSED = {"outcome": "passed", "findings": "基本情况属实"}


def reviewed(nomination, nominated):
    nomination.preliminary_review(CITY, nominated["id"], PASSED)
    return nomination.second_review(CITY, nominated["id"], {"outcome": "passed", "findings": "事迹材料翔实"})


NOTICE_LEVELS = (("unit", BANK), ("second_tier", HAIDIAN), ("city", CITY))


def notice_data(level, nomination_ids, clock, days=5, title=None):
    start = clock.now()
    return {"level": level, "title": title or f"{level} 公示", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=days)).isoformat(), "nomination_ids": list(nomination_ids)}


def through_notice(nomination, clock, level, by, nomination_ids, days=5):
    notice = nomination.open_notice(by, nomination_ids_campaign(nomination, by, nomination_ids),
                                    notice_data(level, nomination_ids, clock, days))
    clock.advance(days=days)
    return nomination.close_notice(by, notice["id"])


def nomination_ids_campaign(nomination, by, nomination_ids):
    return nomination.get_nomination(CITY, nomination_ids[0])["campaign_id"]


def through_notices(nomination, clock, nomination_ids, levels=NOTICE_LEVELS):
    for level, by in levels:
        through_notice(nomination, clock, level, by, nomination_ids)


def ready_to_confer(nomination, clock, candidate=None):
    """A campaign in notice whose one nomination (from the bank) passed all three notices."""
    campaign = open_campaign(nomination)
    nominated = at_the_city(nomination, campaign, candidate)
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    reviewed(nomination, nominated)
    nomination.transition_campaign(CITY, campaign["id"], "notice")
    through_notices(nomination, clock, [nominated["id"]])
    return campaign, nomination.get_nomination(CITY, nominated["id"])


CONFERRAL = {"decided_on": "2025-03-03", "document": "京政发〔2025〕20号"}


def steps_of(nominated):
    return [(s["step"], s["outcome"], s["unit_id"]) for s in nominated["steps"]]
