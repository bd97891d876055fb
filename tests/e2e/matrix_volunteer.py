"""The access matrix of the volunteer corps' routes (see matrix.py).

(c): a team of 朝阳 (made by chaoyang.officer for bj-chaoyang), a volunteer in it, an activity organised
by 朝阳 and a sign-up for it answer 404 to the 海淀 account of the route's roles exactly as an id that
exists nowhere, stay as they were, and are absent from 海淀's lists.
"""
import itertools
from datetime import UTC, datetime, timedelta

from .matrix import Route, assert_error, get, tag

ACTIVITIES = "/api/v1/volunteer-activities"
SIGNUPS = "/api/v1/volunteer-signups"
ATTENDANCE = "/api/v1/volunteer-attendance"
PROJECTS = "/api/v1/volunteer-projects"
_hours = itertools.count()
FAR = datetime(2032, 1, 5, 1, 0, tzinfo=UTC)  # activities of this module: far ahead, an hour apart


def activity(w, who="haidian.officer", unit_id="bj-haidian", publish=True):
    starts = FAR + timedelta(hours=next(_hours))
    made = w.ok(who, "POST", "/volunteer-activities", 201, json={
        "title": f"矩阵活动{tag()}", "category": "culture", "organiser_unit_id": unit_id, "place": "文化馆",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(minutes=50)).isoformat(), "capacity": 3})
    if publish:
        made = w.ok(who, "POST", f"/volunteer-activities/{made['id']}/publish", 200)
    return made


def signup(w, who="haidian.officer", unit_id="bj-haidian"):
    made = activity(w, who, unit_id)
    person = w.ok(who, "POST", f"/volunteer-teams/{team(w, who, unit_id, admits_public=True)['id']}/volunteers", 201,
                  json={"name": f"社会志愿者{tag()}"})
    return w.ok(who, "POST", f"/volunteer-activities/{made['id']}/signups", 201, json={"volunteer_id": person["id"]})


def chaoyang_activity(w):
    if getattr(w, "chaoyang_volunteer_activity", None) is None:
        w.chaoyang_volunteer_activity = activity(w, "chaoyang.officer", "bj-chaoyang")
    return w.chaoyang_volunteer_activity


def chaoyang_signup(w):
    if getattr(w, "chaoyang_volunteer_signup", None) is None:
        w.chaoyang_volunteer_signup = signup(w, "chaoyang.officer", "bj-chaoyang")
    return w.chaoyang_volunteer_signup

TEAMS = "/api/v1/volunteer-teams"
VOLUNTEERS = "/api/v1/volunteers"


def team(w, who="haidian.officer", unit_id="bj-haidian", **extra):
    return w.ok(who, "POST", "/volunteer-teams", 201, json={"name": f"矩阵服务队{tag()}", "kind": "district",
                                                            "unit_id": unit_id, **extra})


def member(w, who="haidian.officer", unit_id="bj-haidian"):
    made = team(w, who, unit_id)
    honouree = w.honouree(who, unit_id)
    return w.ok(who, "POST", f"/volunteer-teams/{made['id']}/volunteers", 201,
                json={"honouree_id": honouree["id"], "skills": ["first_aid"]})


def chaoyang_team(w):
    if getattr(w, "chaoyang_volunteer_team", None) is None:
        w.chaoyang_volunteer_team = team(w, "chaoyang.officer", "bj-chaoyang", admits_public=True)
    return w.chaoyang_volunteer_team


def chaoyang_member(w):
    if getattr(w, "chaoyang_volunteer", None) is None:
        w.chaoyang_volunteer = member(w, "chaoyang.officer", "bj-chaoyang")
    return w.chaoyang_volunteer


def all_pages(w, who, path, **params):
    items, page = [], 1
    while True:
        found = w.ok(who, "GET", path, 200, params=dict(params, page=page, page_size=200))
        items += found["items"]
        if page >= found["pages"]:
            return items
        page += 1


# (d): drivers ------------------------------------------------------------------------------------

def drive_create_team(w):
    return w.call("haidian.officer", "POST", TEAMS, json={"name": f"矩阵服务队{tag()}", "kind": "profession",
                                                          "unit_id": "bj-haidian", "profession": "医疗卫生",
                                                          "request_id": f"matrix-{tag()}"})


