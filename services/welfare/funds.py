"""Funds (专项资金) and their yearly budgets: made, changed and read within the actor's scope.

A fund belongs to a unit and is seen and used by that unit and the units above it. What it may
pay for is fixed when it is made and may only grow: postings already made for a purpose keep it.
"""
from sqlalchemy import func, select

from services.chassis.audit import record_change
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, NotFound

from . import ledger
from .models.ledger import Budget, Fund, LedgerAccount, Posting
from .vocabulary import FundKind, PostingKind, Purpose


def create(uow, actor, data, scope):
    session = uow.session
    earlier = earlier_request(session, Fund, data.get("request_id"))
    if earlier is not None:
        return earlier
    owner = data.get("owner_unit_id") or actor.unit_id
    if owner not in scope:
        raise NotFound(f"no unit {owner!r}", {"owner_unit_id": owner})
    taken = session.scalar(select(Fund.id).where(Fund.code == data["code"]))
    if taken is not None:
        raise Conflict(f"a fund is already coded {data['code']!r}", {"code": data["code"], "fund_id": taken})
    fund = Fund(id=new_id(), request_id=data.get("request_id"), code=data["code"], name=data["name"],
                kind=FundKind(data["kind"]), owner_unit_id=owner, purposes=",".join(sorted(data["purposes"])),
                version=1, created_by=actor.account, created_at=uow.database.clock.now())
    session.add(fund)
    session.flush()
    ledger.new_fund_accounts(session, fund)
    record_change(uow, actor, "fund", fund.id, "created", None, snapshot(fund))
    return fund


def change(uow, actor, fund_id, changes, scope):
    session = uow.session
    fund = ledger.fund_in_scope(session, fund_id, scope)
    if changes.get("version") is not None and changes["version"] != fund.version:
        raise Conflict("the fund changed since it was read; reload it and try again", {"version": fund.version})
    before = snapshot(fund)
    if "name" in changes:
        fund.name = changes["name"]
    if "add_purposes" in changes:
        fund.purposes = ",".join(sorted(set(fund.purposes.split(",")) | set(changes["add_purposes"])))
    after = snapshot(fund)
    if before != after:
        fund.version += 1
        record_change(uow, actor, "fund", fund.id, "changed", before, after)
    return fund


def set_budget(uow, actor, fund_id, data, scope):
    """Set a purpose's budget for a year, under the fund's lock (spending reads it under the same)."""
    session = uow.session
    fund = ledger.fund_in_scope(session, fund_id, scope)
    purpose = Purpose(data["purpose"])
    if purpose not in ledger.purposes_of(fund):
        raise Conflict(f"the fund may not pay for {purpose.value} (专款专用): allow the purpose first",
                       {"purpose": purpose.value, "allowed": [p.value for p in ledger.purposes_of(fund)]})
    ledger.lock_funds(session, [fund.id])
    budget = session.get(Budget, (fund.id, data["year"], purpose))
    before = budget_view(budget) if budget is not None else None
    if budget is None:
        budget = Budget(fund_id=fund.id, year=data["year"], purpose=purpose, amount=data["amount"], used=0)
        session.add(budget)
    else:
        if data["amount"] < budget.used:
            raise Conflict("a budget cannot be set below what is already spent or committed",
                           {"used": budget.used, "amount": data["amount"]})
        budget.amount = data["amount"]
    session.flush()
    record_change(uow, actor, "fund", fund.id, "budget_set", before, budget_view(budget))
    return budget


def listing(session, scope, params):
    where = [Fund.owner_unit_id.in_(scope)]
    if params.get("kind"):
        where.append(Fund.kind == FundKind(params["kind"]))
    if params.get("owner_unit_id"):
        where.append(Fund.owner_unit_id == params["owner_unit_id"])
    total = session.scalar(select(func.count(Fund.id)).where(*where))
    page, size = params["page"], params["page_size"]
    funds = session.scalars(select(Fund).where(*where).order_by(Fund.code).offset((page - 1) * size)
                            .limit(size)).all()
    return funds, total


# --- views -------------------------------------------------------------------------------------

