"""Recuperation (疗休养) and health check-ups (个性化体检) over HTTP, through the gateway, against the suite.

The flows act in 密云 (bj-miyun), with accounts of their own, so the roster they allocate from
holds (almost only) the honourees they enter; assertions about order are about those. Dates are
the suite clock's (``Clock``), which these tests never move. Every answer is checked on the way:
never a 5xx, every error in the one JSON shape.
"""
import itertools
import uuid
from datetime import date, timedelta

import pytest

from services.chassis.id_numbers import make_id_number

from .conftest import Api, ready_account
from .test_nomination_api import Clock
from .test_registry_api import Checked, error, ok

AREA = "110228"  # the ID numbers this module makes (密云), apart from the other e2e modules' numbers
UNIT = "bj-miyun"
_serial = itertools.count(1)
RESULTS = "血压 142/90，建议低盐饮食；肝功能正常"


def tag():
    return uuid.uuid4().hex[:8]


def person(name, **extra):
    n = next(_serial)
    born = date(1962, 3, 1) + timedelta(days=37 * n + int(tag(), 16) % 30)
    data = {"name": name, "gender": "male", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_number": make_id_number(AREA, born, int(tag(), 16) % 900 + 50), "category": "worker",
            "managing_unit_id": UNIT, "employer": "密云水库管理处",
            "honours": [{"honour_type": "beijing_model_worker", "year": 2018}]}
    data.update(extra)
    return data


@pytest.fixture(scope="module")
def miyun(suite, city_admin, apis):
    """密云's accounts (an officer without the personal-data right, one with it, an auditor), the
    accounts of `apis`, and the suite's clock."""
    made = {name: Checked(each.base, each.token, each.username) for name, each in apis.items()}
    for name, roles, personal_data in (("officer", ["officer"], False), ("clear", ["officer"], True),
                                       ("auditor", ["auditor"], False)):
        username = f"miyun.{name}.{tag()}"
        created = city_admin.post("/accounts", {"username": username, "display_name": username, "unit_id": UNIT,
                                                "roles": roles, "personal_data": personal_data})
        assert created.status_code == 201, created.text
        ready = ready_account(suite["base"], username, created.json()["one_time_password"])
        made[f"miyun.{name}"] = Checked(ready.base, ready.token, ready.username)
    made["clock"] = Clock(suite["var"] / "clock")
    return made


def enter(api, count):
    return [ok(api["miyun.officer"].post("/honourees", person(f"密云劳模{tag()}")), 201)["id"]
            for _ in range(count)]


def every(api_, path, params=None):
    items = []
    for page in itertools.count(1):
        body = ok(api_.get(path, params=dict(params or {}, page=page, page_size=200)))
        items += body["items"]
        if page >= body["pages"]:
            return items


