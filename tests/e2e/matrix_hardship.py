"""The access matrix of the welfare service's hardship aid (困难帮扶) and sick visit (看望生病劳模) routes
(see matrix.py).

海淀's drivers apply for honourees of 海淀 from a fund 海淀's finance makes and fills; 朝阳's
application and visit (made by 朝阳's accounts, from 朝阳's fund) are the records 海淀 must not see."""
from .matrix import Route, assert_error, get, hidden, tag

APPLICATIONS = "/api/v1/hardship-applications"
APPLICATION = APPLICATIONS + "/<string:application_id>"
VISITS = "/api/v1/sick-visits"
VISIT = VISITS + "/<string:visit_id>"
FACTS = "家庭人均月收入低于本市最低生活保障标准"
REFUSAL = {"reasons": "经核实不符合帮扶条件"}
CANCELLATION = {"reason": "申请单位撤回"}
SIDES = {  # the accounts of each side: officer, reviewer, finance, its unit
    "haidian": ("haidian.officer", "haidian.reviewer", "haidian.finance", "bj-haidian"),
    "chaoyang": ("chaoyang.officer", "chaoyang.reviewer", "chaoyang.finance", "bj-chaoyang"),
}


def fund(w, side="haidian"):
    """A fund of the side's unit with money and this year's budgets for hardship aid and sick visits (once)."""
    kept = w.__dict__.setdefault("hardship_funds", {})
    if side not in kept:
        finance = SIDES[side][2]
        made = w.ok(finance, "POST", "/funds", 201, json={
            "code": f"{side[:2]}-hs-{tag()}", "name": "矩阵帮扶基金", "kind": "district_aid",
            "purposes": ["hardship_aid", "sick_visit"]})
        w.ok(finance, "POST", "/postings", 201, json={
            "idempotency_key": f"matrix-{tag()}", "kind": "appropriation", "fund_id": made["id"],
            "amount": 100_000_000})
        for purpose in ("hardship_aid", "sick_visit"):
            w.ok(finance, "POST", f"/funds/{made['id']}/budgets", 200, json={
                "year": w.clock.today().year, "purpose": purpose, "amount": 50_000_000})
        kept[side] = made["id"]
    return kept[side]


def application_body(w, honouree_id, side="haidian"):
    return {"honouree_id": honouree_id, "kind": "low_income", "amount": 200_000, "reasons": "家庭生活困难",
            "facts": FACTS, "fund_id": fund(w, side)}


def application(w, side="haidian", steps=()):
    """A new application of the side, through ``steps`` (review, approve) by its reviewer."""
    officer, reviewer, _, unit_id = SIDES[side]
    honouree = w.honouree(officer, unit_id)
    made = w.ok(officer, "POST", "/hardship-applications", 201, json=application_body(w, honouree["id"], side))
    for step in steps:
        made = w.ok(reviewer, "POST", f"/hardship-applications/{made['id']}/{step}", 200, json={})
    return made


def chaoyang_application(w):
    kept = w.__dict__
    if "hardship_chaoyang" not in kept:
        kept["hardship_chaoyang"] = application(w, "chaoyang")
    return kept["hardship_chaoyang"]


def visit_body(honouree_id, **extra):
    return dict({"honouree_id": honouree_id, "visited_on": "2026-01-10", "visitors": ["工会主席"],
                 "place": "北京协和医院", "notes": "术后康复中"}, **extra)


def chaoyang_visit(w):
    kept = w.__dict__
    if "sick_visit_chaoyang" not in kept:
        honouree = w.honouree("chaoyang.officer", "bj-chaoyang")
        kept["sick_visit_chaoyang"] = w.ok("chaoyang.officer", "POST", "/sick-visits", 201,
                                           json=visit_body(honouree["id"]))
    return kept["sick_visit_chaoyang"]


def on_application(method, suffix, who, steps=(), body=None):
    def drive(w):
        made = application(w, steps=steps)
        return w.call(who, method, f"/api/v1/hardship-applications/{made['id']}{suffix}", json=body)
    return drive


def hidden_application(method, suffix, who, body=None):
    return hidden(method, APPLICATION + suffix, lambda w: chaoyang_application(w)["id"], who, body)


# (c) for the routes without a path id

