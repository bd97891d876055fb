"""The volunteer corps (首都劳模志愿服务团) over HTTP, through the gateway, against the whole suite: the
registry's records decide who is an eligible honouree and what is in scope."""
import csv
import io
import itertools
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest

from services.chassis.id_numbers import make_id_number
from services.chassis.testing import wait_for

from .test_nomination_api import Clock

AREA = "110229"  # the ID numbers this module makes (延庆), apart from the other e2e modules' numbers
_serial = itertools.count(1)


def tag():
    return uuid.uuid4().hex[:8]


def ok(response, status):
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.status_code} " \
                                           f"{response.text}"
    return response.json()


def error(response, status, code):
    body = ok(response, status)
    assert set(body) == {"error", "message", "details"} and body["error"] == code, body
    return body


def honouree(apis, who="haidian.officer", unit_id="bj-haidian"):
    n = next(_serial)
    born = date(1963, 3, 1) + timedelta(days=11 * n)
    data = {"name": f"志愿{tag()}", "gender": "female", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_number": make_id_number(AREA, born, n % 1000), "category": "worker", "managing_unit_id": unit_id,
            "employer": "北京某医院", "front_line": True,
            "honours": [{"honour_type": "beijing_model_worker", "year": 2015}]}
    return ok(apis[who].post("/honourees", data), 201)


def test_teams_by_district_and_by_profession_each_in_their_scope(apis):
    haidian = ok(apis["haidian.officer"].post("/volunteer-teams", {
        "name": f"海淀劳模志愿服务队{tag()}", "kind": "district", "unit_id": "bj-haidian"}), 201)
    assert haidian["kind"] == "district" and haidian["active_volunteers"] == 0 and haidian["admits_public"] is False
    data = {"name": f"医疗卫生服务队{tag()}", "kind": "profession", "unit_id": "bj", "profession": "医疗卫生",
            "admits_public": True, "request_id": f"team-{tag()}"}
    medical = ok(apis["city.officer"].post("/volunteer-teams", data), 201)
    assert ok(apis["city.officer"].post("/volunteer-teams", data), 201)["id"] == medical["id"]  # a retry
    error(apis["city.officer"].post("/volunteer-teams", dict(data, request_id=None, unit_id="bj", kind="district",
                                                                  profession=None)), 422, "invalid")
    error(apis["haidian.officer"].post("/volunteer-teams", {"name": "x", "kind": "profession", "unit_id": "bj-haidian"}),
          422, "invalid")
    error(apis["haidian.reviewer"].post("/volunteer-teams", {"name": "x", "kind": "district", "unit_id": "bj-haidian"}),
          403, "forbidden")
    # 海淀 sees its own team, not the city's; the city sees both
    seen = {t["id"] for t in ok(apis["haidian.reviewer"].get("/volunteer-teams", params={"page_size": 200}),
                                200)["items"]}
    assert haidian["id"] in seen and medical["id"] not in seen
    error(apis["haidian.reviewer"].get(f"/volunteer-teams/{medical['id']}"), 404, "not_found")
    assert ok(apis["city.reviewer"].get(f"/volunteer-teams/{haidian['id']}"), 200)["name"] == haidian["name"]
    kinds = ok(apis["city.reviewer"].get("/volunteer-teams", params={"kind": "profession", "page_size": 200}),
               200)["items"]
    assert medical["id"] in {t["id"] for t in kinds} and {t["kind"] for t in kinds} == {"profession"}
    changed = ok(apis["haidian.officer"].patch(f"/volunteer-teams/{haidian['id']}", {"admits_public": True}), 200)
    assert changed["admits_public"] is True


