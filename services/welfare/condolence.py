"""Spring Festival condolence campaigns (春节慰问): every eligible honouree in a unit's scope paid once.

A campaign (慰问活动) of a unit names the amount per honour level (national, municipal, district,
in fen), the paying fund (it must allow condolence) and optionally a fund per district: an
honouree is paid from their district's fund when the campaign names one, else from the
campaign's. Eligible: the registry's roster with ``eligible`` (an active honour, alive) in the
owner unit's scope, less the people whose care stopped (:func:`stopped`); the amount is that of
the highest active honour.

Running a campaign makes a batch (批次): the eligible honourees are snapshotted into items (one per
campaign and honouree, a unique constraint). People paid by an earlier run are skipped; people
whose payment failed are taken into the new run and retried. The items are paid by a runner
(:func:`work`, called by the service's timer) in chunks, each chunk one transaction: the batch's
lease renewed, the chunk's funds locked (``ledger.lock_funds``), then per item one ledger
disbursement (idempotency key ``condolence:<campaign>:<honouree>``), one ``condolence_paid`` event
and the item marked paid with its posting. An item the ledger refuses (not enough money, over
budget) is marked failed with the reason, and the batch goes on. A crash loses at most the chunk
in flight, which was never committed: the next runner pays it, and nobody twice.

Leases: a runner claims a running batch whose lease is free or expired and renews it with every
chunk; two replicas never work one batch, and a dead runner's batch is picked up when its lease
runs out. Lease times are wall-clock times (not the service's clock, which tests may freeze).
"""
import logging
import time
from datetime import datetime, timedelta, timezone

import eventlet
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DBAPIError

from services.chassis.actor import Actor
from services.chassis.audit import record_change
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, Invalid, LaomoError, NotFound

from . import ledger
from .models.care import (
    BatchState,
    CondolenceBatch,
    CondolenceCampaign,
    CondolenceDistrictFund,
    CondolenceItem,
    ItemState,
    Level,
)
from .models.ledger import Budget, Fund, LedgerAccount, Posting
from .vocabulary import PostingKind, Purpose

log = logging.getLogger(__name__)

CHUNK = 500            # items paid in one transaction
LEASE_SECONDS = 30     # how long a runner's claim on a batch lasts without a chunk renewing it
WORK_SECONDS = 5.0     # how long one call of :func:`work` goes on before it hands back (the timer calls again)
IN_CLAUSE = 500        # ids per IN (...) of a query
RETRIES = 8
LEVELS = [level.value for level in Level]  # highest first


def wall_now():
    return datetime.now(timezone.utc)


def idempotency_key(campaign_id, honouree_id):
    return f"condolence:{campaign_id}:{honouree_id}"


def _chunks(items, size=IN_CLAUSE):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- care stopped -------------------------------------------------------------------------------

def stopped(session, honouree_ids):
    """The ids among ``honouree_ids`` whose care stopped (their last honour revoked, the stop not
    lifted): no batch takes them (``services/welfare/stops.py``, table ``care_stops``; imported here,
    not above, because that module imports this one)."""
    from . import stops
    return set(stops.stopped(session, list(honouree_ids)))