def on_fresh_team(method, suffix, body=None, who="haidian.officer"):
    def drive(w):
        made = team(w, admits_public=True)
        return w.call(who, method, f"{TEAMS}/{made['id']}{suffix}", json=body)
    return drive


def on_fresh_member(method, suffix, body=None, who="haidian.officer"):
    def drive(w):
        made = member(w)
        return w.call(who, method, f"{VOLUNTEERS}/{made['id']}{suffix}", json=body)
    return drive


# (c): checks -------------------------------------------------------------------------------------

def hidden(method, base, record_of, suffix="", body=None, who="haidian.officer"):
    """朝阳's record answers 404 to 海淀 as an id that exists nowhere, and is unchanged after."""
    def other(w):
        made = record_of(w)
        found = assert_error(w.call(who, method, f"{base}/{made['id']}{suffix}", json=body), 404, "not_found")
        assert made["id"] in found["details"].values(), found
        absent = assert_error(w.call(who, method, f"{base}/no-such-record{suffix}", json=body), 404, "not_found")
        assert found["message"].replace(made["id"], "?") == absent["message"].replace("no-such-record", "?")
        now = w.ok("chaoyang.officer", "GET", f"{base[len('/api/v1'):]}/{made['id']}", 200)
        counted = {"active_volunteers", "confirmed", "waitlisted", "free_places", "waitlist_position", "donated"}
        assert {k: v for k, v in now.items() if k not in counted} == {k: v for k, v in made.items() if k not in counted}
    return other


def team_list_hides_chaoyang(w):
    made = chaoyang_team(w)
    assert made["id"] not in {t["id"] for t in all_pages(w, "haidian.reviewer", "/volunteer-teams")}
    assert made["id"] in {t["id"] for t in all_pages(w, "city.reviewer", "/volunteer-teams", unit_id="bj-chaoyang")}
    assert_error(w.call("haidian.reviewer", "GET", TEAMS, params={"unit_id": "bj-chaoyang"}), 404, "not_found")


def no_team_for_chaoyang(w):
    refused = w.call("haidian.officer", "POST", TEAMS, json={"name": "越权服务队", "kind": "district",
                                                             "unit_id": "bj-chaoyang"})
    assert assert_error(refused, 422, "invalid")["details"] == {"unit_id": ["no unit 'bj-chaoyang'"]}


def volunteer_list_hides_chaoyang(w):
    made = chaoyang_member(w)
    assert made["id"] not in {v["id"] for v in all_pages(w, "haidian.reviewer", "/volunteers")}
    assert made["id"] in {v["id"] for v in all_pages(w, "city.reviewer", "/volunteers", team_id=made["team_id"])}


def activity_list_hides_chaoyang(w):
    made = chaoyang_activity(w)
    assert made["id"] not in {a["id"] for a in all_pages(w, "haidian.reviewer", "/volunteer-activities")}
    assert made["id"] in {a["id"] for a in all_pages(w, "city.reviewer", "/volunteer-activities")}


def no_activity_for_chaoyang(w):
    starts = FAR + timedelta(hours=next(_hours))
    refused = w.call("haidian.officer", "POST", ACTIVITIES, json={
        "title": "越权", "category": "culture", "organiser_unit_id": "bj-chaoyang", "place": "x",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(minutes=30)).isoformat(), "capacity": 1})
    assert assert_error(refused, 422, "invalid")["details"] == {"organiser_unit_id": ["no unit 'bj-chaoyang'"]}


def drive_create_activity(w):
    starts = FAR + timedelta(hours=next(_hours))
    return w.call("haidian.officer", "POST", ACTIVITIES, json={
        "title": f"矩阵活动{tag()}", "category": "campus_talk", "organiser_unit_id": "bj-haidian", "place": "某中学",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(minutes=50)).isoformat(), "capacity": 30,
        "required_skills": ["public_speaking"], "request_id": f"matrix-{tag()}"})


def on_fresh_activity(method, suffix, body=None, who="haidian.officer", publish=True):
    def drive(w):
        made = activity(w, publish=publish)
        return w.call(who, method, f"{ACTIVITIES}/{made['id']}{suffix}", json=body)
    return drive


def drive_sign_up(w):
    made = activity(w)
    person = w.ok("haidian.officer", "POST", f"/volunteer-teams/{team(w, admits_public=True)['id']}/volunteers",
                  201, json={"name": f"社会志愿者{tag()}"})
    return w.call("haidian.officer", "POST", f"{ACTIVITIES}/{made['id']}/signups", json={"volunteer_id": person["id"]})


