"""The ledger (账本): money moves only by double-entry postings in integer fen.

The rules, each checked before a posting is written (and again, from the postings alone, by
``invariants.py``):

- every posting debits one account and credits another by the same amount (> 0);
- a fund's available balance (posted, less its pending commitments) never goes below zero;
- a fund pays only for its own purposes (专款专用), and a purpose's yearly budget is not exceeded;
- postings are never changed or deleted; a correction is a new posting (a void, a reversal);
- every posting carries the client's idempotency key: the same request again returns the first
  posting; the same key with other content is a conflict; a refused request stays refused.

Locks: a posting touches the accounts of one fund. Its balance row is locked (``FOR UPDATE`` on
PostgreSQL; on SQLite the write transaction already holds the database) before anything is read,
and a unit of work that touches several funds locks them in the order of their ids
(:func:`lock_funds`), so two transactions never wait on each other in a circle. The fund's budget
rows are only touched under its balance lock.
"""
import hashlib
import json
import logging
import random

import eventlet
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from services.chassis.database import new_id
from services.chassis.errors import ERRORS, Conflict, Invalid, LaomoError, NotFound

from .models.ledger import Budget, Fund, LedgerAccount, Posting, RefusedRequest
from .vocabulary import PostingKind, Purpose

BALANCE, APPROPRIATIONS, DONATIONS, PAYEES = "balance", "appropriations", "donations", "payees"
ROLES = (APPROPRIATIONS, BALANCE, DONATIONS, PAYEES)
# which of the fund's accounts a kind of posting debits and credits
FLOWS = {
    PostingKind.APPROPRIATION: (APPROPRIATIONS, BALANCE),
    PostingKind.DONATION: (DONATIONS, BALANCE),
    PostingKind.COMMITMENT: (BALANCE, PAYEES),
    PostingKind.DISBURSEMENT: (BALANCE, PAYEES),
    PostingKind.VOID: (BALANCE, PAYEES),
}
REQUEST_FIELDS = ("kind", "fund_id", "amount", "purpose", "commitment_id", "reverses_id", "honouree_id",
                  "reference", "memo")
_LOCKED = "laomo_locked_funds"
_ROWS = "laomo_ledger_rows"  # funds, accounts and budgets read in this unit of work, held (see _held)
_POSTED = "laomo_posted_keys"  # idempotency key -> posting, of the postings made in this unit of work


def _held(session):
    """Rows the ledger reads again and again within one unit of work (a batch posts thousands).

    The session's identity map holds clean objects only weakly, so without this each posting
    would load its fund, accounts and budget anew; the rows stay current because every change to
    them goes through this same session under the fund's lock."""
    return session.info.setdefault(_ROWS, {})


def account_id(fund_id, role):
    return f"{fund_id}:{role}"


def digest(request, unit_id):
    """What a request asks, as a hash: the same idempotency key must always ask the same."""
    asked = {name: request.get(name) for name in REQUEST_FIELDS}
    asked["unit_id"] = unit_id
    return hashlib.sha256(json.dumps(asked, sort_keys=True, ensure_ascii=False, default=str)
                          .encode("utf-8")).hexdigest()


# --- funds -------------------------------------------------------------------------------------

def new_fund_accounts(session, fund):
    for role in ROLES:
        session.add(LedgerAccount(id=account_id(fund.id, role), fund_id=fund.id, role=role, debits_pending=0,
                                  debits_posted=0, credits_pending=0, credits_posted=0, chain=""))


def fund_in_scope(session, fund_id, scope):
    """The fund, if its owner unit is in ``scope`` (None: any); else NotFound, as if absent."""
    held = _held(session)
    fund = held.get(("fund", fund_id)) if isinstance(fund_id, str) else None
    if fund is None and isinstance(fund_id, str):
        fund = session.get(Fund, fund_id)
        if fund is not None:
            held[("fund", fund_id)] = fund
    if fund is None or (scope is not None and fund.owner_unit_id not in scope):
        raise NotFound(f"no fund {fund_id!r}", {"fund_id": fund_id})
    return fund


def purposes_of(fund):
    return [Purpose(p) for p in fund.purposes.split(",") if p]


def lock_funds(session, fund_ids):
    """Lock the balance rows of ``fund_ids`` in id order (once per unit of work); returns them by fund id."""
    locked = session.info.setdefault(_LOCKED, {})
    for fund_id in sorted(set(fund_ids) - set(locked)):
        locked[fund_id] = _held(session)[("account", account_id(fund_id, BALANCE))] = session.get(
            LedgerAccount, account_id(fund_id, BALANCE), with_for_update=True, populate_existing=True)
    return locked


