"""Learning and exchanges (劳模大讲堂、沙龙、培训、学历教育、国际及港澳台交流): events with sign-up and attendance.

Events are shared: everyone signed in reads them, and any unit's officers sign up eligible
honourees on their own roster (asked before the unit of work opens; 404 otherwise, 409 for a person
deceased or without an active honour). A capacity, when set, is a hard limit (409 when full); the
same person twice is a 409. Attendance is the organiser's to mark (403 for another unit), once the
event has begun by the service's clock (409 before). A unit sees the sign-ups of people managed in
its scope; the organiser's scope sees them all. The city aims at 100 honourees a year in
international and Hong Kong/Macao/Taiwan exchanges: the yearly count is of distinct honourees in
scope who attended one that year.
"""
from datetime import UTC, timedelta

from sqlalchemy import case, distinct, func, select
from sqlalchemy.exc import IntegrityError

from services.chassis.audit import record_change
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, Forbidden, NotFound

from .models.learning import EXCHANGES, LearningEvent, LearningKind, LearningSignup

EXCHANGE_TARGET = 100  # at least 100 honourees a year in exchanges (DOMAIN.md section 4)
BEIJING = timedelta(hours=8)


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
    rows = session.execute(select(LearningSignup.event_id, func.count(),
                                  func.sum(case((LearningSignup.attended.is_(True), 1), else_=0)))
                           .where(LearningSignup.event_id.in_(list(event_ids)))
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
            "attendance_marked_at": s.attendance_marked_at.isoformat() if s.attendance_marked_at else None}


def create(uow, actor, data):
    session, now = uow.session, uow.database.clock.now()
    if data.get("request_id"):
        earlier = earlier_request(session, LearningEvent, data["request_id"])
        if earlier is not None:
            return earlier, False
    made = LearningEvent(id=new_id(), request_id=data.get("request_id"), kind=LearningKind(data["kind"]),
                         title=data["title"], description=data["description"], place=data["place"],
                         starts_at=data["starts_at"].astimezone(UTC), year=(data["starts_at"].astimezone(UTC) + BEIJING).year,
                         capacity=data.get("capacity"), organiser_unit_id=actor.unit_id,
                         created_by_account=actor.account, created_at=now)
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError:
        earlier = earlier_request(session, LearningEvent, data["request_id"])
        if earlier is None:
            raise
        return earlier, False
    record_change(uow, actor, "learning_event", made.id, "created", None,
                  {"kind": made.kind.value, "title": made.title, "starts_at": made.starts_at.isoformat()})
    return made, True


def sign_up(uow, actor, event_id, row):
    session = uow.session
    event = get(session, event_id, lock=True)  # sign-ups of one event wait here in turn: the capacity holds
    if not row["eligible"]:
        raise Conflict("only a living honouree with an active honour can sign up",
                       {"honouree_id": row["honouree_id"], "missing": "active_honour"})
    if session.get(LearningSignup, (event.id, row["honouree_id"])) is not None:
        raise Conflict("the honouree has signed up already", {"event_id": event.id, "honouree_id": row["honouree_id"]})
    taken = session.scalar(select(func.count()).select_from(LearningSignup).where(LearningSignup.event_id == event.id))
    if event.capacity is not None and taken >= event.capacity:
        raise Conflict(f"the event is full ({event.capacity} places)", {"event_id": event.id,
                                                                        "capacity": event.capacity})
    made = LearningSignup(event_id=event.id, honouree_id=row["honouree_id"], managing_unit_id=row["managing_unit_id"],
                          signed_up_by_account=actor.account, signed_up_at=uow.database.clock.now(), attended=False)
    session.add(made)
    session.flush()
    record_change(uow, actor, "learning_signup", f"{event.id}:{made.honouree_id}", "signed_up", None,
                  {"honouree_id": made.honouree_id})
    return made


def mark_attendance(uow, actor, event_id, data, organiser_scope):
    session, now = uow.session, uow.database.clock.now()
    event = get(session, event_id, lock=True)
    if event.organiser_unit_id not in organiser_scope:
        raise Forbidden("only the organiser marks attendance", {"event_id": event.id})
    if now < event.starts_at:
        raise Conflict("the event has not begun: attendance is marked once it has",
                       {"event_id": event.id, "starts_at": event.starts_at.isoformat()})
    found = {s.honouree_id: s for s in session.scalars(select(LearningSignup).where(
        LearningSignup.event_id == event.id, LearningSignup.honouree_id.in_(data["honouree_ids"])))}
    absent = [h for h in data["honouree_ids"] if h not in found]
    if absent:
        raise Conflict("only those signed up can attend", {"event_id": event.id, "honouree_ids": absent})
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
               LearningSignup.managing_unit_id.in_(sorted(scope)))) or 0
    return {"year": year, "participants": participants, "target": EXCHANGE_TARGET,
            "shortfall": max(0, EXCHANGE_TARGET - participants)}
