"""Attendance and service hours: check-in and check-out, hours proposed and confirmed by the organiser
(counted only then), totals per volunteer, team, unit, category and year, a volunteer's record as CSV."""
import csv
import io

import pytest

from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.testing import check
from services.volunteer.responses.attendance import (
    AttendanceOut,
    AttendancePageOut,
    TotalsOut,
)

from .conftest import CHAOYANG, CITY, HAIDIAN
from .helpers import activity, member, team

TODAY = {"starts": "2026-01-20T10:30:00+08:00", "ends": "2026-01-20T12:00:00+08:00"}  # the clock: 10:00


def attended(volunteer, actor=HAIDIAN, unit_id="bj-haidian", people=1, **extra):
    """A published activity starting in half an hour with ``people`` confirmed sign-ups: (activity, sign-ups)."""
    event = activity(volunteer, actor, unit_id, capacity=max(people, 1), **{**TODAY, **extra})
    squad = team(volunteer, actor, unit_id)["id"] if people else None
    signed = [volunteer.sign_up(actor, event["id"], {"volunteer_id": member(volunteer, actor, squad)["id"]})
              for _ in range(people)]
    return event, signed


def test_hours_count_only_once_the_organiser_confirmed_them(volunteer, clock):
    event, (held,) = attended(volunteer)
    came = volunteer.check_in(HAIDIAN, held["id"])
    check(came, AttendanceOut)
    assert came["status"] == "checked_in" and came["proposed_minutes"] is None
    clock.advance(hours=2, minutes=10)  # 12:10
    left = volunteer.check_out(HAIDIAN, came["id"])
    assert left["status"] == "checked_out" and left["proposed_minutes"] == 130 and left["confirmed_minutes"] is None
    nothing = volunteer.hour_totals(HAIDIAN, {"group_by": "volunteer"})
    assert nothing["total_minutes"] == 0 and nothing["items"] == []
    with pytest.raises(Invalid):  # more than the attendance shows
        volunteer.confirm_hours(HAIDIAN, came["id"], {"minutes": 131})
    confirmed = volunteer.confirm_hours(HAIDIAN, came["id"], {"minutes": 90})
    assert confirmed["status"] == "confirmed" and confirmed["confirmed_minutes"] == 90
    assert confirmed["confirmed_by_account"] == "haidian.officer"
    with pytest.raises(Conflict):
        volunteer.confirm_hours(HAIDIAN, came["id"])
    totals = volunteer.hour_totals(HAIDIAN, {"group_by": "volunteer"})
    check(totals, TotalsOut)
    assert totals["total_minutes"] == 90 and totals["total_hours"] == 1.5
    assert totals["items"] == [{"key": held["volunteer_id"], "label": held["volunteer_name"], "minutes": 90,
                                "hours": 1.5, "attendances": 1}]
    assert [{k: e[k] for k in ("attendance_id", "minutes", "year", "category")}
            for e in volunteer.events("volunteer_hours_confirmed")] == [
        {"attendance_id": came["id"], "minutes": 90, "year": 2026, "category": "community_talk"}]
    page = volunteer.list_attendance(HAIDIAN, event["id"])
    check(page, AttendancePageOut)
    assert [a["id"] for a in page["items"]] == [came["id"]]
    assert volunteer.get_attendance(HAIDIAN, came["id"]) == confirmed


def test_what_check_in_and_check_out_refuse(volunteer, clock):
    event, (held,) = attended(volunteer)
    squad = team(volunteer, HAIDIAN, "bj-haidian")["id"]
    waiting = volunteer.sign_up(HAIDIAN, event["id"], {"volunteer_id": member(volunteer, HAIDIAN, squad)["id"]})
    assert waiting["status"] == "waitlisted"
    with pytest.raises(Conflict):
        volunteer.check_in(HAIDIAN, waiting["id"])
    with pytest.raises(Invalid):  # not in the future
        volunteer.check_in(HAIDIAN, held["id"], {"at": "2026-01-20T10:05:00+08:00"})
    with pytest.raises(Conflict):  # more than two hours before it begins
        volunteer.check_in(HAIDIAN, held["id"], {"at": "2026-01-20T08:00:00+08:00"})
    with pytest.raises(NotFound):
        volunteer.check_in(CHAOYANG, held["id"])
    came = volunteer.check_in(HAIDIAN, held["id"], {"at": "2026-01-20T09:55:00+08:00"})
    with pytest.raises(Conflict) as twice:
        volunteer.check_in(HAIDIAN, held["id"])
    assert twice.value.details["attendance_id"] == came["id"]
    with pytest.raises(Conflict):  # checked in: the sign-up stays
        volunteer.cancel_signup(HAIDIAN, held["id"])
    with pytest.raises(Conflict):  # hours of an attendance not checked out are not confirmed
        volunteer.confirm_hours(HAIDIAN, came["id"])
    with pytest.raises(Invalid):
        volunteer.check_out(HAIDIAN, came["id"], {"at": "2026-01-20T09:50:00+08:00"})
    with pytest.raises(NotFound):
        volunteer.check_out(CHAOYANG, came["id"])
    clock.advance(hours=8)  # 18:00: past the four hours after its end
    with pytest.raises(Invalid):
        volunteer.check_out(HAIDIAN, came["id"])
    left = volunteer.check_out(HAIDIAN, came["id"], {"at": "2026-01-20T12:30:00+08:00"})
    assert left["proposed_minutes"] == 155
    with pytest.raises(Conflict):
        volunteer.check_out(HAIDIAN, came["id"])
    assert volunteer.confirm_hours(HAIDIAN, came["id"])["confirmed_minutes"] == 155  # the proposal by default


