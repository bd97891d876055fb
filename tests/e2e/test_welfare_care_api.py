"""Spring Festival condolence (春节慰问) over HTTP, through the gateway, against the suite: create a
campaign, preview it, run it, follow the run until it is finished, every eligible honouree in scope
paid exactly once; run again and nobody is paid twice.

The flows act in 延庆 (bj-yanqing), with accounts of their own, so the campaign's scope holds only
the honourees entered here. Every answer is checked: never a 5xx, every error in the one JSON shape.
"""
import itertools
import uuid
from datetime import date, timedelta

import pytest

from services.chassis.id_numbers import make_id_number
from services.chassis.testing import wait_for

from .conftest import ready_account
from .test_registry_api import Checked, error, ok

AREA = "110229"  # the ID numbers this module makes (延庆), apart from the other e2e modules' numbers
UNIT = "bj-yanqing"
AMOUNTS = {"national": 200_000, "municipal": 100_000, "district": 50_000}
_serial = itertools.count(1)


def tag():
    return uuid.uuid4().hex[:8]


def person(name, honour="beijing_model_worker"):
    n = next(_serial)
    born = date(1960, 5, 1) + timedelta(days=41 * n + int(tag(), 16) % 30)
    return {"name": name, "gender": "female", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_number": make_id_number(AREA, born, int(tag(), 16) % 900 + 50), "category": "worker",
            "managing_unit_id": UNIT, "employer": "延庆八达岭林场",
            "honours": [{"honour_type": honour, "year": 2016}]}


@pytest.fixture(scope="module")
def yanqing(suite, city_admin, apis):
    """延庆's accounts: an officer, a finance officer, a reviewer (neither may run); and `apis`'s."""
    made = {name: Checked(each.base, each.token, each.username) for name, each in apis.items()}
    for name, roles in (("officer", ["officer"]), ("finance", ["finance"]), ("reviewer", ["reviewer"])):
        username = f"yanqing.{name}.{tag()}"
        created = city_admin.post("/accounts", {"username": username, "display_name": username, "unit_id": UNIT,
                                                "roles": roles})
        assert created.status_code == 201, created.text
        ready = ready_account(suite["base"], username, created.json()["one_time_password"])
        made[f"yanqing.{name}"] = Checked(ready.base, ready.token, ready.username)
    return made


def enter(api, name, honour="beijing_model_worker"):
    return ok(api["yanqing.officer"].post("/honourees", person(name, honour)), 201)["id"]


def fund_with_money(api, amount, budget):
    finance = api["yanqing.finance"]
    fund = ok(finance.post("/funds", {"code": f"yq-{tag()}", "name": "延庆劳模帮扶专项资金（测试）",
                                      "kind": "district_aid", "purposes": ["condolence"]}), 201)
    ok(finance.post("/postings", {"idempotency_key": f"yq-{tag()}", "kind": "appropriation", "fund_id": fund["id"],
                                  "amount": amount}), 201)
    ok(finance.post(f"/funds/{fund['id']}/budgets", {"year": 2026, "purpose": "condolence", "amount": budget}))
    return fund


def every(api_, path, params=None):
    items = []
    for page in itertools.count(1):
        body = ok(api_.get(path, params=dict(params or {}, page=page, page_size=200)))
        items += body["items"]
        if page >= body["pages"]:
            return items


def finished(api_, batch_id, timeout=60):
    def done():
        batch = ok(api_.get(f"/condolence-batches/{batch_id}"))
        assert batch["total"] == batch["paid"] + batch["failed"] + batch["left_out"] + batch["pending"]
        return batch if batch["state"] == "finished" else None
    return wait_for(done, timeout=timeout, interval=0.2, message=f"batch {batch_id} to finish")