def on_fresh_signup(method, suffix, body=None, who="haidian.officer"):
    def drive(w):
        made = signup(w)
        return w.call(who, method, f"{SIGNUPS}/{made['id']}{suffix}", json=body)
    return drive


# attendance: an activity starting half an hour from the suite's now; checked in ten minutes ago

def attendance(w, who="haidian.officer", unit_id="bj-haidian", steps=()):
    now = w.clock.now()
    made = w.ok(who, "POST", "/volunteer-activities", 201, json={
        "title": f"矩阵考勤{tag()}", "category": "daily_life", "organiser_unit_id": unit_id, "place": "社区",
        "starts_at": (now + timedelta(minutes=30)).isoformat(), "ends_at": (now + timedelta(minutes=90)).isoformat(),
        "capacity": 2})
    w.ok(who, "POST", f"/volunteer-activities/{made['id']}/publish", 200)
    person = w.ok(who, "POST", f"/volunteer-teams/{team(w, who, unit_id, admits_public=True)['id']}/volunteers", 201,
                  json={"name": f"社会志愿者{tag()}"})
    held = w.ok(who, "POST", f"/volunteer-activities/{made['id']}/signups", 201, json={"volunteer_id": person["id"]})
    came = w.ok(who, "POST", f"/volunteer-signups/{held['id']}/check-in", 201,
                json={"at": (now - timedelta(minutes=10)).isoformat()})
    for step in steps:
        came = w.ok(who, "POST", f"/volunteer-attendance/{came['id']}/{step}", 200, json={})
    return came


def chaoyang_attendance(w):
    if getattr(w, "chaoyang_volunteer_attendance", None) is None:
        w.chaoyang_volunteer_attendance = attendance(w, "chaoyang.officer", "bj-chaoyang", ("check-out", "confirm"))
    return w.chaoyang_volunteer_attendance


def drive_check_in(w):
    now = w.clock.now()
    made = w.ok("haidian.officer", "POST", "/volunteer-activities", 201, json={
        "title": f"矩阵考勤{tag()}", "category": "daily_life", "organiser_unit_id": "bj-haidian", "place": "社区",
        "starts_at": (now + timedelta(minutes=30)).isoformat(), "ends_at": (now + timedelta(minutes=90)).isoformat(),
        "capacity": 2})
    w.ok("haidian.officer", "POST", f"/volunteer-activities/{made['id']}/publish", 200)
    person = w.ok("haidian.officer", "POST", f"/volunteer-teams/{team(w, admits_public=True)['id']}/volunteers", 201,
                  json={"name": f"社会志愿者{tag()}"})
    held = w.ok("haidian.officer", "POST", f"/volunteer-activities/{made['id']}/signups", 201,
                json={"volunteer_id": person["id"]})
    return w.call("haidian.officer", "POST", f"{SIGNUPS}/{held['id']}/check-in", json={})


def on_fresh_attendance(method, suffix, body=None, who="haidian.officer", steps=()):
    def drive(w):
        made = attendance(w, steps=steps)
        return w.call(who, method, f"{ATTENDANCE}/{made['id']}{suffix}", json=body)
    return drive


def hours_hide_chaoyang(w):
    made = chaoyang_attendance(w)
    units = {i["key"] for i in w.ok("haidian.reviewer", "GET", "/volunteer-hours", 200,
                                    params={"group_by": "unit", "page_size": 200})["items"]}
    assert "bj-chaoyang" not in units
    city = {i["key"]: i["minutes"] for i in w.ok("city.reviewer", "GET", "/volunteer-hours", 200,
                                                 params={"group_by": "unit", "page_size": 200})["items"]}
    assert city["bj-chaoyang"] >= made["confirmed_minutes"]
    assert_error(w.call("haidian.reviewer", "GET", "/api/v1/volunteer-hours",
                        params={"group_by": "unit", "unit_id": "bj-chaoyang"}), 404, "not_found")


def drive_record(w):
    made = attendance(w, steps=("check-out", "confirm"))
    return w.call("haidian.auditor", "GET", f"{VOLUNTEERS}/{made['volunteer_id']}/record")


