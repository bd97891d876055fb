"""The ledger: funds, budgets, postings and their refusals, idempotency, statements, the auditors' CSV.

Each test ends with the invariants checked (conftest's ``welfare`` fixture)."""
import csv
import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from services.chassis.errors import Conflict, Invalid, NotFound
from services.welfare import invariants
from services.welfare.models.ledger import Posting, RefusedRequest

from .conftest import CHAOYANG, CITY, HAIDIAN
from .money import YEAR, figures, fund, funded, key, pay

# --- funds and budgets ---------------------------------------------------------------------------

def test_a_new_fund_is_empty_and_belongs_to_the_unit(welfare):
    made = fund(welfare)
    assert made["owner_unit_id"] == "bj-haidian" and made["purposes"] == ["condolence", "hardship_aid"]
    assert made["balances"] == {"posted": 0, "pending": 0, "available": 0}
    assert made["budgets"] == [] and made["year"] == YEAR


def test_the_plans_funds_are_there_from_the_start(welfare):
    codes = {f["code"] for f in welfare.list_funds(CITY, {"page_size": 100})["items"]}
    assert {"bj-special", "bj-mutual-aid", "bj-haidian-aid", "bj-chaoyang-aid"} <= codes
    assert [f["code"] for f in welfare.list_funds(HAIDIAN)["items"]] == ["bj-haidian-aid"]


def test_a_fund_outside_the_scope_is_absent(welfare):
    made = fund(welfare, CHAOYANG, code="cy-test")
    with pytest.raises(NotFound):
        welfare.get_fund(HAIDIAN, made["id"])
    with pytest.raises(NotFound):
        welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "appropriation", "fund_id": made["id"],
                               "amount": 100})
    with pytest.raises(NotFound):
        fund(welfare, HAIDIAN, code="hd-other", owner_unit_id="bj-chaoyang")
    assert welfare.get_fund(CITY, made["id"])["code"] == "cy-test"  # the city sees every fund


@pytest.mark.parametrize("data, field", [
    ({"code": "x"}, "code"), ({"code": "Bad Code"}, "code"), ({"kind": "bank"}, "kind"),
    ({"purposes": []}, "purposes"), ({"purposes": ["bribes"]}, "purposes"),
    ({"purposes": ["condolence", "condolence"]}, "purposes"), ({"name": "  "}, "name"),
])
def test_a_bad_fund_is_refused_and_nothing_made(welfare, data, field):
    before = welfare.list_funds(CITY)["total"]
    with pytest.raises(Invalid) as refused:
        fund(welfare, **data) if "code" in data else welfare.create_fund(HAIDIAN, dict(
            {"code": "hd-bad", "name": "基金", "kind": "district_aid", "purposes": ["condolence"]}, **data))
    assert field in refused.value.details
    assert welfare.list_funds(CITY)["total"] == before


def test_codes_are_unique_and_retries_return_the_first_fund(welfare):
    first = fund(welfare, request_id="r-1")
    assert fund(welfare, request_id="r-1")["id"] == first["id"]
    with pytest.raises(Conflict):
        fund(welfare)


def test_purposes_only_grow(welfare):
    made = fund(welfare)
    changed = welfare.change_fund(HAIDIAN, made["id"], {"add_purposes": ["sick_visit"], "version": 1})
    assert changed["purposes"] == ["condolence", "hardship_aid", "sick_visit"] and changed["version"] == 2
    with pytest.raises(Conflict):  # a stale version
        welfare.change_fund(HAIDIAN, made["id"], {"name": "新名字", "version": 1})
    with pytest.raises(Invalid):
        welfare.change_fund(HAIDIAN, made["id"], {"purposes": ["sick_visit"]})
    trail = welfare.fund_audit(HAIDIAN, made["id"])
    assert [e["action"] for e in trail] == ["created", "changed"]


def test_a_budget_needs_an_allowed_purpose_and_cannot_drop_below_its_use(welfare):
    made = funded(welfare)
    with pytest.raises(Conflict):
        welfare.set_budget(HAIDIAN, made["id"], {"year": YEAR, "purpose": "recuperation", "amount": 10})
    pay(welfare, made["id"], 30_000)
    with pytest.raises(Conflict) as refused:
        welfare.set_budget(HAIDIAN, made["id"], {"year": YEAR, "purpose": "condolence", "amount": 29_999})
    assert refused.value.details == {"used": 30_000, "amount": 29_999}
    raised = welfare.set_budget(HAIDIAN, made["id"], {"year": YEAR, "purpose": "condolence", "amount": 60_000})
    assert raised == {"fund_id": made["id"], "year": YEAR, "purpose": "condolence", "amount": 60_000,
                      "used": 30_000, "remaining": 30_000}


