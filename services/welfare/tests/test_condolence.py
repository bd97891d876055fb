"""Spring Festival condolence campaigns (春节慰问): amounts by level, funds per district, the preview,
runs paid in chunks by the runner, failures kept and retried, nobody paid twice, scope, bad input,
leases, a chunk that dies half-way, and people left out when their care stops."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.testing import check
from services.welfare import condolence
from services.welfare.models.care import (
    CondolenceBatch,
    CondolenceCampaign,
    CondolenceItem,
)
from services.welfare.models.ledger import Posting
from services.welfare.models.stops import CareStop
from services.welfare.responses.care import (
    CondolenceBatchOut,
    CondolenceCampaignOut,
    CondolenceCampaignPageOut,
    CondolenceItemPageOut,
    CondolencePreviewOut,
)

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN
from .money import YEAR, funded, key

AMOUNTS = {"national": 200_000, "municipal": 100_000, "district": 50_000}
MUNICIPAL = [{"level": "municipal", "status": "active"}]
NATIONAL_TOO = [{"level": "municipal", "status": "active"}, {"level": "national", "status": "active"}]
DISTRICT = [{"level": "district", "status": "active"}]
REVOKED = [{"level": "national", "status": "revoked"}]


def person(registry, honouree_id, unit="hd-bank", honours=MUNICIPAL, district="bj-haidian", **fields):
    registry.add_honouree(honouree_id, unit, name=f"劳模{honouree_id}", honours=list(honours),
                          district_id=district, **fields)
    return honouree_id


def campaign(welfare, fund_id, actor=HAIDIAN, **extra):
    return welfare.create_condolence_campaign(actor, dict(
        {"title": f"{YEAR}年春节慰问", "year": YEAR, "amounts": AMOUNTS, "fund_id": fund_id}, **extra))


def drain(welfare, runner="runner-a", chunk=2):
    """Let the runner pay until no batch is running; returns the items it settled."""
    settled = 0
    for _ in range(1000):
        settled += condolence.work(welfare.engine, runner, chunk=chunk, seconds=30)
        if not welfare.rows(CondolenceBatch, CondolenceBatch.state == "running"):
            return settled
    raise AssertionError("the batches never finished")


def postings(welfare, campaign_id=None):
    where = [Posting.reference == f"condolence:{campaign_id}"] if campaign_id else [Posting.purpose == "condolence"]
    return welfare.rows(Posting, *where)


def items(welfare, campaign_id):
    return {i.honouree_id: i for i in welfare.rows(CondolenceItem, CondolenceItem.campaign_id == campaign_id)}


def count(welfare, model):
    with welfare.engine.reading_session() as session:
        return session.scalar(select(func.count()).select_from(model))


# --- who gets what -------------------------------------------------------------------------------

def test_each_eligible_honouree_in_scope_gets_the_amount_of_their_highest_level(welfare, registry):
    person(registry, "h-mun")
    person(registry, "h-nat", honours=NATIONAL_TOO)
    person(registry, "h-dis", unit="bj-haidian", honours=DISTRICT)
    person(registry, "h-gone", employment_status="deceased")
    person(registry, "h-revoked", honours=REVOKED)
    person(registry, "h-cy", unit="cy-hotel", district="bj-chaoyang")
    fund = funded(welfare, amount=1_000_000, budget=1_000_000)
    made = campaign(welfare, fund["id"])
    batch = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    check(batch, CondolenceBatchOut)
    assert (batch["state"], batch["total"], batch["pending"], batch["paid"]) == ("running", 3, 3, 0)
    drain(welfare)
    paid = {p.honouree_id: p.amount for p in postings(welfare, made["id"])}
    assert paid == {"h-nat": 200_000, "h-mun": 100_000, "h-dis": 50_000}
    for p in postings(welfare, made["id"]):
        assert p.kind.value == "disbursement" and p.purpose.value == "condolence" and p.fund_id == fund["id"]
        assert p.idempotency_key == f"condolence:{made['id']}:{p.honouree_id}" and p.budget_year == YEAR
    done = welfare.get_condolence_batch(HAIDIAN, batch["id"])
    assert (done["state"], done["paid"], done["failed"], done["pending"]) == ("finished", 3, 0, 0)
    assert done["finished_at"] is not None
    events = welfare.events("condolence_paid")
    assert sorted(e["honouree_id"] for e in events) == ["h-dis", "h-mun", "h-nat"]
    assert all("name" not in e and e["campaign_id"] == made["id"] for e in events)
    assert {e["posting_id"] for e in events} == {i.posting_id for i in items(welfare, made["id"]).values()}


def test_a_district_with_a_fund_of_its_own_is_paid_from_it(welfare, registry):
    person(registry, "h-hd")
    person(registry, "h-none", district=None)
    main = funded(welfare, amount=1_000_000, budget=1_000_000, code="hd-main")
    own = funded(welfare, amount=1_000_000, budget=1_000_000, code="hd-own")
    made = campaign(welfare, main["id"], district_funds={"bj-haidian": own["id"]})
    assert made["district_funds"] == {"bj-haidian": own["id"]}
    welfare.run_condolence_campaign(HAIDIAN, made["id"])
    drain(welfare)
    assert {p.honouree_id: p.fund_id for p in postings(welfare, made["id"])} == {
        "h-hd": own["id"], "h-none": main["id"]}


def test_the_preview_gives_totals_per_fund_the_shortfall_and_who_is_paid_already(welfare, registry):
    for n in range(3):
        person(registry, f"h{n}")
    person(registry, "h-nat", honours=NATIONAL_TOO, district="bj-chaoyang")  # managed in 海淀, lives in 朝阳
    main = funded(welfare, amount=150_000, budget=250_000, code="hd-main")  # 3 × 1,000 yuan asked: short
    other = funded(welfare, amount=500_000, budget=100_000, code="hd-other")  # 2,000 asked, 1,000 budget
    made = campaign(welfare, main["id"], district_funds={"bj-chaoyang": other["id"]})
    preview = welfare.preview_condolence_campaign(HAIDIAN, made["id"])
    check(preview, CondolencePreviewOut)
    funds = {f["fund_id"]: f for f in preview["funds"]}
    assert funds[main["id"]] == dict(funds[main["id"]], people=3, total=300_000, available=150_000,
                                     budget=250_000, budget_remaining=250_000, shortfall=150_000)
    assert funds[other["id"]] == dict(funds[other["id"]], people=1, total=200_000, available=500_000,
                                      budget=100_000, budget_remaining=100_000, shortfall=100_000)
    assert (preview["eligible"], preview["to_pay"], preview["total"], preview["shortfall"]) == (4, 4, 500_000,
                                                                                              250_000)
    assert preview["already_paid"] == 0
    assert preview["by_level"]["national"] == {"people": 1, "amount": 200_000}
    assert preview["by_level"]["municipal"] == {"people": 3, "amount": 300_000}
    assert postings(welfare, made["id"]) == []  # a preview pays nobody
    welfare.run_condolence_campaign(HAIDIAN, made["id"])
    drain(welfare)
    after = welfare.preview_condolence_campaign(HAIDIAN, made["id"])
    assert (after["already_paid"], after["to_retry"], after["to_pay"]) == (1, 3, 3)  # one of main's, none of other's


def test_a_refused_payment_is_kept_with_its_reason_the_batch_goes_on_and_a_rerun_retries_it(welfare, registry):
    for n in range(5):
        person(registry, f"h{n}")
    fund = funded(welfare, amount=300_000, budget=1_000_000)  # enough for three of five
    made = campaign(welfare, fund["id"])
    first = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    drain(welfare, chunk=2)
    first = welfare.get_condolence_batch(HAIDIAN, first["id"])
    assert (first["state"], first["paid"], first["failed"], first["pending"]) == ("finished", 3, 2, 0)
    failed = [i for i in items(welfare, made["id"]).values() if i.state.value == "failed"]
    assert len(failed) == 2 and all("enough money" in i.reason and i.posting_id is None for i in failed)
    page = welfare.list_condolence_items(HAIDIAN, made["id"], {"state": "failed"})
    check(page, CondolenceItemPageOut)
    assert page["total"] == 2
    # more money, and the next run pays only the two that failed
    welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "appropriation", "fund_id": fund["id"],
                           "amount": 500_000})
    second = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    assert (second["total"], second["already_paid"]) == (2, 3)
    drain(welfare)
    second = welfare.get_condolence_batch(HAIDIAN, second["id"])
    assert (second["paid"], second["failed"]) == (2, 0)
    assert sorted(p.honouree_id for p in postings(welfare, made["id"])) == [f"h{n}" for n in range(5)]
    assert {i.state.value for i in items(welfare, made["id"]).values()} == {"paid"}
    assert max(i.attempts for i in items(welfare, made["id"]).values()) == 2
    # the first run's history stays as it was
    assert welfare.get_condolence_batch(HAIDIAN, first["id"])["failed"] == 2
    assert len(welfare.events("condolence_paid")) == 5


def test_over_the_years_budget_is_refused_like_too_little_money(welfare, registry):
    for n in range(3):
        person(registry, f"h{n}")
    fund = funded(welfare, amount=1_000_000, budget=250_000)
    made = campaign(welfare, fund["id"])
    batch = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    drain(welfare)
    batch = welfare.get_condolence_batch(HAIDIAN, batch["id"])
    assert (batch["paid"], batch["failed"]) == (2, 1)
    assert "budget" in next(i for i in items(welfare, made["id"]).values() if i.state.value == "failed").reason


def test_running_again_pays_nobody_twice(welfare, registry):
    for n in range(4):
        person(registry, f"h{n}")
    fund = funded(welfare, amount=1_000_000, budget=1_000_000)
    made = campaign(welfare, fund["id"])
    welfare.run_condolence_campaign(HAIDIAN, made["id"])
    drain(welfare)
    before = (len(postings(welfare)), len(welfare.events("condolence_paid")))
    again = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    assert (again["state"], again["total"], again["already_paid"]) == ("finished", 0, 4)
    drain(welfare)
    assert (len(postings(welfare)), len(welfare.events("condolence_paid"))) == before == (4, 4)
    # a newcomer is the only one the next run pays
    person(registry, "h-new", honours=NATIONAL_TOO)
    third = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    assert (third["total"], third["already_paid"]) == (1, 4)
    drain(welfare)
    assert len(postings(welfare)) == 5
    batches = welfare.list_condolence_batches(HAIDIAN, made["id"])
    check(batches, CondolenceBatchOut, many=True)
    assert [b["number"] for b in batches] == [3, 2, 1] and batches[0]["id"] == third["id"]


def test_a_run_while_another_goes_is_a_conflict_and_a_retried_run_returns_the_first(welfare, registry):
    person(registry, "h1")
    fund = funded(welfare, amount=1_000_000, budget=1_000_000)
    made = campaign(welfare, fund["id"])
    first = welfare.run_condolence_campaign(HAIDIAN, made["id"], {"request_id": "run-1"})
    assert welfare.run_condolence_campaign(HAIDIAN, made["id"], {"request_id": "run-1"})["id"] == first["id"]
    with pytest.raises(Conflict) as refused:
        welfare.run_condolence_campaign(HAIDIAN, made["id"])
    assert refused.value.details["batch_id"] == first["id"]
    drain(welfare)
    assert welfare.run_condolence_campaign(HAIDIAN, made["id"], {"request_id": "run-1"})["id"] == first["id"]
    assert count(welfare, CondolenceBatch) == 1
    again = campaign(welfare, fund["id"], request_id="c-1")
    assert campaign(welfare, fund["id"], request_id="c-1")["id"] == again["id"]


def test_the_timer_entrypoint_pays_with_the_services_settings(welfare, registry):
    for n in range(3):
        person(registry, f"h{n}")
    fund = funded(welfare, amount=1_000_000, budget=1_000_000)
    made = campaign(welfare, fund["id"])
    batch = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    welfare.config = {"CONDOLENCE_CHUNK": 2}
    assert welfare.work_condolence_batches() == 3
    assert welfare.get_condolence_batch(HAIDIAN, batch["id"])["state"] == "finished"


# --- scope and input ------------------------------------------------------------------------------

def test_a_campaign_is_seen_and_run_only_in_its_owners_scope(welfare, registry):
    person(registry, "h-bank")
    person(registry, "h-school", unit="hd-school")
    person(registry, "h-cy", unit="cy-hotel", district="bj-chaoyang")
    fund = funded(welfare, amount=1_000_000, budget=1_000_000)
    bank_fund = funded(welfare, actor=BANK, amount=1_000_000, budget=1_000_000, code="bank-fund")
    made = campaign(welfare, fund["id"])
    for call in (lambda: welfare.get_condolence_campaign(CHAOYANG, made["id"]),
                 lambda: welfare.preview_condolence_campaign(CHAOYANG, made["id"]),
                 lambda: welfare.run_condolence_campaign(CHAOYANG, made["id"]),
                 lambda: welfare.list_condolence_batches(CHAOYANG, made["id"]),
                 lambda: welfare.list_condolence_items(CHAOYANG, made["id"])):
        with pytest.raises(NotFound):
            call()
    listed = welfare.list_condolence_campaigns(CHAOYANG)
    check(listed, CondolenceCampaignPageOut)
    assert listed["total"] == 0
    assert welfare.list_condolence_campaigns(CITY)["total"] == 1  # the city sees below itself
    batch = welfare.run_condolence_campaign(CITY, made["id"])  # run by the city: still 海淀's people only
    with pytest.raises(NotFound):
        welfare.get_condolence_batch(CHAOYANG, batch["id"])
    drain(welfare)
    assert sorted(p.honouree_id for p in postings(welfare, made["id"])) == ["h-bank", "h-school"]
    # a grassroots union's campaign pays its own people only
    small = campaign(welfare, bank_fund["id"], actor=BANK)
    welfare.run_condolence_campaign(BANK, small["id"])
    drain(welfare)
    assert [p.honouree_id for p in postings(welfare, small["id"])] == ["h-bank"]
    shown = welfare.get_condolence_campaign(HAIDIAN, made["id"])
    check(shown, CondolenceCampaignOut)
    assert shown["items"]["paid"] == 2 and shown["paid_amount"] == 200_000
    assert shown["latest_batch"]["id"] == batch["id"]


BAD = [
    ({"amounts": {"national": 1, "municipal": 1}}, "amounts"),
    ({"amounts": {"national": 0, "municipal": 1, "district": 1}}, "amounts"),
    ({"amounts": {"national": 1.5, "municipal": 1, "district": 1}}, "amounts"),
    ({"amounts": {"national": "100", "municipal": 1, "district": 1}}, "amounts"),
    ({"year": 1999}, "year"),
    ({"title": "   "}, "title"),
    ({"fund_id": ""}, "fund_id"),
    ({"district_funds": {"Not A Unit": "x"}}, "district_funds"),
    ({"surprise": 1}, "surprise"),
]


@pytest.mark.parametrize("change,field", BAD)
def test_bad_input_is_422_and_changes_nothing(welfare, registry, change, field):
    fund = funded(welfare)
    data = dict({"title": "春节慰问", "year": YEAR, "amounts": AMOUNTS, "fund_id": fund["id"]}, **change)
    with pytest.raises(Invalid) as refused:
        welfare.create_condolence_campaign(HAIDIAN, data)
    assert field in refused.value.details
    assert count(welfare, CondolenceCampaign) == 0


def test_the_funds_must_be_in_scope_and_allow_condolence(welfare, registry):
    hardship_only = funded(welfare, budgets=("hardship_aid",), purposes=("hardship_aid",), code="hd-hardship")
    chaoyang = funded(welfare, actor=CHAOYANG, code="cy-fund")
    fund = funded(welfare, code="hd-fund")
    with pytest.raises(Invalid) as refused:
        campaign(welfare, hardship_only["id"])
    assert "fund_id" in refused.value.details
    with pytest.raises(Invalid) as refused:
        campaign(welfare, fund["id"], district_funds={"bj-haidian": hardship_only["id"]})
    assert "district_funds" in refused.value.details
    with pytest.raises(NotFound):
        campaign(welfare, chaoyang["id"])
    with pytest.raises(NotFound):
        campaign(welfare, fund["id"], district_funds={"bj-haidian": chaoyang["id"]})
    with pytest.raises(Invalid):
        welfare.run_condolence_campaign(HAIDIAN, "x", {"request_id": ""})
    assert count(welfare, CondolenceCampaign) == 0


# --- the runner -----------------------------------------------------------------------------------

def test_one_runner_holds_a_batch_until_its_lease_runs_out(welfare, registry):
    for n in range(6):
        person(registry, f"h{n}")
    fund = funded(welfare, amount=1_000_000, budget=1_000_000)
    made = campaign(welfare, fund["id"])
    batch = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    engine, moment = welfare.engine, condolence.wall_now()
    assert condolence.claim(engine, "a", 30, lambda: moment) == batch["id"]
    assert condolence.pay_chunk(engine, batch["id"], "a", 2, 30, lambda: moment) == 2
    assert condolence.claim(engine, "b", 30, lambda: moment + timedelta(seconds=29)) is None
    assert condolence.work(engine, "b", chunk=2, now=lambda: moment + timedelta(seconds=29)) == 0
    # a's lease runs out (it died): b takes the batch over, and a's next chunk is refused
    later = moment + timedelta(seconds=31)
    assert condolence.claim(engine, "b", 30, lambda: later) == batch["id"]
    assert condolence.pay_chunk(engine, batch["id"], "a", 2, 30, lambda: later) is None
    assert condolence.pay_chunk(engine, batch["id"], "b", 2, 30, lambda: later) == 2
    assert condolence.work(engine, "b", chunk=2, now=lambda: later) == 2
    assert welfare.get_condolence_batch(HAIDIAN, batch["id"])["paid"] == 6
    assert len(postings(welfare, made["id"])) == 6


def test_a_chunk_that_dies_half_way_leaves_nothing_and_is_paid_whole_later(welfare, registry, monkeypatch):
    for n in range(5):
        person(registry, f"h{n}")
    fund = funded(welfare, amount=1_000_000, budget=1_000_000)
    made = campaign(welfare, fund["id"])
    batch = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    real_post, calls = condolence.ledger.post, []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # the process "dies" in the middle of the second chunk
            raise RuntimeError("killed")
        return real_post(*args, **kwargs)

    monkeypatch.setattr(condolence.ledger, "post", dying)
    with pytest.raises(RuntimeError):
        condolence.work(welfare.engine, "a", chunk=2)
    progress = welfare.get_condolence_batch(HAIDIAN, batch["id"])
    assert (progress["paid"], progress["pending"]) == (2, 3)  # the first chunk committed, the second not at all
    assert len(postings(welfare, made["id"])) == 2 and len(welfare.events("condolence_paid")) == 2
    monkeypatch.setattr(condolence.ledger, "post", real_post)
    drain(welfare, runner="a")
    assert sorted(p.honouree_id for p in postings(welfare, made["id"])) == [f"h{n}" for n in range(5)]
    assert len(welfare.events("condolence_paid")) == 5


def test_an_item_already_posted_is_marked_paid_without_paying_again(welfare, registry):
    person(registry, "h1")
    fund = funded(welfare, amount=1_000_000, budget=1_000_000)
    made = campaign(welfare, fund["id"])
    welfare.run_condolence_campaign(HAIDIAN, made["id"])
    with welfare.engine.unit_of_work() as uow:  # the same payment made by hand, with the batch's key
        payer = condolence.Actor("haidian.officer", "bj-haidian", ("finance",))
        condolence.ledger.post(uow, payer, {
            "idempotency_key": condolence.idempotency_key(made["id"], "h1"), "kind": "disbursement",
            "fund_id": fund["id"], "amount": 100_000, "purpose": "condolence", "honouree_id": "h1",
            "reference": f"condolence:{made['id']}", "memo": f"{YEAR}年春节慰问金"}, year=YEAR)
    drain(welfare)
    assert len(postings(welfare, made["id"])) == 1
    assert items(welfare, made["id"])["h1"].state.value == "paid"


# --- care stopped ---------------------------------------------------------------------------------

def test_leave_out_marks_the_unpaid_items_of_unfinished_batches_once(welfare, registry):
    for n in range(3):
        person(registry, f"h{n}")
    fund = funded(welfare, amount=1_000_000, budget=1_000_000)
    made = campaign(welfare, fund["id"])
    batch = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    with welfare.engine.unit_of_work() as uow:
        assert condolence.leave_out(uow, "h1", "荣誉称号被撤销") == 1
    with welfare.engine.unit_of_work() as uow:
        assert condolence.leave_out(uow, "h1", "荣誉称号被撤销") == 0
        assert condolence.leave_out(uow, "nobody", "x") == 0
    drain(welfare)
    progress = welfare.get_condolence_batch(HAIDIAN, batch["id"])
    assert (progress["state"], progress["paid"], progress["left_out"], progress["pending"]) == ("finished", 2, 1, 0)
    item = items(welfare, made["id"])["h1"]
    assert (item.state.value, item.reason, item.posting_id) == ("left_out", "荣誉称号被撤销", None)
    with welfare.engine.unit_of_work() as uow:  # a paid item stays paid
        assert condolence.leave_out(uow, "h0", "x") == 0
    assert sorted(p.honouree_id for p in postings(welfare, made["id"])) == ["h0", "h2"]


def test_a_person_whose_care_stopped_is_taken_by_no_run_until_the_stop_is_lifted(welfare, registry, clock):
    for n in range(3):
        person(registry, f"h{n}")
    fund = funded(welfare, amount=1_000_000, budget=1_000_000)
    made = campaign(welfare, fund["id"])
    with welfare.engine.unit_of_work() as uow:
        uow.session.add(CareStop(honouree_id="h1", managing_unit_id="hd-bank", honour_id="x", reason="撤销",
                                 ended="{}", stopped_at=clock.now()))
    preview = welfare.preview_condolence_campaign(HAIDIAN, made["id"])
    assert (preview["eligible"], preview["stopped"], preview["to_pay"]) == (3, 1, 2)
    first = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    assert first["total"] == 2
    drain(welfare)
    assert "h1" not in {p.honouree_id for p in postings(welfare, made["id"])}
    with welfare.engine.unit_of_work() as uow:  # an honour conferred again lifts the stop
        uow.session.get(CareStop, "h1").lifted_at = clock.now()
    second = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    assert (second["total"], second["already_paid"]) == (1, 2)
    drain(welfare)
    assert sorted(p.honouree_id for p in postings(welfare, made["id"])) == ["h0", "h1", "h2"]


def test_a_refusal_the_funds_figures_did_not_foresee_sends_the_chunk_the_careful_way(welfare, registry,
                                                                                    monkeypatch):
    for n in range(4):
        person(registry, f"h{n}")
    fund = funded(welfare, amount=250_000, budget=1_000_000)  # enough for two of four
    made = campaign(welfare, fund["id"])
    batch = welfare.run_condolence_campaign(HAIDIAN, made["id"])
    monkeypatch.setattr(condolence, "_will_accept", lambda *args: True)  # figures that say yes to all
    drain(welfare, chunk=4)
    progress = welfare.get_condolence_batch(HAIDIAN, batch["id"])
    assert (progress["paid"], progress["failed"], progress["pending"]) == (2, 2, 0)
    assert len(postings(welfare, made["id"])) == 2 and len(welfare.events("condolence_paid")) == 2
    assert {i.attempts for i in items(welfare, made["id"]).values()} == {1}  # the rolled-back try left nothing
