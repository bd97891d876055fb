"""Changing and cancelling an activity (活动变更、取消): version, capacity and the waitlist, a new time and
the clashes it makes, required skills, the audit trail and events; bad input and refusals change nothing."""
import pytest

from services.chassis.audit import trail_of
from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.testing import check
from services.volunteer.models import Base
from services.volunteer.models.activities import Activity, Signup
from services.volunteer.responses.activities import (
    ActivityCancelledOut,
    ActivityChangedOut,
    ActivityOut,
)

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN
from .helpers import activity, member, team


def trail(volunteer, activity_id):
    with volunteer.engine.reading_session() as session:
        return trail_of(session, Base.metadata, {"volunteer_activity": [activity_id]})


def state(volunteer, activity_id):
    """Everything a refused call must leave as it was."""
    return (volunteer.get_activity(CITY, activity_id),
            sorted((s.id, s.status.value, s.starts_at, s.cancel_reason) for s in volunteer.rows(Signup)),
            len(trail(volunteer, activity_id)),
            len(volunteer.events("volunteer_activity_changed")), len(volunteer.events("volunteer_activity_cancelled")))


def signed_up(volunteer, event, people):
    return [volunteer.sign_up(HAIDIAN, event["id"], {"volunteer_id": p["id"]}) for p in people]


def test_an_organiser_changes_an_activity_audited_with_an_event(volunteer):
    event = activity(volunteer, HAIDIAN, "bj-haidian", required_skills=["first_aid"])
    assert event["version"] == 2  # created 1, published 2
    squad = team(volunteer, HAIDIAN, "bj-haidian")["id"]
    held = signed_up(volunteer, event, [member(volunteer, HAIDIAN, squad, skills=["first_aid"])])[0]
    changed = volunteer.update_activity(HAIDIAN, event["id"], {
        "version": 2, "title": "  劳模进社区（改期）  ", "place": "海淀区文化馆", "description": "带好证件",
        "starts_at": "2026-02-02T09:00:00+08:00", "ends_at": "2026-02-02T10:30:00+08:00",
        "required_skills": ["first_aid", "public_speaking"]})
    check(changed, ActivityChangedOut)
    got = changed["activity"]
    assert changed["changed"] == ["description", "ends_at", "place", "required_skills", "starts_at", "title"]
    assert (got["title"], got["place"], got["version"], got["status"]) == ("劳模进社区（改期）", "海淀区文化馆", 3,
                                                                           "published")
    assert got["starts_at"] == "2026-02-02T01:00:00+00:00" and got["required_skills"] == ["first_aid",
                                                                                           "public_speaking"]
    assert changed["promoted"] == [] and changed["clashes"] == []
    # the one signed up stays, though lacking the new skill, and holds the new time (for clashes)
    assert volunteer.get_signup(HAIDIAN, held["id"])["status"] == "confirmed"
    assert {s.starts_at.isoformat() for s in volunteer.rows(Signup)} == {"2026-02-02T01:00:00+00:00"}
    last = trail(volunteer, event["id"])[-1]
    assert (last["action"], last["account"]) == ("changed", "haidian.officer")
    assert last["changes"]["title"] == [event["title"], "劳模进社区（改期）"]
    assert last["changes"]["starts_at"] == ["2026-02-01T01:00:00+00:00", "2026-02-02T01:00:00+00:00"]
    assert volunteer.events("volunteer_activity_changed", envelope=False) == [{
        "activity_id": event["id"], "organiser_unit_id": "bj-haidian", "status": "published", "version": 3,
        "fields": changed["changed"], "starts_at": "2026-02-02T01:00:00+00:00",
        "ends_at": "2026-02-02T02:30:00+00:00", "capacity": 2}]
    # the same values again: nothing changes, no version, no trail, no event
    same = volunteer.update_activity(HAIDIAN, event["id"], {"version": 3, "place": "海淀区文化馆"})
    assert same["changed"] == [] and same["activity"]["version"] == 3
    assert len(volunteer.events("volunteer_activity_changed")) == 1
    # a unit above the organiser changes it too; a draft can be changed
    assert volunteer.update_activity(CITY, event["id"], {"version": 3, "capacity": 5})["activity"]["capacity"] == 5
    draft = activity(volunteer, HAIDIAN, "bj-haidian", publish=False)
    assert volunteer.update_activity(HAIDIAN, draft["id"], {"version": 1, "capacity": 9})["activity"]["status"] == \
        "draft"