# --- postings ------------------------------------------------------------------------------------

def test_money_in_and_out_moves_the_balance_and_the_budget(welfare):
    made = funded(welfare)
    paid = pay(welfare, made["id"], 20_000, honouree_id="h1", reference="care:1", memo="春节慰问")
    assert paid["kind"] == "disbursement" and paid["posted_change"] == -20_000 and paid["honouree_id"] == "h1"
    assert paid["debit_account_id"] == f"{made['id']}:balance"
    assert paid["credit_account_id"] == f"{made['id']}:payees"
    balances, budgets = figures(welfare, made["id"])
    assert balances == {"posted": 80_000, "pending": 0, "available": 80_000}
    assert budgets["condolence"]["used"] == 20_000 and budgets["condolence"]["remaining"] == 30_000


def test_a_commitment_holds_money_until_it_is_paid_or_void(welfare):
    made = funded(welfare)
    held = welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "commitment", "fund_id": made["id"],
                                  "amount": 40_000, "purpose": "condolence"})
    assert held["commitment_status"] == "open"
    assert figures(welfare, made["id"])[0] == {"posted": 100_000, "pending": 40_000, "available": 60_000}
    paid = welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "disbursement", "fund_id": made["id"],
                                  "amount": 30_000, "commitment_id": held["id"]})
    assert paid["purpose"] == "condolence" and paid["commitment_id"] == held["id"]
    balances, budgets = figures(welfare, made["id"])
    assert balances == {"posted": 70_000, "pending": 0, "available": 70_000}
    assert budgets["condolence"]["used"] == 30_000  # the 10,000 not paid went back to the budget
    assert welfare.get_posting(HAIDIAN, held["id"])["commitment_status"] == "paid"
    with pytest.raises(Conflict):  # paid once
        welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "void", "fund_id": made["id"],
                               "commitment_id": held["id"]})
    other = welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "commitment", "fund_id": made["id"],
                                   "amount": 5_000, "purpose": "condolence"})
    welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "void", "fund_id": made["id"],
                           "commitment_id": other["id"]})
    assert figures(welfare, made["id"])[1]["condolence"]["used"] == 30_000
    assert welfare.list_postings(HAIDIAN, {"open_commitments": True})["total"] == 0


def test_a_payment_larger_than_its_commitment_is_refused(welfare):
    made = funded(welfare)
    held = welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "commitment", "fund_id": made["id"],
                                  "amount": 1_000, "purpose": "condolence"})
    with pytest.raises(Conflict):
        welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "disbursement", "fund_id": made["id"],
                               "amount": 1_001, "commitment_id": held["id"]})


def test_no_overdraft_pending_commitments_included(welfare):
    made = funded(welfare, amount=10_000, budget=50_000)
    welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "commitment", "fund_id": made["id"],
                           "amount": 6_000, "purpose": "condolence"})
    with pytest.raises(Conflict) as refused:
        pay(welfare, made["id"], 4_001)
    assert refused.value.details == {"fund_id": made["id"], "available": 4_000, "amount": 4_001}
    pay(welfare, made["id"], 4_000)
    assert figures(welfare, made["id"])[0]["available"] == 0


def test_a_purpose_the_fund_does_not_allow_is_refused(welfare):
    made = funded(welfare)
    with pytest.raises(Conflict) as refused:
        pay(welfare, made["id"], 100, purpose="recuperation")
    assert refused.value.details["allowed"] == ["condolence", "hardship_aid"]


def test_spending_needs_a_budget_and_stays_within_it(welfare):
    made = funded(welfare, budget=1_000)
    with pytest.raises(Conflict):  # no hardship budget this year
        pay(welfare, made["id"], 100, purpose="hardship_aid")
    pay(welfare, made["id"], 1_000)
    with pytest.raises(Conflict) as refused:
        pay(welfare, made["id"], 1)
    assert refused.value.details["budget"] == 1_000 and refused.value.details["used"] == 1_000


def test_a_reversal_undoes_a_payment_whole_and_once(welfare):
    made = funded(welfare)
    paid = pay(welfare, made["id"], 7_000)
    undone = welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "reversal", "fund_id": made["id"],
                                    "reverses_id": paid["id"], "memo": "重复支付，冲正"})
    assert undone["posted_change"] == 7_000 and undone["purpose"] == "condolence"
    balances, budgets = figures(welfare, made["id"])
    assert balances["posted"] == 100_000 and budgets["condolence"]["used"] == 0
    with pytest.raises(Conflict):
        welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "reversal", "fund_id": made["id"],
                               "reverses_id": paid["id"]})
    with pytest.raises(Conflict):  # a reversal is not reversed: post again instead
        welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "reversal", "fund_id": made["id"],
                               "reverses_id": undone["id"]})


