"""Activities (志愿服务活动) and sign-ups (报名, 候补).

An activity is organised by a unit (``organiser_unit_id``, in the organiser's scope; the activity is
seen by the actors whose scope holds that unit) in one of the categories: science and technology,
medical, culture, daily-life services, and talks in enterprises, campuses and communities (进企业、
进校园、进社区). It has a place, a time (``starts_at`` < ``ends_at``), a capacity (places) and the skills
every volunteer of it must offer. It is a ``draft`` until published; sign-up is open from publication
until it begins.

A sign-up is made for an active volunteer in the actor's scope who offers the required skills, and is

- refused (409) when the same person (an honouree in any of their teams, or the other person) holds a
  live sign-up (confirmed or waitlisted) for another activity whose time overlaps: a clash;
- ``confirmed`` while the activity has a free place, ``waitlisted`` (候补) after that, in order.

Cancelling a confirmed sign-up frees its place for the first on the waitlist, who is confirmed then
(``promoted_at``). Places are counted under a lock of the activity's row (FOR UPDATE on PostgreSQL;
on SQLite every write transaction holds the database's write lock from BEGIN IMMEDIATE), and the
person's clashes under a lock of their memberships' rows, so concurrent sign-ups cannot overfill an
activity or double-book a person. A retry with the same ``request_id`` returns the first sign-up.
"""
from datetime import UTC

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from services.chassis.audit import record_change
from services.chassis.database import add_once, earlier_request, new_id
from services.chassis.errors import Conflict, Invalid, NotFound

from . import corps
from .models.activities import (
    LIVE,
    Activity,
    ActivitySkill,
    ActivityStatus,
    Category,
    Signup,
    SignupStatus,
)
from .models.attendance import Attendance
from .models.corps import Volunteer, VolunteerKind, VolunteerStatus

# --- activities --------------------------------------------------------------------------------

def activity_not_found(activity_id):
    return NotFound(f"no volunteer activity {activity_id!r}", {"activity_id": activity_id})


def activity(session, activity_id, scope, lock=False):
    found = None
    if isinstance(activity_id, str) and len(activity_id) <= 32:
        found = session.get(Activity, activity_id, with_for_update=lock or None, populate_existing=lock)
    if found is None or found.organiser_unit_id not in scope:
        raise activity_not_found(activity_id)
    return found


def create(uow, actor, data, unit, scope):
    session, now = uow.session, uow.database.clock.now()
    corps.unit_in_scope(unit, scope, "organiser_unit_id")
    earlier = earlier_request(session, Activity, data.get("request_id"))
    if earlier is not None:
        return earlier
    made = Activity(
        id=new_id(), request_id=data.get("request_id"), title=data["title"], category=Category(data["category"]),
        organiser_unit_id=unit["id"], place=data["place"], starts_at=data["starts_at"], ends_at=data["ends_at"],
        capacity=data["capacity"], description=data["description"], status=ActivityStatus.DRAFT, last_seq=0,
        version=1, created_by_account=actor.account, created_at=now, updated_at=now,
        skills=[ActivitySkill(skill=s) for s in sorted(data["required_skills"])])
    made, new = add_once(session, made)
    if not new:
        return made
    record_change(uow, actor, "volunteer_activity", made.id, "created", None, activity_snapshot(made))
    return made


def publish(uow, actor, activity_id, scope):
    found = activity(uow.session, activity_id, scope, lock=True)
    now = uow.database.clock.now()
    if found.status is not ActivityStatus.DRAFT:
        raise Conflict(f"the activity is {found.status.value} already",
                       {"activity_id": found.id, "status": found.status.value})
    if found.starts_at <= now:
        raise Conflict("an activity that has begun cannot be published",
                       {"activity_id": found.id, "starts_at": found.starts_at.isoformat()})
    before = activity_snapshot(found)
    found.status, found.published_at, found.updated_at = ActivityStatus.PUBLISHED, now, now
    found.version += 1
    record_change(uow, actor, "volunteer_activity", found.id, "published", before, activity_snapshot(found))
    uow.record_event("volunteer_activity_published", {
        "activity_id": found.id, "organiser_unit_id": found.organiser_unit_id, "category": found.category.value,
        "starts_at": found.starts_at.isoformat(), "ends_at": found.ends_at.isoformat(), "capacity": found.capacity})
    return found


EDITABLE = ("title", "place", "description", "starts_at", "ends_at", "capacity", "required_skills")


