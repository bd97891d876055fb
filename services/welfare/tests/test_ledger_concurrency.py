"""Concurrent payments against one fund, from processes of their own, on SQLite and PostgreSQL: the
fund is never overdrawn, exactly as many succeed as the money allows, and twins of one request
(the same idempotency key, sent at once) make one posting."""
import json
import sys

from services.chassis.testing import run_together
from services.welfare import invariants
from services.welfare.models.ledger import Posting

from .conftest import HAIDIAN, NOW
from .money import figures, funded

PROCESSES = 6
EACH = 5
AMOUNT = 1_000


def race(welfare, requests_of):
    """PROCESSES payers, each sending ``requests_of(i)``, started at one signal; their answers."""
    uri = welfare.engine.engine.url.render_as_string(hide_password=False)
    answers, _ = run_together([[sys.executable, "-m", "services.welfare.tests.payer", uri,
                                json.dumps(requests_of(i)), NOW.isoformat()] for i in range(PROCESSES)])
    return answers


def test_concurrent_payments_never_overdraw_the_fund(welfare):
    made = funded(welfare, HAIDIAN, amount=10 * AMOUNT, budget=10**6)
    answers = race(welfare, lambda i: [
        {"idempotency_key": f"race-{i}-{n}", "kind": "disbursement", "fund_id": made["id"], "amount": AMOUNT,
         "purpose": "condolence", "honouree_id": f"h{i}-{n}"} for n in range(EACH)])
    posted = [a for a in answers if "posted" in a]
    refused = [a for a in answers if "refused" in a]
    assert len(answers) == PROCESSES * EACH
    assert len(posted) == 10 and len(refused) == PROCESSES * EACH - 10
    assert {a["message"] for a in refused} == {"the fund does not hold enough money for this"}
    balances, budgets = figures(welfare, made["id"])
    assert balances == {"posted": 0, "pending": 0, "available": 0}
    assert budgets["condolence"]["used"] == 10 * AMOUNT
    with welfare.engine.reading() as connection:
        assert invariants.violations(connection) == []


def test_twins_of_one_request_make_one_posting(welfare):
    made = funded(welfare, HAIDIAN, amount=10 * AMOUNT, budget=10**6)
    twin = {"idempotency_key": "twin", "kind": "disbursement", "fund_id": made["id"], "amount": AMOUNT,
            "purpose": "condolence"}
    answers = race(welfare, lambda i: [twin])
    assert len({a["posted"] for a in answers}) == 1 and len(answers) == PROCESSES
    assert len([p for p in welfare.rows(Posting) if p.idempotency_key == "twin"]) == 1
    assert figures(welfare, made["id"])[0]["posted"] == 9 * AMOUNT