def test_money_that_came_in_is_reversed_only_while_the_fund_holds_it(welfare):
    made = funded(welfare, amount=10_000)
    appropriation = welfare.list_postings(HAIDIAN, {"fund_id": made["id"], "kind": "appropriation"})["items"][0]
    pay(welfare, made["id"], 1)
    with pytest.raises(Conflict):
        welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "reversal", "fund_id": made["id"],
                               "reverses_id": appropriation["id"]})


@pytest.mark.parametrize("request_, field", [
    ({"kind": "appropriation"}, "amount"),
    ({"kind": "appropriation", "amount": 0}, "amount"),
    ({"kind": "appropriation", "amount": -5}, "amount"),
    ({"kind": "appropriation", "amount": 1.5}, "amount"),
    ({"kind": "appropriation", "amount": "100"}, "amount"),
    ({"kind": "appropriation", "amount": 10**13}, "amount"),
    ({"kind": "appropriation", "amount": 5, "purpose": "condolence"}, "purpose"),
    ({"kind": "commitment", "amount": 5}, "purpose"),
    ({"kind": "disbursement", "amount": 5}, "purpose"),
    ({"kind": "void"}, "commitment_id"),
    ({"kind": "reversal"}, "reverses_id"),
    ({"kind": "theft", "amount": 5}, "kind"),
    ({"kind": "appropriation", "amount": 5, "idempotency_key": "has space"}, "idempotency_key"),
    ({"kind": "appropriation", "amount": 5, "idempotency_key": ""}, "idempotency_key"),
    ({"kind": "appropriation", "amount": 5, "extra": 1}, "extra"),
])
def test_a_bad_posting_is_refused_and_changes_nothing(welfare, request_, field):
    made = funded(welfare)
    before = welfare.list_postings(HAIDIAN)["total"]
    with pytest.raises(Invalid) as refused:
        welfare.post(HAIDIAN, dict({"idempotency_key": key(), "fund_id": made["id"]}, **request_))
    assert field in refused.value.details
    assert welfare.list_postings(HAIDIAN)["total"] == before
    assert figures(welfare, made["id"])[0]["posted"] == 100_000


# --- idempotency ---------------------------------------------------------------------------------

def test_a_retry_returns_the_first_posting_and_moves_no_money(welfare):
    made = funded(welfare)
    request = {"idempotency_key": "pay-once", "kind": "disbursement", "fund_id": made["id"], "amount": 500,
               "purpose": "condolence"}
    first = welfare.post(HAIDIAN, request)
    assert welfare.post(HAIDIAN, request) == first
    assert figures(welfare, made["id"])[0]["posted"] == 99_500
    with pytest.raises(Conflict) as refused:  # the same key, another request
        welfare.post(HAIDIAN, dict(request, amount=501))
    assert refused.value.details["posting_id"] == first["id"]
    with pytest.raises(Conflict):  # the same request by another unit is another request
        welfare.post(CITY, request)


def test_a_refused_request_stays_refused_under_its_key(welfare):
    made = funded(welfare, amount=1_000)
    request = {"idempotency_key": "too-much", "kind": "disbursement", "fund_id": made["id"], "amount": 2_000,
               "purpose": "condolence"}
    with pytest.raises(Conflict) as first:
        welfare.post(HAIDIAN, request)
    welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "appropriation", "fund_id": made["id"],
                           "amount": 5_000})
    with pytest.raises(Conflict) as again:  # enough money now, but this request was answered
        welfare.post(HAIDIAN, request)
    assert again.value.message == first.value.message
    assert again.value.details == dict(first.value.details, idempotency_key="too-much", replayed=True)
    with pytest.raises(Conflict) as other:
        welfare.post(HAIDIAN, dict(request, amount=10))
    assert "different request" in other.value.message
    assert len(welfare.rows(RefusedRequest)) == 1
    assert [p for p in welfare.rows(Posting) if p.idempotency_key == "too-much"] == []


# --- the books themselves ------------------------------------------------------------------------

def test_postings_cannot_be_changed_or_deleted(welfare):
    made = funded(welfare)
    with welfare.engine.engine.begin() as connection:
        for statement in ("UPDATE postings SET amount = 1", "DELETE FROM postings"):
            with pytest.raises(Exception, match="append-only"):
                with connection.begin_nested():
                    connection.execute(text(statement))
    assert figures(welfare, made["id"])[0]["posted"] == 100_000