def not_begun(found, now, doing):
    """409 unless the activity is still to come and not cancelled."""
    if found.status is ActivityStatus.CANCELLED:
        raise Conflict(f"a cancelled activity cannot be {doing}",
                       {"activity_id": found.id, "status": found.status.value})
    if found.starts_at <= now:
        raise Conflict(f"an activity that has begun cannot be {doing}",
                       {"activity_id": found.id, "starts_at": found.starts_at.isoformat()})


def change(uow, actor, activity_id, changes, scope):
    """Change an activity that has not begun (``version`` guards against lost updates): (the activity,
    the changed fields, the sign-ups a higher capacity confirmed from the waitlist, the clashes a new
    time made). A new time moves its sign-ups' copies of it; clashes it makes with a person's other
    sign-ups are reported, not refused (the organiser tells the people; they may cancel one). New
    required skills do not remove anyone signed up already."""
    session, now = uow.session, uow.database.clock.now()
    found = activity(session, activity_id, scope, lock=True)
    not_begun(found, now, "changed")
    if changes["version"] != found.version:
        raise Conflict("the activity changed since it was read; reload it and try again",
                       {"activity_id": found.id, "version": found.version})
    # in UTC as the database gives them back, so the reply, trail and event read the same as later reads
    try:
        starts = changes.get("starts_at", found.starts_at).astimezone(UTC)
        ends = changes.get("ends_at", found.ends_at).astimezone(UTC)
    except OverflowError:  # a time at the calendar's edge, with an offset that takes it past it
        raise Invalid("a time out of range", {"starts_at": ["out of range"]}) from None
    if ends <= starts:
        raise Invalid("the activity must end after it starts", {"ends_at": ["must be after starts_at"]})
    if "starts_at" in changes and starts <= now:
        raise Invalid("the activity cannot be moved into the past", {"starts_at": ["must be in the future"]})
    moved = (starts, ends) != (found.starts_at, found.ends_at)
    if moved:
        attended = session.scalar(select(func.count()).select_from(Attendance)
                                  .where(Attendance.activity_id == found.id))
        if attended:
            raise Conflict("volunteers have checked in: the time stays",
                           {"activity_id": found.id, "checked_in": attended})
    if "capacity" in changes:
        confirmed = session.scalar(select(func.count()).select_from(Signup).where(
            Signup.activity_id == found.id, Signup.status == SignupStatus.CONFIRMED))
        if changes["capacity"] < confirmed:
            raise Conflict("the capacity cannot fall below the places taken",
                           {"activity_id": found.id, "capacity": changes["capacity"], "confirmed": confirmed})
    before = activity_snapshot(found)
    for name in ("title", "place", "description", "capacity"):
        if name in changes:
            setattr(found, name, changes[name])
    found.starts_at, found.ends_at = starts, ends
    if "required_skills" in changes:
        # only what differs is deleted or added: a row deleted and added again in one flush would clash
        wanted = set(changes["required_skills"])
        found.skills = [s for s in found.skills if s.skill in wanted] + [
            ActivitySkill(skill=s) for s in sorted(wanted - {s.skill for s in found.skills})]
    after = activity_snapshot(found)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        return found, [], [], []
    found.version += 1
    found.updated_at = now
    clashed = []
    if moved:
        held = session.scalars(select(Signup).where(Signup.activity_id == found.id)
                               .order_by(Signup.seq).with_for_update()).all()
        for one in held:
            one.starts_at, one.ends_at = found.starts_at, found.ends_at
        session.flush()
        # every live sign-up's clashes at the new time, in one query (a sign-up each would be thousands)
        other = aliased(Signup)
        clashed = [{"signup_id": one.id, "volunteer_id": one.volunteer_id, "clashing_signup_id": theirs.id,
                    "clashing_activity_id": theirs.activity_id}
                   for one, theirs in session.execute(
                       select(Signup, other).join(other, and_(
                           other.person_key == Signup.person_key, other.status.in_(LIVE),
                           other.activity_id != found.id, other.starts_at < found.ends_at,
                           other.ends_at > found.starts_at))
                       .where(Signup.activity_id == found.id, Signup.status.in_(LIVE))
                       .order_by(Signup.seq, other.starts_at))]
    session.flush()
    record_change(uow, actor, "volunteer_activity", found.id, "changed", before, after)
    promoted = promote(uow, actor, found) if "capacity" in changed else []
    uow.record_event("volunteer_activity_changed", {
        "activity_id": found.id, "organiser_unit_id": found.organiser_unit_id, "fields": changed,
        "status": found.status.value, "starts_at": found.starts_at.isoformat(), "ends_at": found.ends_at.isoformat(),
        "capacity": found.capacity, "version": found.version})
    return found, changed, promoted, clashed


