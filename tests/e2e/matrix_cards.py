"""The access matrix of the service-card, service-item and birthday routes (see matrix.py).

(c) for the card routes: a card of a 朝阳 honouree, issued by chaoyang.officer, is 404 for the 海淀
account of the route's roles exactly as an id that exists nowhere, and stays as it was; absent from
海淀's lists. The catalogue is the city's: a 海淀 officer may read it, not change it (403).
"""
from .matrix import NotApplicable, Route, assert_error, get, tag

ITEMS = ["health_check", "park_pass"]
REASON = {"reason": "本人申请"}
CARDS = "/api/v1/service-cards"


def card(w, who="haidian.officer", unit_id="bj-haidian"):
    """A new active card of a new honouree of ``unit_id``, issued by ``who``."""
    honouree = w.honouree(who, unit_id)
    return w.ok(who, "POST", "/service-cards", 201, json={"honouree_id": honouree["id"], "items": ITEMS})


def chaoyang_card(w):
    """朝阳's card for the (c) checks, made once."""
    if getattr(w, "chaoyang_service_card", None) is None:
        w.chaoyang_service_card = card(w, "chaoyang.officer", "bj-chaoyang")
    return w.chaoyang_service_card


def all_pages(w, who, path, **params):
    items, page = [], 1
    while True:
        found = w.ok(who, "GET", path, 200, params=dict(params, page=page, page_size=200))
        items += found["items"]
        if page >= found["pages"]:
            return items
        page += 1


# (d): drivers ------------------------------------------------------------------------------------

def drive_create_item(w):
    return w.call("city.officer", "POST", "/api/v1/service-items",
                  json={"code": f"item_{tag()}", "name": "矩阵测试项目", "description": "测试"})


def drive_update_item(w):
    code = f"item_{tag()}"
    w.ok("city.officer", "POST", "/service-items", 201, json={"code": code, "name": "矩阵测试项目"})
    return w.call("city.officer", "PATCH", f"/api/v1/service-items/{code}", json={"active": False})


def drive_issue(w):
    honouree = w.honouree()
    return w.call("haidian.officer", "POST", CARDS, json={"honouree_id": honouree["id"], "items": ITEMS,
                                                          "request_id": f"matrix-{tag()}"})


def on_fresh_card(method, suffix, body=None, who="haidian.officer", first=None):
    """A route on a new card of 海淀 (``first``: a step to take before, e.g. suspending it)."""
    def drive(w):
        made = card(w)
        if first:
            w.ok("haidian.officer", "POST", f"/service-cards/{made['id']}{first}", 200, json=REASON)
        return w.call(who, method, f"{CARDS}/{made['id']}{suffix}", json=body)
    return drive


def drive_find(w):
    made = card(w)
    return w.call("haidian.reviewer", "GET", f"{CARDS}/by-number/{made['card_number']}")


def drive_greeting(w):
    honouree = w.honouree()
    return w.call("haidian.officer", "POST", f"/api/v1/birthdays/{honouree['id']}/greeting",
                  json={"note": "送上生日祝福"})


# (c): checks -------------------------------------------------------------------------------------

def card_hidden(method, suffix="", body=None, who="haidian.officer", by_number=False):
    """朝阳's card answers 404 to 海淀 as an id that exists nowhere, and is unchanged after."""
    def other(w):
        made = chaoyang_card(w)
        key = made["card_number"] if by_number else made["id"]
        base = f"{CARDS}/by-number" if by_number else CARDS
        hidden = assert_error(w.call(who, method, f"{base}/{key}{suffix}", json=body), 404, "not_found")
        assert key in hidden["details"].values(), hidden
        absent = assert_error(w.call(who, method, f"{base}/no-such-record{suffix}", json=body), 404, "not_found")
        assert hidden["message"].replace(key, "?") == absent["message"].replace("no-such-record", "?")
        assert w.ok("chaoyang.officer", "GET", f"/service-cards/{made['id']}", 200) == made
    return other


