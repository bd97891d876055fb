"""Service cards (劳模服务卡), their service items and birthday greetings over HTTP, through the gateway,
against the whole suite: the registry's records decide who is eligible and in scope."""
import itertools
import re
import uuid
from datetime import date, timedelta

import pytest

from services.chassis.id_numbers import make_id_number

from .test_nomination_api import Clock

AREA = "110228"  # the ID numbers this module makes (密云), apart from the other e2e modules' numbers
_serial = itertools.count(1)
NUMBER = re.compile(r"^LM\d{4}\d{6}\d$")


def tag():
    return uuid.uuid4().hex[:8]


def luhn_ok(number):
    digits = [int(c) for c in number[2:]]
    total = 0
    for position, value in enumerate(reversed(digits)):
        if position % 2 == 1:
            value = value * 2 - 9 if value * 2 > 9 else value * 2
        total += value
    return total % 10 == 0


def ok(response, status):
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.status_code} " \
                                           f"{response.text}"
    return response.json()


def error(response, status, code):
    body = ok(response, status)
    assert set(body) == {"error", "message", "details"} and body["error"] == code, body
    return body


def honouree(apis, who="haidian.officer", unit_id="bj-haidian", born=None, **extra):
    n = next(_serial)
    born = born or date(1962, 1, 1) + timedelta(days=7 * n)
    data = {"name": f"卡测{tag()}", "gender": "male", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_number": make_id_number(AREA, born, n % 1000), "category": "worker", "managing_unit_id": unit_id,
            "employer": "北京某机械厂", "front_line": True,
            "honours": [{"honour_type": "beijing_model_worker", "year": 2016}], **extra}
    return ok(apis[who].post("/honourees", data), 201)


@pytest.fixture(scope="module")
def clock(suite):
    clock = Clock(suite["var"] / "clock")
    yield clock
    clock.restore()


def test_the_city_keeps_the_catalogue_and_everyone_reads_it(apis):
    seeded = ok(apis["haidian.reviewer"].get("/service-items"), 200)["items"]
    assert {"health_check", "park_pass", "medical_green_channel", "legal_aid"} <= {i["code"] for i in seeded}
    code = f"bus_{tag()}"
    made = ok(apis["city.officer"].post("/service-items", {"code": code, "name": "公交优待", "description": "免费乘车"}),
              201)
    assert made["active"] is True and made["name"] == "公交优待"
    error(apis["haidian.officer"].post("/service-items", {"code": f"x_{tag()}", "name": "越权"}), 403, "forbidden")
    error(apis["city.officer"].post("/service-items", {"code": code, "name": "again"}), 409, "conflict")
    error(apis["city.officer"].post("/service-items", {"code": "Bad Code", "name": "x"}), 422, "invalid")
    assert ok(apis["city.officer"].patch(f"/service-items/{code}", {"active": False}), 200)["active"] is False
    assert code in {i["code"] for i in ok(apis["haidian.officer"].get("/service-items", params={"active": "false"}),
                                          200)["items"]}
    # an item no longer offered goes on no new card
    holder = honouree(apis)
    refused = error(apis["haidian.officer"].post("/service-cards", {"honouree_id": holder["id"], "items": [code]}),
                    422, "invalid")
    assert refused["details"] == {"items": {code: ["the service item is no longer offered"]}}