def balances(account):
    """The fund's figures from its balance account: posted, pending (committed), available."""
    posted = account.credits_posted - account.debits_posted
    return {"posted": posted, "pending": account.debits_pending, "available": posted - account.debits_pending}


# --- postings ----------------------------------------------------------------------------------

def post(uow, actor, request, scope=None, year=None):
    """Write the posting ``request`` asks for (PostingRequestSchema's fields) and return it.

    ``scope``: the unit ids the actor may act for (None: laomo itself); ``year``: the budget year of
    spending (the clock's year unless given). The same idempotency key and request again returns
    the first posting and changes nothing. Refusals raise Invalid, NotFound or Conflict.
    """
    session = uow.session
    key, wanted = request["idempotency_key"], digest(request, actor.unit_id)
    posted = session.info.setdefault(_POSTED, {})
    earlier = posted.get(key)
    if earlier is None:
        with session.no_autoflush:  # postings of this unit of work not yet flushed are in ``posted``
            earlier = session.scalar(select(Posting).where(Posting.idempotency_key == key))
    if earlier is not None:
        if earlier.digest != wanted:
            raise Conflict("this idempotency key was used for a different request",
                           {"idempotency_key": key, "posting_id": earlier.id})
        return earlier
    kind = PostingKind(request["kind"])
    fund = fund_in_scope(session, request["fund_id"], scope)
    balance = lock_funds(session, [fund.id])[fund.id]
    today_year = year or uow.database.clock.today().year
    build = {PostingKind.APPROPRIATION: _into_fund, PostingKind.DONATION: _into_fund,
             PostingKind.COMMITMENT: _spending, PostingKind.DISBURSEMENT: _disbursement,
             PostingKind.VOID: _void, PostingKind.REVERSAL: _reversal}[kind]
    posting = build(session, fund, balance, request, today_year)
    posting.id = new_id()
    posting.idempotency_key = key
    posting.digest = wanted
    posting.kind = kind
    posting.fund_id = fund.id
    posting.honouree_id = request.get("honouree_id") or posting.honouree_id
    posting.reference = request.get("reference") or posting.reference
    posting.memo = request.get("memo") or ""
    posting.account = actor.account
    posting.unit_id = actor.unit_id
    posting.at = uow.database.clock.now()
    _apply(session, balance, posting)
    session.add(posting)
    posted[key] = posting
    # written at the next flush (its seq then): a batch's postings go to the database together
    return posting


def _into_fund(session, fund, balance, request, year):
    if request.get("purpose"):
        raise Invalid("money comes into a fund for the fund, not for one purpose",
                      {"purpose": ["not allowed for an appropriation or a donation"]})
    debit, credit = FLOWS[PostingKind(request["kind"])]
    amount = _amount(request)
    return Posting(debit_account_id=account_id(fund.id, debit), credit_account_id=account_id(fund.id, credit),
                   amount=amount, posted_change=amount, pending_change=0)


def _spending(session, fund, balance, request, year, pending=True):
    """A commitment (pending) or a direct disbursement: purpose, budget and balance checked."""
    amount = _amount(request)
    purpose = _purpose(fund, request)
    _need_available(fund, balance, amount)  # every check before the budget moves: a refusal changes nothing
    _spend_budget(session, fund, purpose, year, amount)
    return Posting(debit_account_id=account_id(fund.id, BALANCE), credit_account_id=account_id(fund.id, PAYEES),
                   amount=amount, posted_change=0 if pending else -amount,
                   pending_change=amount if pending else 0, purpose=purpose, budget_year=year)


def _disbursement(session, fund, balance, request, year):
    if not request.get("commitment_id"):
        return _spending(session, fund, balance, request, year, pending=False)
    commitment = _open_commitment(session, fund, request)
    amount = _amount(request)
    if amount > commitment.amount:
        raise Conflict("a payment cannot exceed its commitment",
                       {"amount": amount, "committed": commitment.amount, "commitment_id": commitment.id})
    if request.get("purpose") and request["purpose"] != commitment.purpose.value:
        raise Invalid("the payment's purpose is the commitment's",
                      {"purpose": [f"the commitment is for {commitment.purpose.value}"]})
    if amount < commitment.amount:  # the rest of the commitment goes back to the budget
        _spend_budget(session, fund, commitment.purpose, commitment.budget_year, amount - commitment.amount)
    return Posting(debit_account_id=commitment.debit_account_id, credit_account_id=commitment.credit_account_id,
                   amount=amount, posted_change=-amount, pending_change=-commitment.amount,
                   purpose=commitment.purpose, budget_year=commitment.budget_year, pending_id=commitment.id,
                   honouree_id=commitment.honouree_id, reference=commitment.reference)