def card_list_hides_chaoyang(w):
    made = chaoyang_card(w)
    assert made["id"] not in {c["id"] for c in all_pages(w, "haidian.officer", "/service-cards")}
    assert made["id"] in {c["id"] for c in all_pages(w, "city.reviewer", "/service-cards", unit_id="bj-chaoyang")}
    refused = w.call("haidian.officer", "GET", CARDS, params={"unit_id": "bj-chaoyang"})
    assert_error(refused, 404, "not_found")


def no_card_for_chaoyang(w):
    honouree = w.honouree("chaoyang.officer", "bj-chaoyang")
    refused = w.call("haidian.officer", "POST", CARDS, json={"honouree_id": honouree["id"], "items": ITEMS})
    assert assert_error(refused, 404, "not_found")["details"] == {"honouree_id": honouree["id"]}
    assert all_pages(w, "chaoyang.officer", "/service-cards", honouree_id=honouree["id"]) == []


def catalogue_is_the_citys(w):
    refused = w.call("haidian.officer", "POST", "/api/v1/service-items", json={"code": f"item_{tag()}", "name": "越权"})
    assert_error(refused, 403, "forbidden")


def catalogue_item_is_the_citys(w):
    refused = w.call("haidian.officer", "PATCH", "/api/v1/service-items/park_pass", json={"active": False})
    assert_error(refused, 403, "forbidden")
    park_pass = [i for i in w.ok("haidian.officer", "GET", "/service-items", 200)["items"] if i["code"] == "park_pass"]
    assert park_pass[0]["active"] is True


def birthdays_hide_chaoyang(w):
    honouree = w.honouree("chaoyang.officer", "bj-chaoyang")
    assert honouree["id"] not in {b["honouree_id"] for b in all_pages(w, "haidian.officer", "/birthdays", days=366)}
    assert honouree["id"] in {b["honouree_id"] for b in all_pages(w, "chaoyang.officer", "/birthdays", days=366)}


MATRIX = {
    ("GET", "/api/v1/service-items"): Route(get("haidian.officer", "/service-items"),
                                            other=NotApplicable("the catalogue is the same for everyone")),
    ("POST", "/api/v1/service-items"): Route(drive_create_item, other=catalogue_is_the_citys),
    ("PATCH", "/api/v1/service-items/<string:code>"): Route(drive_update_item, other=catalogue_item_is_the_citys),
    ("GET", "/api/v1/service-cards"): Route(get("haidian.reviewer", "/service-cards"),
                                            other=card_list_hides_chaoyang),
    ("POST", "/api/v1/service-cards"): Route(drive_issue, other=no_card_for_chaoyang),
    ("GET", "/api/v1/service-cards/by-number/<string:card_number>"): Route(
        drive_find, other=card_hidden("GET", by_number=True)),
    ("GET", "/api/v1/service-cards/<string:card_id>"): Route(
        on_fresh_card("GET", "", who="haidian.finance"), other=card_hidden("GET")),
    ("POST", "/api/v1/service-cards/<string:card_id>/suspend"): Route(
        on_fresh_card("POST", "/suspend", REASON), other=card_hidden("POST", "/suspend", REASON)),
    ("POST", "/api/v1/service-cards/<string:card_id>/resume"): Route(
        on_fresh_card("POST", "/resume", {}, first="/suspend"), other=card_hidden("POST", "/resume", {})),
    ("POST", "/api/v1/service-cards/<string:card_id>/cancel"): Route(
        on_fresh_card("POST", "/cancel", REASON), other=card_hidden("POST", "/cancel", REASON)),
    ("PUT", "/api/v1/service-cards/<string:card_id>/items"): Route(
        on_fresh_card("PUT", "/items", {"items": ["legal_aid"]}),
        other=card_hidden("PUT", "/items", {"items": ["legal_aid"]})),
    ("GET", "/api/v1/service-cards/<string:card_id>/audit"): Route(
        on_fresh_card("GET", "/audit", who="haidian.auditor"), other=card_hidden("GET", "/audit", who="haidian.auditor")),
    ("GET", "/api/v1/birthdays"): Route(get("haidian.officer", "/birthdays", params={"days": 60}),
                                        other=birthdays_hide_chaoyang),
    ("POST", "/api/v1/birthdays/<string:honouree_id>/greeting"): Route(
        drive_greeting, other="honouree", body=lambda w: {}),
}