def test_capacity_never_below_the_places_taken_and_more_places_confirm_the_waitlist(volunteer):
    squad = team(volunteer, HAIDIAN, "bj-haidian")["id"]
    event = activity(volunteer, HAIDIAN, "bj-haidian", capacity=2)
    signed = signed_up(volunteer, event, [member(volunteer, HAIDIAN, squad) for _ in range(5)])
    assert [s["status"] for s in signed] == ["confirmed"] * 2 + ["waitlisted"] * 3
    before = state(volunteer, event["id"])
    with pytest.raises(Conflict) as refused:
        volunteer.update_activity(HAIDIAN, event["id"], {"version": 2, "capacity": 1})
    assert refused.value.details == {"activity_id": event["id"], "capacity": 1, "confirmed": 2}
    assert state(volunteer, event["id"]) == before
    raised = volunteer.update_activity(HAIDIAN, event["id"], {"version": 2, "capacity": 4})
    assert [p["id"] for p in raised["promoted"]] == [signed[2]["id"], signed[3]["id"]]  # in their order
    assert all(p["status"] == "confirmed" and p["promoted_at"] for p in raised["promoted"])
    got = raised["activity"]
    assert (got["capacity"], got["confirmed"], got["waitlisted"], got["free_places"]) == (4, 4, 1, 0)
    assert volunteer.get_signup(HAIDIAN, signed[4]["id"])["waitlist_position"] == 1
    assert [e["signup_id"] for e in volunteer.events("volunteer_signup_promoted")] == [signed[2]["id"],
                                                                                        signed[3]["id"]]
    # down to the places taken is allowed; the waitlist stays
    assert volunteer.update_activity(HAIDIAN, event["id"], {"version": 3, "capacity": 4})["changed"] == []


def test_a_new_time_is_allowed_and_its_clashes_are_reported(volunteer, registry):
    squad, other_squad = (team(volunteer, HAIDIAN, "bj-haidian")["id"] for _ in range(2))
    in_first = member(volunteer, HAIDIAN, squad, "h1", registry)
    in_second = member(volunteer, HAIDIAN, other_squad, "h1", registry)  # the same honouree
    free = member(volunteer, HAIDIAN, squad)
    morning = activity(volunteer, HAIDIAN, "bj-haidian")  # 09:00-11:00
    afternoon = activity(volunteer, HAIDIAN, "bj-haidian", starts="2026-02-01T14:00:00+08:00",
                         ends="2026-02-01T16:00:00+08:00")
    held = volunteer.sign_up(HAIDIAN, morning["id"], {"volunteer_id": in_first["id"]})
    later = volunteer.sign_up(HAIDIAN, afternoon["id"], {"volunteer_id": in_second["id"]})
    volunteer.sign_up(HAIDIAN, afternoon["id"], {"volunteer_id": free["id"]})
    moved = volunteer.update_activity(HAIDIAN, afternoon["id"], {"version": 2, "starts_at": "2026-02-01T10:00:00+08:00",
                                                                 "ends_at": "2026-02-01T12:00:00+08:00"})
    assert moved["clashes"] == [{"signup_id": later["id"], "volunteer_id": in_second["id"],
                                 "clashing_signup_id": held["id"], "clashing_activity_id": morning["id"]}]
    assert volunteer.get_signup(HAIDIAN, later["id"])["status"] == "confirmed"  # reported, not refused
    # the moved sign-ups count at their new time: the person's next sign-up sees the clash
    noon = activity(volunteer, HAIDIAN, "bj-haidian", starts="2026-02-01T11:30:00+08:00",
                    ends="2026-02-01T12:30:00+08:00")
    with pytest.raises(Conflict) as clash:
        volunteer.sign_up(HAIDIAN, noon["id"], {"volunteer_id": free["id"]})
    assert clash.value.details["clashing_activity_id"] == afternoon["id"]
    # only an end: checked against the start it keeps
    with pytest.raises(Invalid) as refused:
        volunteer.update_activity(HAIDIAN, afternoon["id"], {"version": 3, "ends_at": "2026-02-01T09:00:00+08:00"})
    assert refused.value.details == {"ends_at": ["must be after starts_at"]}