def leave_out(uow, honouree_id, reason):
    """Leave the honouree out of every unfinished batch: their items not yet paid (pending, or
    failed in a run still going) become ``left_out`` with ``reason``. Idempotent; returns how many.

    Takes the batches' rows before the items (as the runner does), so a chunk paying the person
    right now either commits first (the item is paid and stays so) or sees the item left out."""
    session, now = uow.session, uow.database.clock.now()
    open_states = (ItemState.PENDING, ItemState.FAILED)
    batch_ids = sorted(set(session.scalars(
        select(CondolenceItem.batch_id).join(CondolenceBatch, CondolenceBatch.id == CondolenceItem.batch_id)
        .where(CondolenceItem.honouree_id == honouree_id, CondolenceItem.state.in_(open_states),
               CondolenceBatch.state == BatchState.RUNNING))))
    count = 0
    for batch_id in batch_ids:
        batch = session.get(CondolenceBatch, batch_id, with_for_update=True, populate_existing=True)
        if batch.state is not BatchState.RUNNING:
            continue
        items = session.scalars(select(CondolenceItem).where(
            CondolenceItem.batch_id == batch_id, CondolenceItem.honouree_id == honouree_id,
            CondolenceItem.state.in_(open_states)).execution_options(populate_existing=True)).all()
        for item in items:
            if item.state is ItemState.FAILED:
                batch.failed -= 1
            item.state, item.reason, item.updated_at = ItemState.LEFT_OUT, (reason or "")[:500], now
            batch.left_out += 1
            count += 1
    session.flush()
    return count


# --- campaigns ----------------------------------------------------------------------------------

def not_found(campaign_id):
    return NotFound(f"no condolence campaign {campaign_id!r}", {"campaign_id": campaign_id})


def campaign_in_scope(session, campaign_id, scope):
    campaign = session.get(CondolenceCampaign, campaign_id) if isinstance(campaign_id, str) else None
    if campaign is None or campaign.owner_unit_id not in scope:
        raise not_found(campaign_id)
    return campaign


def _paying_fund(session, fund_id, scope, field):
    """A fund in scope that may pay condolence; one out of scope is not found (as the ledger says)."""
    fund = ledger.fund_in_scope(session, fund_id, scope)
    if Purpose.CONDOLENCE not in ledger.purposes_of(fund):
        raise Invalid(f"the fund {fund.code} may not pay condolence money (专款专用)",
                      {field: ["the fund does not allow condolence"]})
    return fund


def create(uow, actor, data, scope):
    """A new campaign of the actor's unit; the same ``request_id`` returns the first one."""
    session, now = uow.session, uow.database.clock.now()
    if data.get("request_id"):
        earlier = earlier_request(session, CondolenceCampaign, data["request_id"])
        if earlier is not None:
            if earlier.owner_unit_id not in scope:
                raise Conflict("this request_id was used for another unit's campaign",
                               {"request_id": data["request_id"]})
            return earlier
    _paying_fund(session, data["fund_id"], scope, "fund_id")
    districts = data.get("district_funds") or {}  # keyed by the roster's district_id (where one lives)
    for district_id, fund_id in sorted(districts.items()):
        _paying_fund(session, fund_id, scope, "district_funds")
    amounts = data["amounts"]
    campaign = CondolenceCampaign(
        id=new_id(), request_id=data.get("request_id"), title=data["title"], year=data["year"],
        amount_national=amounts["national"], amount_municipal=amounts["municipal"],
        amount_district=amounts["district"], fund_id=data["fund_id"], owner_unit_id=actor.unit_id,
        created_by=actor.account, created_at=now)
    session.add(campaign)
    session.flush()
    for district_id, fund_id in sorted(districts.items()):
        session.add(CondolenceDistrictFund(campaign_id=campaign.id, district_id=district_id, fund_id=fund_id))
    session.flush()
    record_change(uow, actor, "condolence_campaign", campaign.id, "created", None, snapshot(session, campaign))
    return campaign


def district_funds(session, campaign):
    return {row.district_id: row.fund_id for row in session.scalars(
        select(CondolenceDistrictFund).where(CondolenceDistrictFund.campaign_id == campaign.id))}


def amounts_of(campaign):
    return {"national": campaign.amount_national, "municipal": campaign.amount_municipal,
            "district": campaign.amount_district}


def snapshot(session, campaign):
    return {"title": campaign.title, "year": campaign.year, "amounts": amounts_of(campaign),
            "fund_id": campaign.fund_id, "district_funds": district_funds(session, campaign),
            "owner_unit_id": campaign.owner_unit_id}


