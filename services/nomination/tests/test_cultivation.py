"""Cultivation (培育): tracked workers per unit and year, their progress, and promotion into a nomination."""
import pytest
from sqlalchemy import text

from services.chassis.errors import Conflict, Invalid, NotFound

from .flows import (
    BANK,
    CHAOYANG,
    CITY,
    HAIDIAN,
    HOTEL,
    attachment,
    open_campaign,
    person,
)


def tracked(nomination, by=BANK, candidate=None, **extra):
    return nomination.track_candidate(by, dict({"year": 2025, "source": "skill_competition_champion",
                                                "source_detail": "2024年北京市职工职业技能大赛冠军",
                                                "candidate": candidate or person(name="赵技能"),
                                                "note": "列入重点跟踪培养"}, **extra))


def test_a_unit_tracks_a_worker_with_the_source_and_notes(nomination):
    candidate = person(name="赵技能")
    record = tracked(nomination, candidate=candidate)
    assert record["unit_id"] == "hd-bank" and record["year"] == 2025 and record["status"] == "tracking"
    assert record["source"] == "skill_competition_champion" and record["name"] == "赵技能"
    assert record["id_number"].count("*") == 8
    assert [n["note"] for n in record["notes"]] == ["列入重点跟踪培养"]
    noted = nomination.add_cultivation_note(BANK, record["id"], {"note": "获评首席员工"})
    assert [(n["note"], n["account"]) for n in noted["notes"]][-1] == ("获评首席员工", "wang.bank")
    assert nomination.get_cultivation(HAIDIAN, record["id"])["id"] == record["id"]
    with pytest.raises(NotFound):
        nomination.get_cultivation(CHAOYANG, record["id"])
    with nomination.engine.reading() as connection:
        stored = " ".join(str(v) for v in connection.execute(text("SELECT * FROM cultivations")).one())
    assert "13800000000" not in stored and candidate["id_number"] not in stored


def test_the_same_worker_once_per_unit_and_year(nomination):
    candidate = person()
    first = tracked(nomination, candidate=candidate)
    with pytest.raises(Conflict) as raised:
        tracked(nomination, candidate=candidate, source="chief_employee")
    assert raised.value.details == {"cultivation_id": first["id"]}
    assert tracked(nomination, candidate=candidate, year=2026)["year"] == 2026
    assert tracked(nomination, by=HAIDIAN, candidate=candidate)["unit_id"] == "bj-haidian"


def test_tracking_is_within_the_actors_scope_and_checked_like_a_nomination(nomination, registry):
    with pytest.raises(Invalid) as raised:
        tracked(nomination, by=HAIDIAN, unit_id="cy-hotel")
    assert raised.value.details == {"unit_id": ["outside the caller's scope"]}
    with pytest.raises(Invalid) as raised:
        tracked(nomination, candidate=dict(person(), id_number="110108197806150011"))
    assert "id_number" in raised.value.details["candidate"]
    with pytest.raises(Invalid):
        tracked(nomination, source="lottery_winner")
    registry.add_honouree("h-wang", "hd-bank", name="王建国")
    honouree = tracked(nomination, candidate={"honouree_id": "h-wang"}, source="innovation_studio_leader")
    assert honouree["honouree_id"] == "h-wang" and honouree["name"] == "王建国"


def test_a_list_per_unit_and_year(nomination):
    tracked(nomination)
    tracked(nomination, by=HOTEL, source="post_expert")
    tracked(nomination, year=2024)
    assert nomination.list_cultivations(HAIDIAN)["total"] == 2
    assert nomination.list_cultivations(CITY, {"year": 2025})["total"] == 2
    assert [c["unit_id"] for c in nomination.list_cultivations(CITY, {"source": "post_expert"})["items"]] == [
        "cy-hotel"]


def test_a_tracked_worker_is_promoted_into_a_nomination(nomination):
    campaign = open_campaign(nomination)
    candidate = person(name="赵技能")
    record = tracked(nomination, candidate=candidate)
    nominated = nomination.promote_cultivation(BANK, record["id"], {
        "campaign_id": campaign["id"], "deeds_summary": "技能大赛冠军", "deeds": "事迹全文",
        "attachments": [attachment()]})
    assert nominated["cultivation_id"] == record["id"] and nominated["channel"] == "organisational"
    assert nominated["nominating_unit_id"] == "hd-bank" and nominated["candidate"]["name"] == "赵技能"
    assert nominated["steps"][0]["evidence"]["cultivation_id"] == record["id"]
    clear = nomination.get_nomination({"account": "a", "unit_id": "bj", "personal_data": True}, nominated["id"])
    assert clear["candidate"]["id_number"] == candidate["id_number"]
    promoted = nomination.get_cultivation(BANK, record["id"])
    assert promoted["status"] == "promoted" and promoted["promoted_nomination_id"] == nominated["id"]
    with pytest.raises(Conflict):
        nomination.add_cultivation_note(BANK, record["id"], {"note": "继续跟踪"})


def test_a_promotion_is_a_nomination_like_any_other(nomination):
    campaign = open_campaign(nomination)
    candidate = person()
    nomination.nominate(BANK, campaign["id"], {"channel": "organisational", "candidate": candidate,
                                               "deeds_summary": "s", "deeds": "d"})
    record = tracked(nomination, candidate=candidate)
    with pytest.raises(Conflict):  # the same person is already nominated in the campaign
        nomination.promote_cultivation(BANK, record["id"], {"campaign_id": campaign["id"], "deeds_summary": "s",
                                                            "deeds": "d"})
    assert nomination.get_cultivation(BANK, record["id"])["status"] == "tracking"


def test_tracking_ends_with_reasons(nomination):
    record = tracked(nomination)
    ended = nomination.end_cultivation(BANK, record["id"], {"reasons": "调离本单位"})
    assert ended["status"] == "ended" and ended["end_reasons"] == "调离本单位"
    with pytest.raises(Conflict):
        nomination.end_cultivation(BANK, record["id"], {"reasons": "again"})
    trail = nomination.audit_trail(HAIDIAN, "cultivation", record["id"])
    assert [e["action"] for e in trail] == ["tracked", "ended"]
