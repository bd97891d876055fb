"""The access matrix of the association service's routes (see matrix.py).

(c) for the membership routes: a membership of a 朝阳 honouree, enrolled by chaoyang.officer, is 404
for the 海淀 account of the route's roles exactly as an id that exists nowhere, and stays as it was;
absent from 海淀's list; a 朝阳 honouree cannot be enrolled by 海淀 (404).
(c) for the studio routes: 朝阳's studio (applied by chaoyang.officer for bj-chaoyang) the same way;
its recognition counts for the city, not for 海淀; 海淀 cannot apply for a 朝阳 unit (404).
(c) for the suggestion routes: 朝阳's suggestion (submitted by chaoyang.officer for a 朝阳 honouree)
the same way; 海淀 cannot submit for a 朝阳 honouree (404); 海淀's overdue list holds only its own.
Learning events are shared (every unit reads them and signs its people up): 朝阳's event is read by
海淀, but 海淀 sees only its own people's sign-ups, cannot sign up a 朝阳 honouree (404) nor cancel a
朝阳 person's sign-up (404, the sign-up stays), cannot mark
attendance at 朝阳's event (403), and 朝阳's exchange participants do not count for 海淀.
Organs are shared too: 海淀 reads 朝阳's branch, but cannot set one up for a 朝阳 unit (404) nor give
a seat on it (403).
"""
from .matrix import NotApplicable, Route, assert_error, get, hidden

MEMBERSHIPS = "/api/v1/memberships"
LEAVE = {"reason": "本人申请退会"}


def membership(w, who="haidian.officer", unit_id="bj-haidian"):
    """A new active membership of a new honouree of ``unit_id``, enrolled by ``who``."""
    honouree = w.honouree(who, unit_id)
    return w.ok(who, "POST", "/memberships", 201, json={"honouree_id": honouree["id"]})


def chaoyang_membership(w):
    """朝阳's membership for the (c) checks, made once."""
    if getattr(w, "chaoyang_membership", None) is None:
        w.chaoyang_membership = membership(w, "chaoyang.officer", "bj-chaoyang")
    return w.chaoyang_membership


def on_fresh_membership(method, suffix, body=None, who="haidian.officer"):
    def drive(w):
        made = membership(w)
        return w.call(who, method, f"{MEMBERSHIPS}/{made['id']}{suffix}", json=body)
    return drive


def membership_hidden(method, suffix="", body=None, who="haidian.officer"):
    """朝阳's membership answers 404 to 海淀 as an id that exists nowhere, and is unchanged after."""
    check = hidden(method, MEMBERSHIPS + "/<string:membership_id>" + suffix,
                   lambda w: chaoyang_membership(w)["id"], who, body)

    def other(w):
        check(w)
        made = chaoyang_membership(w)
        assert w.ok("chaoyang.officer", "GET", f"/memberships/{made['id']}", 200) == made
    return other


def drive_join(w):
    honouree = w.honouree()
    return w.call("haidian.officer", "POST", MEMBERSHIPS, json={"honouree_id": honouree["id"]})


def list_hides_chaoyang(w):
    made = chaoyang_membership(w)
    listed = w.ok("haidian.reviewer", "GET", "/memberships", 200,
                  params={"honouree_id": made["honouree_id"]})
    assert listed["items"] == [] and listed["total"] == 0
    seen = w.ok("city.reviewer", "GET", "/memberships", 200,
                params={"unit_id": "bj-chaoyang", "honouree_id": made["honouree_id"]})
    assert [m["id"] for m in seen["items"]] == [made["id"]]
    assert_error(w.call("haidian.officer", "GET", MEMBERSHIPS, params={"unit_id": "bj-chaoyang"}), 404, "not_found")


def no_membership_for_chaoyang(w):
    honouree = w.honouree("chaoyang.officer", "bj-chaoyang")
    refused = w.call("haidian.officer", "POST", MEMBERSHIPS, json={"honouree_id": honouree["id"]})
    assert assert_error(refused, 404, "not_found")["details"] == {"honouree_id": honouree["id"]}
    assert w.ok("chaoyang.officer", "GET", "/memberships", 200, params={"honouree_id": honouree["id"]})["total"] == 0


# --- innovation studios --------------------------------------------------------------------------