def test_honourees_and_other_people_join_with_skills_and_availability(apis):
    team = ok(apis["haidian.officer"].post("/volunteer-teams", {
        "name": f"海淀科技服务队{tag()}", "kind": "district", "unit_id": "bj-haidian"}), 201)
    path = f"/volunteer-teams/{team['id']}/volunteers"
    person = honouree(apis)
    joined = ok(apis["haidian.officer"].post(path, {
        "honouree_id": person["id"], "skills": ["first_aid", "computer_repair"],
        "availability": [{"weekday": 6, "period": "morning"}, {"weekday": 3, "period": "evening"}]}), 201)
    assert joined["kind"] == "honouree" and joined["name"] == person["name"] and joined["status"] == "active"
    assert joined["skills"] == ["computer_repair", "first_aid"]
    assert joined["availability"] == [{"weekday": 3, "period": "evening"}, {"weekday": 6, "period": "morning"}]
    twice = error(apis["haidian.officer"].post(path, {"honouree_id": person["id"]}), 409, "conflict")
    assert twice["details"]["volunteer_id"] == joined["id"]
    # a 朝阳 honouree is not on 海淀's roster; another person only where the team admits them
    elsewhere = honouree(apis, "chaoyang.officer", "bj-chaoyang")
    error(apis["haidian.officer"].post(path, {"honouree_id": elsewhere["id"]}), 404, "not_found")
    refused = error(apis["haidian.officer"].post(path, {"name": "张三"}), 409, "conflict")
    assert refused["details"]["missing"] == "admits_public"
    ok(apis["haidian.officer"].patch(f"/volunteer-teams/{team['id']}", {"admits_public": True}), 200)
    public = ok(apis["haidian.officer"].post(path, {"name": "张三", "skills": ["legal_advice"],
                                                    "request_id": f"v-{tag()}"}), 201)
    assert public["kind"] == "public" and public["honouree_id"] is None
    assert ok(apis["haidian.reviewer"].get(f"/volunteer-teams/{team['id']}"), 200)["active_volunteers"] == 2
    listed = ok(apis["haidian.reviewer"].get("/volunteers", params={"team_id": team["id"]}), 200)
    assert {v["id"] for v in listed["items"]} == {joined["id"], public["id"]}
    skilled = ok(apis["haidian.reviewer"].get("/volunteers", params={"team_id": team["id"], "skill": "first_aid"}),
                 200)
    assert [v["id"] for v in skilled["items"]] == [joined["id"]]
    assert ok(apis["chaoyang.officer"].get("/volunteers", params={"team_id": team["id"]}), 200)["total"] == 0
    error(apis["chaoyang.officer"].get(f"/volunteers/{joined['id']}"), 404, "not_found")


def test_skills_change_and_a_membership_ends_keeping_its_record(apis):
    team = ok(apis["haidian.officer"].post("/volunteer-teams", {
        "name": f"海淀文化服务队{tag()}", "kind": "district", "unit_id": "bj-haidian"}), 201)
    person = honouree(apis)
    joined = ok(apis["haidian.officer"].post(f"/volunteer-teams/{team['id']}/volunteers",
                                             {"honouree_id": person["id"], "skills": ["singing"]}), 201)
    changed = ok(apis["haidian.officer"].patch(f"/volunteers/{joined['id']}", {
        "skills": ["singing", "calligraphy"], "availability": [{"weekday": 7, "period": "afternoon"}]}), 200)
    assert changed["skills"] == ["calligraphy", "singing"]
    assert changed["availability"] == [{"weekday": 7, "period": "afternoon"}]
    error(apis["haidian.officer"].patch(f"/volunteers/{joined['id']}", {"skills": ["Not A Code"]}), 422, "invalid")
    ended = ok(apis["haidian.officer"].post(f"/volunteers/{joined['id']}/end", {"reason": "本人申请退出"}), 200)
    assert ended["status"] == "ended" and ended["end_reason"] == "本人申请退出"
    error(apis["haidian.officer"].post(f"/volunteers/{joined['id']}/end", {"reason": "again"}), 409, "conflict")
    assert ok(apis["haidian.reviewer"].get(f"/volunteers/{joined['id']}"), 200) == ended  # the record stays
    assert ok(apis["haidian.reviewer"].get(f"/volunteer-teams/{team['id']}"), 200)["active_volunteers"] == 0


# --- activities and sign-ups ---------------------------------------------------------------------

_hours = itertools.count()
FAR = datetime(2031, 6, 2, 1, 0, tzinfo=UTC)  # this module's activities: far ahead, apart


def slot(minutes=90):
    starts = FAR + timedelta(hours=2 * next(_hours))
    return starts.isoformat(), (starts + timedelta(minutes=minutes)).isoformat()


def new_activity(apis, who="haidian.officer", unit_id="bj-haidian", capacity=2, times=None, publish=True, **extra):
    starts, ends = times or slot()
    made = ok(apis[who].post("/volunteer-activities", {
        "title": f"劳模进社区{tag()}", "category": "community_talk", "organiser_unit_id": unit_id,
        "place": "海淀区某社区", "starts_at": starts, "ends_at": ends, "capacity": capacity, **extra}), 201)
    return ok(apis[who].post(f"/volunteer-activities/{made['id']}/publish"), 200) if publish else made


