"""The welfare ledger's gauges: each fund's money and this year's budget, in yuan, by fund code."""
from services.welfare import gauges

from .conftest import HAIDIAN
from .money import YEAR, funded, key, pay


def read(welfare):
    with welfare.engine.reading_session() as session:
        samples = gauges.figures(session, welfare.engine.clock.today())
    return {(name, labels["fund"]): (value, labels["kind"]) for name, _, labels, value in samples}


def test_each_fund_shows_balance_commitments_available_and_budget(welfare):
    made = funded(welfare, amount=100_000, budget=50_000)        # 1,000 yuan in, a budget of 500
    pay(welfare, made["id"], 12_000)                               # 120 paid
    welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "commitment", "fund_id": made["id"],
                           "amount": 30_000, "purpose": "condolence"})  # 300 promised
    found = read(welfare)
    assert found[("laomo_fund_balance_yuan", "hd-test")] == (880.0, "district_aid")
    assert found[("laomo_fund_committed_yuan", "hd-test")] == (300.0, "district_aid")
    assert found[("laomo_fund_available_yuan", "hd-test")] == (580.0, "district_aid")
    assert found[("laomo_fund_budget_yuan", "hd-test")] == (500.0, "district_aid")
    assert found[("laomo_fund_budget_used_yuan", "hd-test")] == (420.0, "district_aid")
    # the plan's funds are there from the start, empty
    assert found[("laomo_fund_available_yuan", "bj-special")] == (0.0, "city_special")
    assert YEAR == welfare.engine.clock.today().year


def test_past_the_cap_the_remaining_funds_are_summed_as_other(welfare, monkeypatch):
    monkeypatch.setattr(gauges, "MAX_FUND_SERIES", 1)
    funded(welfare, amount=100_000, budget=0, budgets=())
    found = read(welfare)
    codes = {fund for _, fund in found}
    assert codes == {"bj-changping-aid", "other"}                # the first by code, then the rest together
    assert found[("laomo_fund_balance_yuan", "other")] == (1000.0, "other")  # hd-test's money among them
