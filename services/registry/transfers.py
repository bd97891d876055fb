"""Transfer of management (管理关系转移): a record moves from one managing unit to another.

Either side asks: the current managing unit, or the receiving unit (which may
not see the record yet and names it by id). The other side decides, so both
sides have agreed before a record moves; when the managing unit asks, that is
the receiving unit. Until the decision the record stays with its managing unit:
a record is never without one. One pending transfer per honouree.
"""
from sqlalchemy import func, or_, select

from services.chassis.audit import record_change
from services.chassis.database import new_id
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound

from . import changes, honourees
from .domain import Tier
from .models import Honouree, Transfer, Unit
from .people import Category, ManagementMode
from .verification import locked

PENDING, ACCEPTED, REJECTED, CANCELLED = "pending", "accepted", "rejected", "cancelled"
DECIDED = "decided"  # any status but pending, for list filters


def not_found(transfer_id):
    return NotFound(f"no transfer {transfer_id!r}", {"transfer_id": transfer_id})


def deciding_unit_id(transfer):
    """The side that did not ask."""
    return transfer.from_unit_id if transfer.requested_by_unit_id == transfer.to_unit_id else transfer.to_unit_id


def farmer_problem(honouree, to_unit):
    if honouree.category is Category.FARMER and to_unit.tier is not Tier.DISTRICT:
        return "a farmer is managed by a district union"
    return None


def pending_of(session, honouree_id):
    return session.scalar(select(Transfer).where(Transfer.honouree_id == honouree_id,
                                                 Transfer.status == PENDING))


def request(uow, actor, honouree_id, data):
    """Ask for the record to move to ``data['to_unit_id']``, as its managing or receiving unit."""
    session = uow.session
    honouree = session.get(Honouree, honouree_id) if isinstance(honouree_id, str) else None
    if honouree is None:
        raise NotFound(f"no honouree {honouree_id!r}", {"honouree_id": honouree_id})
    if actor.unit_id != data["to_unit_id"]:
        honourees.get(session, actor, honouree_id)  # NotFound outside the actor's scope
        if actor.unit_id != honouree.managing_unit_id:
            raise Forbidden("only the managing unit or the receiving unit asks for a transfer",
                            {"managing_unit_id": honouree.managing_unit_id})
    to_unit = session.get(Unit, data["to_unit_id"])
    if to_unit is None:
        raise Invalid("unknown receiving unit", {"to_unit_id": [f"no unit {data['to_unit_id']!r}"]})
    return open_transfer(uow, actor, locked(session, honouree.id), to_unit,
                         ManagementMode(data["management_mode"]), data["reason"])


def open_transfer(uow, actor, honouree, to_unit, mode, reason):
    """A pending transfer of ``honouree`` (locked by the caller) and the decider's to-do item."""
    session, now = uow.session, uow.database.clock.now()
    if to_unit.id == honouree.managing_unit_id:
        raise Invalid("the record is already managed by that unit",
                      {"to_unit_id": ["the current managing unit"]})
    problem = farmer_problem(honouree, to_unit)
    if problem:
        raise Invalid(problem, {"to_unit_id": ["a farmer's managing unit must be a district union"]})
    pending = pending_of(session, honouree.id)
    if pending is not None:
        raise Conflict("the record already has a pending transfer; it must be decided first",
                       {"transfer_id": pending.id, "to_unit_id": pending.to_unit_id})
    transfer = Transfer(id=new_id(), honouree_id=honouree.id,
                        from_unit_id=honouree.managing_unit_id, to_unit_id=to_unit.id,
                        management_mode=mode, reason=reason, status=PENDING,
                        requested_by_account=actor.account, requested_by_unit_id=actor.unit_id,
                        created_at=now)
    session.add(transfer)
    session.flush()
    record_change(uow, actor, "transfer", transfer.id, "requested", None, audit_view(transfer))
    changes.add_todo(uow, deciding_unit_id(transfer), "transfer", transfer.id, honouree.id,
             f"管理关系转移 transfer of management: {honouree.name}, "
             f"{transfer.from_unit_id} → {transfer.to_unit_id}")
    return transfer


def pending_for_decision(session, actor, transfer_id, asker=False):
    """The pending transfer, locked, if the actor is the side that decides it (``asker``: that asked)."""
    transfer = session.get(Transfer, transfer_id) if isinstance(transfer_id, str) else None
    if transfer is None:
        raise not_found(transfer_id)
    if actor.unit_id not in (transfer.from_unit_id, transfer.to_unit_id):
        try:
            honourees.get(session, actor, transfer.honouree_id)
        except NotFound:
            raise not_found(transfer_id) from None
    if asker and actor.unit_id != transfer.requested_by_unit_id:
        raise Forbidden("only the side that asked for the transfer may cancel it",
                        {"requested_by_unit_id": transfer.requested_by_unit_id})
    decider = deciding_unit_id(transfer)
    if not asker and actor.unit_id != decider:
        raise Forbidden("the transfer is decided by the side that did not ask for it",
                        {"deciding_unit_id": decider})
    honouree = locked(session, transfer.honouree_id)
    session.refresh(transfer)
    if transfer.status != PENDING:
        raise Conflict(f"the transfer is already {transfer.status}", {"status": transfer.status})
    return transfer, honouree