def public_team(apis, who="haidian.officer", unit_id="bj-haidian"):
    return ok(apis[who].post("/volunteer-teams", {"name": f"服务队{tag()}", "kind": "district", "unit_id": unit_id,
                                                  "admits_public": True}), 201)


def person(apis, team, who="haidian.officer", **extra):
    return ok(apis[who].post(f"/volunteer-teams/{team['id']}/volunteers", {"name": f"志愿者{tag()}", **extra}), 201)


def test_an_activity_fills_its_places_then_its_waitlist_which_moves_up(apis):
    draft = new_activity(apis, publish=False, category="medical", required_skills=["first_aid"])
    assert draft["status"] == "draft" and draft["category"] == "medical"
    team = public_team(apis)
    medics = [person(apis, team, skills=["first_aid"]) for _ in range(3)]
    path = f"/volunteer-activities/{draft['id']}/signups"
    closed = error(apis["haidian.officer"].post(path, {"volunteer_id": medics[0]["id"]}), 409, "conflict")
    assert closed["details"]["missing"] == "published"
    ok(apis["haidian.officer"].post(f"/volunteer-activities/{draft['id']}/publish"), 200)
    unskilled = person(apis, team)
    lacking = error(apis["haidian.officer"].post(path, {"volunteer_id": unskilled["id"]}), 409, "conflict")
    assert lacking["details"]["missing_skills"] == ["first_aid"]
    signed = [ok(apis["haidian.officer"].post(path, {"volunteer_id": m["id"]}), 201) for m in medics]
    assert [s["status"] for s in signed] == ["confirmed", "confirmed", "waitlisted"]
    assert signed[2]["waitlist_position"] == 1
    got = ok(apis["haidian.reviewer"].get(f"/volunteer-activities/{draft['id']}"), 200)
    assert (got["confirmed"], got["waitlisted"], got["free_places"]) == (2, 1, 0)
    cancelled = ok(apis["haidian.officer"].post(f"/volunteer-signups/{signed[0]['id']}/cancel", {"reason": "生病"}),
                   200)
    assert cancelled["signup"]["status"] == "cancelled"
    assert [p["id"] for p in cancelled["promoted"]] == [signed[2]["id"]]
    assert ok(apis["haidian.reviewer"].get(f"/volunteer-signups/{signed[2]['id']}"), 200)["status"] == "confirmed"
    listed = ok(apis["haidian.reviewer"].get(path, params={"status": "confirmed"}), 200)
    assert [s["id"] for s in listed["items"]] == [signed[1]["id"], signed[2]["id"]]
    error(apis["chaoyang.officer"].get(f"/volunteer-activities/{draft['id']}"), 404, "not_found")
    error(apis["chaoyang.officer"].get(f"/volunteer-signups/{signed[1]['id']}"), 404, "not_found")


def test_a_person_at_two_activities_at_the_same_time_is_refused(apis):
    holder = honouree(apis)
    teams = [ok(apis["haidian.officer"].post("/volunteer-teams", {
        "name": f"服务队{tag()}", "kind": "district", "unit_id": "bj-haidian"}), 201) for _ in range(2)]
    first, second = (ok(apis["haidian.officer"].post(f"/volunteer-teams/{t['id']}/volunteers",
                                                     {"honouree_id": holder["id"]}), 201) for t in teams)
    starts, ends = slot(120)
    morning = new_activity(apis, times=(starts, ends))
    overlapping = new_activity(apis, times=((datetime.fromisoformat(starts) + timedelta(minutes=60)).isoformat(),
                                            (datetime.fromisoformat(ends) + timedelta(minutes=60)).isoformat()))
    held = ok(apis["haidian.officer"].post(f"/volunteer-activities/{morning['id']}/signups",
                                           {"volunteer_id": first["id"]}), 201)
    clash = error(apis["haidian.officer"].post(f"/volunteer-activities/{overlapping['id']}/signups",
                                               {"volunteer_id": second["id"]}), 409, "conflict")
    assert clash["details"]["clashing_signup_id"] == held["id"]
    ok(apis["haidian.officer"].post(f"/volunteer-signups/{held['id']}/cancel", {}), 200)
    assert ok(apis["haidian.officer"].post(f"/volunteer-activities/{overlapping['id']}/signups",
                                           {"volunteer_id": second["id"]}), 201)["status"] == "confirmed"


