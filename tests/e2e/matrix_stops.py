"""The access matrix of welfare's care stops (see matrix.py): a stop is made by revoking a person's
only honour through the registry's routes; 朝阳's stop is the record 海淀 must not see."""
from services.chassis.testing import wait_for

from .matrix import Route, get, hidden

REVOKE = {"decision": "revoke", "reasons": "严重违反职业道德，经核实属实"}


def stopped_person(w, district, officer):
    """A person of ``district`` whose only honour the city revoked, once their care has stopped."""
    kept = w.__dict__.setdefault("care_stopped", {})
    if district not in kept:
        honouree = w.honouree(officer, district)
        revocation = w.revocation(honouree, officer)
        w.ok("city.reviewer", "POST", f"/revocations/{revocation['id']}/decide", 200, json=REVOKE)
        wait_for(lambda: w.call(officer, "GET", f"/api/v1/care-stops/{honouree['id']}").status_code == 200,
                 timeout=30, message="welfare stops the care")
        kept[district] = honouree["id"]
    return kept[district]


def chaoyang_stop(w):
    return stopped_person(w, "bj-chaoyang", "chaoyang.officer")


def haidian_stop(w):
    return stopped_person(w, "bj-haidian", "haidian.officer")


def chaoyang_absent_from_the_list(w):
    chaoyang, haidian = chaoyang_stop(w), haidian_stop(w)
    listed = {s["honouree_id"] for s in w.ok("haidian.officer", "GET", "/care-stops", 200,
                                             params={"page_size": 200})["items"]}
    assert chaoyang not in listed and haidian in listed


MATRIX = {
    ("GET", "/api/v1/care-stops"): Route(get("haidian.officer", "/care-stops"), other=chaoyang_absent_from_the_list),
    ("GET", "/api/v1/care-stops/<string:honouree_id>"): Route(
        lambda w: w.call("haidian.auditor", "GET", f"/api/v1/care-stops/{haidian_stop(w)}"),
        other=hidden("GET", "/api/v1/care-stops/<string:honouree_id>", chaoyang_stop, "haidian.officer")),
}
