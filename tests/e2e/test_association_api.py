"""The model-worker association (劳模协会) end to end over HTTP: real-name membership checked against
the registry, and ended through the broker when the registry revokes a member's last honour; an
innovation studio missing one of the six criteria; a suggestion overdue by the clock."""
import itertools
import uuid
from datetime import date, datetime, time, timedelta

import pytest

from services.chassis.id_numbers import make_id_number
from services.chassis.testing import wait_for

from .conftest import Api, log_in
from .test_nomination_api import Clock

AREA = "110115"  # the ID numbers this module makes (大兴), apart from the other e2e modules' numbers
_serial = itertools.count(1)
REVOKE = {"decision": "revoke", "reasons": "因严重违法行为被依法追究刑事责任"}
ENDED = "所有荣誉已撤销 (no active honour left)"


def ok(response, status):
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.status_code} " \
                                           f"{response.text}"
    return response.json() if response.content else None


def tag():
    return uuid.uuid4().hex[:8]


def honouree(apis, who="haidian.officer", unit_id="bj-haidian", honours=(("beijing_model_worker", 2010),)):
    n = next(_serial)
    born = date(1962, 3, 1) + timedelta(days=17 * n)
    return ok(apis[who].post("/honourees", {
        "name": f"协会{tag()}", "gender": "female", "ethnicity": "汉族", "birth_date": born.isoformat(),
        "id_number": make_id_number(AREA, born, n % 1000), "category": "worker", "managing_unit_id": unit_id,
        "employer": "北京某电子厂", "honours": [{"honour_type": t, "year": y} for t, y in honours]}), 201)


def revoke(apis, honour):
    revocation = ok(apis["haidian.officer"].post(f"/honours/{honour['id']}/revocations",
                                                 {"reasons": REVOKE["reasons"]}), 201)
    return ok(apis["city.reviewer"].post(f"/revocations/{revocation['id']}/decide", REVOKE), 200)


def test_a_revoked_honouree_cannot_join(apis):
    person = honouree(apis)
    revoke(apis, person["honours"][0])
    refused = apis["haidian.officer"].post("/memberships", {"honouree_id": person["id"]})
    assert refused.status_code == 409, refused.text
    assert refused.json()["details"] == {"honouree_id": person["id"], "missing": "active_honour"}
    assert ok(apis["city.reviewer"].get("/memberships", params={"honouree_id": person["id"]}), 200)["total"] == 0


def test_membership_ends_when_the_last_honour_is_revoked(apis):
    person = honouree(apis, honours=(("beijing_model_worker", 2010), ("capital_labour_medal", 2015)))
    officer = apis["haidian.officer"]
    member = ok(officer.post("/memberships", {"honouree_id": person["id"], "note": "本人申请"}), 201)
    assert member["status"] == "active" and member["honouree_name"] == person["name"]
    twice = officer.post("/memberships", {"honouree_id": person["id"]})
    assert twice.status_code == 409 and twice.json()["details"]["membership_id"] == member["id"]

    first, second = person["honours"]
    revoke(apis, first)  # an honour remains: the membership goes on
    revoke(apis, second)
    wait_for(lambda: ok(officer.get(f"/memberships/{member['id']}"), 200)["status"] == "ended", timeout=30,
             message="the association ends the membership")
    ended = ok(officer.get(f"/memberships/{member['id']}"), 200)
    assert ended["end_reason"] == ENDED and ended["honour_id"] == second["id"]
    assert ended["ended_by_account"] == "system"
    history = ok(apis["haidian.auditor"].get(f"/memberships/{member['id']}/history"), 200)["items"]
    assert [(e["action"], e["account"]) for e in history] == [("joined", "haidian.officer"), ("ended", "system")]
    refused = officer.post(f"/memberships/{member['id']}/leave", {"reason": "退会"})
    assert refused.status_code == 409, refused.text
    again = officer.post("/memberships", {"honouree_id": person["id"]})
    assert again.status_code == 409 and again.json()["details"]["missing"] == "active_honour"