def listing(session, scope, params):
    where = [CondolenceCampaign.owner_unit_id.in_(scope)]
    if params.get("year"):
        where.append(CondolenceCampaign.year == params["year"])
    total = session.scalar(select(func.count(CondolenceCampaign.id)).where(*where))
    page, size = params["page"], params["page_size"]
    rows = session.scalars(select(CondolenceCampaign).where(*where)
                           .order_by(CondolenceCampaign.created_at.desc(), CondolenceCampaign.id)
                           .offset((page - 1) * size).limit(size)).all()
    return rows, total


def item_counts(session, campaign_id):
    """How many of the campaign's items are in each state."""
    counts = {state.value: 0 for state in ItemState}
    for state, n in session.execute(select(CondolenceItem.state, func.count(CondolenceItem.id))
                                    .where(CondolenceItem.campaign_id == campaign_id)
                                    .group_by(CondolenceItem.state)):
        counts[state.value] = n
    return counts


def view(session, campaign):
    latest = session.scalar(select(CondolenceBatch).where(CondolenceBatch.campaign_id == campaign.id)
                            .order_by(CondolenceBatch.number.desc()).limit(1))
    paid_total = session.scalar(select(func.coalesce(func.sum(CondolenceItem.amount), 0)).where(
        CondolenceItem.campaign_id == campaign.id, CondolenceItem.state == ItemState.PAID))
    return dict(snapshot(session, campaign), id=campaign.id, created_by=campaign.created_by,
                created_at=campaign.created_at.isoformat(), items=item_counts(session, campaign.id),
                paid_amount=int(paid_total or 0), latest_batch=batch_view(latest) if latest else None)


# --- who gets what --------------------------------------------------------------------------------

def roster_actor(actor, campaign):
    """Who the registry is asked as: the campaign's owner unit (its scope is the campaign's)."""
    return {"account": actor.account, "unit_id": campaign.owner_unit_id, "roles": list(actor.roles),
            "personal_data": False}


def eligible_rows(roster):
    """The roster rows to pay: eligible, with an honour level the campaign knows."""
    rows = {}
    for row in roster:
        if row.get("eligible") and row.get("highest_level") in LEVELS:
            rows[row["honouree_id"]] = row
    return rows


def plan(campaign, funds_by_district, row):
    """(level, fund id, amount) for a roster row."""
    level = Level(row["highest_level"])
    fund_id = funds_by_district.get(row.get("district_id") or "", campaign.fund_id)
    return level, fund_id, amounts_of(campaign)[level.value]


def _items_of(session, campaign_id):
    return {item.honouree_id: item for item in session.scalars(
        select(CondolenceItem).where(CondolenceItem.campaign_id == campaign_id))}


def preview(session, campaign, roster):
    """What a run would pay now, per fund: people, total, the fund's available money and remaining
    condolence budget of the campaign's year, and the shortfall; and how many are paid already."""
    rows = eligible_rows(roster)
    stop = stopped(session, rows)
    items = {hid: state for hid, state in session.execute(
        select(CondolenceItem.honouree_id, CondolenceItem.state).where(CondolenceItem.campaign_id == campaign.id))}
    by_district = district_funds(session, campaign)
    per_fund, levels = {}, {level: {"people": 0, "amount": 0} for level in LEVELS}
    already = retried = 0
    for honouree_id, row in rows.items():
        if honouree_id in stop:
            continue
        state = items.get(honouree_id)
        if state is ItemState.PAID:
            already += 1
            continue
        if state is ItemState.FAILED:
            retried += 1
        level, fund_id, amount = plan(campaign, by_district, row)
        figures = per_fund.setdefault(fund_id, {"people": 0, "total": 0})
        figures["people"] += 1
        figures["total"] += amount
        levels[level.value]["people"] += 1
        levels[level.value]["amount"] += amount
    for fund_id in [campaign.fund_id, *by_district.values()]:
        per_fund.setdefault(fund_id, {"people": 0, "total": 0})
    funds = [fund_figures(session, fund_id, campaign.year, figures) for fund_id, figures in sorted(per_fund.items())]
    return {"campaign_id": campaign.id, "year": campaign.year, "eligible": len(rows),
            "stopped": len(stop), "already_paid": already, "to_retry": retried,
            "to_pay": sum(f["people"] for f in funds), "total": sum(f["total"] for f in funds),
            "shortfall": sum(f["shortfall"] for f in funds), "by_level": levels, "funds": funds}