def test_bad_changes_change_nothing(volunteer, clock):
    event = activity(volunteer, HAIDIAN, "bj-haidian")
    before = state(volunteer, event["id"])
    bad = [{"version": 2, "colour": "red"}, {"version": 2, "capacity": -1}, {"version": 2, "capacity": 0},
           {"version": 2, "starts_at": "2026-02-01T12:00:00+08:00"},
           {"version": 2, "starts_at": "2026-02-01T12:00:00+08:00", "ends_at": "2026-02-01T11:00:00+08:00"},
           {"version": 2, "starts_at": "2026-01-19T09:00:00+08:00", "ends_at": "2026-01-19T10:00:00+08:00"},
           {"version": 2}, {"title": "无版本"}, {"version": "2", "title": "x"}, {"version": 2, "title": "   "},
           {"version": 2, "title": None}, {"version": 2, "required_skills": ["Bad Skill"]},
           {"version": 2, "category": "medical"}, {"version": 2, "organiser_unit_id": "bj"}, None,
           {"version": 2, "starts_at": "9999-12-31T23:00:00-05:00", "ends_at": "9999-12-31T23:30:00-05:00"}]
    for changes in bad:
        with pytest.raises(Invalid):
            volunteer.update_activity(HAIDIAN, event["id"], changes)
    with pytest.raises(Conflict) as stale:
        volunteer.update_activity(HAIDIAN, event["id"], {"version": 1, "title": "迟到的修改"})
    assert stale.value.details == {"activity_id": event["id"], "version": 2}
    for who in (CHAOYANG, BANK):
        with pytest.raises(NotFound) as hidden:  # outside the scope, or below the organiser: as if absent
            volunteer.update_activity(who, event["id"], {"version": 2, "title": "越权"})
        assert hidden.value.details == {"activity_id": event["id"]}
    with pytest.raises(NotFound):
        volunteer.update_activity(HAIDIAN, "nothing", {"version": 2, "title": "x"})
    assert state(volunteer, event["id"]) == before
    clock.advance(days=11, hours=23)  # 2026-02-01 09:00 in Beijing: it begins
    with pytest.raises(Conflict) as begun:
        volunteer.update_activity(HAIDIAN, event["id"], {"version": 2, "title": "开始后"})
    assert begun.value.details["starts_at"] == "2026-02-01T01:00:00+00:00"
    assert state(volunteer, event["id"]) == before