def test_leaving_and_the_member_list(apis):
    officer = apis["haidian.officer"]
    people = [honouree(apis) for _ in range(3)]
    members = [ok(officer.post("/memberships", {"honouree_id": p["id"], "request_id": f"as-{tag()}"}), 201)
               for p in people]
    left = ok(officer.post(f"/memberships/{members[0]['id']}/leave", {"reason": "本人申请退会"}), 200)
    assert left["status"] == "left" and left["end_reason"] == "本人申请退会"
    year = date.fromisoformat(members[0]["joined_on"]).year

    def listed(**params):
        found = ok(apis["haidian.reviewer"].get("/memberships", params=dict(params, page_size=200)), 200)
        return {m["id"] for m in found["items"]}

    ours = {m["id"] for m in members}
    assert people[0]["district_id"] == members[0]["district_id"] == "bj-haidian"
    assert ours <= listed(unit_id="bj-haidian", joined_year=year, district_id="bj-haidian")
    assert listed(district_id="bj-chaoyang") & ours == set()
    assert members[0]["id"] in listed(status="left") and members[0]["id"] not in listed(status="active")
    assert {members[1]["id"], members[2]["id"]} <= listed(status="active")
    assert listed(joined_year=year - 1) & ours == set()
    refused = officer.get("/memberships", params={"status": "gone"})
    assert refused.status_code == 422 and "status" in refused.json()["details"]


EVIDENCE = {"leader": "北京市劳动模范领衔", "team": "10 人创新团队", "project": "焊接工艺攻关", "venue": "实训楼三层",
            "funding": "年度经费 15 万元", "results": "国家专利 2 项"}


def test_a_studio_missing_one_of_the_six_criteria_cannot_be_recognised(apis):
    person = honouree(apis)
    officer, city = apis["haidian.officer"], apis["city.reviewer"]
    before = ok(city.get("/studios/recognitions", params={"year": 2026}), 200)
    made = ok(officer.post("/studios", {"name": "焊接劳模创新工作室", "unit_id": "bj-haidian",
                                        "leader_honouree_id": person["id"],
                                        "evidence": dict(EVIDENCE, venue=None)}), 201)
    assert made["missing"] == ["venue"]
    refused = city.post(f"/studios/{made['id']}/recognise", {"level": "municipal", "year": 2026})
    assert refused.status_code == 409, refused.text
    assert refused.json()["details"] == {"studio_id": made["id"], "missing": ["venue"]}
    assert "venue" in refused.json()["message"]
    assert ok(officer.get(f"/studios/{made['id']}"), 200)["status"] == "applied"
    # not the district's to decide
    assert apis["haidian.reviewer"].post(f"/studios/{made['id']}/recognise", {"level": "district"}).status_code == 403

    ok(officer.patch(f"/studios/{made['id']}/evidence", {"venue": EVIDENCE["venue"]}), 200)
    done = ok(city.post(f"/studios/{made['id']}/recognise", {"level": "municipal", "year": 2026}), 200)
    assert (done["status"], done["level"], done["recognised_year"], done["missing"]) == \
        ("recognised", "municipal", 2026, [])
    assessed = ok(city.post(f"/studios/{made['id']}/assessments", {
        "year": 2026, "result": "excellent", "patents": 2, "techniques": 1, "awards": 1,
        "economic_benefit": 30_000_000}), 201)
    assert assessed["assessments"][0]["economic_benefit"] == 30_000_000
    assert city.post(f"/studios/{made['id']}/assessments", {"year": 2026, "result": "qualified"}).status_code == 409
    after = ok(city.get("/studios/recognitions", params={"year": 2026}), 200)
    assert after["municipal"] == before["municipal"] + 1 and after["target"] == 50
    assert after["shortfall"] == max(0, 50 - after["municipal"])


@pytest.fixture
def clock(suite):
    """The suite's clock, put back after the test (the accounts' tokens are valid again then)."""
    clock = Clock(suite["var"] / "clock")
    yield clock
    clock.restore()


