"""Sick visits (看望生病劳模): who visited which sick honouree, when and where, with money given.

- A visit is recorded by an officer for an eligible honouree (an active honour, alive: the
  registry's roster) of its scope: the date (not after today), the visitors, the place (a
  hospital, the home), notes. The notes are about health: personal data, sealed at rest, shown
  only with the personal-data right (else "***"), masked in the audit trail, never in an event
  or a log.
- Money given on the visit (optional: ``amount`` and ``fund_id``) is a direct disbursement from
  the fund (purpose sick_visit: the ledger refuses a fund that does not allow it, a budget
  exceeded, not enough money; the fund must be in the officer's scope), written in the same
  unit of work as the visit under the key ``sick-visit:<id>:pay``: a refusal records nothing.
- A retry with the same ``request_id`` returns the first visit (and pays nothing again).
- A visit belongs to the honouree's managing unit as it was when recorded: that unit and the
  units above it see it; others get 404, as if it did not exist.
"""
import json

from sqlalchemy import extract, func, select

from services.chassis.audit import record_change, trail_of
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.schemas import HIDDEN

from . import ledger
from .models.hardship import SickVisit
from .vocabulary import PostingKind, Purpose

ENTITY = "sick_visit"
MASKED = {"notes": lambda value: HIDDEN}


def no_such(visit_id):
    return NotFound(f"no sick visit {visit_id!r}", {"visit_id": visit_id})


def record(uow, sealer, actor, data, row, scope):
    """A visit to the honouree of ``row`` (the roster's row in the actor's scope); returns (visit, created)."""
    session, clock = uow.session, uow.database.clock
    if not actor.has_role("officer"):
        raise Forbidden("only an officer may record a sick visit",
                        {"required_roles": ["officer"], "your_roles": list(actor.roles)})
    if data.get("request_id"):
        earlier = earlier_request(session, SickVisit, data["request_id"])
        if earlier is not None:
            if earlier.honouree_id != data["honouree_id"]:
                raise Conflict("this request_id was used for a visit to another honouree",
                               {"request_id": data["request_id"], "visit_id": earlier.id})
            return earlier, False
    today = clock.today()
    if data["visited_on"] > today:
        raise Invalid("the visit is dated after today", {"visited_on": [f"after today ({today.isoformat()})"]})
    if not row["eligible"]:
        why = "the honouree is deceased" if row["employment_status"] == "deceased" else \
            "the honouree holds no active honour"
        raise Conflict(f"no sick visit can be recorded: {why}", {"honouree_id": row["honouree_id"],
                                                                  "missing": "eligible"})
    notes = data.get("notes") or None
    visit = SickVisit(
        id=new_id(), request_id=data.get("request_id"), honouree_id=row["honouree_id"],
        managing_unit_id=row["managing_unit_id"], visited_on=data["visited_on"],
        visitors=json.dumps(data["visitors"], ensure_ascii=False), place=data["place"],
        notes_sealed=sealer.seal(notes) if notes else None, amount=data.get("amount"), fund_id=data.get("fund_id"),
        recorded_by_account=actor.account, recorded_by_unit_id=actor.unit_id, recorded_at=clock.now())
    session.add(visit)
    session.flush()
    if visit.amount:
        payment = ledger.post(uow, actor, {
            "idempotency_key": f"sick-visit:{visit.id}:pay", "kind": PostingKind.DISBURSEMENT.value,
            "fund_id": visit.fund_id, "amount": visit.amount, "purpose": Purpose.SICK_VISIT.value,
            "honouree_id": visit.honouree_id, "reference": f"sick-visit:{visit.id}",
            "memo": f"看望生病劳模 {visit.visited_on.isoformat()}"}, scope=scope)
        visit.posting_id = payment.id
    record_change(uow, actor, ENTITY, visit.id, "recorded", None, dict(snapshot(visit), notes=notes), MASKED)
    uow.record_event("sick_visit_recorded", {
        "visit_id": visit.id, "honouree_id": visit.honouree_id, "visited_on": visit.visited_on.isoformat(),
        "amount": visit.amount, "fund_id": visit.fund_id, "posting_id": visit.posting_id})
    return visit, True


def get(session, visit_id, scope):
    found = session.get(SickVisit, visit_id) if isinstance(visit_id, str) and len(visit_id) <= 32 else None
    if found is None or found.managing_unit_id not in scope:
        raise no_such(visit_id)
    return found


def listing(session, scope, params):
    where = [SickVisit.managing_unit_id.in_(scope)]
    if params.get("honouree_id"):
        where.append(SickVisit.honouree_id == params["honouree_id"])
    if params.get("year"):
        where.append(extract("year", SickVisit.visited_on) == params["year"])
    total = session.scalar(select(func.count(SickVisit.id)).where(*where))
    page, size = params["page"], params["page_size"]
    found = session.scalars(select(SickVisit).where(*where).order_by(SickVisit.visited_on.desc(), SickVisit.id)
                            .offset((page - 1) * size).limit(size)).all()
    return found, total


def audit(session, metadata, visit):
    return trail_of(session, metadata, {ENTITY: [visit.id]})


def snapshot(visit):
    return {"honouree_id": visit.honouree_id, "managing_unit_id": visit.managing_unit_id,
            "visited_on": visit.visited_on.isoformat(), "visitors": json.loads(visit.visitors), "place": visit.place,
            "amount": visit.amount, "fund_id": visit.fund_id, "posting_id": visit.posting_id}


def view(visit, actor, sealer):
    if visit.notes_sealed is None:
        notes = None
    else:
        notes = sealer.unseal(visit.notes_sealed) if actor.personal_data else HIDDEN
    return dict(snapshot(visit), id=visit.id, request_id=visit.request_id, notes=notes,
                recorded_by_account=visit.recorded_by_account, recorded_by_unit_id=visit.recorded_by_unit_id,
                recorded_at=visit.recorded_at.isoformat())