def fund_figures(session, fund_id, year, figures):
    fund = session.get(Fund, fund_id)
    account = session.get(LedgerAccount, ledger.account_id(fund_id, ledger.BALANCE))
    available = ledger.balances(account)["available"]
    budget = session.get(Budget, (fund_id, year, Purpose.CONDOLENCE))
    remaining = budget.amount - budget.used if budget is not None else 0
    can_pay = max(0, min(available, remaining))
    return {"fund_id": fund_id, "fund_code": fund.code, "fund_name": fund.name, "people": figures["people"],
            "total": figures["total"], "available": available,
            "budget": budget.amount if budget is not None else None, "budget_remaining": remaining,
            "shortfall": max(0, figures["total"] - can_pay)}


# --- runs -----------------------------------------------------------------------------------------

def batch_not_found(batch_id):
    return NotFound(f"no condolence batch {batch_id!r}", {"batch_id": batch_id})


def batch_in_scope(session, batch_id, scope):
    batch = session.get(CondolenceBatch, batch_id) if isinstance(batch_id, str) else None
    if batch is None or session.get(CondolenceCampaign, batch.campaign_id).owner_unit_id not in scope:
        raise batch_not_found(batch_id)
    return batch


def earlier_run(session, campaign_id, request_id):
    """The batch a retried run request made, if any."""
    if not request_id:
        return None
    batch = earlier_request(session, CondolenceBatch, request_id)
    if batch is not None and batch.campaign_id != campaign_id:
        raise Conflict("this request_id started a run of another campaign", {"request_id": request_id})
    return batch


def start(uow, actor, campaign_id, roster, scope, request_id=None):
    """A new batch of the campaign: the eligible honourees not yet paid, snapshotted into items.

    Paid people are skipped, failed ones taken again (with today's level, fund and amount);
    a run while another is going is a conflict. Returns the batch (finished at once when
    nobody is left to pay)."""
    session, now = uow.session, uow.database.clock.now()
    campaign = session.get(CondolenceCampaign, campaign_id, with_for_update=True, populate_existing=True)
    if campaign is None or campaign.owner_unit_id not in scope:
        raise not_found(campaign_id)
    earlier = earlier_run(session, campaign.id, request_id)
    if earlier is not None:
        return earlier
    going = session.scalar(select(CondolenceBatch.id).where(CondolenceBatch.campaign_id == campaign.id,
                                                            CondolenceBatch.state == BatchState.RUNNING))
    if going:
        raise Conflict("a run of this campaign is still going: wait until it is finished",
                       {"campaign_id": campaign.id, "batch_id": going})
    # the funds may have changed since the campaign was made: check them as the runner will use them
    by_district = district_funds(session, campaign)
    for fund_id in sorted({campaign.fund_id, *by_district.values()}):
        fund = session.get(Fund, fund_id)
        if Purpose.CONDOLENCE not in ledger.purposes_of(fund):
            raise Conflict(f"the fund {fund.code} no longer allows condolence", {"fund_id": fund_id})
    rows = eligible_rows(roster)
    stop = stopped(session, rows)
    items = _items_of(session, campaign.id)
    number = 1 + session.scalar(select(func.count(CondolenceBatch.id)).where(
        CondolenceBatch.campaign_id == campaign.id))
    batch = CondolenceBatch(id=new_id(), request_id=request_id, campaign_id=campaign.id, number=number,
                            state=BatchState.RUNNING,
                            total=0, paid=0, failed=0, left_out=0, already_paid=0, started_by=actor.account,
                            started_at=now)
    session.add(batch)
    session.flush()
    new, again = [], []
    for honouree_id, row in rows.items():
        if honouree_id in stop:
            continue
        item = items.get(honouree_id)
        if item is not None and item.state is ItemState.PAID:
            batch.already_paid += 1
            continue
        level, fund_id, amount = plan(campaign, by_district, row)
        values = {"batch_id": batch.id, "managing_unit_id": row["managing_unit_id"],
                  "district_id": row.get("district_id"), "level": level, "fund_id": fund_id, "amount": amount,
                  "state": ItemState.PENDING, "reason": None, "updated_at": now}
        if item is None:
            new.append(dict(values, campaign_id=campaign.id, honouree_id=honouree_id, attempts=0))
        else:  # failed, or left out and eligible again: taken into this run
            again.append(dict(values, id=item.id))
    for part in _chunks(new, 2000):
        session.execute(insert(CondolenceItem), part)
    if again:
        session.execute(update(CondolenceItem), again)
    batch.total = len(new) + len(again)
    if batch.total == 0:
        batch.state, batch.finished_at = BatchState.FINISHED, now
    session.flush()
    record_change(uow, actor, "condolence_batch", batch.id, "started", None,
                  {"campaign_id": campaign.id, "total": batch.total, "already_paid": batch.already_paid})
    return batch


