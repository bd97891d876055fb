"""200 concurrent sign-ups for 50 places, from processes of their own, on SQLite and PostgreSQL: exactly
50 confirmed, 150 waitlisted in one unbroken order, nobody twice; then cancellations move the
waitlist up in order."""
from collections import Counter

from services.volunteer.models.activities import Signup

from .conftest import HAIDIAN, NOW
from .helpers import activity, team
from .race import race

SIGNUPS = 200
PLACES = 50


def test_two_hundred_concurrent_sign_ups_for_fifty_places(volunteer, registry):
    squad = team(volunteer, HAIDIAN, "bj-haidian")["id"]
    people = [volunteer.enrol_volunteer(HAIDIAN, {"team_id": squad, "name": f"志愿者{n}"})["id"]
              for n in range(SIGNUPS)]
    event = activity(volunteer, HAIDIAN, "bj-haidian", capacity=PLACES)
    uri = volunteer.engine.engine.url.render_as_string(hide_password=False)
    answers, _ = race(uri, event["id"], people, registry.scope_of("bj-haidian"), NOW.isoformat())
    assert len(answers) == SIGNUPS and not [a for a in answers if "refused" in a]
    assert Counter(a["status"] for a in answers) == {"confirmed": PLACES, "waitlisted": SIGNUPS - PLACES}
    assert sorted(a["seq"] for a in answers) == list(range(1, SIGNUPS + 1))
    # the first 50 in the order of sign-up hold the places
    assert {a["seq"] for a in answers if a["status"] == "confirmed"} == set(range(1, PLACES + 1))
    rows = volunteer.rows(Signup, Signup.activity_id == event["id"])
    assert len(rows) == SIGNUPS and len({r.volunteer_id for r in rows}) == SIGNUPS
    got = volunteer.get_activity(HAIDIAN, event["id"])
    assert (got["confirmed"], got["waitlisted"], got["free_places"]) == (PLACES, SIGNUPS - PLACES, 0)
    # three places freed: the first three of the waitlist move up, in order
    confirmed = sorted((a for a in answers if a["status"] == "confirmed"), key=lambda a: a["seq"])
    waiting = sorted((a for a in answers if a["status"] == "waitlisted"), key=lambda a: a["seq"])
    promoted = [volunteer.cancel_signup(HAIDIAN, c["signup_id"])["promoted"] for c in confirmed[:3]]
    assert [p[0]["id"] for p in promoted] == [w["signup_id"] for w in waiting[:3]]
    got = volunteer.get_activity(HAIDIAN, event["id"])
    assert (got["confirmed"], got["waitlisted"]) == (PLACES, SIGNUPS - PLACES - 3)


def test_concurrent_sign_ups_of_one_person_for_clashing_activities_hold_one(volunteer, registry):
    squads = [team(volunteer, HAIDIAN, "bj-haidian")["id"] for _ in range(8)]
    registry.add_honouree("h1", "hd-bank", name="劳模甲", honours=[{"level": "municipal", "status": "active"}])
    memberships = [volunteer.enrol_volunteer(HAIDIAN, {"team_id": s, "honouree_id": "h1"})["id"] for s in squads]
    event = activity(volunteer, HAIDIAN, "bj-haidian", capacity=10)
    uri = volunteer.engine.engine.url.render_as_string(hide_password=False)
    answers, _ = race(uri, event["id"], memberships, registry.scope_of("bj-haidian"),
                      NOW.isoformat())
    # one person, eight memberships, one activity: one sign-up, seven refusals
    assert Counter(a.get("status", a.get("refused")) for a in answers) == {"confirmed": 1, "conflict": 7}


def test_concurrent_sign_ups_of_one_person_for_overlapping_activities_hold_one(volunteer, registry):
    squads = [team(volunteer, HAIDIAN, "bj-haidian")["id"] for _ in range(8)]
    registry.add_honouree("h2", "hd-bank", name="劳模乙", honours=[{"level": "municipal", "status": "active"}])
    memberships = [volunteer.enrol_volunteer(HAIDIAN, {"team_id": s, "honouree_id": "h2"})["id"] for s in squads]
    # eight activities, each overlapping every other (they all hold 10:30 on 1 February)
    events = [activity(volunteer, HAIDIAN, "bj-haidian", capacity=5, starts=f"2026-02-01T{9 + n % 2:02d}:{n * 5:02d}:00+08:00",
                       ends="2026-02-01T12:00:00+08:00") for n in range(8)]
    uri = volunteer.engine.engine.url.render_as_string(hide_password=False)
    pairs = [[e["id"], m] for e, m in zip(events, memberships)]
    answers, _ = race(uri, events[0]["id"], pairs, registry.scope_of("bj-haidian"), NOW.isoformat())
    # the person's clashes are checked one after another: one place held, seven clashes refused
    assert Counter(a.get("status", a.get("refused")) for a in answers) == {"confirmed": 1, "conflict": 7}
    assert {a["message"] for a in answers if "refused" in a} == {
        "the volunteer is signed up for another activity at the same time"}
    assert len([s for s in volunteer.rows(Signup) if s.person_key == "h2"]) == 1
