"""The association's organs: the council and the standing council by term (届) with positions
(president, vice-president, secretary-general, standing director, director); sector working
committees (界别工作委员会); branches (分会) in districts, industries and large employers; troupes (a
choir, a lecture troupe, a volunteer corps); each with its members.

Organs are shared: everyone signed in reads them and their members. The council, the standing
council, the sector committees and the troupes are the city federation's to set up (403 for
another unit's officers); a branch belongs to a unit in the caller's scope (404 otherwise). Seats
are given by officers whose scope holds the organ's unit (403 otherwise), to an active member of the
association (实名入会) on their roster (404 not on it; 409 ``missing: "membership"``). A council
position on the council and the standing council, head/deputy head/member elsewhere (422); one
president, one secretary-general, one head per organ, and a person once per organ among the seats
not ended (409; a database rule too, a partial unique index). One council and one standing council
per term (409).

A seat ends (by the same officers) with a reason and a date (today by default; not before it began
nor after today: 422); an ended seat stays on the organ as history (``ended_on``, ``end_reason``)
and is no longer counted for the one-holder positions nor for "once per organ": the person may be
seated on the organ again, a new seat beside the ended one. An active seat's position may change (the
same rules as giving it). When a person's membership ends (leaving, or ``honour_revoked`` with no
honour left) all their active seats end by themselves, in the same unit of work; a seat ended
already is left as is (idempotent). Every change is audited.
"""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.chassis.audit import record_change
from services.chassis.database import add_once, earlier_request, new_id
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound

from .models.membership import Membership
from .models.organs import (
    BY_TERM,
    COUNCIL_POSITIONS,
    OTHER_POSITIONS,
    SINGLE,
    Organ,
    OrganKind,
    OrganSeat,
    Position,
    TroupeKind,
)

NEEDS = {OrganKind.COUNCIL: "term", OrganKind.STANDING_COUNCIL: "term", OrganKind.SECTOR_COMMITTEE: "sector",
         OrganKind.TROUPE: "troupe_kind"}


def not_found(organ_id):
    return NotFound(f"no organ {organ_id!r}", {"organ_id": organ_id})


def get(session, organ_id, lock=False):
    found = None
    if isinstance(organ_id, str) and len(organ_id) <= 32:
        found = session.get(Organ, organ_id, with_for_update=lock or None, populate_existing=lock)
    if found is None:
        raise not_found(organ_id)
    return found


def seat_view(seat):
    return {"honouree_id": seat.honouree_id, "managing_unit_id": seat.managing_unit_id,
            "position": seat.position.value, "since": seat.since.isoformat(),
            "added_by_account": seat.added_by_account,
            "ended_on": seat.ended_on.isoformat() if seat.ended_on else None, "end_reason": seat.end_reason,
            "ended_by_account": seat.ended_by_account}


def view(found):
    return {"id": found.id, "kind": found.kind.value, "name": found.name, "term": found.term, "sector": found.sector,
            "troupe_kind": found.troupe_kind.value if found.troupe_kind else None, "unit_id": found.unit_id,
            "members": [seat_view(s) for s in found.seats], "created_by_account": found.created_by_account,
            "request_id": found.request_id, "created_at": found.created_at.isoformat()}


def shape(data):
    """Each kind with its own field (term, sector or troupe kind) and no other's: else 422."""
    kind = OrganKind(data["kind"])
    errors = {}
    for field in ("term", "sector", "troupe_kind"):
        wanted = NEEDS.get(kind) == field
        if wanted and data.get(field) is None:
            errors[field] = [f"required for a {kind.value}"]
        elif not wanted and data.get(field) is not None:
            errors[field] = [f"not for a {kind.value}"]
    if kind is OrganKind.BRANCH and not data.get("unit_id"):
        errors["unit_id"] = ["required for a branch"]
    elif kind is not OrganKind.BRANCH and data.get("unit_id"):
        errors["unit_id"] = [f"not for a {kind.value}: it is the city's"]
    if errors:
        raise Invalid("the organ's fields do not fit its kind", errors)
    return kind


def create(uow, actor, data, actor_unit, scope):
    session, now = uow.session, uow.database.clock.now()
    kind = shape(data)
    earlier = earlier_request(session, Organ, data.get("request_id"))
    if earlier is not None:
        return earlier, False
    if kind is OrganKind.BRANCH:
        if data["unit_id"] not in scope:
            raise NotFound(f"no unit {data['unit_id']!r}", {"unit_id": data["unit_id"]})
    elif actor_unit.get("tier") != "city":
        raise Forbidden(f"only the city federation sets up a {kind.value}", {"unit_id": actor.unit_id})
    if kind in BY_TERM:
        same = session.scalar(select(Organ).where(Organ.kind == kind, Organ.term == data["term"]).with_for_update())
        if same is not None:
            raise Conflict(f"the {kind.value} of term {data['term']} exists already", {"organ_id": same.id,
                                                                                      "term": data["term"]})
    made = Organ(id=new_id(), request_id=data.get("request_id"), kind=kind, name=data["name"], term=data.get("term"),
                 sector=data.get("sector"),
                 troupe_kind=TroupeKind(data["troupe_kind"]) if data.get("troupe_kind") else None,
                 unit_id=data.get("unit_id") or actor.unit_id, created_by_account=actor.account, created_at=now)
    made, new = add_once(session, made)
    if not new:
        return made, False
    record_change(uow, actor, "organ", made.id, "created", None,
                  {"kind": kind.value, "name": made.name, "term": made.term, "unit_id": made.unit_id})
    return made, True