def call_off(uow, actor, activity_id, reason, scope):
    """Cancel an activity that has not begun (取消活动), with the reason: every live sign-up (confirmed or
    waitlisted) is cancelled with it, so no one checks in. 409 when it is cancelled already, has begun, or
    someone has checked in already (their attendance stays a fact). Returns (the activity, the
    cancelled sign-ups)."""
    session, now = uow.session, uow.database.clock.now()
    found = activity(session, activity_id, scope, lock=True)
    if found.status is ActivityStatus.CANCELLED:
        raise Conflict("the activity is cancelled already",
                       {"activity_id": found.id, "status": found.status.value,
                        "cancelled_at": found.cancelled_at.isoformat()})
    not_begun(found, now, "cancelled")
    attended = session.scalar(select(Attendance.id).where(Attendance.activity_id == found.id)
                              .order_by(Attendance.id).limit(1))
    if attended is not None:
        raise Conflict("volunteers have checked in: the activity cannot be cancelled",
                       {"activity_id": found.id, "attendance_id": attended})
    before = activity_snapshot(found)
    found.status, found.cancelled_at, found.cancel_reason, found.updated_at = (
        ActivityStatus.CANCELLED, now, reason, now)
    found.version += 1
    held = session.scalars(select(Signup).where(Signup.activity_id == found.id, Signup.status.in_(LIVE))
                           .order_by(Signup.seq).with_for_update()).all()
    for one in held:
        was = signup_snapshot(one)
        one.status, one.cancelled_at, one.cancel_reason, one.live_key = SignupStatus.CANCELLED, now, reason, None
        one.updated_at = now
        record_change(uow, actor, "signup", one.id, "cancelled", was, signup_snapshot(one))
    session.flush()
    record_change(uow, actor, "volunteer_activity", found.id, "cancelled", before, activity_snapshot(found))
    uow.record_event("volunteer_activity_cancelled", {
        "activity_id": found.id, "organiser_unit_id": found.organiser_unit_id,
        "starts_at": found.starts_at.isoformat(), "cancelled_signup_ids": [s.id for s in held]})
    return found, held


def activities(session, scope, params):
    query = select(Activity).where(Activity.organiser_unit_id.in_(scope))
    if params.get("category"):
        query = query.where(Activity.category == Category(params["category"]))
    if params.get("status"):
        query = query.where(Activity.status == ActivityStatus(params["status"]))
    if params.get("starts_from"):
        query = query.where(Activity.starts_at >= params["starts_from"])
    if params.get("starts_before"):
        query = query.where(Activity.starts_at < params["starts_before"])
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page, size = params["page"], params["page_size"]
    found = session.scalars(query.order_by(Activity.starts_at, Activity.id)
                            .offset((page - 1) * size).limit(size)).all()
    return found, total


def counts(session, activity_ids):
    """{activity id: {"confirmed": n, "waitlisted": n}}."""
    found = {a: {"confirmed": 0, "waitlisted": 0} for a in activity_ids}
    if activity_ids:
        rows = session.execute(select(Signup.activity_id, Signup.status, func.count())
                               .where(Signup.activity_id.in_(activity_ids), Signup.status.in_(LIVE))
                               .group_by(Signup.activity_id, Signup.status))
        for activity_id, status, n in rows:
            found[activity_id][status.value] = n
    return found


def activity_snapshot(found):
    return {"title": found.title, "category": found.category.value, "organiser_unit_id": found.organiser_unit_id,
            "place": found.place, "starts_at": found.starts_at.isoformat(), "ends_at": found.ends_at.isoformat(),
            "capacity": found.capacity, "description": found.description,
            "required_skills": sorted(s.skill for s in found.skills), "status": found.status.value,
            "cancel_reason": found.cancel_reason}


def activity_view(found, counted):
    return dict(activity_snapshot(found), id=found.id, confirmed=counted["confirmed"],
                waitlisted=counted["waitlisted"], free_places=max(found.capacity - counted["confirmed"], 0),
                created_by_account=found.created_by_account, created_at=found.created_at.isoformat(),
                published_at=found.published_at.isoformat() if found.published_at else None,
                cancelled_at=found.cancelled_at.isoformat() if found.cancelled_at else None, version=found.version)


# --- sign-ups ----------------------------------------------------------------------------------

def signup_not_found(signup_id):
    return NotFound(f"no sign-up {signup_id!r}", {"signup_id": signup_id})