def _void(session, fund, balance, request, year):
    commitment = _open_commitment(session, fund, request)
    if request.get("amount") not in (None, commitment.amount):
        raise Invalid("a void releases the whole commitment", {"amount": ["leave it out, or give the commitment's"]})
    _spend_budget(session, fund, commitment.purpose, commitment.budget_year, -commitment.amount)
    return Posting(debit_account_id=commitment.debit_account_id, credit_account_id=commitment.credit_account_id,
                   amount=commitment.amount, posted_change=0, pending_change=-commitment.amount,
                   purpose=commitment.purpose, budget_year=commitment.budget_year, pending_id=commitment.id,
                   honouree_id=commitment.honouree_id, reference=commitment.reference)


def _reversal(session, fund, balance, request, year):
    """The mirror image of a posted posting: the money goes back where it came from."""
    if not request.get("reverses_id"):
        raise Invalid("a reversal names the posting it reverses", {"reverses_id": ["required for a reversal"]})
    original = session.scalar(select(Posting).where(Posting.id == request["reverses_id"]))
    if original is None or original.fund_id != fund.id:
        raise NotFound(f"no posting {request['reverses_id']!r} in this fund", {"reverses_id": request["reverses_id"]})
    if original.posted_change == 0 or original.kind is PostingKind.REVERSAL:
        raise Conflict("only money posted in or out can be reversed: void a commitment instead",
                       {"reverses_id": original.id, "kind": original.kind.value})
    done = session.scalar(select(Posting.id).where(Posting.reverses_id == original.id))
    if done is not None:
        raise Conflict("that posting is already reversed", {"reverses_id": original.id, "reversal_id": done})
    amount = abs(original.posted_change)
    if request.get("amount") not in (None, amount):
        raise Invalid("a reversal undoes the whole posting", {"amount": ["leave it out, or give the posting's"]})
    if original.posted_change > 0:  # money that came in goes out again: the fund must still hold it
        _need_available(fund, balance, amount)
    elif original.purpose is not None:  # money paid out comes back to its budget
        _spend_budget(session, fund, original.purpose, original.budget_year, -amount)
    return Posting(debit_account_id=original.credit_account_id, credit_account_id=original.debit_account_id,
                   amount=amount, posted_change=-original.posted_change, pending_change=0,
                   purpose=original.purpose, budget_year=original.budget_year, reverses_id=original.id,
                   honouree_id=original.honouree_id, reference=original.reference)


def _amount(request):
    amount = request.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise Invalid("the amount is a whole number of fen above zero", {"amount": ["required, in fen, > 0"]})
    return amount


def _purpose(fund, request):
    if not request.get("purpose"):
        raise Invalid("spending names its purpose", {"purpose": ["required for a commitment or a disbursement"]})
    purpose = Purpose(request["purpose"])
    if purpose not in purposes_of(fund):
        raise Conflict(f"the fund may not pay for {purpose.value} (专款专用)",
                       {"purpose": purpose.value, "allowed": [p.value for p in purposes_of(fund)]})
    return purpose


def _spend_budget(session, fund, purpose, year, amount):
    """Move the purpose's use of its yearly budget by ``amount`` (negative: give back)."""
    held = _held(session)
    budget = held.get(("budget", fund.id, year, purpose)) or session.get(Budget, (fund.id, year, purpose))
    if budget is not None:
        held[("budget", fund.id, year, purpose)] = budget
    if budget is None:
        raise Conflict(f"the fund has no {year} budget for {purpose.value}",
                       {"purpose": purpose.value, "year": year, "fund_id": fund.id})
    if budget.used + amount > budget.amount:
        raise Conflict(f"this would exceed the fund's {year} budget for {purpose.value}",
                       {"purpose": purpose.value, "year": year, "budget": budget.amount, "used": budget.used,
                        "amount": amount})
    budget.used += amount


def _need_available(fund, balance, amount):
    available = balances(balance)["available"]
    if amount > available:
        raise Conflict("the fund does not hold enough money for this",
                       {"fund_id": fund.id, "available": available, "amount": amount})


def _open_commitment(session, fund, request):
    commitment_id = request.get("commitment_id")
    if not commitment_id:
        raise Invalid("name the commitment", {"commitment_id": ["required"]})
    commitment = session.scalar(select(Posting).where(Posting.id == commitment_id))
    if commitment is None or commitment.fund_id != fund.id or commitment.kind is not PostingKind.COMMITMENT:
        raise NotFound(f"no commitment {commitment_id!r} in this fund", {"commitment_id": commitment_id})
    resolved = session.scalar(select(Posting).where(Posting.pending_id == commitment.id))
    if resolved is not None:
        raise Conflict(f"the commitment is already {'paid' if resolved.kind is PostingKind.DISBURSEMENT else 'void'}",
                       {"commitment_id": commitment.id, "resolved_by": resolved.id})
    return commitment


