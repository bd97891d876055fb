"""Revoking an honour (退出机制): a request goes up tier by tier to the deciding unit, which decides.

The honouree's managing unit requests the revocation, with its reasons. The
request then waits at one unit at a time, up the managing unit's first-parent
chain (grassroots → district → city): the unit it waits at endorses it (it
moves one tier up) or refuses it (it ends, refused). Once it waits at the
honour type's deciding unit (the unit deciding on the conferring body's
behalf), that unit decides: revoke or refuse. On revoke the honour's status
becomes ``revoked`` and ``honour_revoked`` is recorded in the outbox, in the
same transaction, for the services whose benefits end with the honour.

If the deciding unit is not above the managing unit in the first-parent
tree, the request climbs to the top of the tree and then goes to the
deciding unit.

One open (pending) request per honour; nothing is deleted: every step, the
decision and its reasons are kept, and every change is in the audit trail.

Who may see a request: a unit that has the honouree's managing unit (now,
or when the request was made) in its scope, the unit the request waits at,
the deciding unit, and any unit that acted on it. For anyone else it does
not exist (NotFound); a unit that sees it but may not do what it asks gets
Forbidden.
"""
from sqlalchemy import func, or_, select, update

from services.chassis.audit import record_change
from services.chassis.database import new_id
from services.chassis.errors import Conflict, Forbidden, NotFound

from . import tree
from .honourees import honour_view, in_scope
from .models import (
    Honour,
    Honouree,
    HonourType,
    Revocation,
    RevocationStep,
    TodoItem,
    Unit,
)
from .people import HonourStatus

PENDING, REVOKED, REFUSED = "pending", "revoked", "refused"
STATUSES = (PENDING, REVOKED, REFUSED)
REVOKE, REFUSE = "revoke", "refuse"
DECISIONS = (REVOKE, REFUSE)
TODO_KIND = "revocation"


# the route up the tree ---------------------------------------------------------------------

def next_stop(session, unit_id, deciding_unit_id):
    """Where a request at ``unit_id`` goes next: its first parent, the deciding unit at the top."""
    if unit_id == deciding_unit_id:
        return unit_id
    unit = session.get(Unit, unit_id)
    if unit is None or unit.parent_id is None:
        return deciding_unit_id
    return unit.parent_id


def scope_ids(unit_id):
    """A select of ``unit_id`` and every unit below it, both trees (as :func:`tree.scope`), for SQL."""
    units = Unit.__table__
    below = select(units.c.id).where(units.c.id == unit_id).cte("revocation_scope", recursive=True)
    below = below.union(
        select(units.c.id).join(
            below, or_(units.c.parent_id == below.c.id, units.c.system_parent_id == below.c.id)))
    return select(below.c.id)


# reading -----------------------------------------------------------------------------------

def may_see(session, actor, revocation, scope=None):
    if actor.unit_id in (revocation.waiting_at_unit_id, revocation.deciding_unit_id):
        return True
    if any(step.unit_id == actor.unit_id for step in revocation.steps):
        return True
    scope = scope if scope is not None else in_scope(session, actor)
    if revocation.requested_by_unit_id in scope:
        return True
    honouree = session.get(Honouree, revocation.honouree_id)
    return honouree is not None and honouree.managing_unit_id in scope


def get(session, actor, revocation_id, lock=False):
    """The request, if the actor may see it; ``lock`` holds its row until the transaction ends."""
    tree.get_unit(session, actor.unit_id)
    revocation = None
    if isinstance(revocation_id, str):
        revocation = session.get(Revocation, revocation_id, with_for_update=lock or None)
    if revocation is None or not may_see(session, actor, revocation):
        raise NotFound(f"no revocation {revocation_id!r}", {"revocation_id": revocation_id})
    return revocation