def test_an_organiser_cancels_an_activity_and_its_sign_ups(volunteer):
    squad = team(volunteer, HAIDIAN, "bj-haidian")["id"]
    people = [member(volunteer, HAIDIAN, squad) for _ in range(3)]
    event = activity(volunteer, HAIDIAN, "bj-haidian", capacity=2)
    signed = signed_up(volunteer, event, people)
    cancelled = volunteer.cancel_activity(HAIDIAN, event["id"], {"reason": "  因天气原因取消 "})
    check(cancelled, ActivityCancelledOut)
    got = cancelled["activity"]
    assert (got["status"], got["cancel_reason"], got["version"]) == ("cancelled", "因天气原因取消", 3)
    assert got["cancelled_at"] == "2026-01-20T02:00:00+00:00"
    assert (got["confirmed"], got["waitlisted"]) == (0, 0)
    assert [s["id"] for s in cancelled["cancelled_signups"]] == [s["id"] for s in signed]
    for one in signed:
        found = volunteer.get_signup(HAIDIAN, one["id"])
        assert (found["status"], found["cancel_reason"]) == ("cancelled", "因天气原因取消")
    assert volunteer.events("volunteer_signup_promoted") == []  # no one moves up into a cancelled activity
    assert volunteer.events("volunteer_activity_cancelled", envelope=False) == [{
        "activity_id": event["id"], "organiser_unit_id": "bj-haidian", "starts_at": "2026-02-01T01:00:00+00:00",
        "cancelled_signup_ids": [s["id"] for s in signed]}]
    last = trail(volunteer, event["id"])[-1]
    assert last["action"] == "cancelled"
    assert last["changes"] == {"status": ["published", "cancelled"], "cancel_reason": [None, "因天气原因取消"]}
    # the time of the cancelled activity is free again for its people
    same_time = activity(volunteer, HAIDIAN, "bj-haidian")
    assert volunteer.sign_up(HAIDIAN, same_time["id"], {"volunteer_id": people[0]["id"]})["status"] == "confirmed"
    before = state(volunteer, event["id"])
    with pytest.raises(Conflict) as twice:
        volunteer.cancel_activity(HAIDIAN, event["id"], {"reason": "再取消一次"})
    assert twice.value.details["status"] == "cancelled" and twice.value.details["cancelled_at"]
    for refused in (lambda: volunteer.update_activity(HAIDIAN, event["id"], {"version": 3, "title": "x"}),
                    lambda: volunteer.publish_activity(HAIDIAN, event["id"]),
                    lambda: volunteer.sign_up(HAIDIAN, event["id"], {"volunteer_id": people[1]["id"]}),
                    lambda: volunteer.check_in(HAIDIAN, signed[0]["id"], {})):
        with pytest.raises(Conflict):
            refused()
    assert state(volunteer, event["id"]) == before
    assert volunteer.list_activities(HAIDIAN, {"status": "cancelled"})["total"] == 1
    check(volunteer.get_activity(HAIDIAN, event["id"]), ActivityOut)
    # a draft is cancelled as well, by a unit above its organiser
    draft = activity(volunteer, HAIDIAN, "bj-haidian", publish=False)
    assert volunteer.cancel_activity(CITY, draft["id"], {"reason": "不办了"})["cancelled_signups"] == []


def test_bad_cancellations_change_nothing(volunteer, clock):
    squad = team(volunteer, HAIDIAN, "bj-haidian")["id"]
    event = activity(volunteer, HAIDIAN, "bj-haidian", starts="2026-01-20T11:00:00+08:00",
                     ends="2026-01-20T12:00:00+08:00")
    later = activity(volunteer, HAIDIAN, "bj-haidian")
    held = signed_up(volunteer, event, [member(volunteer, HAIDIAN, squad)])[0]
    before = state(volunteer, event["id"])
    for data in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 2001}, {"reason": None},
                 {"reason": "天气", "extra": 1}, None):
        with pytest.raises(Invalid):
            volunteer.cancel_activity(HAIDIAN, event["id"], data)
    for who in (CHAOYANG, BANK):
        with pytest.raises(NotFound):
            volunteer.cancel_activity(who, event["id"], {"reason": "越权"})
    assert state(volunteer, event["id"]) == before
    # checked in (from two hours before): the activity is no longer called off here, nor moved
    volunteer.check_in(HAIDIAN, held["id"], {})
    with pytest.raises(Conflict) as attended:
        volunteer.cancel_activity(HAIDIAN, event["id"], {"reason": "天气"})
    assert "attendance_id" in attended.value.details
    with pytest.raises(Conflict) as attended:
        volunteer.update_activity(HAIDIAN, event["id"], {"version": 2, "starts_at": "2026-01-20T11:30:00+08:00"})
    assert attended.value.details["checked_in"] == 1
    clock.advance(hours=1, minutes=1)  # it has begun
    with pytest.raises(Conflict) as begun:
        volunteer.cancel_activity(HAIDIAN, event["id"], {"reason": "天气"})
    assert "starts_at" in begun.value.details
    assert volunteer.rows(Activity, Activity.id == event["id"])[0].status.value == "published"
    assert volunteer.cancel_activity(HAIDIAN, later["id"], {"reason": "天气"})["activity"]["status"] == "cancelled"