def test_a_card_from_issue_to_cancellation(apis):
    officer = apis["haidian.officer"]
    holder = honouree(apis, unit_id="bj-haidian")
    request_id = f"card-{tag()}"
    card = ok(officer.post("/service-cards", {"honouree_id": holder["id"], "items": ["park_pass", "health_check"],
                                              "request_id": request_id}), 201)
    assert NUMBER.match(card["card_number"]) and luhn_ok(card["card_number"]), card["card_number"]
    assert card["status"] == "active" and card["items"] == ["health_check", "park_pass"]
    assert card["honouree_name"] == holder["name"] and card["managing_unit_id"] == "bj-haidian"
    # a retry returns the first card; another card while this one lives is a conflict naming it
    assert ok(officer.post("/service-cards", {"honouree_id": holder["id"], "items": ["park_pass", "health_check"],
                                              "request_id": request_id}), 201) == card
    clash = error(apis["city.officer"].post("/service-cards", {"honouree_id": holder["id"], "items": ["legal_aid"]}),
                  409, "conflict")
    assert clash["details"]["card_id"] == card["id"] and clash["details"]["card_number"] == card["card_number"]
    # read by anyone in scope; by number too; not by 朝阳
    assert ok(apis["haidian.finance"].get(f"/service-cards/{card['id']}"), 200) == card
    assert ok(apis["city.reviewer"].get(f"/service-cards/by-number/{card['card_number']}"), 200) == card
    error(apis["chaoyang.officer"].get(f"/service-cards/{card['id']}"), 404, "not_found")
    error(apis["chaoyang.officer"].get(f"/service-cards/by-number/{card['card_number']}"), 404, "not_found")
    # items, suspension, resumption, cancellation; moves out of order are 409 and change nothing
    changed = ok(officer.request("PUT", f"/service-cards/{card['id']}/items",
                                 json={"items": ["legal_aid", "medical_green_channel"]}), 200)
    assert changed["items"] == ["legal_aid", "medical_green_channel"] and changed["version"] == 2
    error(officer.post(f"/service-cards/{card['id']}/resume", {}), 409, "conflict")
    suspended = ok(officer.post(f"/service-cards/{card['id']}/suspend", {"reason": "本人长期出国"}), 200)
    assert suspended["status"] == "suspended" and suspended["suspension_reason"] == "本人长期出国"
    error(officer.post(f"/service-cards/{card['id']}/suspend", {"reason": "再次"}), 409, "conflict")
    assert ok(officer.post(f"/service-cards/{card['id']}/resume", {"note": "已回国"}), 200)["status"] == "active"
    error(officer.post(f"/service-cards/{card['id']}/cancel", {"reason": " "}), 422, "invalid")
    cancelled = ok(officer.post(f"/service-cards/{card['id']}/cancel", {"reason": "卡片遗失"}), 200)
    assert cancelled["status"] == "cancelled" and cancelled["cancellation_reason"] == "卡片遗失"
    final = error(officer.post(f"/service-cards/{card['id']}/resume", {}), 409, "conflict")
    assert final["details"]["status"] == "cancelled"
    # the trail, for auditors
    trail = ok(apis["haidian.auditor"].get(f"/service-cards/{card['id']}/audit"), 200)["items"]
    assert [e["action"] for e in trail] == ["issued", "items_changed", "suspended", "resumed", "cancelled"]
    error(officer.get(f"/service-cards/{card['id']}/audit"), 403, "forbidden")
    # a new card after the cancelled one, with a new number
    again = ok(officer.post("/service-cards", {"honouree_id": holder["id"], "items": ["park_pass"]}), 201)
    assert again["card_number"] != card["card_number"] and luhn_ok(again["card_number"])
    listed = ok(officer.get("/service-cards", params={"honouree_id": holder["id"]}), 200)
    assert [(c["id"], c["status"]) for c in listed["items"]] == [(card["id"], "cancelled"), (again["id"], "active")]
    assert [c["id"] for c in ok(apis["haidian.reviewer"].get("/service-cards", params={
        "honouree_id": holder["id"], "status": "active", "unit_id": "bj-haidian"}), 200)["items"]] == [again["id"]]


def test_only_the_eligible_in_scope_get_cards(apis):
    chaoyang = honouree(apis, "chaoyang.officer", "bj-chaoyang")
    refused = error(apis["haidian.officer"].post("/service-cards", {"honouree_id": chaoyang["id"],
                                                                    "items": ["park_pass"]}), 404, "not_found")
    assert refused["details"] == {"honouree_id": chaoyang["id"]}
    gone = honouree(apis, employment_status="deceased")
    refused = error(apis["haidian.officer"].post("/service-cards", {"honouree_id": gone["id"],
                                                                    "items": ["park_pass"]}), 409, "conflict")
    assert refused["details"] == {"honouree_id": gone["id"], "missing": "alive"}
    error(apis["haidian.officer"].post("/service-cards", {"honouree_id": gone["id"], "items": []}), 422, "invalid")
    error(apis["haidian.reviewer"].post("/service-cards", {"honouree_id": gone["id"], "items": ["park_pass"]}),
          403, "forbidden")


def test_birthdays_in_the_window_and_greetings_marked_once(apis, clock):
    today = clock.today()
    soon = today + timedelta(days=3)
    if (soon.month, soon.day) == (2, 29):  # keep the test's arithmetic plain
        soon += timedelta(days=1)
    born = date(1966, soon.month, soon.day)
    holder = honouree(apis, unit_id="bj-haidian", born=born)
    chaoyang = honouree(apis, "chaoyang.officer", "bj-chaoyang", born=born)

    def window(who, **params):
        found = ok(apis[who].get("/birthdays", params=dict({"days": 7, "page_size": 200}, **params)), 200)
        return {b["honouree_id"]: b for b in found["items"]}

    listed = window("haidian.reviewer")
    assert chaoyang["id"] not in listed
    mine = listed[holder["id"]]
    assert mine["birthday"] == soon.isoformat() and mine["turns"] == soon.year - 1966
    assert mine["days_until"] == (soon - today).days and mine["greeted"] is False and mine["greeting"] is None
    assert holder["id"] not in window("haidian.reviewer", days=2)
    first = ok(apis["haidian.officer"].post(f"/birthdays/{holder['id']}/greeting", {"note": "送蛋糕"}), 201)
    assert first["year"] == soon.year and first["greeted_by_account"] == "haidian.officer"
    again = ok(apis["city.officer"].post(f"/birthdays/{holder['id']}/greeting", {}), 201)
    assert again == first  # once per honouree and year: the first mark
    listed = window("haidian.reviewer")
    assert listed[holder["id"]]["greeted"] is True and listed[holder["id"]]["greeting"] == first
    assert holder["id"] not in window("haidian.reviewer", greeted="false")
    error(apis["haidian.officer"].post(f"/birthdays/{chaoyang['id']}/greeting", {}), 404, "not_found")
    error(apis["haidian.officer"].get("/birthdays", params={"days": 367}), 422, "invalid")
    error(apis["haidian.officer"].post(f"/birthdays/{holder['id']}/greeting", {"year": soon.year + 5}),
          422, "invalid")