def accept(uow, actor, transfer_id):
    """Move the record to the receiving unit, in the management mode asked for."""
    session, now = uow.session, uow.database.clock.now()
    transfer, honouree = pending_for_decision(session, actor, transfer_id)
    if honouree.managing_unit_id != transfer.from_unit_id:  # cannot happen with one pending transfer
        raise Conflict("the record has moved since the transfer was asked for",
                       {"managing_unit_id": honouree.managing_unit_id})
    to_unit = session.get(Unit, transfer.to_unit_id)
    problem = farmer_problem(honouree, to_unit)
    if problem:  # the category was corrected to farmer after the request
        raise Conflict(problem, {"to_unit_id": transfer.to_unit_id})
    before = management_of(honouree)
    honouree.managing_unit_id = to_unit.id
    honouree.district_id = honourees.district_of(session, to_unit.id)
    honouree.management_mode = transfer.management_mode
    honouree.version += 1
    honouree.updated_at = now
    decide(uow, actor, transfer, ACCEPTED, None)
    record_change(uow, actor, "honouree", honouree.id, "transferred", before, management_of(honouree))
    uow.record_event("management_transferred", {
        "transfer_id": transfer.id, "honouree_id": honouree.id, "from_unit_id": transfer.from_unit_id,
        "to_unit_id": transfer.to_unit_id, "management_mode": transfer.management_mode.value})
    return transfer


def reject(uow, actor, transfer_id, reason):
    transfer, _ = pending_for_decision(uow.session, actor, transfer_id)
    decide(uow, actor, transfer, REJECTED, reason)
    return transfer


def cancel(uow, actor, transfer_id, reason):
    """The side that asked takes a pending request back (the other side has not decided yet)."""
    transfer, _ = pending_for_decision(uow.session, actor, transfer_id, asker=True)
    decide(uow, actor, transfer, CANCELLED, reason)
    return transfer


def decide(uow, actor, transfer, status, reason):
    before = audit_view(transfer)
    transfer.status = status
    transfer.decided_by_account = actor.account
    transfer.decision_reason = reason
    transfer.decided_at = uow.database.clock.now()
    uow.session.flush()
    record_change(uow, actor, "transfer", transfer.id, status, before, audit_view(transfer))
    changes.close_todos(uow, "transfer", transfer.id)


def management_of(honouree):
    return {"managing_unit_id": honouree.managing_unit_id, "district_id": honouree.district_id,
            "management_mode": honouree.management_mode.value, "version": honouree.version}


def listing(session, actor, status=None, page=1, page_size=50):
    """Transfers in which the actor's unit is either side, newest first."""
    query = select(Transfer, Honouree.name).join(Honouree, Honouree.id == Transfer.honouree_id).where(
        or_(Transfer.from_unit_id == actor.unit_id, Transfer.to_unit_id == actor.unit_id))
    if status == DECIDED:
        query = query.where(Transfer.status != PENDING)
    elif status is not None:
        query = query.where(Transfer.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(Transfer.created_at.desc(), Transfer.id)
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return [view(transfer, name) for transfer, name in rows], total


def audit_view(transfer):
    return {"honouree_id": transfer.honouree_id, "from_unit_id": transfer.from_unit_id,
            "to_unit_id": transfer.to_unit_id, "management_mode": transfer.management_mode.value,
            "reason": transfer.reason, "status": transfer.status,
            "requested_by_unit_id": transfer.requested_by_unit_id,
            "decision_reason": transfer.decision_reason}


def described(session, transfer):
    """The view with the honouree's name, which the receiving side needs before it sees the record."""
    return view(transfer, session.get(Honouree, transfer.honouree_id).name)


def view(transfer, honouree_name=None):
    return {
        "id": transfer.id, "honouree_id": transfer.honouree_id, "honouree_name": honouree_name,
        "from_unit_id": transfer.from_unit_id, "to_unit_id": transfer.to_unit_id,
        "management_mode": transfer.management_mode.value, "reason": transfer.reason,
        "status": transfer.status, "requested_by_account": transfer.requested_by_account,
        "requested_by_unit_id": transfer.requested_by_unit_id, "deciding_unit_id": deciding_unit_id(transfer),
        "decided_by_account": transfer.decided_by_account, "decision_reason": transfer.decision_reason,
        "created_at": transfer.created_at.isoformat(),
        "decided_at": transfer.decided_at.isoformat() if transfer.decided_at else None,
    }