def test_two_hundred_concurrent_sign_ups_over_http_for_fifty_places(apis):
    team = public_team(apis)
    with ThreadPoolExecutor(max_workers=20) as pool:
        people = list(pool.map(lambda _: person(apis, team), range(200)))
    event = new_activity(apis, capacity=50)
    path = f"/volunteer-activities/{event['id']}/signups"
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda p: apis["haidian.officer"].post(path, {"volunteer_id": p["id"]}), people))
    assert Counter(a.status_code for a in answers) == {201: 200}
    statuses = Counter(a.json()["status"] for a in answers)
    assert statuses == {"confirmed": 50, "waitlisted": 150}
    assert sorted(a.json()["seq"] for a in answers) == list(range(1, 201))
    got = ok(apis["haidian.reviewer"].get(f"/volunteer-activities/{event['id']}"), 200)
    assert (got["confirmed"], got["waitlisted"], got["free_places"]) == (50, 150, 0)


# --- attendance, hours, the record ---------------------------------------------------------------

@pytest.fixture(scope="module")
def clock(suite):
    clock = Clock(suite["var"] / "clock")
    yield clock
    clock.restore()


def test_hours_come_from_attendance_and_count_only_once_confirmed(apis, clock):
    now = clock.now()
    team = public_team(apis)
    people = [person(apis, team) for _ in range(2)]
    event = new_activity(apis, capacity=2, title='=HYPERLINK("http://x","点我")',
                         times=((now + timedelta(minutes=30)).isoformat(), (now + timedelta(minutes=90)).isoformat()))
    signed = [ok(apis["haidian.officer"].post(f"/volunteer-activities/{event['id']}/signups",
                                              {"volunteer_id": p["id"]}), 201) for p in people]
    came = [ok(apis["haidian.officer"].post(f"/volunteer-signups/{s['id']}/check-in", {}), 201) for s in signed]
    assert {c["status"] for c in came} == {"checked_in"}
    error(apis["haidian.officer"].post(f"/volunteer-signups/{signed[0]['id']}/check-in", {}), 409, "conflict")
    error(apis["haidian.officer"].post(f"/volunteer-signups/{signed[0]['id']}/cancel", {}), 409, "conflict")
    error(apis["haidian.officer"].post(f"/volunteer-attendance/{came[0]['id']}/confirm", {}), 409, "conflict")
    error(apis["chaoyang.officer"].post(f"/volunteer-attendance/{came[0]['id']}/check-out", {}), 404, "not_found")
    clock.advance(100 * 60)
    left = [ok(apis["haidian.officer"].post(f"/volunteer-attendance/{c['id']}/check-out", {}), 200) for c in came]
    assert [a["proposed_minutes"] for a in left] == [100, 100] and {a["confirmed_minutes"] for a in left} == {None}
    hours = {"group_by": "volunteer", "team_id": team["id"]}
    before = ok(apis["haidian.reviewer"].get("/volunteer-hours", params=hours), 200)
    assert before["total_minutes"] == 0 and before["items"] == []  # proposed hours count for nothing
    error(apis["haidian.officer"].post(f"/volunteer-attendance/{came[0]['id']}/confirm", {"minutes": 101}),
          422, "invalid")
    ok(apis["haidian.officer"].post(f"/volunteer-attendance/{came[0]['id']}/confirm", {}), 200)
    ok(apis["haidian.officer"].post(f"/volunteer-attendance/{came[1]['id']}/confirm", {"minutes": 60}), 200)
    after = ok(apis["haidian.reviewer"].get("/volunteer-hours", params=hours), 200)
    assert [(i["key"], i["minutes"]) for i in after["items"]] == [(people[0]["id"], 100), (people[1]["id"], 60)]
    assert after["total_minutes"] == 160 and after["attendances"] == 2
    by_category = ok(apis["haidian.reviewer"].get("/volunteer-hours", params={
        "group_by": "category", "team_id": team["id"]}), 200)
    assert [(i["key"], i["minutes"]) for i in by_category["items"]] == [("community_talk", 160)]
    year = str((now + timedelta(hours=8)).year)
    assert year in {i["key"] for i in ok(apis["city.reviewer"].get("/volunteer-hours", params={"group_by": "year"}),
                                         200)["items"]}
    listed = ok(apis["haidian.reviewer"].get(f"/volunteer-activities/{event['id']}/attendance"), 200)
    assert {a["status"] for a in listed["items"]} == {"confirmed"}
    record = apis["haidian.auditor"].get(f"/volunteers/{people[0]['id']}/record")
    assert record.status_code == 200 and record.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(record.content.decode("utf-8").lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0]["title"].startswith("'=HYPERLINK")
    assert rows[0]["confirmed_minutes"] == "100" and rows[0]["status"] == "confirmed"
    error(apis["haidian.reviewer"].get(f"/volunteers/{people[0]['id']}/record"), 403, "forbidden")
    error(apis["chaoyang.officer"].get(f"/volunteers/{people[0]['id']}/record"), 404, "not_found")