STUDIOS = "/api/v1/studios"
EVIDENCE = {"leader": "劳模领衔", "team": "8 人团队", "project": "工艺改进", "venue": "车间二楼", "funding": "10 万元",
            "results": "专利 2 项"}
COUNTED_YEAR = 2199  # 朝阳's recognition of the (c) check: a year no other test recognises in


def studio(w, who="haidian.officer", unit_id="bj-haidian"):
    leader = w.honouree(who, unit_id)
    return w.ok(who, "POST", "/studios", 201, json={"name": "矩阵劳模创新工作室", "unit_id": unit_id,
                                                    "leader_honouree_id": leader["id"], "evidence": EVIDENCE})


def chaoyang_studio(w):
    if getattr(w, "chaoyang_studio", None) is None:
        w.chaoyang_studio = studio(w, "chaoyang.officer", "bj-chaoyang")
    return w.chaoyang_studio


def on_fresh_studio(method, suffix, body=None, who="haidian.officer"):
    def drive(w):
        made = studio(w)
        return w.call(who, method, f"{STUDIOS}/{made['id']}{suffix}", json=body)
    return drive


def studio_hidden(method, suffix="", body=None, who="haidian.officer"):
    check = hidden(method, STUDIOS + "/<string:studio_id>" + suffix, lambda w: chaoyang_studio(w)["id"], who, body)

    def other(w):
        check(w)
        made = chaoyang_studio(w)
        assert w.ok("chaoyang.officer", "GET", f"/studios/{made['id']}", 200) == made
    return other


def drive_apply(w):
    leader = w.honouree()
    return w.call("haidian.officer", "POST", STUDIOS, json={"name": "矩阵工作室", "unit_id": "bj-haidian",
                                                            "leader_honouree_id": leader["id"]})


def no_studio_for_chaoyang(w):
    leader = w.honouree("chaoyang.officer", "bj-chaoyang")
    refused = w.call("haidian.officer", "POST", STUDIOS, json={"name": "越权工作室", "unit_id": "bj-chaoyang",
                                                               "leader_honouree_id": leader["id"]})
    assert assert_error(refused, 404, "not_found")["details"] == {"unit_id": "bj-chaoyang"}


def studio_list_hides_chaoyang(w):
    made = chaoyang_studio(w)
    assert made["id"] not in {s["id"] for s in w.ok("haidian.reviewer", "GET", "/studios", 200,
                                                    params={"status": "applied", "page_size": 200})["items"]}
    assert made["id"] in {s["id"] for s in w.ok("city.reviewer", "GET", "/studios", 200,
                                                params={"unit_id": "bj-chaoyang", "page_size": 200})["items"]}
    assert_error(w.call("haidian.officer", "GET", STUDIOS, params={"unit_id": "bj-chaoyang"}), 404, "not_found")


def recognitions_count_only_the_scope(w):
    made = chaoyang_studio(w)
    if made["status"] == "applied":
        w.chaoyang_studio = w.ok("city.reviewer", "POST", f"/studios/{made['id']}/recognise", 200,
                                 json={"level": "municipal", "year": COUNTED_YEAR})
    params = {"year": COUNTED_YEAR}
    assert w.ok("city.reviewer", "GET", "/studios/recognitions", 200, params=params)["municipal"] >= 1
    assert w.ok("haidian.reviewer", "GET", "/studios/recognitions", 200, params=params)["municipal"] == 0


def recognise_drive(suffix, body):
    def drive(w):
        made = studio(w)
        return w.call("city.reviewer", "POST", f"{STUDIOS}/{made['id']}{suffix}", json=body)
    return drive


ASSESSMENT = {"year": 2199, "result": "qualified", "patents": 1, "economic_benefit": 500_000}


def drive_assessment(w):
    made = studio(w)
    w.ok("city.reviewer", "POST", f"/studios/{made['id']}/recognise", 200, json={"level": "district", "year": 2198})
    return w.call("city.reviewer", "POST", f"{STUDIOS}/{made['id']}/assessments", json=ASSESSMENT)


# --- suggestions ---------------------------------------------------------------------------------

SUGGESTIONS = "/api/v1/suggestions"
TRANSFER = {"handling_body": "cppcc_proposal", "handling_body_name": "市政协提案委员会", "deadline": "2199-12-31"}
ANSWER = {"answer": "已研究采纳", "feedback": "提出人满意"}


