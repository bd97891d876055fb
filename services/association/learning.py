"""Learning and exchanges (劳模大讲堂、沙龙、培训、学历教育、国际及港澳台交流): events with sign-up and attendance.

Events are shared: everyone signed in reads them, and any unit's officers sign up eligible
honourees on their own roster (asked before the unit of work opens; 404 otherwise, 409 for a person
deceased or without an active honour). A capacity, when set, is a hard limit (409 when full); the
same person twice is a 409. Attendance is the organiser's to mark (403 for another unit), once the
event has begun by the service's clock (409 before). A unit sees the sign-ups of people managed in
its scope; the organiser's scope sees them all. The city aims at 100 honourees a year in
international and Hong Kong/Macao/Taiwan exchanges: the yearly count is of distinct honourees in
scope who attended one that year.

A sign-up is cancelled (取消报名) by officers whose scope holds the person's managing unit (as kept on
the sign-up; the organiser who manages someone else's people sees it but is 403, others 404), before
the event begins (409 after), with an optional reason; twice is a 409. The row stays with who, when
and why; it no longer counts against the capacity nor for attendance. There is no waitlist: the freed
place is simply open. Signing the person up again re-activates the same row (the earlier cancellation
stays in the audit trail).
"""
from datetime import UTC

from sqlalchemy import case, distinct, func, select

from services.chassis.audit import record_change
from services.chassis.clock import BEIJING
from services.chassis.database import add_once, earlier_request, new_id
from services.chassis.errors import Conflict, Forbidden, NotFound

from .models.learning import EXCHANGES, LearningEvent, LearningKind, LearningSignup

EXCHANGE_TARGET = 100  # at least 100 honourees a year in exchanges (DOMAIN.md section 4)


def not_found(event_id):
    return NotFound(f"no learning event {event_id!r}", {"event_id": event_id})


def get(session, event_id, lock=False):
    found = None
    if isinstance(event_id, str) and len(event_id) <= 32:
        found = session.get(LearningEvent, event_id, with_for_update=lock or None, populate_existing=lock)
    if found is None:
        raise not_found(event_id)
    return found


def counts(session, event_ids):
    """Sign-ups standing (not cancelled) and attended, per event."""
    rows = session.execute(select(LearningSignup.event_id, func.count(),
                                  func.sum(case((LearningSignup.attended.is_(True), 1), else_=0)))
                           .where(LearningSignup.event_id.in_(list(event_ids)),
                                  LearningSignup.cancelled_at.is_(None))
                           .group_by(LearningSignup.event_id)).all() if event_ids else []
    return {e: (n, int(a or 0)) for e, n, a in rows}


def view(found, signed_up=0, attended=0):
    return {"id": found.id, "kind": found.kind.value, "title": found.title, "description": found.description,
            "place": found.place, "starts_at": found.starts_at.isoformat(), "year": found.year,
            "capacity": found.capacity, "organiser_unit_id": found.organiser_unit_id,
            "created_by_account": found.created_by_account, "signed_up": signed_up, "attended": attended,
            "request_id": found.request_id, "created_at": found.created_at.isoformat()}


def view_of(session, found):
    n, a = counts(session, [found.id]).get(found.id, (0, 0))
    return view(found, n, a)


def signup_view(s):
    return {"event_id": s.event_id, "honouree_id": s.honouree_id, "managing_unit_id": s.managing_unit_id,
            "signed_up_by_account": s.signed_up_by_account, "signed_up_at": s.signed_up_at.isoformat(),
            "attended": s.attended,
            "attendance_marked_at": s.attendance_marked_at.isoformat() if s.attendance_marked_at else None,
            "status": "cancelled" if s.cancelled_at else "signed_up",
            "cancelled_at": s.cancelled_at.isoformat() if s.cancelled_at else None,
            "cancelled_by_account": s.cancelled_by_account, "cancel_reason": s.cancel_reason}