def test_the_invariants_catch_a_posting_slipped_in_or_a_total_changed(welfare):
    made = funded(welfare)
    pay(welfare, made["id"], 1_000)
    with welfare.engine.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_accounts SET debits_posted = debits_posted + 5 "
                                "WHERE id = :id"), {"id": f"{made['id']}:balance"})
    with welfare.engine.reading() as connection:
        found = invariants.violations(connection)
    assert any("debits_posted" in f for f in found) and any("differ" in f for f in found)
    with welfare.engine.engine.begin() as connection:  # put it back, for the fixture's own check
        connection.execute(text("UPDATE ledger_accounts SET debits_posted = debits_posted - 5 "
                                "WHERE id = :id"), {"id": f"{made['id']}:balance"})


def test_the_audit_command_reports_the_books(welfare, capsys):
    made = funded(welfare)
    pay(welfare, made["id"], 1_000)
    uri = str(welfare.engine.engine.url.render_as_string(hide_password=False))
    assert invariants.main(["--db-uri", uri]) == 0
    assert "ok: 2 postings" in capsys.readouterr().out


# --- statements and the auditors' CSV ---------------------------------------------------------------

def test_a_statement_runs_from_the_opening_to_the_closing_balance(welfare, clock):
    made = funded(welfare, amount=100_000)  # 20 January
    clock.advance(days=10)
    pay(welfare, made["id"], 1_000)
    pay(welfare, made["id"], 2_000)
    held = welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "commitment", "fund_id": made["id"],
                                  "amount": 3_000, "purpose": "condolence"})
    clock.advance(days=30)
    pay(welfare, made["id"], 4_000)
    period = {"from": "2026-01-25", "to": "2026-02-28"}
    whole = welfare.fund_statement(HAIDIAN, made["id"], period)
    assert (whole["opening_balance"], whole["debits"], whole["credits"], whole["closing_balance"]) == \
        (100_000, 3_000, 0, 97_000)
    assert [(line["kind"], line["posted_change"], line["pending_change"], line["balance"]) for line in
            whole["items"]] == [("disbursement", -1_000, 0, 99_000), ("disbursement", -2_000, 0, 97_000),
                                ("commitment", 0, 3_000, 97_000)]
    second_page = welfare.fund_statement(HAIDIAN, made["id"], dict(period, page=2, page_size=2))
    assert [line["balance"] for line in second_page["items"]] == [97_000] and second_page["total"] == 3
    assert second_page["items"][0]["posting_id"] == held["id"]
    with pytest.raises(Invalid):
        welfare.fund_statement(HAIDIAN, made["id"], {"from": "2026-03-01", "to": "2026-02-01"})


def test_the_auditors_csv_keeps_chinese_and_never_runs_a_formula(welfare):
    made = funded(welfare)
    pay(welfare, made["id"], 1_234, memo="=HYPERLINK(\"http://x\")春节")
    text_ = welfare.export_postings(HAIDIAN, {"from": "2026-01-01", "to": "2026-12-31"})
    assert text_.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text_.lstrip("\ufeff"))))
    assert [r["kind"] for r in rows] == ["appropriation", "disbursement"]
    assert rows[1]["amount_yuan"] == "12.34" and rows[1]["fund_code"] == "hd-test"
    assert rows[1]["memo"] == "'=HYPERLINK(\"http://x\")春节" and rows[1]["posted_change"] == "-1234"
    assert welfare.export_postings(CHAOYANG, {"from": "2026-01-01", "to": "2026-12-31"}).count("\r\n") == 1
    with pytest.raises(NotFound):
        welfare.export_postings(CHAOYANG, {"from": "2026-01-01", "to": "2026-12-31", "fund_id": made["id"]})


def test_no_personal_data_in_a_posting_event_or_log(welfare):
    made = funded(welfare)
    pay(welfare, made["id"], 100)
    assert json.dumps(welfare.list_postings(HAIDIAN), ensure_ascii=False).count("id_number") == 0


def test_dates_of_statements_are_beijing_days(welfare, clock):
    made = funded(welfare)  # 2026-01-20 10:00 Beijing
    clock.set(clock.now().replace(hour=16, minute=30))  # 00:30 on the 21st in Beijing
    pay(welfare, made["id"], 10)
    day = date(2026, 1, 21)
    lines = welfare.fund_statement(HAIDIAN, made["id"], {"from": day.isoformat(), "to": day.isoformat()})["items"]
    assert [line["amount"] for line in lines] == [10]
    before = (day - timedelta(days=1)).isoformat()
    assert welfare.fund_statement(HAIDIAN, made["id"], {"from": before, "to": before})["closing_balance"] == 100_000