def test_an_overdue_suggestion_appears_on_the_list_by_the_clock(apis, suite, clock):
    people = [honouree(apis) for _ in range(2)]
    officer, reviewer, city = apis["haidian.officer"], apis["city.reviewer"], apis["city.officer"]
    made = ok(officer.post("/suggestions", {"topic": "关于劳模疗休养常态化的建议", "content": "建议每年安排一次疗休养。",
                                            "category": "livelihood", "honouree_ids": [p["id"] for p in people]}), 201)
    assert ok(city.post(f"/suggestions/{made['id']}/transfer", {
        "handling_body": "npc_motion", "handling_body_name": "市人大常委会", "deadline": "2199-01-01"}),
        409)["details"] == {"suggestion_id": made["id"], "status": "submitted"}
    ok(reviewer.post(f"/suggestions/{made['id']}/accept", {"note": "有价值"}), 200)
    today = clock.today()  # the services' Beijing date
    transferred = ok(city.post(f"/suggestions/{made['id']}/transfer", {
        "handling_body": "government_department", "handling_body_name": "北京市总工会劳动保护部",
        "deadline": today.isoformat()}), 200)
    assert transferred["overdue"] is False
    assert made["id"] not in {s["id"] for s in ok(officer.get("/suggestions/overdue",
                                                              params={"page_size": 200}), 200)["items"]}

    # past the next Beijing midnight: the deadline has passed without an answer
    midnight = datetime.combine(today + timedelta(days=1), time(0), tzinfo=clock.now().tzinfo) - timedelta(hours=8)
    clock.advance((midnight - clock.now()).total_seconds() + 60)
    assert clock.today() == today + timedelta(days=1)
    # the bearer tokens may have run out meanwhile (8 h): fresh ones, at the new time
    officer = Api(suite["base"], log_in(suite["base"], "haidian.officer", "Sehr-geheim-2026"))
    city = Api(suite["base"], log_in(suite["base"], "city.officer", "Sehr-geheim-2026"))
    late = {s["id"]: s for s in ok(officer.get("/suggestions/overdue", params={"page_size": 200}), 200)["items"]}
    assert made["id"] in late and (late[made["id"]]["overdue"], late[made["id"]]["days_overdue"]) == (True, 1)
    chaoyang = Api(suite["base"], log_in(suite["base"], "chaoyang.officer", "Sehr-geheim-2026"))
    assert made["id"] not in {s["id"] for s in ok(chaoyang.get("/suggestions/overdue",
                                                               params={"page_size": 200}), 200)["items"]}

    answered = ok(city.post(f"/suggestions/{made['id']}/answer", {"answer": "已列入明年计划", "feedback": "提出人满意"}), 200)
    assert answered["status"] == "answered" and answered["overdue"] is False
    assert made["id"] not in {s["id"] for s in ok(officer.get("/suggestions/overdue",
                                                              params={"page_size": 200}), 200)["items"]}
    commended = ok(Api(suite["base"], log_in(suite["base"], "city.reviewer", "Sehr-geheim-2026")).post(
        f"/suggestions/{made['id']}/commend", {"note": "优秀建言"}), 200)
    assert commended["commended"] is True


def test_an_exchange_signed_up_attended_and_counted(apis):
    city, officer = apis["city.officer"], apis["haidian.officer"]
    year = 2002  # an exchange already held (attendance is marked once an event has begun)
    before = ok(city.get("/learning-events/exchange-participants", params={"year": year}), 200)["participants"]
    made = ok(city.post("/learning-events", {"kind": "international_exchange", "title": "赴德国双元制职业教育交流",
                                             "place": "慕尼黑", "starts_at": f"{year}-09-01T09:00:00+02:00",
                                             "capacity": 2}), 201)
    people = [honouree(apis) for _ in range(3)]
    for person in people[:2]:
        ok(officer.post(f"/learning-events/{made['id']}/signups", {"honouree_id": person["id"]}), 201)
    full = officer.post(f"/learning-events/{made['id']}/signups", {"honouree_id": people[2]["id"]})
    assert full.status_code == 409 and full.json()["details"] == {"event_id": made["id"], "capacity": 2}
    assert officer.post(f"/learning-events/{made['id']}/attendance",
                        {"honouree_ids": [people[0]["id"]]}).status_code == 403  # the city organised it
    done = ok(city.post(f"/learning-events/{made['id']}/attendance", {"honouree_ids": [people[0]["id"]]}), 200)
    assert (done["signed_up"], done["attended"]) == (2, 1)
    after = ok(city.get("/learning-events/exchange-participants", params={"year": year}), 200)
    assert after["participants"] == before + 1 and after["target"] == 100