def allowed_position(organ, value):
    position = Position(value)
    allowed = COUNCIL_POSITIONS if organ.kind in BY_TERM else OTHER_POSITIONS
    if position not in allowed:
        raise Invalid(f"a {organ.kind.value} has no {position.value}",
                      {"position": [f"one of {', '.join(p.value for p in allowed)}"]})
    return position


def single_holder(organ, position, but=None):
    """One president, secretary-general or head per organ among the seats not ended (409)."""
    if position in SINGLE:
        holder = next((s for s in organ.seats if s.position is position and s.ended_on is None and s is not but),
                      None)
        if holder is not None:
            raise Conflict(f"the organ has a {position.value} already: {holder.honouree_id}",
                           {"organ_id": organ.id, "position": position.value, "honouree_id": holder.honouree_id})


def active_seat(uow, actor, organ_id, honouree_id, scope):
    organ = get(uow.session, organ_id, lock=True)
    if organ.unit_id not in scope:
        raise Forbidden("only officers of the organ's unit (or above) change its seats", {"organ_id": organ.id})
    theirs = [s for s in organ.seats if s.honouree_id == honouree_id]
    # the live seat if there is one, else the latest ended one (to say when it ended)
    seat = next((s for s in theirs if s.ended_on is None), theirs[-1] if theirs else None)
    if seat is None:
        raise NotFound(f"no seat of {honouree_id!r} on this organ", {"organ_id": organ.id, "honouree_id": honouree_id})
    if seat.ended_on is not None:
        raise Conflict("the seat has ended already", {"organ_id": organ.id, "honouree_id": honouree_id,
                                                      "ended_on": seat.ended_on.isoformat()})
    return organ, seat


def _close(uow, actor, seat, on, reason):
    seat.ended_on, seat.end_reason, seat.ended_by_account = on, reason, actor.account
    uow.session.flush()
    record_change(uow, actor, "organ", seat.organ_id, "seat_ended", {"honouree_id": seat.honouree_id,
                                                                     "position": seat.position.value},
                  {"honouree_id": seat.honouree_id, "ended_on": on.isoformat(), "end_reason": reason})


def end_seat(uow, actor, organ_id, honouree_id, data, scope, today):
    """The seat ends, with a reason and a date (today by default); the history stays."""
    organ, seat = active_seat(uow, actor, organ_id, honouree_id, scope)
    on = data.get("ended_on") or today
    if on > today or on < seat.since:
        raise Invalid("the seat ends between the day it began and today",
                      {"ended_on": [f"from {seat.since.isoformat()} to {today.isoformat()}"]})
    _close(uow, actor, seat, on, data["reason"])
    return organ


def change_position(uow, actor, organ_id, honouree_id, data, scope):
    """An active seat takes another position (the rules of giving a seat)."""
    organ, seat = active_seat(uow, actor, organ_id, honouree_id, scope)
    position = allowed_position(organ, data["position"])
    if position is not seat.position:
        single_holder(organ, position, but=seat)
        before = seat.position.value
        seat.position = position
        uow.session.flush()
        record_change(uow, actor, "organ", organ.id, "position_changed", {"honouree_id": honouree_id,
                                                                         "position": before},
                      {"honouree_id": honouree_id, "position": position.value})
    return organ


def end_seats_of(uow, actor, honouree_id, reason, today):
    """The person's membership ended: their seats not yet ended end today (idempotent)."""
    ended = []
    for seat in uow.session.scalars(select(OrganSeat).where(OrganSeat.honouree_id == honouree_id,
                                                            OrganSeat.ended_on.is_(None))
                                    .order_by(OrganSeat.id).with_for_update()):
        _close(uow, actor, seat, max(today, seat.since), reason)
        ended.append(seat.organ_id)
    return ended


def add_seat(uow, actor, organ_id, data, row, scope, today):
    session = uow.session
    organ = get(session, organ_id, lock=True)  # seats of one organ are given in turn
    if organ.unit_id not in scope:
        raise Forbidden("only officers of the organ's unit (or above) give its seats", {"organ_id": organ.id})
    position = allowed_position(organ, data["position"])
    member = session.scalar(select(Membership.id).where(Membership.live_honouree_id == row["honouree_id"]))
    if member is None:
        raise Conflict("only an active member of the association (实名入会) takes a seat",
                       {"honouree_id": row["honouree_id"], "missing": "membership"})
    taken = Conflict("the honouree has a seat on this organ already",
                     {"organ_id": organ.id, "honouree_id": row["honouree_id"]})
    if any(s.honouree_id == row["honouree_id"] and s.ended_on is None for s in organ.seats):
        raise taken  # an ended seat does not count: the person may be seated again
    single_holder(organ, position)
    seat = OrganSeat(id=new_id(), organ_id=organ.id, honouree_id=row["honouree_id"],
                     managing_unit_id=row["managing_unit_id"], position=position, since=today,
                     added_by_account=actor.account, added_at=uow.database.clock.now())
    try:
        with session.begin_nested():  # the organ's lock serialises seats; the index is the last word
            session.add(seat)
    except IntegrityError:
        raise taken from None
    session.expire(organ, ["seats"])
    record_change(uow, actor, "organ", organ.id, "seat_given", None,
                  {"honouree_id": seat.honouree_id, "position": position.value})
    return organ


def listing(session, params):
    where = []
    if params.get("kind"):
        where.append(Organ.kind == OrganKind(params["kind"]))
    if params.get("term"):
        where.append(Organ.term == params["term"])
    if params.get("unit_id"):
        where.append(Organ.unit_id == params["unit_id"])
    total = session.scalar(select(func.count()).select_from(Organ).where(*where))
    page, size = params["page"], params["page_size"]
    found = session.scalars(select(Organ).where(*where).order_by(Organ.created_at.desc(), Organ.id)
                            .limit(size).offset((page - 1) * size)).all() if total else []
    return [view(o) for o in found], total