def snapshot(fund):
    return {"code": fund.code, "name": fund.name, "kind": fund.kind.value, "owner_unit_id": fund.owner_unit_id,
            "purposes": fund.purposes.split(",")}


def view(session, fund, year):
    """The fund with its figures now and its budgets of ``year``."""
    return views(session, [fund], year)[0]


def views(session, funds, year):
    """Funds with their figures and budgets of ``year``, read in two queries whatever their number."""
    ids = [f.id for f in funds]
    accounts = {a.fund_id: a for a in session.scalars(select(LedgerAccount).where(
        LedgerAccount.fund_id.in_(ids), LedgerAccount.role == ledger.BALANCE))} if ids else {}
    budgets = {}
    for budget in session.scalars(select(Budget).where(Budget.fund_id.in_(ids), Budget.year == year)
                                  .order_by(Budget.purpose)) if ids else ():
        budgets.setdefault(budget.fund_id, []).append(budget_view(budget))
    return [dict(snapshot(f), id=f.id, version=f.version, created_by=f.created_by,
                 created_at=f.created_at.isoformat(), balances=ledger.balances(accounts[f.id]), year=year,
                 budgets=budgets.get(f.id, [])) for f in funds]


def budget_view(budget):
    return {"fund_id": budget.fund_id, "year": budget.year, "purpose": budget.purpose.value,
            "amount": budget.amount, "used": budget.used, "remaining": budget.amount - budget.used}


def posting_view(session, posting, status=None):
    """A posting as the API shows it; a commitment with its state (open, paid, void: ``status`` when the
    caller knows it already)."""
    return {
        "id": posting.id, "seq": posting.seq, "idempotency_key": posting.idempotency_key,
        "kind": posting.kind.value, "fund_id": posting.fund_id, "amount": posting.amount,
        "debit_account_id": posting.debit_account_id, "credit_account_id": posting.credit_account_id,
        "posted_change": posting.posted_change, "pending_change": posting.pending_change,
        "purpose": posting.purpose.value if posting.purpose else None, "budget_year": posting.budget_year,
        "commitment_id": posting.pending_id, "reverses_id": posting.reverses_id,
        "commitment_status": (status or ledger.commitment_status(session, posting))
        if posting.kind is PostingKind.COMMITMENT else None,
        "honouree_id": posting.honouree_id, "reference": posting.reference, "memo": posting.memo,
        "account": posting.account, "unit_id": posting.unit_id, "at": posting.at.isoformat(),
    }


def postings(session, scope, params):
    """A page of the postings of the funds in scope, newest first."""
    where = [Posting.fund_id.in_(select(Fund.id).where(Fund.owner_unit_id.in_(scope)))]
    for name in ("fund_id", "honouree_id", "reference"):
        if params.get(name):
            where.append(getattr(Posting, name) == params[name])
    if params.get("kind"):
        where.append(Posting.kind == PostingKind(params["kind"]))
    if params.get("open_commitments") is not None:
        resolved = select(Posting.pending_id).where(Posting.pending_id.is_not(None))
        where.append(Posting.kind == PostingKind.COMMITMENT)
        where.append(Posting.id.not_in(resolved) if params["open_commitments"] else Posting.id.in_(resolved))
    total = session.scalar(select(func.count(Posting.seq)).where(*where))
    page, size = params["page"], params["page_size"]
    rows = session.scalars(select(Posting).where(*where).order_by(Posting.seq.desc())
                           .offset((page - 1) * size).limit(size)).all()
    # the page's commitments' states in one query, not one each
    statuses = ledger.commitment_statuses(session, [p.id for p in rows if p.kind is PostingKind.COMMITMENT])
    return [posting_view(session, p, statuses.get(p.id)) for p in rows], total


def posting_in_scope(session, posting_id, scope):
    posting = session.scalar(select(Posting).where(Posting.id == posting_id)) if isinstance(posting_id, str) else None
    if posting is None or session.get(Fund, posting.fund_id).owner_unit_id not in scope:
        raise NotFound(f"no posting {posting_id!r}", {"posting_id": posting_id})
    return posting