# --- the registry's revocation -------------------------------------------------------------------

REVOKE = {"decision": "revoke", "reasons": "因严重违法行为被依法追究刑事责任"}


def test_the_last_honour_revoked_ends_the_honouree_roles_and_keeps_the_history(apis):
    holder = honouree(apis)
    officer = apis["haidian.officer"]
    team = public_team(apis)
    joined = ok(officer.post(f"/volunteer-teams/{team['id']}/volunteers", {"honouree_id": holder["id"]}), 201)
    behind = person(apis, team)
    event = new_activity(apis, capacity=1)
    held = ok(officer.post(f"/volunteer-activities/{event['id']}/signups", {"volunteer_id": joined["id"]}), 201)
    waiting = ok(officer.post(f"/volunteer-activities/{event['id']}/signups", {"volunteer_id": behind["id"]}), 201)
    assert (held["status"], waiting["status"]) == ("confirmed", "waitlisted")

    revocation = ok(officer.post(f"/honours/{holder['honours'][0]['id']}/revocations",
                                 {"reasons": REVOKE["reasons"]}), 201)
    ok(apis["city.reviewer"].post(f"/revocations/{revocation['id']}/decide", REVOKE), 200)
    wait_for(lambda: ok(officer.get(f"/volunteers/{joined['id']}"), 200)["status"] == "ended", timeout=30,
             message="the volunteer service ends the honouree's membership")

    ended = ok(officer.get(f"/volunteers/{joined['id']}"), 200)
    assert ended["end_reason"].startswith("所有荣誉已撤销") and ended["ended_at"]
    assert ok(officer.get(f"/volunteer-signups/{held['id']}"), 200)["status"] == "cancelled"
    assert ok(officer.get(f"/volunteer-signups/{waiting['id']}"), 200)["status"] == "confirmed"
    assert ok(officer.get(f"/volunteers/{behind['id']}"), 200)["status"] == "active"
    refused = error(officer.post(f"/volunteer-teams/{team['id']}/volunteers", {"honouree_id": holder["id"]}),
                    409, "conflict")
    assert refused["details"]["missing"] == "active_honour"


# --- public-welfare projects and donations -------------------------------------------------------

def test_a_donation_to_a_project_goes_into_the_mutual_aid_fund_once(apis):
    made = ok(apis["haidian.officer"].post("/volunteer-projects", {
        "title": f"关爱留守儿童{tag()}", "group": "left_behind_children", "organiser_unit_id": "bj-haidian"}), 201)
    assert made["fund_id"] == "bj-mutual-aid" and made["donated"] == 0
    before = ok(apis["city.finance"].get("/funds/bj-mutual-aid"), 200)["balances"]["posted"]
    data = {"donor": "北京某公司工会", "amount": 123_456, "request_id": f"d-{tag()}"}
    given = ok(apis["city.finance"].post(f"/volunteer-projects/{made['id']}/donations", data), 201)
    assert given["status"] == "recorded" and given["idempotency_key"] == f"volunteer-donation:{given['id']}"
    again = ok(apis["city.finance"].post(f"/volunteer-projects/{made['id']}/donations", data), 201)
    assert again == given  # a retry: the first donation, no money twice
    posting = ok(apis["city.finance"].get(f"/postings/{given['posting_id']}"), 200)
    assert (posting["kind"], posting["amount"], posting["idempotency_key"]) == \
        ("donation", 123_456, given["idempotency_key"])
    assert ok(apis["city.finance"].get("/funds/bj-mutual-aid"), 200)["balances"]["posted"] == before + 123_456
    assert ok(apis["haidian.reviewer"].get(f"/volunteer-projects/{made['id']}"), 200)["donated"] == 123_456
    listed = ok(apis["haidian.reviewer"].get(f"/volunteer-projects/{made['id']}/donations"), 200)
    assert [d["id"] for d in listed["items"]] == [given["id"]]
    # the fund is the city's: a district's finance records no donation into it
    refused = error(apis["haidian.finance"].post(f"/volunteer-projects/{made['id']}/donations",
                                                 {"donor": "x", "amount": 1}), 403, "forbidden")
    assert refused["details"]["fund_id"] == "bj-mutual-aid"
    error(apis["chaoyang.finance"].post(f"/volunteer-projects/{made['id']}/donations", {"donor": "x", "amount": 1}),
          404, "not_found")