def test_a_sign_up_cancelled_before_the_event_frees_its_place(apis):
    city, officer = apis["city.officer"], apis["haidian.officer"]
    coming = ok(city.post("/learning-events", {"kind": "training", "title": "劳模创新能力培训班", "place": "北京职工大学",
                                               "starts_at": "2199-05-01T09:00:00+08:00", "capacity": 1}), 201)
    first, second = honouree(apis), honouree(apis)
    signups = f"/learning-events/{coming['id']}/signups"
    ok(officer.post(signups, {"honouree_id": first["id"]}), 201)
    assert officer.post(signups, {"honouree_id": second["id"]}).status_code == 409  # full
    bad = officer.post(f"{signups}/{first['id']}/cancel", {"reason": "x" * 2001})
    assert bad.status_code == 422 and "reason" in bad.json()["details"]
    assert ok(city.get(f"/learning-events/{coming['id']}"), 200)["signed_up"] == 1  # nothing changed
    assert apis["chaoyang.officer"].post(f"{signups}/{first['id']}/cancel", {}).status_code == 404  # not theirs
    cancelled = ok(officer.post(f"{signups}/{first['id']}/cancel", {"reason": "临时出差"}), 200)
    assert (cancelled["status"], cancelled["cancel_reason"], cancelled["cancelled_by_account"]) == (
        "cancelled", "临时出差", "haidian.officer")
    twice = officer.post(f"{signups}/{first['id']}/cancel", {})
    assert twice.status_code == 409 and twice.json()["details"]["status"] == "cancelled"
    ok(officer.post(signups, {"honouree_id": second["id"]}), 201)  # the freed place
    listed = ok(officer.get(signups, params={"page_size": 200}), 200)["items"]
    assert {(s["honouree_id"], s["status"]) for s in listed} == {(first["id"], "cancelled"),
                                                                 (second["id"], "signed_up")}
    ok(city.post(f"{signups}/{second['id']}/cancel", {}), 200)  # the city's scope holds 海淀's people
    again = ok(officer.post(signups, {"honouree_id": first["id"]}), 201)  # the same sign-up stands again
    assert (again["status"], again["cancelled_at"]) == ("signed_up", None)
    # an event that has begun: no cancelling, and a cancelled sign-up cannot attend
    held = ok(city.post("/learning-events", {"kind": "salon", "title": "劳模沙龙", "place": "劳动者之家",
                                             "starts_at": "2003-05-01T19:00:00+08:00"}), 201)
    ok(officer.post(f"/learning-events/{held['id']}/signups", {"honouree_id": first["id"]}), 201)
    late = officer.post(f"/learning-events/{held['id']}/signups/{first['id']}/cancel", {"reason": "迟了"})
    assert late.status_code == 409 and late.json()["details"]["event_id"] == held["id"]


def test_the_council_of_a_term_takes_members_of_the_association(apis):
    city, officer = apis["city.officer"], apis["haidian.officer"]
    term = 7  # made here, or found (409 naming it) if another module made it first
    made = city.post("/organs", {"kind": "council", "name": f"北京市劳模协会第{term}届理事会", "term": term})
    assert made.status_code in (201, 409), made.text
    council = made.json() if made.status_code == 201 else ok(city.get(
        f"/organs/{made.json()['details']['organ_id']}"), 200)
    member, outsider = honouree(apis), honouree(apis)
    ok(officer.post("/memberships", {"honouree_id": member["id"]}), 201)
    refused = city.post(f"/organs/{council['id']}/members", {"honouree_id": outsider["id"], "position": "director"})
    assert refused.status_code == 409 and refused.json()["details"]["missing"] == "membership"
    seated = ok(city.post(f"/organs/{council['id']}/members", {"honouree_id": member["id"],
                                                               "position": "standing_director"}), 201)
    assert {"honouree_id": member["id"], "position": "standing_director"}.items() <= \
        next(m for m in seated["members"] if m["honouree_id"] == member["id"]).items()
    assert officer.post(f"/organs/{council['id']}/members",
                        {"honouree_id": member["id"], "position": "director"}).status_code == 403  # the city's