def create(uow, actor, data):
    session, now = uow.session, uow.database.clock.now()
    earlier = earlier_request(session, LearningEvent, data.get("request_id"))
    if earlier is not None:
        return earlier, False
    made = LearningEvent(id=new_id(), request_id=data.get("request_id"), kind=LearningKind(data["kind"]),
                         title=data["title"], description=data["description"], place=data["place"],
                         starts_at=data["starts_at"].astimezone(UTC), year=data["starts_at"].astimezone(BEIJING).year,
                         capacity=data.get("capacity"), organiser_unit_id=actor.unit_id,
                         created_by_account=actor.account, created_at=now)
    made, new = add_once(session, made)
    if not new:
        return made, False
    record_change(uow, actor, "learning_event", made.id, "created", None,
                  {"kind": made.kind.value, "title": made.title, "starts_at": made.starts_at.isoformat()})
    return made, True


def sign_up(uow, actor, event_id, row):
    session = uow.session
    event = get(session, event_id, lock=True)  # sign-ups of one event wait here in turn: the capacity holds
    if not row["eligible"]:
        raise Conflict("only a living honouree with an active honour can sign up",
                       {"honouree_id": row["honouree_id"], "missing": "active_honour"})
    earlier = session.get(LearningSignup, (event.id, row["honouree_id"]))
    if earlier is not None and earlier.cancelled_at is None:
        raise Conflict("the honouree has signed up already", {"event_id": event.id, "honouree_id": row["honouree_id"]})
    taken = session.scalar(select(func.count()).select_from(LearningSignup).where(
        LearningSignup.event_id == event.id, LearningSignup.cancelled_at.is_(None)))
    if event.capacity is not None and taken >= event.capacity:
        raise Conflict(f"the event is full ({event.capacity} places)", {"event_id": event.id,
                                                                        "capacity": event.capacity})
    now = uow.database.clock.now()
    if earlier is None:
        made, before = LearningSignup(event_id=event.id, honouree_id=row["honouree_id"], attended=False), None
        session.add(made)
    else:  # signed up again after cancelling: the same row stands again, the cancellation stays in the audit
        made, before = earlier, {"status": "cancelled", "cancelled_at": earlier.cancelled_at.isoformat(),
                                 "cancel_reason": earlier.cancel_reason}
        made.cancelled_at = made.cancelled_by_account = made.cancel_reason = None
        made.attended, made.attendance_marked_at = False, None
    made.managing_unit_id, made.signed_up_by_account, made.signed_up_at = row["managing_unit_id"], actor.account, now
    session.flush()
    record_change(uow, actor, "learning_signup", f"{event.id}:{made.honouree_id}", "signed_up", before,
                  {"honouree_id": made.honouree_id, "status": "signed_up"})
    return made


def cancel(uow, actor, event_id, honouree_id, data, scope):
    """Cancel a standing sign-up before the event begins (取消报名): the row stays, with who, when, why."""
    session, now = uow.session, uow.database.clock.now()
    event = get(session, event_id, lock=True)  # in turn with sign-ups and attendance of the event
    found = None
    if isinstance(honouree_id, str) and len(honouree_id) <= 32:
        found = session.get(LearningSignup, (event.id, honouree_id), with_for_update=True, populate_existing=True)
    if found is None or (found.managing_unit_id not in scope and event.organiser_unit_id not in scope):
        raise NotFound(f"no sign-up of {honouree_id!r} for this event", {"event_id": event.id,
                                                                        "honouree_id": honouree_id})
    if found.managing_unit_id not in scope:
        raise Forbidden("only officers of the person's managing unit (or above) cancel the sign-up",
                        {"event_id": event.id, "honouree_id": honouree_id})
    if found.cancelled_at is not None:
        raise Conflict("the sign-up is cancelled already", {
            "event_id": event.id, "honouree_id": honouree_id, "status": "cancelled",
            "cancelled_at": found.cancelled_at.isoformat()})
    if now >= event.starts_at:
        raise Conflict("the event has begun: a sign-up is cancelled before it begins",
                       {"event_id": event.id, "starts_at": event.starts_at.isoformat()})
    found.cancelled_at, found.cancelled_by_account, found.cancel_reason = now, actor.account, data.get("reason")
    session.flush()
    record_change(uow, actor, "learning_signup", f"{event.id}:{honouree_id}", "cancelled", {"status": "signed_up"},
                  {"status": "cancelled", "cancel_reason": found.cancel_reason})
    return found


