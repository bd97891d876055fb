"""Activities and sign-ups: publication, places and the waitlist, clashes, skills, scope, retries."""
import pytest

from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.testing import check
from services.volunteer.models.activities import Signup
from services.volunteer.responses.activities import (
    ActivityOut,
    ActivityPageOut,
    CancelledOut,
    SignupOut,
    SignupPageOut,
)

from .conftest import CHAOYANG, CITY, HAIDIAN
from .helpers import activity, member, team


def test_an_activity_is_a_draft_until_published(volunteer):
    made = activity(volunteer, HAIDIAN, "bj-haidian", publish=False, required_skills=["public_speaking"],
                    category="campus_talk")
    check(made, ActivityOut)
    assert made["status"] == "draft" and made["published_at"] is None and made["free_places"] == 2
    assert made["required_skills"] == ["public_speaking"] and made["category"] == "campus_talk"
    someone = member(volunteer, HAIDIAN, team(volunteer, HAIDIAN, "bj-haidian")["id"], skills=["public_speaking"])
    with pytest.raises(Conflict) as refused:
        volunteer.sign_up(HAIDIAN, made["id"], {"volunteer_id": someone["id"]})
    assert refused.value.details["missing"] == "published"
    published = volunteer.publish_activity(HAIDIAN, made["id"])
    assert published["status"] == "published" and published["published_at"]
    with pytest.raises(Conflict):
        volunteer.publish_activity(HAIDIAN, made["id"])
    assert volunteer.events("volunteer_activity_published")[0]["activity_id"] == made["id"]


def test_bad_activities_are_refused(volunteer):
    with pytest.raises(Invalid) as refused:
        activity(volunteer, HAIDIAN, "bj-haidian", ends="2026-02-01T08:00:00+08:00")
    assert "ends_at" in refused.value.details
    with pytest.raises(Invalid):
        activity(volunteer, HAIDIAN, "bj-haidian", category="sports")
    with pytest.raises(Invalid) as refused:
        activity(volunteer, HAIDIAN, "bj-chaoyang")
    assert refused.value.details == {"organiser_unit_id": ["no unit 'bj-chaoyang'"]}
    past = activity(volunteer, HAIDIAN, "bj-haidian", starts="2026-01-19T09:00:00+08:00",
                    ends="2026-01-19T11:00:00+08:00", publish=False)
    with pytest.raises(Conflict):
        volunteer.publish_activity(HAIDIAN, past["id"])
    assert volunteer.list_activities(HAIDIAN)["total"] == 1


def test_places_then_the_waitlist_which_moves_up_on_cancellation(volunteer):
    squad = team(volunteer, HAIDIAN, "bj-haidian")["id"]
    people = [member(volunteer, HAIDIAN, squad) for _ in range(4)]
    event = activity(volunteer, HAIDIAN, "bj-haidian", capacity=2)
    signed = [volunteer.sign_up(HAIDIAN, event["id"], {"volunteer_id": p["id"]}) for p in people]
    for one in signed:
        check(one, SignupOut)
    assert [s["status"] for s in signed] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [s["waitlist_position"] for s in signed] == [None, None, 1, 2]
    got = volunteer.get_activity(HAIDIAN, event["id"])
    assert (got["confirmed"], got["waitlisted"], got["free_places"]) == (2, 2, 0)
    with pytest.raises(Conflict) as twice:
        volunteer.sign_up(HAIDIAN, event["id"], {"volunteer_id": people[0]["id"]})
    assert twice.value.details["signup_id"] == signed[0]["id"]
    # a waitlisted cancellation frees no place; a confirmed one confirms the waitlist's first
    dropped = volunteer.cancel_signup(HAIDIAN, signed[2]["id"], {"reason": "临时有事"})
    check(dropped, CancelledOut)
    assert dropped["signup"]["status"] == "cancelled" and dropped["promoted"] == []
    moved = volunteer.cancel_signup(HAIDIAN, signed[0]["id"])
    assert [p["id"] for p in moved["promoted"]] == [signed[3]["id"]]
    assert moved["promoted"][0]["status"] == "confirmed" and moved["promoted"][0]["promoted_at"]
    assert [{k: e[k] for k in ("signup_id", "activity_id", "volunteer_id")}
            for e in volunteer.events("volunteer_signup_promoted")] == [
        {"signup_id": signed[3]["id"], "activity_id": event["id"], "volunteer_id": people[3]["id"]}]
    with pytest.raises(Conflict):
        volunteer.cancel_signup(HAIDIAN, signed[0]["id"])
    page = volunteer.list_signups(HAIDIAN, event["id"], {"status": "confirmed"})
    check(page, SignupPageOut)
    assert [s["id"] for s in page["items"]] == [signed[1]["id"], signed[3]["id"]]
    # signing up again after cancelling joins the end of the queue
    again = volunteer.sign_up(HAIDIAN, event["id"], {"volunteer_id": people[0]["id"]})
    assert again["status"] == "waitlisted" and again["waitlist_position"] == 1