def listing(session, actor, status=None, waiting_here=False, honour_id=None, page=1, page_size=50):
    """The requests the actor may see, newest first; ``waiting_here``: only those waiting at its unit."""
    tree.get_unit(session, actor.unit_id)
    query = select(Revocation, Honour.honour_type).join(Honour, Honour.id == Revocation.honour_id)
    if waiting_here:
        query = query.where(Revocation.waiting_at_unit_id == actor.unit_id)
    else:
        scope = scope_ids(actor.unit_id)
        acted = select(RevocationStep.revocation_id).where(RevocationStep.unit_id == actor.unit_id)
        managed = select(Honouree.id).where(Honouree.managing_unit_id.in_(scope))
        query = query.where(or_(
            Revocation.waiting_at_unit_id == actor.unit_id,
            Revocation.deciding_unit_id == actor.unit_id,
            Revocation.requested_by_unit_id.in_(scope),
            Revocation.honouree_id.in_(managed),
            Revocation.id.in_(acted)))
    if status is not None:
        query = query.where(Revocation.status == status)
    if honour_id is not None:
        query = query.where(Revocation.honour_id == honour_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(Revocation.created_at.desc(), Revocation.id)
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return [view(revocation, honour_type) for revocation, honour_type in rows], total


# changing ----------------------------------------------------------------------------------

def request(uow, actor, honour_id, data):
    """The managing unit asks for the honour to be revoked; the request goes to the tier above."""
    session, now = uow.session, uow.database.clock.now()
    honour = session.get(Honour, honour_id, with_for_update=True) if isinstance(honour_id, str) else None
    honouree = session.get(Honouree, honour.honouree_id) if honour is not None else None
    if honouree is None or honouree.managing_unit_id not in in_scope(session, actor):
        raise NotFound(f"no honour {honour_id!r}", {"honour_id": honour_id})
    if actor.unit_id != honouree.managing_unit_id:
        raise Forbidden("a revocation is requested by the honouree's managing unit",
                        {"managing_unit_id": honouree.managing_unit_id})
    if honour.status is HonourStatus.REVOKED:
        raise Conflict("the honour is already revoked",
                       {"honour_id": honour.id, "revoked_at": honour.revoked_at.isoformat()})
    already = session.scalar(select(Revocation).where(
        Revocation.honour_id == honour.id, Revocation.status == PENDING))
    if already is not None:
        raise Conflict("a revocation of this honour is already under way",
                       {"revocation_id": already.id, "waiting_at_unit_id": already.waiting_at_unit_id})
    deciding_unit_id = session.get(HonourType, honour.honour_type).deciding_unit_id
    revocation = Revocation(
        id=new_id(), honour_id=honour.id, honouree_id=honouree.id, reasons=data["reasons"],
        status=PENDING, requested_by_unit_id=actor.unit_id,
        waiting_at_unit_id=next_stop(session, actor.unit_id, deciding_unit_id),
        deciding_unit_id=deciding_unit_id, created_at=now)
    session.add(revocation)
    session.flush()
    add_step(session, revocation, actor, "requested", data["reasons"], now)
    open_todo(session, revocation, honour, now)
    record_change(uow, actor, "revocation", revocation.id, "requested", None, snapshot(revocation))
    return revocation


def must_wait_at(revocation, actor, verb):
    if actor.unit_id != revocation.waiting_at_unit_id:
        raise Forbidden(f"only the unit the request waits at may {verb} it",
                        {"waiting_at_unit_id": revocation.waiting_at_unit_id})


def endorse(uow, actor, revocation_id, data):
    """The unit the request waits at supports it: it goes one tier up (or to the deciding unit)."""
    session, now = uow.session, uow.database.clock.now()
    revocation = get(session, actor, revocation_id, lock=True)
    must_be_pending(revocation)
    must_wait_at(revocation, actor, "endorse")
    if revocation.waiting_at_unit_id == revocation.deciding_unit_id:
        raise Conflict("the request has reached the deciding unit and waits for its decision",
                       {"waiting_at_unit_id": revocation.waiting_at_unit_id, "missing_step": "decided"})
    before = snapshot(revocation)
    revocation.waiting_at_unit_id = next_stop(session, actor.unit_id, revocation.deciding_unit_id)
    add_step(session, revocation, actor, "endorsed", data["reasons"], now)
    close_todos(session, revocation, now)
    open_todo(session, revocation, session.get(Honour, revocation.honour_id), now)
    record_change(uow, actor, "revocation", revocation.id, "endorsed", before, snapshot(revocation))
    return revocation


def refuse(uow, actor, revocation_id, data):
    """The unit the request waits at turns it down: it ends, refused, with the reasons kept."""
    session, now = uow.session, uow.database.clock.now()
    revocation = get(session, actor, revocation_id, lock=True)
    must_be_pending(revocation)
    must_wait_at(revocation, actor, "refuse")
    before = snapshot(revocation)
    end(revocation, REFUSED, data["reasons"], now)
    add_step(session, revocation, actor, "refused", data["reasons"], now)
    close_todos(session, revocation, now)
    record_change(uow, actor, "revocation", revocation.id, "refused", before, snapshot(revocation))
    return revocation


def decide(uow, actor, revocation_id, data):
    """The deciding unit revokes the honour or refuses, once the request waits there."""
    session, now = uow.session, uow.database.clock.now()
    revocation = get(session, actor, revocation_id, lock=True)
    if actor.unit_id != revocation.deciding_unit_id:
        raise Forbidden("only the deciding unit decides a revocation",
                        {"deciding_unit_id": revocation.deciding_unit_id})
    must_be_pending(revocation)
    if revocation.waiting_at_unit_id != revocation.deciding_unit_id:
        raise Conflict(
            f"the request waits at {revocation.waiting_at_unit_id}: it must be endorsed there "
            "before the deciding unit can decide",
            {"waiting_at_unit_id": revocation.waiting_at_unit_id, "missing_step": "endorsed"})
    before = snapshot(revocation)
    if data["decision"] == REVOKE:
        honour = session.get(Honour, revocation.honour_id, with_for_update=True)
        if honour.status is HonourStatus.REVOKED:
            raise Conflict("the honour is already revoked",
                           {"honour_id": honour.id, "revoked_at": honour.revoked_at.isoformat()})
        honour_before = honour_view(honour)
        honour.status = HonourStatus.REVOKED
        honour.revoked_at = now
        record_change(uow, actor, "honour", honour.id, "revoked", honour_before, honour_view(honour))
        end(revocation, REVOKED, data["reasons"], now)
        honouree = session.get(Honouree, honour.honouree_id)
        uow.record_event("honour_revoked", {
            "honour_id": honour.id, "honouree_id": honour.honouree_id, "honour_type": honour.honour_type,
            "revocation_id": revocation.id, "managing_unit_id": honouree.managing_unit_id,
            # what services that care for honourees need: whether anything is left to care for
            "active_honours_left": sum(1 for h in honouree.honours if h.status is HonourStatus.ACTIVE)})
    else:
        end(revocation, REFUSED, data["reasons"], now)
    add_step(session, revocation, actor, "decided", data["reasons"], now)
    close_todos(session, revocation, now)
    record_change(uow, actor, "revocation", revocation.id, revocation.status, before, snapshot(revocation))
    return revocation


def must_be_pending(revocation):
    if revocation.status != PENDING:
        raise Conflict(f"the request is closed: {revocation.status}",
                       {"status": revocation.status, "revocation_id": revocation.id})


def end(revocation, status, reasons, now):
    revocation.status = status
    revocation.decision_reasons = reasons
    revocation.decided_at = now
    revocation.waiting_at_unit_id = None


def add_step(session, revocation, actor, action, reasons, now):
    session.add(RevocationStep(revocation_id=revocation.id, unit_id=actor.unit_id, action=action,
                               account=actor.account, reasons=reasons, at=now))
    session.flush()
    session.expire(revocation, ["steps"])


def open_todo(session, revocation, honour, now):
    """A to-do item for the unit the request now waits at (no personal data in the title)."""
    honour_type = session.get(HonourType, honour.honour_type)
    what = "待决定" if revocation.waiting_at_unit_id == revocation.deciding_unit_id else "待审核"
    session.add(TodoItem(unit_id=revocation.waiting_at_unit_id, kind=TODO_KIND, subject_id=revocation.id,
                         honouree_id=revocation.honouree_id, status="open", created_at=now,
                         title=f"撤销荣誉申请{what}：{honour_type.name}（{honour.year}）"))


def close_todos(session, revocation, now):
    session.execute(update(TodoItem).where(
        TodoItem.kind == TODO_KIND, TodoItem.subject_id == revocation.id, TodoItem.status == "open",
    ).values(status="done", done_at=now))


# views -------------------------------------------------------------------------------------

def snapshot(revocation):
    """The request's state for the audit trail."""
    return {
        "honour_id": revocation.honour_id, "status": revocation.status, "reasons": revocation.reasons,
        "requested_by_unit_id": revocation.requested_by_unit_id,
        "waiting_at_unit_id": revocation.waiting_at_unit_id,
        "deciding_unit_id": revocation.deciding_unit_id,
        "decision_reasons": revocation.decision_reasons,
        "decided_at": revocation.decided_at.isoformat() if revocation.decided_at else None,
    }


def view(revocation, honour_type, steps=False):
    record = {
        "id": revocation.id, "honour_id": revocation.honour_id, "honouree_id": revocation.honouree_id,
        "honour_type": honour_type, "reasons": revocation.reasons, "status": revocation.status,
        "requested_by_unit_id": revocation.requested_by_unit_id,
        "waiting_at_unit_id": revocation.waiting_at_unit_id,
        "deciding_unit_id": revocation.deciding_unit_id,
        "decision_reasons": revocation.decision_reasons,
        "created_at": revocation.created_at.isoformat(),
        "decided_at": revocation.decided_at.isoformat() if revocation.decided_at else None,
    }
    if steps:
        record["steps"] = [
            {"unit_id": s.unit_id, "action": s.action, "account": s.account, "reasons": s.reasons,
             "at": s.at.isoformat()} for s in revocation.steps]
    return record


def full_view(session, revocation):
    return view(revocation, session.get(Honour, revocation.honour_id).honour_type, steps=True)