def batch_view(batch):
    pending = batch.total - batch.paid - batch.failed - batch.left_out
    return {"id": batch.id, "campaign_id": batch.campaign_id, "number": batch.number, "state": batch.state.value,
            "total": batch.total, "paid": batch.paid, "failed": batch.failed, "left_out": batch.left_out, "pending": pending,
            "already_paid": batch.already_paid, "started_by": batch.started_by,
            "started_at": batch.started_at.isoformat(),
            "finished_at": batch.finished_at.isoformat() if batch.finished_at else None}


def batches_of(session, campaign):
    return session.scalars(select(CondolenceBatch).where(CondolenceBatch.campaign_id == campaign.id)
                           .order_by(CondolenceBatch.number.desc())).all()


def items_page(session, campaign, params):
    where = [CondolenceItem.campaign_id == campaign.id]
    if params.get("state"):
        where.append(CondolenceItem.state == ItemState(params["state"]))
    for name in ("batch_id", "honouree_id"):
        if params.get(name):
            where.append(getattr(CondolenceItem, name) == params[name])
    total = session.scalar(select(func.count(CondolenceItem.id)).where(*where))
    page, size = params["page"], params["page_size"]
    rows = session.scalars(select(CondolenceItem).where(*where).order_by(CondolenceItem.id)
                           .offset((page - 1) * size).limit(size)).all()
    return [item_view(i) for i in rows], total


def item_view(item):
    return {"honouree_id": item.honouree_id, "campaign_id": item.campaign_id, "batch_id": item.batch_id,
            "managing_unit_id": item.managing_unit_id, "district_id": item.district_id,
            "level": item.level.value, "fund_id": item.fund_id, "amount": item.amount, "state": item.state.value,
            "reason": item.reason, "posting_id": item.posting_id, "attempts": item.attempts,
            "paid_at": item.paid_at.isoformat() if item.paid_at else None}


# --- the runner ------------------------------------------------------------------------------------

def work(database, runner, *, chunk=CHUNK, lease_seconds=LEASE_SECONDS, seconds=WORK_SECONDS, now=wall_now):
    """Pay running batches for about ``seconds``: claim one (its lease free, expired or ours), pay
    chunks while the lease holds, then the next. Returns how many items were settled."""
    deadline = time.monotonic() + seconds
    settled = 0
    while time.monotonic() < deadline:
        batch_id = claim(database, runner, lease_seconds, now)
        if batch_id is None:
            break
        while time.monotonic() < deadline:
            done = _retrying(pay_chunk, database, batch_id, runner, chunk, lease_seconds, now)
            if done is None:  # the lease is lost (another runner took the batch) or the batch is over
                break
            settled += done
            eventlet.sleep(0)  # let the service's other work (and its SQLite writers) have a turn
    return settled