def batch_body(start, days=5, capacity=200, **extra):
    body = {"destination": "北戴河工人疗养院", "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=days)).isoformat(), "capacity": capacity, "kind": "with_family"}
    body.update(extra)
    return body


def mine(run, ours):
    """The run's allocated honourees that this test entered, in the order allocated."""
    return [p["honouree_id"] for p in run["allocated"] if p["honouree_id"] in ours]


# --- recuperation --------------------------------------------------------------------------------

def test_a_plan_its_batches_allocation_outcomes_overdue_and_progress(miyun):
    officer, today = miyun["miyun.officer"], miyun["clock"].today()
    ours = enter(miyun, 3)
    ours_set = set(ours)

    request_id = f"plan-{tag()}"
    body = {"name": "密云区劳模疗休养五年计划", "first_year": today.year - 1, "request_id": request_id}
    plan = ok(officer.post("/recuperation/plans", body), 201)
    assert (plan["unit_id"], plan["first_year"], plan["last_year"], plan["places"]) == (
        UNIT, today.year - 1, today.year + 3, 12000)
    assert ok(officer.post("/recuperation/plans", body), 201) == plan  # a retry
    assert plan["id"] in {p["id"] for p in every(officer, "/recuperation/plans")}

    # bad input changes nothing
    outside = batch_body(date(today.year + 4, 6, 1))
    assert "start_date" in error(officer.post(f"/recuperation/plans/{plan['id']}/batches", outside), 422,
                                 "invalid")["details"]
    no_trade = batch_body(today, kind="by_trade")
    assert "trade" in error(officer.post(f"/recuperation/plans/{plan['id']}/batches", no_trade), 422)["details"]
    assert ok(officer.get(f"/recuperation/plans/{plan['id']}/batches"))["total"] == 0

    # a batch that has begun: one place, which goes to someone of the scope, who attends
    started = ok(officer.post(f"/recuperation/plans/{plan['id']}/batches",
                              batch_body(today - timedelta(days=3), days=4, capacity=1, kind="by_trade",
                                         trade="水利")), 201)
    assert (started["kind"], started["trade"], started["free"]) == ("by_trade", "水利", 1)
    first = ok(officer.post(f"/recuperation/batches/{started['id']}/allocation", {"request_id": f"a-{tag()}"}))
    assert len(first["allocated"]) == 1 and first["batch"]["free"] == 0
    went = first["allocated"][0]
    assert error(officer.post(f"/recuperation/places/{went['id']}/outcome", {"status": "gone"}), 422)
    assert ok(officer.post(f"/recuperation/places/{went['id']}/outcome", {"status": "attended"}))["status"] == "attended"
    assert ok(officer.post(f"/recuperation/places/{went['id']}/outcome", {"status": "attended"}))["status"] == "attended"
    assert error(officer.post(f"/recuperation/places/{went['id']}/outcome", {"status": "declined"}), 409, "conflict")

    # a summer batch with room for everyone: whoever went last, those who never went first
    summer = ok(officer.post(f"/recuperation/plans/{plan['id']}/batches",
                             batch_body(today + timedelta(days=60))), 201)
    request_id = f"alloc-{tag()}"
    run = ok(officer.post(f"/recuperation/batches/{summer['id']}/allocation", {"request_id": request_id}))
    order = mine(run, ours_set | {went["honouree_id"]})
    expected_last = went["honouree_id"]
    assert order[-1] == expected_last and sorted(order[:-1]) == sorted(set(ours) - {expected_last})
    assert ok(officer.post(f"/recuperation/batches/{summer['id']}/allocation", {"request_id": request_id})) == dict(
        run, batch=ok(officer.get(f"/recuperation/batches/{summer['id']}")))  # a retry answers as the first run
    assert ok(officer.post(f"/recuperation/batches/{summer['id']}/allocation", {}))["allocated"] == []
    summer_places = every(officer, f"/recuperation/batches/{summer['id']}/places")
    assert {p["honouree_id"] for p in summer_places} >= set(ours)

    # a batch overlapping the summer one: everyone holding a summer place is skipped
    overlapping = ok(officer.post(f"/recuperation/plans/{plan['id']}/batches",
                                  batch_body(today + timedelta(days=63))), 201)
    skipped = ok(officer.post(f"/recuperation/batches/{overlapping['id']}/allocation", {}))
    assert mine(skipped, ours_set) == [] and skipped["skipped_overlapping"] >= 3
    # attended before the batch starts: refused; a place declined is free for the next run
    place = next(p for p in summer_places if p["honouree_id"] == ours[0])
    conflict = error(officer.post(f"/recuperation/places/{place['id']}/outcome", {"status": "attended"}), 409)
    assert conflict["details"] == {"start_date": summer["start_date"]}
    declined = ok(officer.post(f"/recuperation/places/{place['id']}/outcome", {"status": "declined", "note": "住院"}))
    assert (declined["status"], declined["note"]) == ("declined", "住院")
    again = ok(officer.post(f"/recuperation/batches/{overlapping['id']}/allocation", {}))
    assert ours[0] in mine(again, ours_set)  # no longer holding an overlapping place
    assert ours[0] not in mine(ok(officer.post(f"/recuperation/batches/{summer['id']}/allocation", {})), ours_set)

    # overdue: those of ours who have not attended in two years; the one who went is not
    overdue = {i["honouree_id"]: i for i in every(officer, "/recuperation/overdue")}
    assert set(ours) - {went["honouree_id"]} <= set(overdue) and went["honouree_id"] not in overdue
    assert all(i["managing_unit_id"] == UNIT for i in overdue.values())

    # progress: places used (allocated + attended) per year of the batches' start, and in total
    batches = every(officer, f"/recuperation/plans/{plan['id']}/batches")
    used = sum(b["places"]["allocated"] + b["places"]["attended"] for b in batches)
    progress = ok(officer.get(f"/recuperation/plans/{plan['id']}/progress"))
    assert progress["total"]["used"] == used and progress["total"]["remaining"] == 12000 - used
    assert progress["total"]["attended"] == 1 and progress["total"]["batches"] == 3
    assert [row["year"] for row in progress["years"]] == list(range(today.year - 1, today.year + 4))
    assert sum(row["used"] for row in progress["years"]) == used

    # the trail, for auditors only; another district sees none of it
    trail = ok(miyun["miyun.auditor"].get(f"/recuperation/batches/{started['id']}/audit"))["items"]
    assert [(e["entity"], e["action"]) for e in trail] == [
        ("recuperation_batch", "created"), ("recuperation_place", "allocated"), ("recuperation_place", "attended")]
    error(officer.get(f"/recuperation/batches/{started['id']}/audit"), 403, "forbidden")
    outsider = miyun["chaoyang.officer"]
    for path in (f"/recuperation/plans/{plan['id']}", f"/recuperation/plans/{plan['id']}/progress",
                 f"/recuperation/batches/{summer['id']}", f"/recuperation/batches/{summer['id']}/places"):
        error(outsider.get(path), 404, "not_found")
    error(outsider.post(f"/recuperation/places/{place['id']}/outcome", {"status": "cancelled"}), 404, "not_found")
    assert plan["id"] not in {p["id"] for p in every(outsider, "/recuperation/plans")}
    assert not set(ours) & {i["honouree_id"] for i in every(outsider, "/recuperation/overdue")}


# --- health check-ups ----------------------------------------------------------------------------

def test_check_ups_sealed_results_one_a_year_overdue_and_coverage(miyun):
    officer, today = miyun["miyun.officer"], miyun["clock"].today()
    checked, unchecked = enter(miyun, 2)
    request_id = f"hc-{tag()}"
    body = {"honouree_id": checked, "checked_on": today.isoformat(), "institution": "北京市劳模健康管理中心",
            "results": RESULTS, "request_id": request_id}
    made = ok(officer.post("/health/check-ups", body), 201)
    assert (made["honouree_id"], made["year"], made["results"]) == (checked, today.year, "***")
    assert ok(officer.post("/health/check-ups", body), 201)["id"] == made["id"]  # a retry

    # the results in clear only with the personal-data right
    assert ok(officer.get(f"/health/check-ups/{made['id']}"))["results"] == "***"
    assert ok(miyun["miyun.clear"].get(f"/health/check-ups/{made['id']}"))["results"] == RESULTS
    assert ok(miyun["city.officer"].get(f"/health/check-ups/{made['id']}"))["results"] == RESULTS
    listed = ok(miyun["miyun.clear"].get("/health/check-ups", params={"honouree_id": checked}))
    assert [(c["id"], c["results"]) for c in listed["items"]] == [(made["id"], RESULTS)]
    trail = ok(miyun["miyun.auditor"].get(f"/health/check-ups/{made['id']}/audit"))["items"]
    assert [(e["action"], e["changes"]["results"]) for e in trail] == [("recorded", [None, "***"])]
    assert "血压" not in str(trail)

    # one a year; bad input changes nothing
    second = dict(body, request_id=None, results="复查正常")
    assert error(officer.post("/health/check-ups", second), 409, "conflict")["details"]["check_up_id"] == made["id"]
    tomorrow = dict(body, honouree_id=unchecked, request_id=None, checked_on=(today + timedelta(days=1)).isoformat())
    assert "checked_on" in error(officer.post("/health/check-ups", tomorrow), 422, "invalid")["details"]
    assert "results" in error(officer.post("/health/check-ups", dict(tomorrow, checked_on=today.isoformat(),
                                                                      results="")), 422)["details"]
    assert ok(officer.get("/health/check-ups", params={"honouree_id": unchecked}))["total"] == 0

    # overdue this year and coverage per unit
    overdue = {i["honouree_id"] for i in every(officer, "/health/overdue")}
    assert unchecked in overdue and checked not in overdue
    coverage = ok(officer.get("/health/coverage"))
    assert coverage["year"] == today.year
    (row,) = [u for u in coverage["units"] if u["unit_id"] == UNIT]
    assert row["unit_name"] == "密云区总工会" and row["eligible"] >= 2 and row["checked"] >= 1
    assert row["ratio"] == round(row["checked"] / row["eligible"], 4)
    assert coverage["total"] == {"eligible": row["eligible"], "checked": row["checked"], "ratio": row["ratio"]}
    assert ok(officer.get("/health/coverage", params={"year": today.year - 5}))["total"]["checked"] == 0
    error(officer.get("/health/coverage", params={"year": "soon"}), 422, "invalid")

    # another district: absent
    outsider = miyun["chaoyang.officer"]
    error(outsider.get(f"/health/check-ups/{made['id']}"), 404, "not_found")
    error(outsider.post("/health/check-ups", dict(body, honouree_id=unchecked, request_id=None)), 404, "not_found")
    assert made["id"] not in {c["id"] for c in every(outsider, "/health/check-ups")}
    assert unchecked not in {i["honouree_id"] for i in every(outsider, "/health/overdue")}
    assert ok(officer.get("/health/check-ups", params={"honouree_id": unchecked}))["total"] == 0


def test_without_a_token_nothing_is_read(suite):
    anonymous = Api(suite["base"])
    for path in ("/recuperation/plans", "/recuperation/overdue", "/health/check-ups", "/health/coverage"):
        error(anonymous.get(path), 401, "unauthenticated")