def test_seats_change_end_and_end_with_the_membership(apis):
    officer = apis["haidian.officer"]
    branch = ok(officer.post("/organs", {"kind": "branch", "name": f"海淀分会{tag()}", "unit_id": "bj-haidian"}), 201)
    head, deputy, revoked = honouree(apis), honouree(apis), honouree(apis)
    for person in (head, deputy, revoked):
        ok(officer.post("/memberships", {"honouree_id": person["id"]}), 201)
        ok(officer.post(f"/organs/{branch['id']}/members", {"honouree_id": person["id"], "position": "member"}), 201)
    seats = f"/organs/{branch['id']}/members"
    ok(officer.patch(f"{seats}/{head['id']}", {"position": "head"}), 200)
    taken = officer.patch(f"{seats}/{deputy['id']}", {"position": "head"})
    assert taken.status_code == 409 and taken.json()["details"]["honouree_id"] == head["id"]
    assert apis["chaoyang.officer"].patch(f"{seats}/{deputy['id']}", {"position": "deputy_head"}).status_code == 403
    ended = ok(officer.post(f"{seats}/{head['id']}/end", {"reason": "工作调动"}), 200)
    seat = next(m for m in ended["members"] if m["honouree_id"] == head["id"])
    assert (seat["position"], seat["end_reason"]) == ("head", "工作调动") and seat["ended_on"]
    assert officer.post(f"{seats}/{head['id']}/end", {"reason": "再次"}).status_code == 409
    ok(officer.patch(f"{seats}/{deputy['id']}", {"position": "head"}), 200)  # the ended head's place is free

    revoke(apis, revoked["honours"][0])  # the membership ends through the broker, and the seat with it

    def seat_of(person):
        organ = ok(apis["haidian.auditor"].get(f"/organs/{branch['id']}"), 200)
        return next(m for m in organ["members"] if m["honouree_id"] == person["id"])

    wait_for(lambda: seat_of(revoked)["ended_on"] is not None, timeout=30, message="the seat ends with the membership")
    assert seat_of(revoked)["ended_by_account"] == "system" and seat_of(deputy)["ended_on"] is None


def test_the_years_research_results(apis):
    city = apis["city.officer"]
    year = 2090 + next(_serial) % 10  # a year of this test's own
    before = ok(city.get("/research-results", params={"year": year}), 200)["total"]
    author = honouree(apis)
    grown = ok(apis["haidian.officer"].post("/suggestions", {"topic": f"调研{tag()}", "content": "建议内容",
                                                             "category": "workers_rights",
                                                             "honouree_ids": [author["id"]]}), 201)
    body = {"title": f"职工权益调研{tag()}", "year": year, "summary": "调研报告摘要", "honouree_ids": [author["id"]],
            "suggestion_ids": [grown["id"]]}
    assert apis["haidian.officer"].post("/research-results", body).status_code == 403  # the city's
    made = ok(city.post("/research-results", body), 201)
    assert (made["honouree_ids"], made["suggestion_ids"]) == ([author["id"]], [grown["id"]])
    assert ok(apis["chaoyang.officer"].get(f"/research-results/{made['id']}"), 200) == made
    listed = ok(apis["haidian.auditor"].get("/research-results", params={"year": year, "page_size": 200}), 200)
    assert listed["total"] == before + 1 and made in listed["items"]
    missing = city.post("/research-results", dict(body, suggestion_ids=["nosuch"]))
    assert missing.status_code == 404 and missing.json()["details"] == {"suggestion_ids": ["nosuch"]}


def test_a_person_whose_seat_ended_is_seated_on_the_organ_again(apis):
    officer = apis["haidian.officer"]
    branch = ok(officer.post("/organs", {"kind": "branch", "name": f"海淀分会{tag()}", "unit_id": "bj-haidian"}), 201)
    person = honouree(apis)
    ok(officer.post("/memberships", {"honouree_id": person["id"]}), 201)
    seats = f"/organs/{branch['id']}/members"
    ok(officer.post(seats, {"honouree_id": person["id"], "position": "head"}), 201)
    ok(officer.post(f"{seats}/{person['id']}/end", {"reason": "换届"}), 200)
    again = ok(officer.post(seats, {"honouree_id": person["id"], "position": "member"}), 201)
    assert [(m["position"], m["ended_on"] is None) for m in again["members"]] == [("head", False), ("member", True)]
    twice = officer.post(seats, {"honouree_id": person["id"], "position": "deputy_head"})
    assert twice.status_code == 409 and twice.json()["details"] == {"organ_id": branch["id"],
                                                                    "honouree_id": person["id"]}
    assert ok(officer.get(f"/organs/{branch['id']}"), 200) == again  # the refusal changed nothing