def claim(database, runner, lease_seconds, now=wall_now):
    """The id of a running batch this runner now holds the lease of, or None."""
    with database.reading_session() as session:
        candidates = session.execute(
            select(CondolenceBatch.id, CondolenceBatch.lease_owner, CondolenceBatch.lease_until)
            .where(CondolenceBatch.state == BatchState.RUNNING).order_by(CondolenceBatch.started_at)).all()
    moment = now()
    for batch_id, owner, until in candidates:
        if owner not in (None, runner) and until is not None and until > moment:
            continue  # another runner's, and alive
        with database.unit_of_work() as uow:
            taken = uow.session.execute(
                update(CondolenceBatch).where(
                    CondolenceBatch.id == batch_id, CondolenceBatch.state == BatchState.RUNNING,
                    (CondolenceBatch.lease_owner.is_(None)) | (CondolenceBatch.lease_owner == runner)
                    | (CondolenceBatch.lease_until.is_(None)) | (CondolenceBatch.lease_until < moment))
                .values(lease_owner=runner, lease_until=moment + timedelta(seconds=lease_seconds))
                .execution_options(synchronize_session=False)).rowcount
        if taken == 1:
            if owner not in (None, runner):
                log.info("condolence batch %s taken over from %s", batch_id, owner)
            return batch_id
    return None


def pay_chunk(database, batch_id, runner, chunk=CHUNK, lease_seconds=LEASE_SECONDS, now=wall_now):
    """Pay the next ``chunk`` pending items of the batch in one transaction; returns how many were
    settled, or None when the runner no longer holds the batch (or it is finished).

    The fast way posts straight into the chunk's transaction, where the fund's figures say the
    ledger will accept; should the ledger refuse one all the same, the chunk is rolled back and
    paid again the careful way, each posting in a savepoint of its own."""
    for careful in (False, True):
        try:
            return _pay_chunk(database, batch_id, runner, chunk, lease_seconds, now, careful)
        except Unforeseen:
            log.warning("condolence batch %s: a chunk paid again the careful way", batch_id)
    raise AssertionError("unreachable")  # pragma: no cover - the careful way raises no Unforeseen


class Unforeseen(Exception):
    """The ledger refused a posting its figures said it would accept."""


def _pay_chunk(database, batch_id, runner, chunk, lease_seconds, now, careful):
    with database.unit_of_work() as uow:
        session = uow.session
        renewed = session.execute(
            update(CondolenceBatch).where(CondolenceBatch.id == batch_id, CondolenceBatch.lease_owner == runner,
                                          CondolenceBatch.state == BatchState.RUNNING)
            .values(lease_until=now() + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)).rowcount
        if renewed != 1:
            return None
        batch = session.get(CondolenceBatch, batch_id, populate_existing=True)
        items = session.execute(
            select(CondolenceItem.id, CondolenceItem.honouree_id, CondolenceItem.fund_id, CondolenceItem.amount,
                   CondolenceItem.attempts)
            .where(CondolenceItem.batch_id == batch_id, CondolenceItem.state == ItemState.PENDING)
            .order_by(CondolenceItem.id).limit(chunk)).all()
        if items:
            pay_items(uow, batch, items, careful)
        if len(items) < chunk:
            batch.state, batch.finished_at = BatchState.FINISHED, database.clock.now()
            batch.lease_owner, batch.lease_until = None, None
            log.info("condolence batch %s finished: %s paid, %s failed, %s left out", batch.id, batch.paid,
                     batch.failed, batch.left_out)
        return len(items) if items else None