def suggestion(w, who="haidian.officer", unit_id="bj-haidian", steps=()):
    """A new suggestion of a new honouree of ``unit_id``, taken by the city through ``steps``."""
    honouree = w.honouree(who, unit_id)
    made = w.ok(who, "POST", "/suggestions", 201, json={"topic": "矩阵建议", "content": "建议内容",
                                                        "category": "livelihood", "honouree_ids": [honouree["id"]]})
    for step in steps:
        made = w.ok(*STEPS[step], f"/suggestions/{made['id']}/{step}", 200, json=STEP_BODIES[step])
    return made


STEPS = {"accept": ("city.reviewer", "POST"), "transfer": ("city.officer", "POST"),
         "answer": ("city.officer", "POST")}
STEP_BODIES = {"accept": {}, "transfer": TRANSFER, "answer": ANSWER}


def chaoyang_suggestion(w):
    if getattr(w, "chaoyang_suggestion", None) is None:
        w.chaoyang_suggestion = suggestion(w, "chaoyang.officer", "bj-chaoyang")
    return w.chaoyang_suggestion


def on_fresh_suggestion(suffix, body=None, who="haidian.officer", method="GET", steps=()):
    def drive(w):
        made = suggestion(w, steps=steps)
        return w.call(who, method, f"{SUGGESTIONS}/{made['id']}{suffix}", json=body)
    return drive


def suggestion_hidden(method, suffix="", body=None, who="haidian.officer"):
    check = hidden(method, SUGGESTIONS + "/<string:suggestion_id>" + suffix, lambda w: chaoyang_suggestion(w)["id"],
                   who, body)

    def other(w):
        check(w)
        made = chaoyang_suggestion(w)
        assert w.ok("chaoyang.officer", "GET", f"/suggestions/{made['id']}", 200) == made
    return other


def drive_submit(w):
    honouree = w.honouree()
    return w.call("haidian.officer", "POST", SUGGESTIONS, json={
        "topic": "矩阵建议", "content": "内容", "category": "economy", "honouree_ids": [honouree["id"]]})


def no_suggestion_for_chaoyang(w):
    honouree = w.honouree("chaoyang.officer", "bj-chaoyang")
    refused = w.call("haidian.officer", "POST", SUGGESTIONS, json={
        "topic": "越权", "content": "内容", "category": "other", "honouree_ids": [honouree["id"]]})
    assert assert_error(refused, 404, "not_found")["details"] == {"honouree_ids": [honouree["id"]]}


def suggestion_list_hides_chaoyang(w):
    made = chaoyang_suggestion(w)
    assert made["id"] not in {s["id"] for s in w.ok("haidian.reviewer", "GET", "/suggestions", 200,
                                                    params={"page_size": 200})["items"]}
    assert made["id"] in {s["id"] for s in w.ok("city.reviewer", "GET", "/suggestions", 200,
                                                params={"unit_id": "bj-chaoyang", "page_size": 200})["items"]}
    assert_error(w.call("haidian.officer", "GET", SUGGESTIONS, params={"unit_id": "bj-chaoyang"}), 404, "not_found")


def overdue_list_keeps_to_the_scope(w):
    scope = set(w.ok("haidian.officer", "GET", "/units/bj-haidian/scope", 200)["unit_ids"])
    listed = w.ok("haidian.officer", "GET", "/suggestions/overdue", 200, params={"page_size": 200})["items"]
    assert all(s["submitted_by_unit_id"] in scope for s in listed)
    assert chaoyang_suggestion(w)["id"] not in {s["id"] for s in listed}


# --- learning and exchange events ----------------------------------------------------------------

EVENTS = "/api/v1/learning-events"
PAST_YEAR = 2001  # events the matrix has already held: attendance can be marked; no other test counts 2001


def learning_event(w, who="haidian.officer", kind="lecture", year=2199):
    return w.ok(who, "POST", "/learning-events", 201, json={
        "kind": kind, "title": "矩阵劳模大讲堂", "place": "劳动者之家", "starts_at": f"{year}-06-01T09:00:00+08:00"})


