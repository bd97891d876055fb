"""The access matrix of the welfare service's recuperation (疗休养) routes (see matrix.py).

海淀's records for (d) are made on first use (a plan of bj-haidian, batches, places); 朝阳's for (c)
are made by chaoyang.officer, and a 海淀 account must find them absent: 404 by id (reading the same
as an id that exists nowhere), missing from lists, refused as the target of a write.
"""
import itertools
from datetime import timedelta

from .matrix import NotApplicable, Route, assert_error, get

_days = itertools.count(0)


def records(w):
    """This module's records, kept on the world: {name: record}."""
    return w.__dict__.setdefault("_recuperation", {})


def plan_of(w, who):
    kept = records(w)
    if who not in kept:
        kept[who] = w.ok(who, "POST", "/recuperation/plans", 201,
                         json={"name": f"疗休养五年计划 {who}", "first_year": w.clock.today().year - 1})
    return kept[who]


def batch_body(w, capacity=1, **extra):
    """A batch of its own dates (so no two batches of this module overlap), within the plan's years."""
    start = w.clock.today() + timedelta(days=10 + 8 * next(_days) % 300)
    body = {"destination": "北戴河工人疗养院", "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=5)).isoformat(), "capacity": capacity, "kind": "by_trade",
            "trade": "建筑业"}
    body.update(extra)
    return body


def batch_of(w, who):
    plan = plan_of(w, who)
    return w.ok(who, "POST", f"/recuperation/plans/{plan['id']}/batches", 201, json=batch_body(w))


def allocated_place(w, who, unit_id):
    """A place allocated in a new batch of ``who``'s plan (a new honouree of ``unit_id`` makes sure
    someone is there to allocate)."""
    w.honouree(who, unit_id)
    batch = batch_of(w, who)
    run = w.ok(who, "POST", f"/recuperation/batches/{batch['id']}/allocation", 200, json={})
    assert len(run["allocated"]) == 1, run
    return run["allocated"][0]


def chaoyang(w, kind):
    """朝阳's plan, batch or place, made once."""
    kept = records(w)
    key = f"chaoyang-{kind}"
    if key not in kept:
        if kind == "plan":
            kept[key] = plan_of(w, "chaoyang.officer")
        elif kind == "batch":
            kept[key] = batch_of(w, "chaoyang.officer")
        else:
            kept[key] = allocated_place(w, "chaoyang.officer", "bj-chaoyang")
    return kept[key]


def absent_for_haidian(kind, method, suffix="", who="haidian.officer", body=None):
    """(c): 朝阳's ``kind`` by id answers 404 to ``who``, reading as an id that exists nowhere."""
    collection = {"plan": "plans", "batch": "batches", "place": "places"}[kind]

    def check(w):
        record_id = chaoyang(w, kind)["id"]
        payload = body(w) if body else None
        url = f"/api/v1/recuperation/{collection}/{{}}{suffix}"
        hidden = assert_error(w.call(who, method, url.format(record_id), json=payload), 404, "not_found")
        assert record_id in hidden["details"].values(), hidden
        absent = assert_error(w.call(who, method, url.format("no-such-record"), json=payload), 404, "not_found")
        assert hidden["message"].replace(record_id, "?") == absent["message"].replace("no-such-record", "?")
    return check


def every_item(w, who, path, **params):
    items, page = [], 1
    while True:
        answer = w.ok(who, "GET", path, 200, params=dict(params, page=page, page_size=200))
        items += answer["items"]
        if page >= answer["pages"]:
            return items
        page += 1


def plans_hide_chaoyang(w):
    theirs = chaoyang(w, "plan")["id"]
    assert theirs in {p["id"] for p in every_item(w, "city.officer", "/recuperation/plans")}
    assert theirs not in {p["id"] for p in every_item(w, "haidian.officer", "/recuperation/plans")}