def mark_attendance(uow, actor, event_id, data, organiser_scope):
    session, now = uow.session, uow.database.clock.now()
    event = get(session, event_id, lock=True)
    if event.organiser_unit_id not in organiser_scope:
        raise Forbidden("only the organiser marks attendance", {"event_id": event.id})
    if now < event.starts_at:
        raise Conflict("the event has not begun: attendance is marked once it has",
                       {"event_id": event.id, "starts_at": event.starts_at.isoformat()})
    found = {s.honouree_id: s for s in session.scalars(select(LearningSignup).where(
        LearningSignup.event_id == event.id, LearningSignup.honouree_id.in_(data["honouree_ids"]),
        LearningSignup.cancelled_at.is_(None)))}  # a cancelled sign-up is no sign-up
    absent = [h for h in data["honouree_ids"] if h not in found]
    if absent:
        raise Conflict("only those signed up (and not cancelled) can attend",
                       {"event_id": event.id, "honouree_ids": absent})
    for honouree_id in sorted(found):
        signup = found[honouree_id]
        if signup.attended != data["attended"]:
            signup.attended, signup.attendance_marked_at = data["attended"], now
            record_change(uow, actor, "learning_signup", f"{event.id}:{honouree_id}", "attendance",
                          {"attended": not data["attended"]}, {"attended": data["attended"]})
    session.flush()
    return event


def listing(session, params):
    where = []
    if params.get("kind"):
        where.append(LearningEvent.kind == LearningKind(params["kind"]))
    if params.get("year"):
        where.append(LearningEvent.year == params["year"])
    total = session.scalar(select(func.count()).select_from(LearningEvent).where(*where))
    page, size = params["page"], params["page_size"]
    found = session.scalars(select(LearningEvent).where(*where).order_by(LearningEvent.starts_at.desc(),
                                                                         LearningEvent.id)
                            .limit(size).offset((page - 1) * size)).all() if total else []
    numbers = counts(session, [e.id for e in found])
    return [view(e, *numbers.get(e.id, (0, 0))) for e in found], total


def signups(session, event, scope, params):
    """The event's sign-ups the actor may see: all for the organiser's scope, else its own people's."""
    where = [LearningSignup.event_id == event.id]
    if event.organiser_unit_id not in scope:
        where.append(LearningSignup.managing_unit_id.in_(sorted(scope)))
    if params.get("attended") is not None:
        where.append(LearningSignup.attended == params["attended"])
    if params.get("status"):
        where.append(LearningSignup.cancelled_at.is_(None) if params["status"] == "signed_up"
                     else LearningSignup.cancelled_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(LearningSignup).where(*where))
    page, size = params["page"], params["page_size"]
    found = session.scalars(select(LearningSignup).where(*where).order_by(LearningSignup.signed_up_at,
                                                                          LearningSignup.honouree_id)
                            .limit(size).offset((page - 1) * size)).all() if total else []
    return [signup_view(s) for s in found], total


def exchange_count(session, scope, year):
    participants = session.scalar(
        select(func.count(distinct(LearningSignup.honouree_id)))
        .join(LearningEvent, LearningEvent.id == LearningSignup.event_id)
        .where(LearningEvent.kind.in_(EXCHANGES), LearningEvent.year == year, LearningSignup.attended.is_(True),
               LearningSignup.cancelled_at.is_(None), LearningSignup.managing_unit_id.in_(sorted(scope)))) or 0
    return {"year": year, "participants": participants, "target": EXCHANGE_TARGET,
            "shortfall": max(0, EXCHANGE_TARGET - participants)}
