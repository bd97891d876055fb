"""The ledger's invariants, recomputed from the postings alone, and the command that checks them.

    python -m services.welfare.invariants [--db-uri URI]     (``make audit``)

prints what it checked and exits 0, or prints every broken invariant and exits 1. The welfare
tests check them after every test that touches money. What must hold:

1. every posting moves a positive amount between two different accounts of its own fund;
2. each account's running totals equal the sums of its postings, and over all accounts debits
   equal credits, posted and pending alike;
3. no fund's available balance (posted, less pending commitments) is below zero;
4. every spending posting names a purpose its fund allows (专款专用);
5. each budget's use equals its postings' and lies within the budget;
6. a commitment is resolved at most once, by a payment no larger than it or a void, in its own fund;
7. each fund's hash chain recomputes link by link: no posting was changed or removed.
"""
import argparse
import sys
from collections import defaultdict

from sqlalchemy import inspect, select

from .ledger import BALANCE, chain_link
from .models.ledger import Budget, Fund, LedgerAccount, Posting
from .vocabulary import PostingKind

TOTALS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")


def violations(connection):
    """Every broken invariant, as a sentence; [] when the books are sound."""
    found = []
    funds = {row.id: row for row in connection.execute(select(Fund.__table__))}
    accounts = {row.id: row for row in connection.execute(select(LedgerAccount.__table__))}
    budgets = {(row.fund_id, row.year, _value(row.purpose)): row
               for row in connection.execute(select(Budget.__table__))}
    totals = defaultdict(lambda: dict.fromkeys(TOTALS, 0))
    used = defaultdict(int)
    commitments, resolutions = {}, defaultdict(list)
    chains = defaultdict(str)
    postings = connection.execute(select(Posting.__table__).order_by(Posting.__table__.c.seq))
    count = 0
    for p in postings:
        count += 1
        kind = PostingKind(_value(p.kind))
        found += _shape(p, accounts)
        moved = abs(p.posted_change)
        totals[p.debit_account_id]["debits_posted"] += moved
        totals[p.credit_account_id]["credits_posted"] += moved
        totals[p.debit_account_id]["debits_pending"] += p.pending_change
        totals[p.credit_account_id]["credits_pending"] += p.pending_change
        purpose = _value(p.purpose)
        if purpose is not None:
            fund = funds.get(p.fund_id)
            if fund is not None and purpose not in fund.purposes.split(","):
                found.append(f"posting {p.id} pays for {purpose}, which fund {p.fund_id} does not allow")
            used[(p.fund_id, p.budget_year, purpose)] += p.pending_change - p.posted_change
        if kind is PostingKind.COMMITMENT:
            commitments[p.id] = p
        if p.pending_id is not None:
            resolutions[p.pending_id].append(p)
        chains[p.fund_id] = link = chain_link(chains[p.fund_id], p)
        if link != p.chain:
            found.append(f"posting {p.id} (seq {p.seq}) does not fit its fund's chain: changed, or one before it "
                         "was changed or removed")
    found += _accounts(accounts, totals)
    found += _budgets(budgets, used)
    found += _commitments(commitments, resolutions)
    for fund_id in funds:
        account = accounts.get(f"{fund_id}:{BALANCE}")
        if account is not None and account.chain != chains[fund_id]:
            found.append(f"fund {fund_id}'s last link is not its last posting's: a posting was removed or added")
    return found if found else []


def _shape(p, accounts):
    found = []
    if p.amount <= 0:
        found.append(f"posting {p.id} moves {p.amount} fen")
    if p.debit_account_id == p.credit_account_id:
        found.append(f"posting {p.id} debits and credits one account")
    for side in (p.debit_account_id, p.credit_account_id):
        if side not in accounts or accounts[side].fund_id != p.fund_id:
            found.append(f"posting {p.id} touches account {side}, which is not of fund {p.fund_id}")
    return found


def _accounts(accounts, totals):
    found = []
    for account_id, account in accounts.items():
        recomputed = totals.get(account_id, dict.fromkeys(TOTALS, 0))
        for name in TOTALS:
            if getattr(account, name) != recomputed[name]:
                found.append(f"account {account_id}: {name} is {getattr(account, name)}, its postings make "
                             f"{recomputed[name]}")
        if account.role == BALANCE:
            available = account.credits_posted - account.debits_posted - account.debits_pending
            if available < 0 or account.debits_pending < 0:
                found.append(f"fund {account.fund_id} is overdrawn: {available} fen available")
    for pending, posted in (("debits_pending", "credits_pending"), ("debits_posted", "credits_posted")):
        debits = sum(getattr(a, pending) for a in accounts.values())
        credits = sum(getattr(a, posted) for a in accounts.values())
        if debits != credits:
            found.append(f"{pending} ({debits}) differ from {posted} ({credits})")
    return found


def _budgets(budgets, used):
    found = []
    for key in set(budgets) | set(used):
        budget = budgets.get(key)
        if budget is None:
            found.append(f"fund {key[0]} spent on {key[2]} in {key[1]} without a budget")
            continue
        if budget.used != used.get(key, 0):
            found.append(f"budget {key}: used is {budget.used}, its postings make {used.get(key, 0)}")
        if not 0 <= budget.used <= budget.amount:
            found.append(f"budget {key}: {budget.used} used of {budget.amount}")
    return found


def _commitments(commitments, resolutions):
    found = []
    for commitment_id, resolved in resolutions.items():
        commitment = commitments.get(commitment_id)
        if commitment is None:
            found.append(f"postings {[p.id for p in resolved]} resolve {commitment_id}, which is no commitment")
            continue
        if len(resolved) > 1:
            found.append(f"commitment {commitment_id} is resolved {len(resolved)} times")
        for p in resolved:
            if p.fund_id != commitment.fund_id or p.amount > commitment.amount or \
                    p.pending_change != -commitment.amount:
                found.append(f"posting {p.id} does not resolve commitment {commitment_id} as it stands")
    return found


def _value(member):
    return getattr(member, "value", member)


def main(argv=None):
    from services.chassis.config import db_uri, load_config, service_config_path
    from services.chassis.database import make_engine

    parser = argparse.ArgumentParser(prog="python -m services.welfare.invariants",
                                     description="Check the welfare ledger's invariants (make audit).")
    parser.add_argument("--db-uri", help="the welfare database (default: the service's config, WELFARE_DB_URI)")
    args = parser.parse_args(argv)
    uri = args.db_uri or db_uri(load_config(service_config_path("welfare")), "welfare")
    engine = make_engine(uri)
    try:
        with engine.connect() as connection:
            if "postings" not in inspect(connection).get_table_names():
                print(f"no ledger in {engine.url.render_as_string(hide_password=True)}: "
                      "run `make migrate` (or start the suite) first")
                return 2
            found = violations(connection)
            postings = connection.execute(select(Posting.__table__.c.seq)).all()
            funds = connection.execute(select(Fund.__table__.c.id)).all()
    finally:
        engine.dispose()
    for sentence in found:
        print(f"BROKEN: {sentence}")
    if found:
        print(f"{len(found)} broken invariant(s) in {len(postings)} postings of {len(funds)} funds")
        return 1
    print(f"ok: {len(postings)} postings of {len(funds)} funds keep every invariant")
    return 0


if __name__ == "__main__":
    sys.exit(main())