def pay_items(uow, batch, items, careful=False):
    """Per item one disbursement, one event, the item marked: all in the caller's transaction.

    ``items``: rows of (id, honouree_id, fund_id, amount, attempts), pending."""
    session, now = uow.session, uow.database.clock.now()
    campaign = session.get(CondolenceCampaign, batch.campaign_id)
    fund_ids = sorted({item.fund_id for item in items})
    balances = ledger.lock_funds(session, fund_ids)
    # the rows every posting of the chunk reads, held here: the session's identity map keeps only
    # weak references, and without these each posting would load them again
    funds = {f.id: f for f in session.scalars(select(Fund).where(Fund.id.in_(fund_ids)))}
    held = list(session.scalars(select(LedgerAccount).where(LedgerAccount.fund_id.in_(fund_ids))))
    budgets = {b.fund_id: b for b in session.scalars(select(Budget).where(
        Budget.fund_id.in_(fund_ids), Budget.year == campaign.year, Budget.purpose == Purpose.CONDOLENCE))}
    keys = {idempotency_key(campaign.id, item.honouree_id): item for item in items}
    existing = {posting.idempotency_key: posting for posting in session.scalars(
        select(Posting).where(Posting.idempotency_key.in_(list(keys))))}
    payer = Actor(batch.started_by, campaign.owner_unit_id, ("finance",))
    reference, memo = f"condolence:{campaign.id}", f"{campaign.year}年春节慰问金"
    marked, paid, failed = [], 0, 0
    for key, item in keys.items():
        mark = {"id": item.id, "attempts": item.attempts + 1, "updated_at": now}
        posting = existing.get(key)
        if posting is None:
            request = {"idempotency_key": key, "kind": PostingKind.DISBURSEMENT.value, "fund_id": item.fund_id,
                       "amount": item.amount, "purpose": Purpose.CONDOLENCE.value, "honouree_id": item.honouree_id,
                       "reference": reference, "memo": memo}
            try:
                if careful or not _will_accept(funds[item.fund_id], balances[item.fund_id],
                                               budgets.get(item.fund_id), item.amount):
                    with session.begin_nested():  # a refusal undoes only this item's half-made posting
                        posting = ledger.post(uow, payer, request, scope=None, year=campaign.year)
                else:
                    posting = ledger.post(uow, payer, request, scope=None, year=campaign.year)
            except LaomoError as refusal:
                if not careful and _will_accept(funds[item.fund_id], balances[item.fund_id],
                                                budgets.get(item.fund_id), item.amount):
                    raise Unforeseen(refusal.message) from refusal
                marked.append(dict(mark, state=ItemState.FAILED, reason=refusal.message[:500], posting_id=None,
                                   paid_at=None))
                failed += 1
                continue
            uow.record_event("condolence_paid", {
                "campaign_id": campaign.id, "batch_id": batch.id, "honouree_id": item.honouree_id,
                "fund_id": item.fund_id, "amount": item.amount, "posting_id": posting.id, "year": campaign.year,
                "owner_unit_id": campaign.owner_unit_id})
        marked.append(dict(mark, state=ItemState.PAID, reason=None, posting_id=posting.id, paid_at=now))
        paid += 1
    session.execute(update(CondolenceItem), marked)
    batch.paid += paid
    batch.failed += failed
    del held


def _will_accept(fund, balance, budget, amount):
    """Whether the ledger's rules for a condolence disbursement hold now (its own checks decide)."""
    return (Purpose.CONDOLENCE in ledger.purposes_of(fund) and budget is not None
            and budget.used + amount <= budget.amount and amount <= ledger.balances(balance)["available"])


def _retrying(step, database, *args):
    """``step`` again after a serialization failure, a deadlock or SQLite's busy database."""
    for attempt in range(RETRIES):
        try:
            return step(database, *args)
        except DBAPIError as error:
            if attempt + 1 == RETRIES or not ledger._retryable(error):
                raise
            log.info("condolence chunk retried after %s", type(error.orig).__name__)
            eventlet.sleep(0.01 * 2 ** attempt)