def chaoyang_event(w):
    """朝阳's exchange, held in 2001, a 朝阳 honouree signed up and attended."""
    if getattr(w, "chaoyang_event", None) is None:
        made = learning_event(w, "chaoyang.officer", "hmt_exchange", PAST_YEAR)
        person = w.honouree("chaoyang.officer", "bj-chaoyang")
        w.ok("chaoyang.officer", "POST", f"/learning-events/{made['id']}/signups", 201,
             json={"honouree_id": person["id"]})
        w.chaoyang_event = w.ok("chaoyang.officer", "POST", f"/learning-events/{made['id']}/attendance", 200,
                                json={"honouree_ids": [person["id"]]})
        w.chaoyang_attendee = person["id"]
    return w.chaoyang_event


def chaoyang_event_is_shared(w):
    made = chaoyang_event(w)
    assert w.ok("haidian.officer", "GET", f"/learning-events/{made['id']}", 200) == made


def signups_show_only_haidians_people(w):
    made = chaoyang_event(w)
    seen = w.ok("haidian.officer", "GET", f"/learning-events/{made['id']}/signups", 200)
    assert w.chaoyang_attendee not in {s["honouree_id"] for s in seen["items"]}
    assert w.chaoyang_attendee in {s["honouree_id"] for s in w.ok(
        "chaoyang.officer", "GET", f"/learning-events/{made['id']}/signups", 200)["items"]}


def no_signup_of_a_chaoyang_honouree(w):
    made = learning_event(w)
    person = w.honouree("chaoyang.officer", "bj-chaoyang")
    refused = w.call("haidian.officer", "POST", f"{EVENTS}/{made['id']}/signups", json={"honouree_id": person["id"]})
    assert assert_error(refused, 404, "not_found")["details"] == {"honouree_id": person["id"]}


def attendance_is_the_organisers(w):
    made = chaoyang_event(w)
    refused = w.call("haidian.officer", "POST", f"{EVENTS}/{made['id']}/attendance",
                     json={"honouree_ids": [w.chaoyang_attendee], "attended": False})
    assert_error(refused, 403, "forbidden")
    assert w.ok("chaoyang.officer", "GET", f"/learning-events/{made['id']}", 200)["attended"] == 1


def exchanges_count_only_the_scope(w):
    chaoyang_event(w)
    params = {"year": PAST_YEAR}
    assert w.ok("city.reviewer", "GET", "/learning-events/exchange-participants", 200, params=params)["participants"] >= 1
    assert w.ok("haidian.reviewer", "GET", "/learning-events/exchange-participants", 200,
                params=params)["participants"] == 0


def drive_signup(w):
    made = learning_event(w)
    person = w.honouree()
    return w.call("haidian.officer", "POST", f"{EVENTS}/{made['id']}/signups", json={"honouree_id": person["id"]})


def drive_attendance(w):
    made = learning_event(w, year=PAST_YEAR, kind="salon")
    person = w.honouree()
    w.ok("haidian.officer", "POST", f"/learning-events/{made['id']}/signups", 201, json={"honouree_id": person["id"]})
    return w.call("haidian.officer", "POST", f"{EVENTS}/{made['id']}/attendance", json={"honouree_ids": [person["id"]]})


def drive_cancel_signup(w):
    made = learning_event(w)
    person = w.honouree()
    w.ok("haidian.officer", "POST", f"/learning-events/{made['id']}/signups", 201, json={"honouree_id": person["id"]})
    return w.call("haidian.officer", "POST", f"{EVENTS}/{made['id']}/signups/{person['id']}/cancel",
                  json={"reason": "临时出差"})


def no_cancelling_chaoyangs_sign_up(w):
    """A 朝阳 person's sign-up for 朝阳's coming event is 404 to 海淀 (as a sign-up that exists nowhere)
    and stays standing."""
    made = learning_event(w, "chaoyang.officer", "salon")
    person = w.honouree("chaoyang.officer", "bj-chaoyang")
    w.ok("chaoyang.officer", "POST", f"/learning-events/{made['id']}/signups", 201, json={"honouree_id": person["id"]})
    found = assert_error(w.call("haidian.officer", "POST", f"{EVENTS}/{made['id']}/signups/{person['id']}/cancel",
                                json={}), 404, "not_found")
    absent = assert_error(w.call("haidian.officer", "POST", f"{EVENTS}/{made['id']}/signups/no-such-record/cancel",
                                 json={}), 404, "not_found")
    assert found["details"]["honouree_id"] == person["id"]
    assert found["message"].replace(person["id"], "?") == absent["message"].replace("no-such-record", "?")
    standing = w.ok("chaoyang.officer", "GET", f"/learning-events/{made['id']}/signups", 200)["items"]
    assert [(s["honouree_id"], s["status"]) for s in standing] == [(person["id"], "signed_up")]


