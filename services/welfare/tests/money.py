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
