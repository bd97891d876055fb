"""The registry's ``honour_revoked``: with no active honour left, the honouree roles end, the history stays."""
import pytest

from services.chassis.errors import Conflict

from .conftest import HAIDIAN
from .helpers import activity, member, team


def revoked(honouree_id, left=0, event_id="e-1"):
    return {"event_id": event_id, "honour_id": "honour-1", "honouree_id": honouree_id,
            "honour_type": "beijing_model_worker", "revocation_id": "rev-1", "managing_unit_id": "hd-bank",
            "active_honours_left": left}


def test_the_last_revoked_honour_ends_the_honouree_roles_and_keeps_the_history(volunteer, registry, clock):
    first_team, second_team = (team(volunteer, HAIDIAN, "bj-haidian")["id"] for _ in range(2))
    in_first = member(volunteer, HAIDIAN, first_team, "h1", registry)
    in_second = member(volunteer, HAIDIAN, second_team, "h1", registry)
    bystander = member(volunteer, HAIDIAN, first_team)  # another person, no honour needed
    # served today: two hours, confirmed
    today = activity(volunteer, HAIDIAN, "bj-haidian", starts="2026-01-20T10:30:00+08:00",
                     ends="2026-01-20T12:00:00+08:00")
    served = volunteer.sign_up(HAIDIAN, today["id"], {"volunteer_id": in_first["id"]})
    came = volunteer.check_in(HAIDIAN, served["id"])
    clock.advance(hours=2)
    volunteer.check_out(HAIDIAN, came["id"])
    volunteer.confirm_hours(HAIDIAN, came["id"])
    # signed up for next month, with someone on the waitlist behind
    later = activity(volunteer, HAIDIAN, "bj-haidian", capacity=1)
    held = volunteer.sign_up(HAIDIAN, later["id"], {"volunteer_id": in_second["id"]})
    waiting = volunteer.sign_up(HAIDIAN, later["id"], {"volunteer_id": bystander["id"]})
    assert waiting["status"] == "waitlisted"

    kept = volunteer.on_honour_revoked(revoked("h1", left=1))
    assert kept["ended"] is False
    assert volunteer.get_volunteer(HAIDIAN, in_first["id"])["status"] == "active"

    registry.honourees["h1"]["honours"] = [{"level": "municipal", "status": "revoked"}]
    ended = volunteer.on_honour_revoked(revoked("h1", event_id="e-2"))
    assert sorted(ended["volunteer_ids"]) == sorted([in_first["id"], in_second["id"]])
    assert ended["cancelled_signup_ids"] == [held["id"]] and ended["promoted_signup_ids"] == [waiting["id"]]
    for one in (in_first, in_second):
        gone = volunteer.get_volunteer(HAIDIAN, one["id"])
        assert gone["status"] == "ended" and gone["end_reason"].startswith("所有荣誉已撤销")
    assert volunteer.get_volunteer(HAIDIAN, bystander["id"])["status"] == "active"
    assert volunteer.get_signup(HAIDIAN, held["id"])["status"] == "cancelled"
    assert volunteer.get_signup(HAIDIAN, waiting["id"])["status"] == "confirmed"
    # the history stays: the attendance, its confirmed hours, the sign-up of what was served
    assert volunteer.get_signup(HAIDIAN, served["id"])["status"] == "confirmed"
    assert volunteer.get_attendance(HAIDIAN, came["id"])["confirmed_minutes"] == 120
    totals = volunteer.hour_totals(HAIDIAN, {"group_by": "volunteer"})
    assert {i["key"]: i["minutes"] for i in totals["items"]} == {in_first["id"]: 120}
    [event] = volunteer.events("volunteer_roles_ended")
    assert event["honouree_id"] == "h1" and event["cancelled_signup_ids"] == [held["id"]]
    assert "name" not in event  # no personal data
    # nothing more to end; and without an active honour the person cannot join again
    again = volunteer.on_honour_revoked(revoked("h1", event_id="e-3"))
    assert again["volunteer_ids"] == [] and again["cancelled_signup_ids"] == []
    assert len(volunteer.events("volunteer_roles_ended")) == 1
    with pytest.raises(Conflict):
        volunteer.enrol_volunteer(HAIDIAN, {"team_id": first_team, "honouree_id": "h1"})