# --- organs --------------------------------------------------------------------------------------

ORGANS = "/api/v1/organs"


def branch(w, who="haidian.officer", unit_id="bj-haidian"):
    return w.ok(who, "POST", "/organs", 201, json={"kind": "branch", "name": "矩阵分会", "unit_id": unit_id})


def chaoyang_branch(w):
    if getattr(w, "chaoyang_branch", None) is None:
        w.chaoyang_branch = branch(w, "chaoyang.officer", "bj-chaoyang")
    return w.chaoyang_branch


def chaoyang_branch_is_shared(w):
    made = chaoyang_branch(w)
    assert w.ok("haidian.officer", "GET", f"/organs/{made['id']}", 200) == made


def no_branch_for_chaoyang(w):
    refused = w.call("haidian.officer", "POST", ORGANS, json={"kind": "branch", "name": "越权", "unit_id": "bj-chaoyang"})
    assert assert_error(refused, 404, "not_found")["details"] == {"unit_id": "bj-chaoyang"}


def no_seat_on_chaoyangs_branch(w):
    made = chaoyang_branch(w)
    person = membership(w)
    refused = w.call("haidian.officer", "POST", f"{ORGANS}/{made['id']}/members",
                     json={"honouree_id": person["honouree_id"], "position": "member"})
    assert_error(refused, 403, "forbidden")
    assert w.ok("chaoyang.officer", "GET", f"/organs/{made['id']}", 200)["members"] == []


def drive_seat(w):
    made, person = branch(w), membership(w)
    return w.call("haidian.officer", "POST", f"{ORGANS}/{made['id']}/members",
                  json={"honouree_id": person["honouree_id"], "position": "member"})


def chaoyang_seat(w):
    """A seat on 朝阳's branch given by a 朝阳 officer: {organ, honouree_id}."""
    made = branch(w, "chaoyang.officer", "bj-chaoyang")
    joined = membership(w, "chaoyang.officer", "bj-chaoyang")
    w.ok("chaoyang.officer", "POST", f"/organs/{made['id']}/members", 201,
         json={"honouree_id": joined["honouree_id"], "position": "member"})
    return made, joined["honouree_id"]


def seat_on_chaoyangs_branch_is_theirs(method, suffix, body):
    def check(w):
        made, person = chaoyang_seat(w)
        refused = w.call("haidian.officer", method, f"{ORGANS}/{made['id']}/members/{person}{suffix}", json=body)
        assert_error(refused, 403, "forbidden")
        seats = w.ok("chaoyang.officer", "GET", f"/organs/{made['id']}", 200)["members"]
        assert [(s["position"], s["ended_on"]) for s in seats] == [("member", None)]
    return check


def drive_seat_change(method, suffix, body):
    def drive(w):
        made, person = branch(w), membership(w)
        w.ok("haidian.officer", "POST", f"/organs/{made['id']}/members", 201,
             json={"honouree_id": person["honouree_id"], "position": "member"})
        return w.call("haidian.officer", method, f"{ORGANS}/{made['id']}/members/{person['honouree_id']}{suffix}",
                      json=body)
    return drive


# --- research results ----------------------------------------------------------------------------

RESEARCH = "/api/v1/research-results"


def research_result(w, unit_id="bj-chaoyang"):
    honouree = w.honouree("city.officer", unit_id)
    return w.ok("city.officer", "POST", "/research-results", 201, json={
        "title": "矩阵调研", "year": 2026, "summary": "调研报告摘要", "honouree_ids": [honouree["id"]]})


def research_is_shared(w):
    made = research_result(w)
    assert w.ok("haidian.officer", "GET", f"/research-results/{made['id']}", 200) == made
    assert w.ok("chaoyang.officer", "GET", f"/research-results/{made['id']}", 200) == made


