"""A revoked honour ends welfare's care, end to end: the registry's revocation decided over HTTP,
``honour_revoked`` through the broker, and welfare cancelling what it holds for the person."""
import itertools
import uuid
from datetime import date, timedelta

from services.chassis.id_numbers import make_id_number
from services.chassis.testing import wait_for

AREA = "110112"  # the ID numbers this module makes (通州), apart from the other e2e modules' numbers
_serial = itertools.count(1)
REVOKE = {"decision": "revoke", "reasons": "因严重违法行为被依法追究刑事责任"}


def ok(response, status):
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.status_code} " \
                                           f"{response.text}"
    return response.json() if response.content else None


def tag():
    return uuid.uuid4().hex[:8]


def honouree(apis, honours=(("beijing_model_worker", 2010),)):
    n = next(_serial)
    born = date(1961, 5, 1) + timedelta(days=13 * n)
    return ok(apis["haidian.officer"].post("/honourees", {
        "name": f"撤销{tag()}", "gender": "male", "ethnicity": "汉族", "birth_date": born.isoformat(),
        "id_number": make_id_number(AREA, born, n % 1000), "category": "worker", "managing_unit_id": "bj-haidian",
        "employer": "北京某机械厂", "honours": [{"honour_type": t, "year": y} for t, y in honours]}), 201)


def fund(apis):
    """A fund of 海淀 with money and this year's (the service's year) hardship and condolence budgets."""
    finance = apis["haidian.finance"]
    made = ok(finance.post("/funds", {"code": f"st-{tag()}", "name": "撤销测试基金", "kind": "district_aid",
                                      "purposes": ["hardship_aid", "condolence"]}), 201)
    ok(finance.post("/postings", {"idempotency_key": f"st-{tag()}", "kind": "appropriation", "fund_id": made["id"],
                                  "amount": 1_000_000}), 201)
    for purpose in ("hardship_aid", "condolence"):
        ok(finance.post(f"/funds/{made['id']}/budgets", {"year": made["year"], "purpose": purpose,
                                                         "amount": 800_000}), 200)
    return made


def revoke(apis, honour):
    revocation = ok(apis["haidian.officer"].post(f"/honours/{honour['id']}/revocations",
                                                 {"reasons": REVOKE["reasons"]}), 201)
    return ok(apis["city.reviewer"].post(f"/revocations/{revocation['id']}/decide", REVOKE), 200)


def test_the_last_honour_revoked_cancels_the_card_the_aid_and_the_commitments(apis):
    person, made = honouree(apis), fund(apis)
    officer, reviewer, finance = apis["haidian.officer"], apis["haidian.reviewer"], apis["haidian.finance"]
    card = ok(officer.post("/service-cards", {"honouree_id": person["id"], "items": ["health_check"]}), 201)
    application = ok(officer.post("/hardship-applications", {
        "honouree_id": person["id"], "kind": "sudden_hardship", "amount": 100_000, "reasons": "突发重病",
        "facts": "住院费用高", "fund_id": made["id"]}), 201)
    ok(reviewer.post(f"/hardship-applications/{application['id']}/review", {"note": "属实"}), 200)
    ok(reviewer.post(f"/hardship-applications/{application['id']}/approve", {"note": "同意"}), 200)
    by_hand = ok(finance.post("/postings", {"idempotency_key": f"st-{tag()}", "kind": "commitment",
                                            "fund_id": made["id"], "amount": 20_000, "purpose": "condolence",
                                            "honouree_id": person["id"]}), 201)
    assert ok(finance.get(f"/funds/{made['id']}"), 200)["balances"]["pending"] == 120_000

    revoke(apis, person["honours"][0])
    wait_for(lambda: officer.get(f"/care-stops/{person['id']}").status_code == 200, timeout=30,
             message="welfare stops the care")

    stop = ok(officer.get(f"/care-stops/{person['id']}"), 200)
    assert stop["ended"]["hardship_applications"] == [application["id"]]
    assert stop["ended"]["commitments"] == [by_hand["id"]]
    assert stop["ended"]["service_card"] == card["id"]
    assert ok(officer.get(f"/service-cards/{card['id']}"), 200)["status"] == "cancelled"
    assert ok(officer.get(f"/hardship-applications/{application['id']}"), 200)["state"] == "cancelled"
    figures = ok(finance.get(f"/funds/{made['id']}"), 200)
    assert figures["balances"] == {"posted": 1_000_000, "pending": 0, "available": 1_000_000}
    assert ok(finance.get(f"/postings/{by_hand['id']}"), 200)["commitment_status"] == "void"
    # no new card for the person now: the registry no longer counts them eligible
    refused = officer.post("/service-cards", {"honouree_id": person["id"], "items": ["health_check"]})
    assert refused.status_code in (404, 409), refused.text


def test_care_goes_on_while_another_honour_remains(apis):
    """Two honours revoked one after the other: the stop names the second, so the first stopped nothing."""
    person = honouree(apis, honours=(("beijing_model_worker", 2010), ("capital_labour_medal", 2015)))
    officer = apis["haidian.officer"]
    first, second = person["honours"]
    revoke(apis, first)
    assert officer.get(f"/care-stops/{person['id']}").status_code == 404
    card = ok(officer.post("/service-cards", {"honouree_id": person["id"], "items": ["park_pass"]}), 201)
    revoke(apis, second)
    wait_for(lambda: officer.get(f"/care-stops/{person['id']}").status_code == 200, timeout=30,
             message="welfare stops the care")
    stop = ok(officer.get(f"/care-stops/{person['id']}"), 200)
    assert stop["honour_id"] == second["id"] and stop["ended"]["service_card"] == card["id"]