def signup(session, signup_id, scope, lock=False):
    found = None
    if isinstance(signup_id, str) and len(signup_id) <= 32:
        found = session.get(Signup, signup_id, with_for_update=lock or None, populate_existing=lock)
    if found is None or session.get(Activity, found.activity_id).organiser_unit_id not in scope:
        raise signup_not_found(signup_id)
    return found


def person_key(volunteer):
    return volunteer.honouree_id if volunteer.kind is VolunteerKind.HONOUREE else f"v:{volunteer.id}"


def lock_person(session, volunteer):
    """Lock the rows of every membership of the volunteer's person, in id order: one person's
    sign-ups are checked for clashes one after another."""
    if volunteer.kind is VolunteerKind.HONOUREE:
        where = Volunteer.honouree_id == volunteer.honouree_id
    else:
        where = Volunteer.id == volunteer.id
    session.scalars(select(Volunteer.id).where(where).order_by(Volunteer.id).with_for_update()).all()


def clashes(session, key, found):
    """The person's live sign-ups for other activities overlapping ``found``'s time."""
    return session.scalars(select(Signup).where(
        Signup.person_key == key, Signup.status.in_(LIVE), Signup.activity_id != found.id,
        Signup.starts_at < found.ends_at, Signup.ends_at > found.starts_at).order_by(Signup.starts_at)).all()


def sign_up(uow, actor, activity_id, data, scope):
    session, now = uow.session, uow.database.clock.now()
    found = activity(session, activity_id, scope, lock=True)  # sign-ups of an activity take places in turn
    earlier = earlier_request(session, Signup, data.get("request_id"))
    if earlier is not None:
        if earlier.activity_id != found.id or earlier.volunteer_id != data["volunteer_id"]:
            raise Conflict("this request_id was used for another sign-up",
                           {"request_id": earlier.request_id, "signup_id": earlier.id})
        return earlier
    try:
        member = corps.volunteer(session, data["volunteer_id"], scope)
    except NotFound:
        raise Invalid("no such volunteer", {"volunteer_id": [f"no volunteer {data['volunteer_id']!r}"]}) from None
    if found.status is ActivityStatus.CANCELLED:
        raise Conflict("the activity is cancelled", {"activity_id": found.id, "status": found.status.value})
    if found.status is not ActivityStatus.PUBLISHED:
        raise Conflict("the activity is not published", {"activity_id": found.id, "missing": "published"})
    if found.starts_at <= now:
        raise Conflict("sign-up is closed: the activity has begun",
                       {"activity_id": found.id, "starts_at": found.starts_at.isoformat()})
    if member.status is not VolunteerStatus.ACTIVE:
        raise Conflict("the volunteer's membership has ended", {"volunteer_id": member.id, "missing": "active"})
    missing = sorted({s.skill for s in found.skills} - {s.skill for s in member.skills})
    if missing:
        raise Conflict("the volunteer lacks skills the activity requires",
                       {"volunteer_id": member.id, "missing_skills": missing})
    key = person_key(member)
    lock_person(session, member)
    live = session.scalar(select(Signup).where(Signup.live_key == f"{found.id}:{key}"))
    if live is not None:
        raise Conflict("the volunteer is signed up for this activity already",
                       {"signup_id": live.id, "status": live.status.value})
    clash = clashes(session, key, found)
    if clash:
        raise Conflict("the volunteer is signed up for another activity at the same time",
                       {"volunteer_id": member.id, "clashing_activity_id": clash[0].activity_id,
                        "clashing_signup_id": clash[0].id})
    confirmed = session.scalar(select(func.count()).select_from(Signup).where(
        Signup.activity_id == found.id, Signup.status == SignupStatus.CONFIRMED))
    found.last_seq += 1
    made = Signup(id=new_id(), request_id=data.get("request_id"), activity_id=found.id, volunteer_id=member.id,
                  person_key=key, live_key=f"{found.id}:{key}",
                  status=SignupStatus.CONFIRMED if confirmed < found.capacity else SignupStatus.WAITLISTED,
                  seq=found.last_seq, starts_at=found.starts_at, ends_at=found.ends_at, signed_up_at=now,
                  created_by_account=actor.account, updated_at=now)
    session.add(made)
    session.flush()
    record_change(uow, actor, "signup", made.id, "signed_up", None, signup_snapshot(made))
    return made