def test_a_person_cannot_be_at_two_activities_at_once(volunteer, registry):
    first_team, second_team = (team(volunteer, HAIDIAN, "bj-haidian")["id"] for _ in range(2))
    in_first = member(volunteer, HAIDIAN, first_team, "h1", registry)
    in_second = member(volunteer, HAIDIAN, second_team, "h1", registry)  # the same honouree, another team
    morning = activity(volunteer, HAIDIAN, "bj-haidian")
    overlapping = activity(volunteer, HAIDIAN, "bj-haidian", starts="2026-02-01T10:30:00+08:00",
                           ends="2026-02-01T12:00:00+08:00")
    afterwards = activity(volunteer, HAIDIAN, "bj-haidian", starts="2026-02-01T11:00:00+08:00",
                          ends="2026-02-01T12:00:00+08:00")
    held = volunteer.sign_up(HAIDIAN, morning["id"], {"volunteer_id": in_first["id"]})
    with pytest.raises(Conflict) as clash:
        volunteer.sign_up(HAIDIAN, overlapping["id"], {"volunteer_id": in_second["id"]})
    assert clash.value.details["clashing_activity_id"] == morning["id"]
    assert clash.value.details["clashing_signup_id"] == held["id"]
    assert volunteer.sign_up(HAIDIAN, afterwards["id"], {"volunteer_id": in_second["id"]})["status"] == "confirmed"
    # once cancelled, the time is free again
    volunteer.cancel_signup(HAIDIAN, held["id"])
    with pytest.raises(Conflict):  # still clashes with the 11:00 one it holds
        volunteer.sign_up(HAIDIAN, overlapping["id"], {"volunteer_id": in_first["id"]})
    other = member(volunteer, HAIDIAN, first_team)  # another person is free at that time
    assert volunteer.sign_up(HAIDIAN, overlapping["id"], {"volunteer_id": other["id"]})["status"] == "confirmed"


def test_required_skills_ended_memberships_and_begun_activities(volunteer, clock):
    squad = team(volunteer, HAIDIAN, "bj-haidian")["id"]
    doctor = member(volunteer, HAIDIAN, squad, skills=["first_aid", "medicine"])
    layman = member(volunteer, HAIDIAN, squad, skills=["first_aid"])
    clinic = activity(volunteer, HAIDIAN, "bj-haidian", category="medical", required_skills=["first_aid", "medicine"])
    with pytest.raises(Conflict) as refused:
        volunteer.sign_up(HAIDIAN, clinic["id"], {"volunteer_id": layman["id"]})
    assert refused.value.details["missing_skills"] == ["medicine"]
    volunteer.end_volunteer(HAIDIAN, doctor["id"], {"reason": "退出"})
    with pytest.raises(Conflict) as refused:
        volunteer.sign_up(HAIDIAN, clinic["id"], {"volunteer_id": doctor["id"]})
    assert refused.value.details["missing"] == "active"
    with pytest.raises(Invalid):
        volunteer.sign_up(HAIDIAN, clinic["id"], {"volunteer_id": "nobody"})
    soon = activity(volunteer, HAIDIAN, "bj-haidian", starts="2026-01-20T11:00:00+08:00",
                    ends="2026-01-20T12:00:00+08:00")
    held = volunteer.sign_up(HAIDIAN, soon["id"], {"volunteer_id": layman["id"]})
    clock.advance(hours=1, minutes=30)  # 11:30 in Beijing: it has begun
    with pytest.raises(Conflict):
        volunteer.sign_up(HAIDIAN, soon["id"], {"volunteer_id": member(volunteer, HAIDIAN, squad)["id"]})
    with pytest.raises(Conflict):
        volunteer.cancel_signup(HAIDIAN, held["id"])


