"""Hardship aid (困难帮扶) and sick visits (看望生病劳模) over HTTP, through the gateway, against the whole
suite: the registry decides who is eligible and in scope and which tier is above which; the ledger
holds the money (checked through the fund routes)."""
import itertools
import uuid
from datetime import date, timedelta

import pytest

from services.chassis.id_numbers import make_id_number

from .test_nomination_api import Clock

AREA = "110111"  # the ID numbers this module makes (房山), apart from the other e2e modules' numbers
_serial = itertools.count(1)
FACTS = "家庭月收入 1,500 元，本人患肺癌化疗中"


def tag():
    return uuid.uuid4().hex[:8]


def ok(response, status):
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.status_code} " \
                                           f"{response.text}"
    return response.json()


def error(response, status, code):
    body = ok(response, status)
    assert set(body) == {"error", "message", "details"} and body["error"] == code, body
    return body


@pytest.fixture(scope="module")
def clock(suite):
    clock = Clock(suite["var"] / "clock")
    yield clock
    clock.restore()


def honouree(apis, who="haidian.officer", unit_id="bj-haidian"):
    n = next(_serial)
    born = date(1958, 3, 1) + timedelta(days=11 * n)
    return ok(apis[who].post("/honourees", {
        "name": f"帮扶{tag()}", "gender": "female", "ethnicity": "汉族", "birth_date": born.isoformat(),
        "id_number": make_id_number(AREA, born, n % 1000), "category": "worker", "managing_unit_id": unit_id,
        "employer": "北京某纺织厂", "front_line": True,
        "honours": [{"honour_type": "beijing_model_worker", "year": 2010}]}), 201)


def fund(apis, clock, who="haidian.finance", amount=2_000_000, budget=1_500_000,
         purposes=("hardship_aid", "sick_visit")):
    """A new fund of the account's unit holding ``amount`` fen, with this year's budgets."""
    made = ok(apis[who].post("/funds", {"code": f"hs-{tag()}", "name": "帮扶测试基金", "kind": "district_aid",
                                        "purposes": list(purposes)}), 201)
    ok(apis[who].post("/postings", {"idempotency_key": f"hs-{tag()}", "kind": "appropriation",
                                    "fund_id": made["id"], "amount": amount}), 201)
    for purpose in purposes:
        ok(apis[who].post(f"/funds/{made['id']}/budgets", {"year": clock.today().year, "purpose": purpose,
                                                            "amount": budget}), 200)
    return made


def balances(apis, fund_id, who="haidian.finance"):
    return ok(apis[who].get(f"/funds/{fund_id}"), 200)["balances"]


def apply(apis, person, fund_id, amount, who="haidian.officer", **extra):
    return ok(apis[who].post("/hardship-applications", dict({
        "honouree_id": person["id"], "kind": "sudden_hardship", "amount": amount,
        "reasons": "突发重病，医疗费用负担沉重", "facts": FACTS, "fund_id": fund_id}, **extra)), 201)


def step(apis, who, application, name, body=None):
    return apis[who].post(f"/hardship-applications/{application['id']}/{name}", body or {})


def test_apply_review_approve_by_the_tier_above_and_pay_once(apis, clock):
    money = fund(apis, clock)
    person = honouree(apis)
    made = apply(apis, person, money["id"], 600_000, request_id=f"hs-{tag()}")  # above 5,000 yuan
    assert (made["state"], made["managing_unit_id"], made["approving_unit_id"]) == ("submitted", "bj-haidian", "bj")
    assert made["facts"] == "***"  # haidian.officer holds no personal-data right
    again = apply(apis, person, money["id"], 600_000, request_id=made["request_id"])
    assert again["id"] == made["id"]

    error(step(apis, "haidian.finance", made, "pay"), 409, "conflict")  # not yet approved
    reviewed = ok(step(apis, "haidian.reviewer", made, "review", {"note": "经走访核实"}), 200)
    assert reviewed["state"] == "reviewed"
    refused = error(step(apis, "haidian.reviewer", made, "approve", {"note": "同意"}), 403, "forbidden")
    assert refused["details"]["approving_unit_id"] == "bj"
    assert "only bj or a unit above it may approve" in refused["message"]
    assert balances(apis, money["id"]) == {"posted": 2_000_000, "pending": 0, "available": 2_000_000}

    approved = ok(step(apis, "city.reviewer", made, "approve", {"note": "市总工会审批同意"}), 200)
    assert approved["state"] == "approved" and approved["commitment_id"]
    assert balances(apis, money["id"]) == {"posted": 2_000_000, "pending": 600_000, "available": 1_400_000}
    commitment = ok(apis["haidian.finance"].get(f"/postings/{approved['commitment_id']}"), 200)
    assert (commitment["purpose"], commitment["commitment_status"]) == ("hardship_aid", "open")

    paid = ok(step(apis, "haidian.finance", made, "pay", {"note": "已转账至本人账户"}), 200)
    assert paid["state"] == "paid" and paid["payment_id"]
    repaid = ok(step(apis, "haidian.finance", made, "pay"), 200)  # a retry: nothing moves again
    assert repaid["payment_id"] == paid["payment_id"]
    assert balances(apis, money["id"]) == {"posted": 1_400_000, "pending": 0, "available": 1_400_000}
    budget = {b["purpose"]: b for b in ok(apis["haidian.finance"].get(f"/funds/{money['id']}"), 200)["budgets"]}
    assert budget["hardship_aid"]["used"] == 600_000
    postings = ok(apis["haidian.finance"].get("/postings", params={"reference": f"hardship:{made['id']}"}), 200)
    assert sorted(p["kind"] for p in postings["items"]) == ["commitment", "disbursement"]

    detail = ok(apis["haidian.officer"].get(f"/hardship-applications/{made['id']}"), 200)
    assert [(s["action"], s["account"], s["unit_id"]) for s in detail["steps"]] == [
        ("submitted", "haidian.officer", "bj-haidian"), ("reviewed", "haidian.reviewer", "bj-haidian"),
        ("approved", "city.reviewer", "bj"), ("paid", "haidian.finance", "bj-haidian")]
    assert detail["facts"] == "***"
    assert ok(apis["city.officer"].get(f"/hardship-applications/{made['id']}"), 200)["facts"] == FACTS
    trail = ok(apis["haidian.auditor"].get(f"/hardship-applications/{made['id']}/audit"), 200)["items"]
    assert [e["action"] for e in trail] == ["submitted", "reviewed", "approved", "paid"]
    assert trail[0]["changes"]["facts"] == [None, "***"]
    error(apis["chaoyang.officer"].get(f"/hardship-applications/{made['id']}"), 404, "not_found")
    error(step(apis, "haidian.officer", made, "cancel", {"reason": "撤回"}), 409, "conflict")  # paid: too late
    listed = ok(apis["haidian.reviewer"].get("/hardship-applications", params={
        "honouree_id": person["id"], "state": "paid", "year": str(clock.today().year)}), 200)
    assert [a["id"] for a in listed["items"]] == [made["id"]]