def cancel(uow, actor, signup_id, reason, scope):
    """Cancel a live sign-up; a freed place goes to the first on the waitlist. Returns the
    cancelled sign-up and the promoted ones."""
    session, now = uow.session, uow.database.clock.now()
    with session.no_autoflush:
        peek = signup(session, signup_id, scope)
    found_activity = activity(session, peek.activity_id, scope, lock=True)
    found = signup(session, signup_id, scope, lock=True)
    if found.status not in LIVE:
        raise Conflict("the sign-up is cancelled already", {"signup_id": found.id, "status": found.status.value})
    if found_activity.starts_at <= now:
        raise Conflict("the activity has begun: its sign-ups stay",
                       {"signup_id": found.id, "starts_at": found_activity.starts_at.isoformat()})
    attended = session.scalar(select(Attendance.id).where(Attendance.signup_id == found.id))
    if attended is not None:
        raise Conflict("the volunteer has checked in: the sign-up stays",
                       {"signup_id": found.id, "attendance_id": attended})
    return withdraw(uow, actor, found, found_activity, reason)


def withdraw(uow, actor, found, found_activity, reason):
    """Cancel the live sign-up ``found`` of ``found_activity`` (both locked by the caller) and move the
    waitlist up: (the sign-up, the promoted ones)."""
    session, now = uow.session, uow.database.clock.now()
    before = signup_snapshot(found)
    found.status, found.cancelled_at, found.cancel_reason, found.live_key = SignupStatus.CANCELLED, now, reason, None
    found.updated_at = now
    session.flush()
    record_change(uow, actor, "signup", found.id, "cancelled", before, signup_snapshot(found))
    return found, promote(uow, actor, found_activity)


def promote(uow, actor, found_activity):
    """Confirm the waitlist's first while the activity (locked) has free places."""
    session, now = uow.session, uow.database.clock.now()
    confirmed = session.scalar(select(func.count()).select_from(Signup).where(
        Signup.activity_id == found_activity.id, Signup.status == SignupStatus.CONFIRMED))
    free = found_activity.capacity - confirmed
    promoted = []
    if free > 0:
        waiting = session.scalars(select(Signup).where(
            Signup.activity_id == found_activity.id, Signup.status == SignupStatus.WAITLISTED)
            .order_by(Signup.seq).limit(free).with_for_update()).all()
        for moved in waiting:
            before = signup_snapshot(moved)
            moved.status, moved.promoted_at, moved.updated_at = SignupStatus.CONFIRMED, now, now
            record_change(uow, actor, "signup", moved.id, "promoted", before, signup_snapshot(moved))
            uow.record_event("volunteer_signup_promoted", {
                "signup_id": moved.id, "activity_id": found_activity.id, "volunteer_id": moved.volunteer_id})
            promoted.append(moved)
    return promoted


def signups(session, activity_id, params):
    query = select(Signup).where(Signup.activity_id == activity_id)
    if params.get("status"):
        query = query.where(Signup.status == SignupStatus(params["status"]))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page, size = params["page"], params["page_size"]
    found = session.scalars(query.order_by(Signup.seq).offset((page - 1) * size).limit(size)).all()
    return found, total


def waitlist_positions(session, found):
    """{signup id: 1-based place on the waitlist} of the waitlisted among ``found``."""
    wanted = {s.activity_id for s in found if s.status is SignupStatus.WAITLISTED}
    positions = {}
    for activity_id in wanted:
        ids = session.scalars(select(Signup.id).where(Signup.activity_id == activity_id,
                                                      Signup.status == SignupStatus.WAITLISTED)
                              .order_by(Signup.seq)).all()
        positions.update({sid: n for n, sid in enumerate(ids, 1)})
    return positions


def signup_snapshot(found):
    return {"activity_id": found.activity_id, "volunteer_id": found.volunteer_id, "status": found.status.value,
            "cancel_reason": found.cancel_reason}


def signup_view(found, names, positions):
    return dict(signup_snapshot(found), id=found.id, volunteer_name=names.get(found.volunteer_id, ""),
                seq=found.seq, waitlist_position=positions.get(found.id),
                signed_up_at=found.signed_up_at.isoformat(),
                promoted_at=found.promoted_at.isoformat() if found.promoted_at else None,
                cancelled_at=found.cancelled_at.isoformat() if found.cancelled_at else None,
                created_by_account=found.created_by_account)


def signup_views(session, found):
    names = dict(session.execute(select(Volunteer.id, Volunteer.name)
                                 .where(Volunteer.id.in_({s.volunteer_id for s in found}))).all()) if found else {}
    positions = waitlist_positions(session, found)
    return [signup_view(s, names, positions) for s in found]