def _apply(session, balance, posting):
    """The posting's effect on the running totals of its two accounts, and on the fund's chain."""
    debit, credit = (_account(session, balance, posting.debit_account_id),
                     _account(session, balance, posting.credit_account_id))
    moved = abs(posting.posted_change)
    debit.debits_posted += moved
    credit.credits_posted += moved
    debit.debits_pending += posting.pending_change
    credit.credits_pending += posting.pending_change
    posting.chain = chain_link(balance.chain, posting)
    balance.chain = posting.chain


def _account(session, balance, wanted):
    if wanted == balance.id:
        return balance
    held = _held(session)
    if ("account", wanted) not in held:
        held[("account", wanted)] = session.get(LedgerAccount, wanted)
    return held[("account", wanted)]


def chain_link(previous, posting):
    """The fund's hash chain: a posting changed or removed afterwards breaks every link after it."""
    fields = (posting.id, posting.idempotency_key, posting.kind.value, posting.fund_id, posting.debit_account_id,
              posting.credit_account_id, posting.amount, posting.posted_change, posting.pending_change,
              posting.purpose.value if posting.purpose else "", posting.budget_year or "", posting.pending_id or "",
              posting.reverses_id or "", posting.honouree_id or "", posting.reference or "", posting.memo,
              posting.account, posting.unit_id, posting.at.isoformat())
    text = previous + "|" + "|".join(str(f) for f in fields)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def commitment_statuses(session, commitment_ids):
    """open | paid | void of each commitment, in one query: ``{id: status}``."""
    wanted = list(commitment_ids)
    resolved = dict(session.execute(select(Posting.pending_id, Posting.kind)
                                    .where(Posting.pending_id.in_(wanted))).all()) if wanted else {}
    return {c: "open" if c not in resolved else ("paid" if resolved[c] is PostingKind.DISBURSEMENT else "void")
            for c in wanted}


def commitment_status(session, commitment):
    """open | paid | void, for a commitment; None for other postings."""
    if commitment.kind is not PostingKind.COMMITMENT:
        return None
    return commitment_statuses(session, [commitment.id])[commitment.id]


# --- one posting request, as a client sends it ----------------------------------------------------

RETRIES = 8
# PostgreSQL: serialization failure, deadlock detected, and a unique key taken by a concurrent twin of this
# request (the idempotency key): tried again, the twin's posting is found and returned
RETRYABLE = ("40001", "40P01", "23505")
log = logging.getLogger(__name__)


def post_request(database, actor, request, scope, view):
    """A client's posting request in a unit of work of its own: returns ``view(session, posting)``.

    A refusal is kept (``refused_requests``) so the same request again gets the same answer, and
    the same key with other content is a conflict. A serialization failure, a deadlock, a twin
    request committed first (or SQLite's busy database) rolls the attempt back and tries again, a
    little later each time.
    """
    wanted = digest(request, actor.unit_id)
    for attempt in range(RETRIES):
        try:
            with database.unit_of_work() as uow:
                _replay_refusal(uow.session, request["idempotency_key"], wanted)
                posting = post(uow, actor, request, scope)
                uow.session.flush()  # a duplicate key fails here, inside the retry loop; the seq is known
                return view(uow.session, posting)
        except LaomoError as refusal:
            if refusal.details.get("idempotency_key") != request["idempotency_key"]:  # not a replay
                _keep_refusal(database, request["idempotency_key"], wanted, refusal)
            raise
        except DBAPIError as error:
            if attempt + 1 == RETRIES or not _retryable(error):
                raise
            log.info("posting retried after %s", type(error.orig).__name__)
            eventlet.sleep(random.uniform(0, 0.01 * 2 ** attempt))


def _retryable(error):
    code = getattr(error.orig, "pgcode", None)
    return code in RETRYABLE or "database is locked" in str(error.orig)


def _replay_refusal(session, key, wanted):
    refused = session.get(RefusedRequest, key)
    if refused is None:
        return
    if refused.digest != wanted:
        raise Conflict("this idempotency key was used for a different request", {"idempotency_key": key})
    details = dict(json.loads(refused.details), idempotency_key=key, replayed=True)
    raise ERRORS[refused.error](refused.message, details)


def _keep_refusal(database, key, wanted, refusal):
    try:
        with database.unit_of_work() as uow:
            if uow.session.get(RefusedRequest, key) is None:
                uow.session.add(RefusedRequest(
                    idempotency_key=key, digest=wanted, error=refusal.code, message=refusal.message[:500],
                    details=json.dumps(refusal.details, ensure_ascii=False, default=str),
                    at=database.clock.now()))
    except DBAPIError:  # a racing retry kept it first; either way it is kept once
        log.info("refusal of %s already kept", key)