def test_refusals_keep_their_reasons_and_release_the_money(apis, clock):
    money = fund(apis, clock)
    person = honouree(apis)
    small = apply(apis, person, money["id"], 200_000)
    assert small["approving_unit_id"] == "bj-haidian"  # within the threshold: 海淀 approves
    ok(step(apis, "haidian.reviewer", small, "review"), 200)
    ok(step(apis, "haidian.reviewer", small, "approve"), 200)
    assert balances(apis, money["id"])["pending"] == 200_000
    refused = ok(step(apis, "haidian.reviewer", small, "refuse", {"reasons": "复核发现已享受低保"}), 200)
    assert (refused["state"], refused["refusal_reasons"]) == ("refused", "复核发现已享受低保")
    assert balances(apis, money["id"]) == {"posted": 2_000_000, "pending": 0, "available": 2_000_000}
    error(step(apis, "haidian.finance", small, "pay"), 409, "conflict")
    error(step(apis, "haidian.reviewer", small, "refuse", {}), 422, "invalid")  # reasons are required

    cancelled = apply(apis, person, money["id"], 100_000)
    withdrawn = ok(step(apis, "haidian.officer", cancelled, "cancel", {"reason": "本人申请撤回"}), 200)
    assert withdrawn["state"] == "cancelled" and withdrawn["cancellation_reason"] == "本人申请撤回"


def test_a_fund_that_may_not_pay_for_hardship_is_refused_at_approval(apis, clock):
    condolence = fund(apis, clock, purposes=("condolence",))
    person = honouree(apis)
    made = apply(apis, person, condolence["id"], 100_000)
    ok(step(apis, "haidian.reviewer", made, "review"), 200)
    refused = error(step(apis, "haidian.reviewer", made, "approve"), 409, "conflict")
    assert "专款专用" in refused["message"]
    assert ok(apis["haidian.officer"].get(f"/hardship-applications/{made['id']}"), 200)["state"] == "reviewed"
    assert balances(apis, condolence["id"])["pending"] == 0


def test_a_sick_visit_with_money_pays_once(apis, clock):
    money = fund(apis, clock)
    person = honouree(apis)
    body = {"honouree_id": person["id"], "visited_on": clock.today().isoformat(), "visitors": ["区总工会主席", "干事"],
            "place": "北京肿瘤医院", "notes": "化疗第二周期，精神尚可", "amount": 100_000, "fund_id": money["id"],
            "request_id": f"sv-{tag()}"}
    made = ok(apis["haidian.officer"].post("/sick-visits", body), 201)
    assert made["notes"] == "***" and made["posting_id"]
    again = ok(apis["haidian.officer"].post("/sick-visits", body), 201)
    assert again["id"] == made["id"] and again["posting_id"] == made["posting_id"]
    assert balances(apis, money["id"]) == {"posted": 1_900_000, "pending": 0, "available": 1_900_000}
    posting = ok(apis["haidian.finance"].get(f"/postings/{made['posting_id']}"), 200)
    assert (posting["kind"], posting["purpose"], posting["honouree_id"]) == ("disbursement", "sick_visit",
                                                                            person["id"])
    assert ok(apis["city.officer"].get(f"/sick-visits/{made['id']}"), 200)["notes"] == "化疗第二周期，精神尚可"
    listed = ok(apis["haidian.reviewer"].get("/sick-visits", params={"honouree_id": person["id"]}), 200)
    assert [v["id"] for v in listed["items"]] == [made["id"]]
    error(apis["chaoyang.officer"].get(f"/sick-visits/{made['id']}"), 404, "not_found")
    too_much = dict(body, request_id=f"sv-{tag()}", amount=5_000_000)  # more than the fund holds
    error(apis["haidian.officer"].post("/sick-visits", too_much), 409, "conflict")
    assert ok(apis["haidian.reviewer"].get("/sick-visits", params={"honouree_id": person["id"]}), 200)["total"] == 1