def is_csv(response):
    assert response.headers["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[0].startswith("activity_id,title,category") and len(lines) == 2


# public-welfare projects and donations

def project(w, who="haidian.officer", unit_id="bj-haidian"):
    return w.ok(who, "POST", "/volunteer-projects", 201, json={"title": f"矩阵公益{tag()}", "group": "disabled",
                                                               "organiser_unit_id": unit_id})


def chaoyang_project(w):
    if getattr(w, "chaoyang_volunteer_project", None) is None:
        w.chaoyang_volunteer_project = project(w, "chaoyang.officer", "bj-chaoyang")
    return w.chaoyang_volunteer_project


def on_fresh_project(method, suffix, body=None, who="haidian.officer"):
    def drive(w):
        made = project(w)
        return w.call(who, method, f"{PROJECTS}/{made['id']}{suffix}", json=body)
    return drive


def project_list_hides_chaoyang(w):
    made = chaoyang_project(w)
    assert made["id"] not in {p["id"] for p in all_pages(w, "haidian.reviewer", "/volunteer-projects")}
    assert made["id"] in {p["id"] for p in all_pages(w, "city.reviewer", "/volunteer-projects")}


def no_project_for_chaoyang(w):
    refused = w.call("haidian.officer", "POST", PROJECTS, json={"title": "越权", "group": "elderly",
                                                                "organiser_unit_id": "bj-chaoyang"})
    assert assert_error(refused, 422, "invalid")["details"] == {"organiser_unit_id": ["no unit 'bj-chaoyang'"]}


MATRIX = {
    ("GET", "/api/v1/volunteer-teams"): Route(get("haidian.reviewer", "/volunteer-teams"),
                                              other=team_list_hides_chaoyang),
    ("POST", "/api/v1/volunteer-teams"): Route(drive_create_team, other=no_team_for_chaoyang),
    ("GET", "/api/v1/volunteer-teams/<string:team_id>"): Route(
        on_fresh_team("GET", "", who="haidian.finance"), other=hidden("GET", TEAMS, chaoyang_team)),
    ("PATCH", "/api/v1/volunteer-teams/<string:team_id>"): Route(
        on_fresh_team("PATCH", "", {"description": "更新"}),
        other=hidden("PATCH", TEAMS, chaoyang_team, body={"description": "越权"})),
    ("POST", "/api/v1/volunteer-teams/<string:team_id>/volunteers"): Route(
        on_fresh_team("POST", "/volunteers", {"name": "社会志愿者", "skills": ["singing"]}),
        other=hidden("POST", TEAMS, chaoyang_team, "/volunteers", {"name": "越权"})),
    ("GET", "/api/v1/volunteers"): Route(get("haidian.reviewer", "/volunteers"), other=volunteer_list_hides_chaoyang),
    ("GET", "/api/v1/volunteers/<string:volunteer_id>"): Route(
        on_fresh_member("GET", "", who="haidian.auditor"), other=hidden("GET", VOLUNTEERS, chaoyang_member)),
    ("PATCH", "/api/v1/volunteers/<string:volunteer_id>"): Route(
        on_fresh_member("PATCH", "", {"skills": ["teaching"]}),
        other=hidden("PATCH", VOLUNTEERS, chaoyang_member, body={"skills": []})),
    ("POST", "/api/v1/volunteers/<string:volunteer_id>/end"): Route(
        on_fresh_member("POST", "/end", {"reason": "本人申请"}),
        other=hidden("POST", VOLUNTEERS, chaoyang_member, "/end", {"reason": "越权"})),
    ("GET", "/api/v1/volunteer-activities"): Route(get("haidian.reviewer", "/volunteer-activities"),
                                                   other=activity_list_hides_chaoyang),
    ("POST", "/api/v1/volunteer-activities"): Route(drive_create_activity, other=no_activity_for_chaoyang),
    ("GET", "/api/v1/volunteer-activities/<string:activity_id>"): Route(
        on_fresh_activity("GET", "", who="haidian.auditor"), other=hidden("GET", ACTIVITIES, chaoyang_activity)),
    ("PATCH", "/api/v1/volunteer-activities/<string:activity_id>"): Route(
        on_fresh_activity("PATCH", "", {"version": 2, "place": "改在文化中心", "capacity": 4}),
        other=hidden("PATCH", ACTIVITIES, chaoyang_activity, body={"version": 2, "place": "越权"})),
    ("POST", "/api/v1/volunteer-activities/<string:activity_id>/cancel"): Route(
        on_fresh_activity("POST", "/cancel", {"reason": "因天气原因取消"}),
        other=hidden("POST", ACTIVITIES, chaoyang_activity, "/cancel", {"reason": "越权"})),
    ("POST", "/api/v1/volunteer-activities/<string:activity_id>/publish"): Route(
        on_fresh_activity("POST", "/publish", publish=False),
        other=hidden("POST", ACTIVITIES, chaoyang_activity, "/publish")),
    ("GET", "/api/v1/volunteer-activities/<string:activity_id>/signups"): Route(
        on_fresh_activity("GET", "/signups", who="haidian.reviewer"),
        other=hidden("GET", ACTIVITIES, chaoyang_activity, "/signups")),
    ("POST", "/api/v1/volunteer-activities/<string:activity_id>/signups"): Route(
        drive_sign_up, other=hidden("POST", ACTIVITIES, chaoyang_activity, "/signups", {"volunteer_id": "x"})),
    ("GET", "/api/v1/volunteer-signups/<string:signup_id>"): Route(
        on_fresh_signup("GET", "", who="haidian.finance"), other=hidden("GET", SIGNUPS, chaoyang_signup)),
    ("POST", "/api/v1/volunteer-signups/<string:signup_id>/cancel"): Route(
        on_fresh_signup("POST", "/cancel", {"reason": "临时有事"}),
        other=hidden("POST", SIGNUPS, chaoyang_signup, "/cancel", {})),
    ("POST", "/api/v1/volunteer-signups/<string:signup_id>/check-in"): Route(
        drive_check_in, other=hidden("POST", SIGNUPS, chaoyang_signup, "/check-in", {})),
    ("POST", "/api/v1/volunteer-attendance/<string:attendance_id>/check-out"): Route(
        on_fresh_attendance("POST", "/check-out", {}),
        other=hidden("POST", ATTENDANCE, chaoyang_attendance, "/check-out", {})),
    ("POST", "/api/v1/volunteer-attendance/<string:attendance_id>/confirm"): Route(
        on_fresh_attendance("POST", "/confirm", {"minutes": 5}, steps=("check-out",)),
        other=hidden("POST", ATTENDANCE, chaoyang_attendance, "/confirm", {})),
    ("GET", "/api/v1/volunteer-attendance/<string:attendance_id>"): Route(
        on_fresh_attendance("GET", "", who="haidian.reviewer"), other=hidden("GET", ATTENDANCE, chaoyang_attendance)),
    ("GET", "/api/v1/volunteer-activities/<string:activity_id>/attendance"): Route(
        on_fresh_activity("GET", "/attendance", who="haidian.auditor"),
        other=hidden("GET", ACTIVITIES, chaoyang_activity, "/attendance")),
    ("GET", "/api/v1/volunteer-hours"): Route(get("haidian.reviewer", "/volunteer-hours", params={"group_by": "team"}),
                                              other=hours_hide_chaoyang),
    ("GET", "/api/v1/volunteers/<string:volunteer_id>/record"): Route(
        drive_record, check=is_csv, other=hidden("GET", VOLUNTEERS, chaoyang_member, "/record")),
    ("GET", "/api/v1/volunteer-projects"): Route(get("haidian.reviewer", "/volunteer-projects"),
                                                 other=project_list_hides_chaoyang),
    ("POST", "/api/v1/volunteer-projects"): Route(
        lambda w: w.call("haidian.officer", "POST", PROJECTS, json={
            "title": f"矩阵公益{tag()}", "group": "sick_and_poor", "organiser_unit_id": "bj-haidian",
            "request_id": f"matrix-{tag()}"}), other=no_project_for_chaoyang),
    ("GET", "/api/v1/volunteer-projects/<string:project_id>"): Route(
        on_fresh_project("GET", "", who="haidian.finance"), other=hidden("GET", PROJECTS, chaoyang_project)),
    ("GET", "/api/v1/volunteer-projects/<string:project_id>/donations"): Route(
        on_fresh_project("GET", "/donations", who="haidian.auditor"),
        other=hidden("GET", PROJECTS, chaoyang_project, "/donations")),
    ("POST", "/api/v1/volunteer-projects/<string:project_id>/donations"): Route(
        on_fresh_project("POST", "/donations", {"donor": "矩阵捐赠人", "amount": 100}, who="city.finance"),
        other=hidden("POST", PROJECTS, chaoyang_project, "/donations", {"donor": "越权", "amount": 1},
                     who="haidian.finance")),
}