def applications_of_chaoyang_absent(w):
    record = chaoyang_application(w)
    assert w.ok("city.officer", "GET", "/hardship-applications", 200,
                params={"honouree_id": record["honouree_id"]})["total"] == 1
    page = w.ok("haidian.officer", "GET", "/hardship-applications", 200, params={"page_size": 200})
    assert record["id"] not in {a["id"] for a in page["items"]}
    assert {a["managing_unit_id"] for a in page["items"]} <= {"bj-haidian"}
    assert w.ok("haidian.officer", "GET", "/hardship-applications", 200,
                params={"honouree_id": record["honouree_id"]})["total"] == 0


def no_application_for_chaoyang(w):
    record = chaoyang_application(w)
    response = w.call("haidian.officer", "POST", APPLICATIONS,
                      json=application_body(w, record["honouree_id"]))
    assert assert_error(response, 404, "not_found")["details"] == {"honouree_id": record["honouree_id"]}


def visits_of_chaoyang_absent(w):
    record = chaoyang_visit(w)
    page = w.ok("haidian.officer", "GET", "/sick-visits", 200, params={"page_size": 200})
    assert record["id"] not in {v["id"] for v in page["items"]}
    assert w.ok("haidian.officer", "GET", "/sick-visits", 200,
                params={"honouree_id": record["honouree_id"]})["total"] == 0


def no_visit_for_chaoyang(w):
    record = chaoyang_visit(w)
    response = w.call("haidian.officer", "POST", VISITS, json=visit_body(record["honouree_id"]))
    assert assert_error(response, 404, "not_found")["details"] == {"honouree_id": record["honouree_id"]}


def drive_apply(w):
    honouree = w.honouree()
    return w.call("haidian.officer", "POST", APPLICATIONS, json=application_body(w, honouree["id"]))


def drive_record_visit(w):
    honouree = w.honouree()
    return w.call("haidian.officer", "POST", VISITS,
                  json=visit_body(honouree["id"], amount=50_000, fund_id=fund(w)))


def drive_get_visit(w):
    honouree = w.honouree()
    made = w.ok("haidian.officer", "POST", "/sick-visits", 201, json=visit_body(honouree["id"]))
    return w.call("haidian.reviewer", "GET", f"{VISITS}/{made['id']}")


def is_masked(response):
    assert response.json()["facts"] == "***"


MATRIX = {
    ("GET", APPLICATIONS): Route(get("haidian.officer", "/hardship-applications"),
                                 other=applications_of_chaoyang_absent),
    ("POST", APPLICATIONS): Route(drive_apply, check=is_masked, other=no_application_for_chaoyang),
    ("GET", APPLICATION): Route(on_application("GET", "", "haidian.auditor"), check=is_masked,
                                other=hidden_application("GET", "", "haidian.officer")),
    ("POST", APPLICATION + "/review"): Route(
        on_application("POST", "/review", "haidian.reviewer", body={"note": "情况属实"}),
        other=hidden_application("POST", "/review", "haidian.reviewer", body={})),
    ("POST", APPLICATION + "/approve"): Route(
        on_application("POST", "/approve", "haidian.reviewer", steps=("review",), body={"note": "同意"}),
        other=hidden_application("POST", "/approve", "haidian.reviewer", body={})),
    ("POST", APPLICATION + "/refuse"): Route(
        on_application("POST", "/refuse", "haidian.reviewer", body=REFUSAL),
        other=hidden_application("POST", "/refuse", "haidian.reviewer", body=REFUSAL)),
    ("POST", APPLICATION + "/pay"): Route(
        on_application("POST", "/pay", "haidian.finance", steps=("review", "approve"), body={}),
        other=hidden_application("POST", "/pay", "haidian.finance", body={})),
    ("POST", APPLICATION + "/cancel"): Route(
        on_application("POST", "/cancel", "haidian.officer", body=CANCELLATION),
        other=hidden_application("POST", "/cancel", "haidian.officer", body=CANCELLATION)),
    ("GET", APPLICATION + "/audit"): Route(
        on_application("GET", "/audit", "haidian.auditor"),
        other=hidden_application("GET", "/audit", "haidian.auditor")),
    ("GET", VISITS): Route(get("haidian.officer", "/sick-visits"), other=visits_of_chaoyang_absent),
    ("POST", VISITS): Route(drive_record_visit, other=no_visit_for_chaoyang),
    ("GET", VISIT): Route(drive_get_visit, other=hidden("GET", VISIT, lambda w: chaoyang_visit(w)["id"],
                                                        "haidian.officer")),
}