def test_totals_per_volunteer_team_unit_category_and_year(volunteer, clock):
    _, haidian_people = attended(volunteer, people=2)
    _, chaoyang_people = attended(volunteer, CHAOYANG, "bj-chaoyang", category="medical")
    city_event, _ = attended(volunteer, CITY, "bj", people=0, starts="2026-01-20T13:00:00+08:00",
                             ends="2026-01-20T14:00:00+08:00")
    # the city's activity has a 海淀 volunteer too
    volunteer.sign_up(CITY, city_event["id"], {"volunteer_id": haidian_people[0]["volunteer_id"]})
    citys = volunteer.list_signups(CITY, city_event["id"])["items"][0]
    done = [(HAIDIAN, s) for s in haidian_people] + [(CHAOYANG, s) for s in chaoyang_people]
    came = [(who, volunteer.check_in(who, s["id"])) for who, s in done]
    clock.advance(hours=2)
    for who, a in came:
        volunteer.check_out(who, a["id"])  # 120 minutes each
    for (who, a), minutes in zip(came, (60, 120, 30)):
        volunteer.confirm_hours(who, a["id"], {"minutes": minutes})
    clock.advance(hours=1, minutes=30)  # 13:30
    city_attendance = volunteer.check_in(CITY, citys["id"], {"at": "2026-01-20T13:00:00+08:00"})
    clock.advance(hours=1)
    volunteer.check_out(CITY, city_attendance["id"])
    with pytest.raises(NotFound):  # 海淀 sees its volunteer's attendance, but the city organised it
        volunteer.confirm_hours(HAIDIAN, city_attendance["id"])
    assert volunteer.get_attendance(HAIDIAN, city_attendance["id"])["status"] == "checked_out"
    volunteer.confirm_hours(CITY, city_attendance["id"], {"minutes": 45})

    def by(actor, group_by, **query):
        found = volunteer.hour_totals(actor, {"group_by": group_by, **query})
        return {i["key"]: i["minutes"] for i in found["items"]}, found["total_minutes"]

    first, second = (s["volunteer_id"] for s in haidian_people)
    assert by(HAIDIAN, "volunteer") == ({first: 105, second: 120}, 225)
    assert by(CITY, "unit") == ({"bj-haidian": 225, "bj-chaoyang": 30}, 255)
    assert by(CITY, "category") == ({"community_talk": 225, "medical": 30}, 255)
    assert by(CITY, "year") == ({"2026": 255}, 255)
    assert by(CITY, "category", unit_id="bj-chaoyang") == ({"medical": 30}, 30)
    assert by(CITY, "unit", year=2025) == ({}, 0)
    assert by(CHAOYANG, "unit") == ({"bj-chaoyang": 30}, 30)
    teams = volunteer.hour_totals(HAIDIAN, {"group_by": "team"})
    assert [i["minutes"] for i in teams["items"]] == [225] and teams["items"][0]["label"]
    assert by(HAIDIAN, "volunteer", category="community_talk", page_size=1)[0] == {second: 120}
    past = volunteer.hour_totals(HAIDIAN, {"group_by": "volunteer", "page": 3, "page_size": 1})
    assert past["items"] == [] and (past["total"], past["total_minutes"], past["attendances"]) == (2, 225, 3)
    assert past["pages"] == 2
    with pytest.raises(NotFound):
        volunteer.hour_totals(HAIDIAN, {"group_by": "unit", "unit_id": "bj-chaoyang"})
    with pytest.raises(Invalid):
        volunteer.hour_totals(HAIDIAN, {"group_by": "colour"})


def test_a_volunteers_record_as_csv_with_formulas_defused(volunteer, clock):
    _, (held,) = attended(volunteer, title="=HYPERLINK(\"http://x\",\"点我\")", place="+社区中心")
    came = volunteer.check_in(HAIDIAN, held["id"])
    clock.advance(hours=2)
    volunteer.check_out(HAIDIAN, came["id"])
    volunteer.confirm_hours(HAIDIAN, came["id"], {"minutes": 100})
    text = volunteer.volunteer_record_csv(HAIDIAN, held["volunteer_id"])
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1
    assert rows[0]["title"] == "'=HYPERLINK(\"http://x\",\"点我\")" and rows[0]["place"] == "'+社区中心"
    assert rows[0]["confirmed_minutes"] == "100" and rows[0]["confirmed_hours"] == "1.66"
    assert rows[0]["proposed_minutes"] == "120" and rows[0]["status"] == "confirmed"
    with pytest.raises(NotFound):
        volunteer.volunteer_record_csv(CHAOYANG, held["volunteer_id"])
