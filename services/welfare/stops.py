"""Care stops (item 7): when a person's last active honour is revoked, welfare's care for them ends.

On the registry's ``honour_revoked`` with no active honour left, in one unit of work:

- hardship applications not yet paid are cancelled, their commitments voided;
- any other open commitment to the person is voided;
- condolence batch items not yet paid are left out, and future batches skip the person;
- the service card is cancelled;
- allocated recuperation places in batches not yet begun are cancelled;
- the stop is recorded (``care_stops``), audited, and announced (``care_stopped``).

Paid money stays paid and the history stays. The inbox makes a redelivered event a no-op; a stop
already in force is not made twice. An honour conferred again (``honour_conferred``) lifts the stop:
the person is eligible again by the registry's roster, and nothing cancelled comes back by itself.
"""
import json

from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import func, select

from services.chassis.actor import SYSTEM
from services.chassis.audit import record_change
from services.chassis.schemas import load, page_of

from . import cards, condolence, hardship, ledger, recuperation
from .models.ledger import Posting
from .models.stops import CareStop
from .vocabulary import PostingKind

REASON = "所有荣誉已撤销 (no active honour left)"


class HonourRevokedSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    honouree_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    honour_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    revocation_id = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    managing_unit_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    active_honours_left = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class HonourConferredSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    honouree_id = fields.String(required=True, validate=validate.Length(min=1, max=32))


def stop(uow, event, today):
    """End the person's care if no active honour is left; returns the stop's view (or why not)."""
    event = load(HonourRevokedSchema(), event, "honour_revoked")
    honouree_id = event["honouree_id"]
    if event["active_honours_left"] > 0:
        return {"honouree_id": honouree_id, "stopped": False, "active_honours_left": event["active_honours_left"]}
    session, now = uow.session, uow.database.clock.now()
    kept = session.get(CareStop, honouree_id)
    if kept is not None and kept.lifted_at is None:
        return dict(view(kept), stopped=True)
    # rows are taken in the order the other writers take them: batches, applications, then funds
    ended = {"condolence_items": condolence.leave_out(uow, honouree_id, REASON)}
    ended.update({
        "hardship_applications": [a["application_id"] for a in
                                  hardship.cancel_for_revocation(uow, honouree_id, REASON)],
        "commitments": void_open_commitments(uow, honouree_id),
        "service_card": (cards.cancel_for_revocation(uow, honouree_id, REASON) or {}).get("id"),
        "recuperation_places": [p["id"] for p in
                                recuperation.cancel_future_places(uow, SYSTEM, honouree_id, today, REASON)],
    })
    if kept is None:
        kept = CareStop(honouree_id=honouree_id)
        session.add(kept)
    kept.managing_unit_id = event["managing_unit_id"]
    kept.honour_id = event["honour_id"]
    kept.revocation_id = event["revocation_id"]
    kept.reason = REASON
    kept.ended = json.dumps(ended, ensure_ascii=False, sort_keys=True)
    kept.stopped_at = now
    kept.lifted_at = None
    session.flush()
    record_change(uow, SYSTEM, "care_stop", honouree_id, "stopped", None, view(kept))
    uow.record_event("care_stopped", {"honouree_id": honouree_id, "honour_id": event["honour_id"],
                                      "revocation_id": event["revocation_id"],
                                      "managing_unit_id": event["managing_unit_id"], "ended": ended})
    return dict(view(kept), stopped=True)


def void_open_commitments(uow, honouree_id):
    """Void every commitment to the person still open, whatever it was for; returns their ids."""
    session = uow.session
    resolved = select(Posting.pending_id).where(Posting.pending_id.is_not(None))
    open_ = session.scalars(select(Posting).where(
        Posting.honouree_id == honouree_id, Posting.kind == PostingKind.COMMITMENT,
        Posting.id.not_in(resolved)).order_by(Posting.seq)).all()
    ledger.lock_funds(session, [c.fund_id for c in open_])
    for commitment in open_:
        ledger.post(uow, SYSTEM, {"idempotency_key": f"care-stop:{commitment.id}:void", "kind": "void",
                                  "fund_id": commitment.fund_id, "commitment_id": commitment.id,
                                  "memo": REASON}, scope=None)
    return [c.id for c in open_]


def lift(uow, event):
    """An honour conferred on a person whose care stopped: the stop is lifted (kept, with its date)."""
    event = load(HonourConferredSchema(), event, "honour_conferred")
    kept = uow.session.get(CareStop, event["honouree_id"])
    if kept is None or kept.lifted_at is not None:
        return {"honouree_id": event["honouree_id"], "lifted": False}
    before = view(kept)
    kept.lifted_at = uow.database.clock.now()
    record_change(uow, SYSTEM, "care_stop", kept.honouree_id, "lifted", before, view(kept))
    return {"honouree_id": kept.honouree_id, "lifted": True}


def stopped(session, honouree_ids):
    """Those of ``honouree_ids`` whose care has stopped (and not been lifted)."""
    ids = list(honouree_ids)
    found = set()
    for start in range(0, len(ids), 500):  # SQLite takes a bounded number of parameters
        found.update(session.scalars(select(CareStop.honouree_id).where(
            CareStop.honouree_id.in_(ids[start:start + 500]), CareStop.lifted_at.is_(None))))
    return found


def listing(session, scope, params):
    where = [CareStop.managing_unit_id.in_(scope)]
    if params.get("in_force") is not None:
        where.append(CareStop.lifted_at.is_(None) if params["in_force"] else CareStop.lifted_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(CareStop).where(*where))
    page, size = params["page"], params["page_size"]
    rows = session.scalars(select(CareStop).where(*where).order_by(CareStop.stopped_at.desc(),
                                                                   CareStop.honouree_id)
                           .offset((page - 1) * size).limit(size)).all()
    return page_of([view(s) for s in rows], total, page, size)


def view(stop_):
    return {"honouree_id": stop_.honouree_id, "managing_unit_id": stop_.managing_unit_id,
            "honour_id": stop_.honour_id, "revocation_id": stop_.revocation_id, "reason": stop_.reason,
            "ended": json.loads(stop_.ended), "stopped_at": stop_.stopped_at.isoformat(),
            "lifted_at": stop_.lifted_at.isoformat() if stop_.lifted_at else None}