def test_an_organiser_changes_then_cancels_an_activity(apis):
    activity = new_activity(apis, capacity=1)
    team = public_team(apis)
    people = [person(apis, team) for _ in range(3)]
    path = f"/volunteer-activities/{activity['id']}"
    signed = [ok(apis["haidian.officer"].post(f"{path}/signups", {"volunteer_id": p["id"]}), 201) for p in people]
    assert [s["status"] for s in signed] == ["confirmed", "waitlisted", "waitlisted"]
    # the person of the first sign-up holds another activity at the time the first one moves to
    elsewhere_at = slot()
    elsewhere = new_activity(apis, times=elsewhere_at)
    held = ok(apis["haidian.officer"].post(f"/volunteer-activities/{elsewhere['id']}/signups",
                                           {"volunteer_id": people[0]["id"]}), 201)
    error(apis["haidian.reviewer"].patch(path, {"version": activity["version"], "place": "x"}), 403, "forbidden")
    error(apis["chaoyang.officer"].patch(path, {"version": activity["version"], "place": "x"}), 404, "not_found")
    error(apis["haidian.officer"].patch(path, {"version": activity["version"], "capacity": -1}), 422, "invalid")
    error(apis["haidian.officer"].patch(path, {"version": activity["version"], "colour": "red"}), 422, "invalid")
    stale = error(apis["haidian.officer"].patch(path, {"version": activity["version"] - 1, "place": "x"}), 409,
                  "conflict")
    assert stale["details"]["version"] == activity["version"]
    changed = ok(apis["haidian.officer"].patch(path, {
        "version": activity["version"], "place": "海淀区文化馆", "capacity": 2,
        "starts_at": elsewhere_at[0], "ends_at": elsewhere_at[1]}), 200)
    assert changed["changed"] == ["capacity", "ends_at", "place", "starts_at"]
    assert changed["activity"]["version"] == activity["version"] + 1 and changed["activity"]["place"] == "海淀区文化馆"
    assert [p["id"] for p in changed["promoted"]] == [signed[1]["id"]]  # the waitlist's first
    assert changed["clashes"] == [{"signup_id": signed[0]["id"], "volunteer_id": people[0]["id"],
                                   "clashing_signup_id": held["id"], "clashing_activity_id": elsewhere["id"]}]
    got = ok(apis["haidian.reviewer"].get(path), 200)
    assert (got["capacity"], got["confirmed"], got["waitlisted"]) == (2, 2, 1)
    # called off for the weather: every sign-up goes with it
    error(apis["haidian.officer"].post(f"{path}/cancel", {"reason": "   "}), 422, "invalid")
    cancelled = ok(apis["haidian.officer"].post(f"{path}/cancel", {"reason": "因天气原因取消"}), 200)
    assert cancelled["activity"]["status"] == "cancelled" and cancelled["activity"]["cancel_reason"] == "因天气原因取消"
    assert {s["id"] for s in cancelled["cancelled_signups"]} == {s["id"] for s in signed}
    assert {s["status"] for s in ok(apis["haidian.reviewer"].get(f"{path}/signups"), 200)["items"]} == {"cancelled"}
    twice = error(apis["haidian.officer"].post(f"{path}/cancel", {"reason": "again"}), 409, "conflict")
    assert twice["details"]["status"] == "cancelled"
    error(apis["haidian.officer"].patch(path, {"version": cancelled["activity"]["version"], "place": "y"}), 409,
          "conflict")
    error(apis["haidian.officer"].post(f"/volunteer-signups/{signed[0]['id']}/check-in", {}), 409, "conflict")
    assert ok(apis["haidian.reviewer"].get(f"/volunteer-signups/{held['id']}"), 200)["status"] == "confirmed"
