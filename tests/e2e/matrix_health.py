"""The access matrix of the welfare service's health check-up (个性化体检) routes (see matrix.py).

A check-up belongs to its honouree's scope: 朝阳's (recorded by chaoyang.officer for a 朝阳
honouree) is absent for 海淀 accounts: 404 by id, missing from lists and coverage, and a 海淀
officer cannot record one for a 朝阳 honouree.
"""
from .matrix import Route, assert_error, get
from .matrix_recuperation import every_item

RESULTS = "心电图正常；血脂偏高"


def records(w):
    return w.__dict__.setdefault("_health", {})


def check_up_body(w, honouree_id):
    return {"honouree_id": honouree_id, "checked_on": w.clock.today().isoformat(),
            "institution": "北京市劳模健康管理中心", "results": RESULTS}


def new_check_up(w, who, unit_id):
    honouree = w.honouree(who, unit_id)
    return w.ok(who, "POST", "/health/check-ups", 201, json=check_up_body(w, honouree["id"]))


def kept(w, name, who, unit_id):
    made = records(w)
    if name not in made:
        made[name] = new_check_up(w, who, unit_id)
    return made[name]


def chaoyangs(w):
    return kept(w, "chaoyang", "chaoyang.officer", "bj-chaoyang")


def drive_record(w):
    honouree = w.honouree("haidian.officer", "bj-haidian")
    return w.call("haidian.officer", "POST", "/api/v1/health/check-ups", json=check_up_body(w, honouree["id"]))


def on_haidians(who, suffix):
    def drive(w):
        check_up = kept(w, "haidian", "haidian.officer", "bj-haidian")
        return w.call(who, "GET", f"/api/v1/health/check-ups/{check_up['id']}{suffix}")
    return drive


def masked(response):
    assert response.json()["results"] == "***"  # haidian's accounts hold no personal-data right


def absent_for_haidian(suffix, who):
    def check(w):
        record_id = chaoyangs(w)["id"]
        url = "/api/v1/health/check-ups/{}" + suffix
        hidden = assert_error(w.call(who, "GET", url.format(record_id)), 404, "not_found")
        assert record_id in hidden["details"].values(), hidden
        absent = assert_error(w.call(who, "GET", url.format("no-such-record")), 404, "not_found")
        assert hidden["message"].replace(record_id, "?") == absent["message"].replace("no-such-record", "?")
    return check


def list_hides_chaoyang(w):
    theirs = chaoyangs(w)
    assert theirs["id"] in {c["id"] for c in every_item(w, "city.officer", "/health/check-ups")}
    assert theirs["id"] not in {c["id"] for c in every_item(w, "haidian.officer", "/health/check-ups")}
    by_id = w.ok("haidian.officer", "GET", "/health/check-ups", 200, params={"honouree_id": theirs["honouree_id"]})
    assert by_id["total"] == 0 and by_id["items"] == []


def no_check_up_for_chaoyang(w):
    honouree = w.honouree("chaoyang.officer", "bj-chaoyang")
    response = w.call("haidian.officer", "POST", "/api/v1/health/check-ups", json=check_up_body(w, honouree["id"]))
    assert assert_error(response, 404, "not_found")["details"] == {"honouree_id": honouree["id"]}
    assert w.ok("city.officer", "GET", "/health/check-ups", 200, params={"honouree_id": honouree["id"]})["total"] == 0


def overdue_hides_chaoyang(w):
    theirs = w.honouree("chaoyang.officer", "bj-chaoyang")["id"]
    assert theirs in {i["honouree_id"] for i in every_item(w, "chaoyang.officer", "/health/overdue")}
    seen = every_item(w, "haidian.officer", "/health/overdue")
    assert theirs not in {i["honouree_id"] for i in seen}
    assert all(i["managing_unit_id"] != "bj-chaoyang" for i in seen)


def coverage_hides_chaoyang(w):
    chaoyangs(w)
    city = w.ok("city.officer", "GET", "/health/coverage", 200)
    assert "bj-chaoyang" in {u["unit_id"] for u in city["units"]}
    ours = w.ok("haidian.officer", "GET", "/health/coverage", 200)
    assert "bj-chaoyang" not in {u["unit_id"] for u in ours["units"]}
    assert ours["total"]["eligible"] < city["total"]["eligible"]


CHECK_UP = "/api/v1/health/check-ups/<string:check_up_id>"

MATRIX = {
    ("GET", "/api/v1/health/check-ups"): Route(get("haidian.reviewer", "/health/check-ups"),
                                               other=list_hides_chaoyang),
    ("POST", "/api/v1/health/check-ups"): Route(drive_record, check=masked, other=no_check_up_for_chaoyang),
    ("GET", CHECK_UP): Route(on_haidians("haidian.finance", ""), check=masked,
                             other=absent_for_haidian("", "haidian.officer")),
    ("GET", CHECK_UP + "/audit"): Route(on_haidians("haidian.auditor", "/audit"),
                                        other=absent_for_haidian("/audit", "haidian.auditor")),
    ("GET", "/api/v1/health/overdue"): Route(get("haidian.officer", "/health/overdue"), other=overdue_hides_chaoyang),
    ("GET", "/api/v1/health/coverage"): Route(get("haidian.auditor", "/health/coverage"),
                                              other=coverage_hides_chaoyang),
}