def overdue_hides_chaoyang(w):
    theirs = w.honouree("chaoyang.officer", "bj-chaoyang")["id"]
    assert theirs in {i["honouree_id"] for i in every_item(w, "chaoyang.officer", "/recuperation/overdue")}
    seen = every_item(w, "haidian.officer", "/recuperation/overdue")
    assert theirs not in {i["honouree_id"] for i in seen}
    assert all(i["managing_unit_id"] != "bj-chaoyang" for i in seen)


def on_plan(who, suffix, method="GET", status=None, body=None):
    def drive(w):
        plan = plan_of(w, "haidian.officer")
        return w.call(who, method, f"/api/v1/recuperation/plans/{plan['id']}{suffix}",
                      json=body(w) if body else None)
    return drive


def on_batch(who, suffix, method="GET", body=None):
    def drive(w):
        kept = records(w)
        if "haidian-batch" not in kept:
            kept["haidian-batch"] = batch_of(w, "haidian.officer")
        return w.call(who, method, f"/api/v1/recuperation/batches/{kept['haidian-batch']['id']}{suffix}",
                      json=body(w) if body else None)
    return drive


def drive_allocation(w):
    w.honouree("haidian.officer", "bj-haidian")
    batch = batch_of(w, "haidian.officer")
    return w.call("haidian.officer", "POST", f"/api/v1/recuperation/batches/{batch['id']}/allocation", json={})


def drive_outcome(w):
    place = allocated_place(w, "haidian.officer", "bj-haidian")
    return w.call("haidian.officer", "POST", f"/api/v1/recuperation/places/{place['id']}/outcome",
                  json={"status": "declined", "note": "本人放弃"})


PLAN = "/api/v1/recuperation/plans/<string:plan_id>"
BATCH = "/api/v1/recuperation/batches/<string:batch_id>"

MATRIX = {
    ("GET", "/api/v1/recuperation/plans"): Route(get("haidian.officer", "/recuperation/plans"),
                                                 other=plans_hide_chaoyang),
    ("POST", "/api/v1/recuperation/plans"): Route(
        lambda w: w.call("haidian.officer", "POST", "/api/v1/recuperation/plans",
                         json={"name": "海淀区疗休养计划", "first_year": w.clock.today().year}),
        other=NotApplicable("a plan belongs to the caller's own unit")),
    ("GET", PLAN): Route(on_plan("haidian.reviewer", ""), other=absent_for_haidian("plan", "GET")),
    ("GET", PLAN + "/progress"): Route(on_plan("haidian.auditor", "/progress"),
                                       other=absent_for_haidian("plan", "GET", "/progress")),
    ("GET", PLAN + "/batches"): Route(on_plan("haidian.finance", "/batches"),
                                      other=absent_for_haidian("plan", "GET", "/batches")),
    ("POST", PLAN + "/batches"): Route(on_plan("haidian.officer", "/batches", "POST", body=batch_body),
                                       other=absent_for_haidian("plan", "POST", "/batches", body=batch_body)),
    ("GET", BATCH): Route(on_batch("haidian.reviewer", ""), other=absent_for_haidian("batch", "GET")),
    ("POST", BATCH + "/allocation"): Route(drive_allocation, other=absent_for_haidian(
        "batch", "POST", "/allocation", body=lambda w: {})),
    ("GET", BATCH + "/places"): Route(on_batch("haidian.officer", "/places"),
                                      other=absent_for_haidian("batch", "GET", "/places")),
    ("GET", BATCH + "/audit"): Route(on_batch("haidian.auditor", "/audit"),
                                     other=absent_for_haidian("batch", "GET", "/audit", who="haidian.auditor")),
    ("POST", "/api/v1/recuperation/places/<string:place_id>/outcome"): Route(
        drive_outcome, other=absent_for_haidian("place", "POST", "/outcome", body=lambda w: {"status": "cancelled"})),
    ("GET", "/api/v1/recuperation/overdue"): Route(get("haidian.officer", "/recuperation/overdue"),
                                                   other=overdue_hides_chaoyang),
}
