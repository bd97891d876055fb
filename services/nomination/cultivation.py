"""Cultivation (培育): workers a unit tracks for development each year, and their promotion.

Each year units put forward promising workers for tracked development
(重点跟踪培养): skill-competition champions, chief employees (首席员工), post
experts, leaders of innovation studios, others. A tracked worker is recorded
with the same candidate fields as a nomination (an existing honouree or a new
person; the candidate as entered is kept sealed), gathers progress notes, and
may be promoted into a campaign: an organisational nomination by the tracking
unit, through the same checks as any nomination.

Visible to actors whose scope holds the tracking unit; the same person once per
unit and year (Conflict).
"""
from sqlalchemy import func, select

from services.chassis.audit import record_change
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.id_numbers import normalise
from services.chassis.personal_data import mask_id_number

from .common import from_json, iso, to_json
from .models import Cultivation, CultivationNote
from .nominations import honouree_record
from .vocabulary import CultivationSource, CultivationStatus


def get(session, scope, cultivation_id, lock=False):
    record = None
    if isinstance(cultivation_id, str):
        record = session.get(Cultivation, cultivation_id, with_for_update=lock or None)
    if record is None or record.unit_id not in scope:
        raise NotFound(f"no cultivation record {cultivation_id!r}", {"cultivation_id": cultivation_id})
    return record


def prepare(tree, actor, data):
    """The tracking unit (in the actor's scope) and, for an honouree, the registry's record."""
    scope = tree.scope(actor.unit_id)
    unit_id = data.get("unit_id") or actor.unit_id
    if unit_id not in scope:
        raise Invalid("the tracking unit must be the caller's unit or one below it",
                      {"unit_id": ["outside the caller's scope"]})
    candidate = data["candidate"]
    record = honouree_record(tree, actor, candidate["honouree_id"]) if "honouree_id" in candidate else None
    return unit_id, record


def track(uow, sealer, actor, unit_id, data, record):
    session, now = uow.session, uow.database.clock.now()
    earlier = earlier_request(session, Cultivation, data.get("request_id"))
    if earlier is not None:
        return earlier
    candidate = data["candidate"]
    if record is not None:
        key, name, masked = f"h:{record['id']}", record["name"], None
        employer, position = record.get("employer"), record.get("position")
    else:
        number = normalise(candidate["id_number"])
        key, name, masked = f"p:{sealer.blind_index(number)}", candidate["name"], mask_id_number(number)
        employer, position = candidate.get("employer"), candidate.get("position")
    earlier = session.scalar(select(Cultivation.id).where(
        Cultivation.unit_id == unit_id, Cultivation.year == data["year"], Cultivation.candidate_key == key))
    if earlier is not None:
        raise Conflict("the unit tracks this worker this year already", {"cultivation_id": earlier})
    cultivation = Cultivation(
        id=new_id(), request_id=data.get("request_id"), unit_id=unit_id, year=data["year"],
        source=CultivationSource(data["source"]), source_detail=data.get("source_detail"),
        status=CultivationStatus.TRACKING, candidate_key=key, honouree_id=candidate.get("honouree_id"),
        name=name, id_number_masked=masked, employer=employer, position=position,
        candidate_sealed=sealer.seal(to_json(candidate)), created_by_account=actor.account,
        created_at=now, updated_at=now)
    session.add(cultivation)
    session.flush()
    if data.get("note"):
        session.add(CultivationNote(cultivation_id=cultivation.id, note=data["note"], account=actor.account,
                                    unit_id=actor.unit_id, at=now))
    record_change(uow, actor, "cultivation", cultivation.id, "tracked", None, snapshot(cultivation))
    return cultivation


def must_be_tracking(cultivation):
    if cultivation.status != CultivationStatus.TRACKING:
        raise Conflict(f"the worker is no longer tracked: {cultivation.status.value}",
                       {"status": cultivation.status.value,
                        "promoted_nomination_id": cultivation.promoted_nomination_id})


def add_note(uow, actor, scope, cultivation_id, note):
    session, now = uow.session, uow.database.clock.now()
    cultivation = get(session, scope, cultivation_id, lock=True)
    must_be_tracking(cultivation)
    session.add(CultivationNote(cultivation_id=cultivation.id, note=note, account=actor.account,
                                unit_id=actor.unit_id, at=now))
    cultivation.updated_at = now
    session.flush()
    session.expire(cultivation, ["notes"])
    record_change(uow, actor, "cultivation", cultivation.id, "note_added", None, {"note": note})
    return cultivation


def end(uow, actor, scope, cultivation_id, reasons):
    session, now = uow.session, uow.database.clock.now()
    cultivation = get(session, scope, cultivation_id, lock=True)
    must_be_tracking(cultivation)
    before = snapshot(cultivation)
    cultivation.status = CultivationStatus.ENDED
    cultivation.end_reasons = reasons
    cultivation.updated_at = now
    record_change(uow, actor, "cultivation", cultivation.id, "ended", before, snapshot(cultivation))
    return cultivation


def nomination_request(sealer, cultivation, data):
    """The nomination a promotion asks for: organisational, by the tracking unit, the candidate as kept."""
    return {"request_id": data.get("request_id"), "channel": "organisational",
            "nominating_unit_id": cultivation.unit_id,
            "candidate": from_json(sealer.unseal(cultivation.candidate_sealed)),
            "deeds_summary": data["deeds_summary"], "deeds": data["deeds"],
            "attachments": data.get("attachments") or []}


def promoted(uow, actor, scope, cultivation_id, nomination):
    """Mark the record promoted into ``nomination`` (in the nomination's transaction)."""
    session, now = uow.session, uow.database.clock.now()
    cultivation = get(session, scope, cultivation_id, lock=True)
    must_be_tracking(cultivation)
    before = snapshot(cultivation)
    cultivation.status = CultivationStatus.PROMOTED
    cultivation.promoted_nomination_id = nomination.id
    cultivation.updated_at = now
    record_change(uow, actor, "cultivation", cultivation.id, "promoted", before, snapshot(cultivation))
    return cultivation


def listing(session, scope, unit_id=None, year=None, source=None, status=None, page=1, page_size=50):
    query = select(Cultivation).where(Cultivation.unit_id.in_(list(scope)))
    if unit_id is not None:
        query = query.where(Cultivation.unit_id == unit_id)
    if year is not None:
        query = query.where(Cultivation.year == year)
    if source is not None:
        query = query.where(Cultivation.source == CultivationSource(source))
    if status is not None:
        query = query.where(Cultivation.status == CultivationStatus(status))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Cultivation.year.desc(), Cultivation.name, Cultivation.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


def snapshot(cultivation):
    return {"unit_id": cultivation.unit_id, "year": cultivation.year, "source": cultivation.source.value,
            "source_detail": cultivation.source_detail, "status": cultivation.status.value,
            "name": cultivation.name, "id_number": cultivation.id_number_masked,
            "promoted_nomination_id": cultivation.promoted_nomination_id, "end_reasons": cultivation.end_reasons}


def summary(cultivation):
    return dict(snapshot(cultivation), id=cultivation.id, honouree_id=cultivation.honouree_id,
                employer=cultivation.employer, position=cultivation.position,
                created_at=cultivation.created_at.isoformat(), updated_at=cultivation.updated_at.isoformat())


def view(cultivation):
    return dict(summary(cultivation), notes=[
        {"note": n.note, "account": n.account, "unit_id": n.unit_id, "at": iso(n.at)} for n in cultivation.notes])