def test_a_campaign_previewed_run_to_the_end_pays_everyone_once_and_again_nobody(yanqing):
    officer, finance = yanqing["yanqing.officer"], yanqing["yanqing.finance"]
    municipal = [enter(yanqing, f"延庆劳模{tag()}") for _ in range(4)]
    national = [enter(yanqing, f"延庆全国劳模{tag()}", "national_model_worker")]
    ours = set(municipal + national)
    fund = fund_with_money(yanqing, amount=100_000_000, budget=100_000_000)

    made = ok(officer.post("/condolence-campaigns", {"title": "2026年春节慰问（延庆）", "year": 2026,
                                                     "amounts": AMOUNTS, "fund_id": fund["id"],
                                                     "request_id": f"yq-{tag()}"}), 201)
    assert made["owner_unit_id"] == UNIT and made["latest_batch"] is None
    # a reviewer may read it, not preview or run it
    assert ok(yanqing["yanqing.reviewer"].get(f"/condolence-campaigns/{made['id']}"))["id"] == made["id"]
    error(yanqing["yanqing.reviewer"].post(f"/condolence-campaigns/{made['id']}/batches", {}), 403)

    preview = ok(officer.get(f"/condolence-campaigns/{made['id']}/preview"))
    eligible = preview["eligible"]
    assert eligible >= len(ours) and preview["already_paid"] == 0 and preview["to_pay"] == eligible
    [line] = preview["funds"]
    assert (line["fund_id"], line["people"], line["available"], line["shortfall"]) == (
        fund["id"], eligible, 100_000_000, 0)
    assert preview["by_level"]["national"]["people"] >= 1

    run = ok(finance.post(f"/condolence-campaigns/{made['id']}/batches", {"request_id": f"yq-{tag()}"}), 202)
    assert run["total"] == eligible and run["number"] == 1
    done = finished(officer, run["id"])
    assert (done["paid"], done["failed"], done["left_out"], done["pending"]) == (eligible, 0, 0, 0)
    assert done["finished_at"] is not None

    items = every(officer, f"/condolence-campaigns/{made['id']}/items")
    assert len(items) == eligible and {i["state"] for i in items} == {"paid"}
    assert ours <= {i["honouree_id"] for i in items}
    amounts = {i["honouree_id"]: i["amount"] for i in items}
    assert {amounts[h] for h in municipal} == {100_000} and amounts[national[0]] == 200_000
    postings = every(finance, "/postings", {"reference": f"condolence:{made['id']}"})
    paid_to = [p["honouree_id"] for p in postings]
    assert sorted(paid_to) == sorted(i["honouree_id"] for i in items)  # each exactly once
    assert {p["id"] for p in postings} == {i["posting_id"] for i in items}
    assert all(p["kind"] == "disbursement" and p["purpose"] == "condolence" for p in postings)

    again = ok(officer.post(f"/condolence-campaigns/{made['id']}/batches", {}), 202)
    assert (again["total"], again["already_paid"], again["number"]) == (0, eligible, 2)
    assert finished(officer, again["id"])["paid"] == 0
    assert len(every(finance, "/postings", {"reference": f"condolence:{made['id']}"})) == eligible
    after = ok(officer.get(f"/condolence-campaigns/{made['id']}"))
    assert after["items"]["paid"] == eligible and after["latest_batch"]["id"] == again["id"]
    assert after["paid_amount"] == sum(amounts.values())
    batches = ok(officer.get(f"/condolence-campaigns/{made['id']}/batches"))["items"]
    assert [b["id"] for b in batches] == [again["id"], run["id"]]


def test_bad_input_is_422_and_a_campaign_elsewhere_is_404(yanqing):
    officer = yanqing["yanqing.officer"]
    fund = fund_with_money(yanqing, amount=1_000, budget=1_000)
    before = ok(officer.get("/condolence-campaigns"))["total"]
    body = {"title": "春节慰问", "year": 2026, "amounts": dict(AMOUNTS, national=-1), "fund_id": fund["id"]}
    assert "amounts" in error(officer.post("/condolence-campaigns", body), 422)["details"]
    assert ok(officer.get("/condolence-campaigns"))["total"] == before
    chaoyang = ok(yanqing["chaoyang.officer"].get("/condolence-campaigns"))
    for campaign in chaoyang["items"][:1]:
        error(officer.get(f"/condolence-campaigns/{campaign['id']}"), 404)
    error(officer.get("/condolence-batches/no-such-run"), 404)