def no_research_but_the_citys(w):
    honouree = w.honouree("haidian.officer", "bj-haidian")
    refused = w.call("haidian.officer", "POST", RESEARCH, json={
        "title": "越权", "year": 2026, "summary": "摘要", "honouree_ids": [honouree["id"]]})
    assert assert_error(refused, 403, "forbidden")["details"] == {"unit_id": "bj-haidian"}


MATRIX = {
    ("GET", MEMBERSHIPS): Route(get("haidian.officer", "/memberships"), other=list_hides_chaoyang),
    ("POST", MEMBERSHIPS): Route(drive_join, other=no_membership_for_chaoyang),
    ("GET", MEMBERSHIPS + "/<string:membership_id>"): Route(
        on_fresh_membership("GET", "", who="haidian.auditor"), other=membership_hidden("GET", who="haidian.auditor")),
    ("POST", MEMBERSHIPS + "/<string:membership_id>/leave"): Route(
        on_fresh_membership("POST", "/leave", LEAVE), other=membership_hidden("POST", "/leave", LEAVE)),
    ("GET", MEMBERSHIPS + "/<string:membership_id>/history"): Route(
        on_fresh_membership("GET", "/history", who="haidian.reviewer"),
        other=membership_hidden("GET", "/history", who="haidian.reviewer")),
    ("GET", STUDIOS): Route(get("haidian.officer", "/studios"), other=studio_list_hides_chaoyang),
    ("POST", STUDIOS): Route(drive_apply, other=no_studio_for_chaoyang),
    ("GET", STUDIOS + "/recognitions"): Route(get("haidian.auditor", "/studios/recognitions"),
                                              other=recognitions_count_only_the_scope),
    ("GET", STUDIOS + "/<string:studio_id>"): Route(
        on_fresh_studio("GET", "", who="haidian.finance"), other=studio_hidden("GET", who="haidian.finance")),
    ("PATCH", STUDIOS + "/<string:studio_id>/evidence"): Route(
        on_fresh_studio("PATCH", "/evidence", {"venue": "新场地"}),
        other=studio_hidden("PATCH", "/evidence", {"venue": "越权"})),
    ("POST", STUDIOS + "/<string:studio_id>/recognise"): Route(
        recognise_drive("/recognise", {"level": "municipal"}),
        other=studio_hidden("POST", "/recognise", {"level": "district"}, who="haidian.reviewer")),
    ("POST", STUDIOS + "/<string:studio_id>/assessments"): Route(
        drive_assessment, other=studio_hidden("POST", "/assessments", ASSESSMENT, who="haidian.reviewer")),
    ("POST", STUDIOS + "/<string:studio_id>/decline"): Route(
        recognise_drive("/decline", {"reason": "材料不实"}),
        other=studio_hidden("POST", "/decline", {"reason": "越权"}, who="haidian.reviewer")),
    ("GET", SUGGESTIONS): Route(get("haidian.officer", "/suggestions"), other=suggestion_list_hides_chaoyang),
    ("POST", SUGGESTIONS): Route(drive_submit, other=no_suggestion_for_chaoyang),
    ("GET", SUGGESTIONS + "/overdue"): Route(get("haidian.auditor", "/suggestions/overdue"),
                                             other=overdue_list_keeps_to_the_scope),
    ("GET", SUGGESTIONS + "/<string:suggestion_id>"): Route(
        on_fresh_suggestion("", who="haidian.finance"), other=suggestion_hidden("GET", who="haidian.finance")),
    ("POST", SUGGESTIONS + "/<string:suggestion_id>/accept"): Route(
        on_fresh_suggestion("/accept", {"note": "采纳"}, who="city.reviewer", method="POST"),
        other=suggestion_hidden("POST", "/accept", {}, who="haidian.reviewer")),
    ("POST", SUGGESTIONS + "/<string:suggestion_id>/decline"): Route(
        on_fresh_suggestion("/decline", {"reason": "不予采纳"}, who="city.reviewer", method="POST"),
        other=suggestion_hidden("POST", "/decline", {"reason": "越权"}, who="haidian.reviewer")),
    ("POST", SUGGESTIONS + "/<string:suggestion_id>/transfer"): Route(
        on_fresh_suggestion("/transfer", TRANSFER, who="city.officer", method="POST", steps=("accept",)),
        other=suggestion_hidden("POST", "/transfer", TRANSFER)),
    ("POST", SUGGESTIONS + "/<string:suggestion_id>/answer"): Route(
        on_fresh_suggestion("/answer", ANSWER, who="city.officer", method="POST", steps=("accept", "transfer")),
        other=suggestion_hidden("POST", "/answer", ANSWER)),
    ("POST", SUGGESTIONS + "/<string:suggestion_id>/commend"): Route(
        on_fresh_suggestion("/commend", {"note": "优秀"}, who="city.reviewer", method="POST",
                            steps=("accept", "transfer", "answer")),
        other=suggestion_hidden("POST", "/commend", {}, who="haidian.reviewer")),
    ("GET", EVENTS): Route(get("haidian.officer", "/learning-events"),
                           other=NotApplicable("learning events are shared: every unit reads them all")),
    ("POST", EVENTS): Route(lambda w: w.call("haidian.officer", "POST", EVENTS, json={
        "kind": "salon", "title": "矩阵沙龙", "place": "海淀劳模之家", "starts_at": "2199-01-01T19:00:00+08:00"}),
        other=NotApplicable("an event is always the caller's own unit's")),
    ("GET", EVENTS + "/exchange-participants"): Route(get("haidian.auditor", "/learning-events/exchange-participants"),
                                                      other=exchanges_count_only_the_scope),
    ("GET", EVENTS + "/<string:event_id>"): Route(
        lambda w: w.call("haidian.finance", "GET", f"{EVENTS}/{learning_event(w)['id']}"),
        other=chaoyang_event_is_shared),
    ("GET", EVENTS + "/<string:event_id>/signups"): Route(
        lambda w: w.call("haidian.reviewer", "GET", f"{EVENTS}/{learning_event(w)['id']}/signups"),
        other=signups_show_only_haidians_people),
    ("POST", EVENTS + "/<string:event_id>/signups"): Route(drive_signup, other=no_signup_of_a_chaoyang_honouree),
    ("POST", EVENTS + "/<string:event_id>/signups/<string:honouree_id>/cancel"): Route(
        drive_cancel_signup, other=no_cancelling_chaoyangs_sign_up),
    ("POST", EVENTS + "/<string:event_id>/attendance"): Route(drive_attendance, other=attendance_is_the_organisers),
    ("GET", ORGANS): Route(get("haidian.officer", "/organs"),
                           other=NotApplicable("the organs are shared: every unit reads them all")),
    ("POST", ORGANS): Route(lambda w: w.call("haidian.officer", "POST", ORGANS, json={
        "kind": "branch", "name": "海淀区劳模协会分会", "unit_id": "bj-haidian"}), other=no_branch_for_chaoyang),
    ("GET", ORGANS + "/<string:organ_id>"): Route(
        lambda w: w.call("haidian.auditor", "GET", f"{ORGANS}/{branch(w)['id']}"), other=chaoyang_branch_is_shared),
    ("POST", ORGANS + "/<string:organ_id>/members"): Route(drive_seat, other=no_seat_on_chaoyangs_branch),
    ("POST", ORGANS + "/<string:organ_id>/members/<string:honouree_id>/end"): Route(
        drive_seat_change("POST", "/end", {"reason": "换届"}),
        other=seat_on_chaoyangs_branch_is_theirs("POST", "/end", {"reason": "越权"})),
    ("PATCH", ORGANS + "/<string:organ_id>/members/<string:honouree_id>"): Route(
        drive_seat_change("PATCH", "", {"position": "deputy_head"}),
        other=seat_on_chaoyangs_branch_is_theirs("PATCH", "", {"position": "head"})),
    ("GET", RESEARCH): Route(get("haidian.auditor", "/research-results"),
                             other=NotApplicable("the research results are shared: every unit reads them all")),
    ("POST", RESEARCH): Route(lambda w: w.call("city.officer", "POST", RESEARCH, json={
        "title": "矩阵调研", "year": 2026, "summary": "摘要", "honouree_ids": [w.honouree("city.officer")["id"]]}),
        other=no_research_but_the_citys),
    ("GET", RESEARCH + "/<string:result_id>"): Route(
        lambda w: w.call("haidian.finance", "GET", f"{RESEARCH}/{research_result(w)['id']}"),
        other=research_is_shared),
}
