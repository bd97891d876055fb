"""Money for the welfare tests (not a test module): funds with money and budgets, through the RPCs."""
import itertools

from .conftest import HAIDIAN

YEAR = 2026  # the clock's year (conftest.NOW)
_keys = itertools.count(1)


def key():
    """A fresh idempotency key."""
    return f"k-{next(_keys)}"


def fund(welfare, actor=HAIDIAN, code="hd-test", purposes=("condolence", "hardship_aid"), **extra):
    return welfare.create_fund(actor, dict({"code": code, "name": "海淀测试基金", "kind": "district_aid",
                                            "purposes": list(purposes)}, **extra))


def funded(welfare, actor=HAIDIAN, amount=100_000, budget=50_000, budgets=("condolence",), **extra):
    """A new fund of ``actor``'s unit holding ``amount`` fen, with a budget of ``budget`` this year for
    each purpose in ``budgets`` (which the fund allows)."""
    extra.setdefault("purposes", tuple(dict.fromkeys(("condolence", "hardship_aid") + tuple(budgets))))
    made = fund(welfare, actor, **extra)
    welfare.post(actor, {"idempotency_key": key(), "kind": "appropriation", "fund_id": made["id"], "amount": amount})
    for purpose in budgets:
        welfare.set_budget(actor, made["id"], {"year": YEAR, "purpose": purpose, "amount": budget})
    return made


def pay(welfare, fund_id, amount, actor=HAIDIAN, purpose="condolence", **extra):
    return welfare.post(actor, dict({"idempotency_key": key(), "kind": "disbursement", "fund_id": fund_id,
                                     "amount": amount, "purpose": purpose}, **extra))


def figures(welfare, fund_id, actor=HAIDIAN):
    """(balances, {purpose: budget}) of the fund now."""
    made = welfare.get_fund(actor, fund_id)
    return made["balances"], {b["purpose"]: b for b in made["budgets"]}


# --- a condolence campaign for everyone, straight through the domain (the crash test, the bench) ---------

CONDOLENCE_AMOUNTS = {"national": 200_000, "municipal": 100_000, "district": 50_000}


def condolence_campaign_for_everyone(engine, actor, scope, code):
    """A fund of ``actor``'s unit holding enough money, with a condolence budget to match, and a campaign
    paid from it (this year by the engine's clock); returns the campaign's id."""
    from services.welfare import condolence, funds, ledger

    year = engine.clock.today().year
    with engine.unit_of_work() as uow:
        fund = funds.create(uow, actor, {"code": code, "name": "海淀慰问基金", "kind": "district_aid",
                                         "purposes": ["condolence"]}, scope)
    with engine.unit_of_work() as uow:
        ledger.post(uow, actor, {"idempotency_key": f"{code}-money", "kind": "appropriation", "fund_id": fund.id,
                                 "amount": 10**11}, scope)
        funds.set_budget(uow, actor, fund.id, {"year": year, "purpose": "condolence", "amount": 10**11}, scope)
    with engine.unit_of_work() as uow:
        campaign = condolence.create(uow, actor, {"title": "春节慰问", "year": year, "amounts": CONDOLENCE_AMOUNTS,
                                                  "fund_id": fund.id, "district_funds": {}}, scope)
    return campaign.id