def test_activities_and_sign_ups_are_seen_in_scope_only(volunteer):
    haidian_team = team(volunteer, HAIDIAN, "bj-haidian")["id"]
    chaoyang_team = team(volunteer, CHAOYANG, "bj-chaoyang")["id"]
    haidian_person = member(volunteer, HAIDIAN, haidian_team)
    chaoyang_person = member(volunteer, CHAOYANG, chaoyang_team)
    chaoyang_event = activity(volunteer, CHAOYANG, "bj-chaoyang")
    city_event = activity(volunteer, CITY, "bj")
    for call in (lambda: volunteer.get_activity(HAIDIAN, chaoyang_event["id"]),
                 lambda: volunteer.publish_activity(HAIDIAN, chaoyang_event["id"]),
                 lambda: volunteer.list_signups(HAIDIAN, chaoyang_event["id"]),
                 lambda: volunteer.sign_up(HAIDIAN, chaoyang_event["id"], {"volunteer_id": haidian_person["id"]})):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(Invalid):  # a 朝阳 volunteer is not 海淀's to sign up
        volunteer.sign_up(CHAOYANG, chaoyang_event["id"], {"volunteer_id": haidian_person["id"]})
    held = volunteer.sign_up(CHAOYANG, chaoyang_event["id"], {"volunteer_id": chaoyang_person["id"]})
    with pytest.raises(NotFound):
        volunteer.get_signup(HAIDIAN, held["id"])
    with pytest.raises(NotFound):
        volunteer.cancel_signup(HAIDIAN, held["id"])
    assert volunteer.get_signup(CHAOYANG, held["id"])["status"] == "confirmed"
    # the city's activity: the city signs up volunteers of every district
    assert volunteer.sign_up(CITY, city_event["id"], {"volunteer_id": haidian_person["id"]})["status"] == "confirmed"
    page = volunteer.list_activities(HAIDIAN)
    check(page, ActivityPageOut)
    assert page["total"] == 0
    assert {a["id"] for a in volunteer.list_activities(CITY)["items"]} == {chaoyang_event["id"], city_event["id"]}
    assert volunteer.list_activities(CITY, {"category": "medical"})["total"] == 0


def test_retries_return_the_first(volunteer):
    squad = team(volunteer, HAIDIAN, "bj-haidian")["id"]
    someone = member(volunteer, HAIDIAN, squad)
    data = {"title": "科技服务", "category": "science_technology", "organiser_unit_id": "bj-haidian", "place": "中关村",
            "starts_at": "2026-03-01T09:00:00+08:00", "ends_at": "2026-03-01T12:00:00+08:00", "capacity": 5,
            "request_id": "act-1"}
    first = volunteer.create_activity(HAIDIAN, data)
    assert volunteer.create_activity(HAIDIAN, data)["id"] == first["id"]
    volunteer.publish_activity(HAIDIAN, first["id"])
    held = volunteer.sign_up(HAIDIAN, first["id"], {"volunteer_id": someone["id"], "request_id": "s-1"})
    assert volunteer.sign_up(HAIDIAN, first["id"], {"volunteer_id": someone["id"], "request_id": "s-1"}) == held
    assert len(volunteer.rows(Signup)) == 1
