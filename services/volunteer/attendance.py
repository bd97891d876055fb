"""Attendance (考勤: check-in, check-out) and service hours (服务时长) confirmed by the organiser.

- **Check-in** of a confirmed sign-up, by an officer in whose scope the activity is: at ``at`` (default
  now; never in the future), from two hours before the activity begins until it ends. Once per sign-up.
- **Check-out** after the check-in (never in the future, at most four hours after the activity's end):
  the attendance proposes its minutes, from check-in to check-out. Proposed minutes count for nothing yet.
- **Confirmation** by the organiser (an officer in whose scope the activity's organiser unit is): the
  proposed minutes, or fewer; only then do they count, in every total. Event ``volunteer_hours_confirmed``.

A sign-up checked in can no longer be cancelled (see ``activities.cancel``).

**Totals** of confirmed minutes (and hours) over the attendances of volunteers whose team's unit is in
the actor's scope, grouped by volunteer, team, unit, category or year, filtered by year, category, unit
(and below) and team. **A volunteer's record** is the person's attendances (every membership of an
honouree; the other person's one) in scope, as CSV: UTF-8 with a BOM, CRLF line ends, and a text cell
that a spreadsheet would run as a formula starting with an apostrophe.
"""
import csv
import io
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.chassis.audit import record_change
from services.chassis.clock import BEIJING
from services.chassis.database import new_id
from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.spreadsheets import cell

from . import activities, corps
from .models.activities import Activity, SignupStatus
from .models.attendance import Attendance, AttendanceStatus
from .models.corps import Team, Volunteer

EARLY = timedelta(hours=2)  # check-in opens this long before the activity begins
LATE = timedelta(hours=4)   # check-out closes this long after it ends


def not_found(attendance_id):
    return NotFound(f"no attendance {attendance_id!r}", {"attendance_id": attendance_id})


def get(session, attendance_id, scope, lock=False):
    """The attendance, if its activity's organiser unit or its volunteer's unit is in ``scope``."""
    found = None
    if isinstance(attendance_id, str) and len(attendance_id) <= 32:
        found = session.get(Attendance, attendance_id, with_for_update=lock or None, populate_existing=lock)
    if found is None or (found.organiser_unit_id not in scope and found.unit_id not in scope):
        raise not_found(attendance_id)
    return found


def _at(data, now, field="at"):
    at = data.get("at") or now
    if at > now:
        raise Invalid("a time in the future", {field: ["must not be in the future"]})
    return at


def check_in(uow, actor, signup_id, data, scope):
    session, now = uow.session, uow.database.clock.now()
    held = activities.signup(session, signup_id, scope, lock=True)
    found_activity = session.get(Activity, held.activity_id)
    if held.status is not SignupStatus.CONFIRMED:
        raise Conflict("only a confirmed sign-up checks in", {"signup_id": held.id, "status": held.status.value})
    at = _at(data, now)
    if not found_activity.starts_at - EARLY <= at < found_activity.ends_at:
        raise Conflict("check-in is open from two hours before the activity begins until it ends",
                       {"signup_id": held.id, "starts_at": found_activity.starts_at.isoformat(),
                        "ends_at": found_activity.ends_at.isoformat()})
    existing = session.scalar(select(Attendance).where(Attendance.signup_id == held.id))
    if existing is not None:
        raise Conflict("the sign-up is checked in already", {"attendance_id": existing.id})
    member = session.get(Volunteer, held.volunteer_id)
    made = Attendance(
        id=new_id(), signup_id=held.id, activity_id=found_activity.id, volunteer_id=member.id,
        person_key=held.person_key, team_id=member.team_id, unit_id=member.unit_id,
        organiser_unit_id=found_activity.organiser_unit_id, category=found_activity.category.value,
        year=found_activity.starts_at.astimezone(BEIJING).year, status=AttendanceStatus.CHECKED_IN, checked_in_at=at,
        updated_at=now)
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError:
        existing = session.scalar(select(Attendance).where(Attendance.signup_id == held.id))
        raise Conflict("the sign-up is checked in already", {"attendance_id": existing.id}) from None
    record_change(uow, actor, "attendance", made.id, "checked_in", None, snapshot(made))
    return made


def check_out(uow, actor, attendance_id, data, scope):
    session, now = uow.session, uow.database.clock.now()
    found = get(session, attendance_id, scope, lock=True)
    if found.organiser_unit_id not in scope:
        raise not_found(attendance_id)
    if found.status is not AttendanceStatus.CHECKED_IN:
        raise Conflict("the attendance is checked out already", {"attendance_id": found.id,
                                                                 "status": found.status.value})
    at = _at(data, now)
    ends_at = session.get(Activity, found.activity_id).ends_at
    if at <= found.checked_in_at:
        raise Invalid("check-out comes after check-in", {"at": ["must be after the check-in"]})
    if at > ends_at + LATE:
        raise Invalid("check-out closes four hours after the activity ends",
                      {"at": [f"must be at most {(ends_at + LATE).isoformat()}"]})
    before = snapshot(found)
    found.checked_out_at, found.status, found.updated_at = at, AttendanceStatus.CHECKED_OUT, now
    found.proposed_minutes = int((at - found.checked_in_at).total_seconds() // 60)
    record_change(uow, actor, "attendance", found.id, "checked_out", before, snapshot(found))
    return found


def confirm(uow, actor, attendance_id, data, scope):
    session, now = uow.session, uow.database.clock.now()
    found = get(session, attendance_id, scope, lock=True)
    if found.organiser_unit_id not in scope:  # only the organiser (or above) confirms
        raise not_found(attendance_id)
    if found.status is not AttendanceStatus.CHECKED_OUT:
        raise Conflict("only a checked-out attendance's hours are confirmed",
                       {"attendance_id": found.id, "status": found.status.value, "missing": "checked_out"})
    minutes = data.get("minutes")
    minutes = found.proposed_minutes if minutes is None else minutes
    if minutes > found.proposed_minutes:
        raise Invalid("more minutes than the attendance shows",
                      {"minutes": [f"at most the proposed {found.proposed_minutes}"]})
    before = snapshot(found)
    found.status, found.confirmed_minutes = AttendanceStatus.CONFIRMED, minutes
    found.confirmed_by_account, found.confirmed_at, found.updated_at = actor.account, now, now
    record_change(uow, actor, "attendance", found.id, "confirmed", before, snapshot(found))
    uow.record_event("volunteer_hours_confirmed", {
        "attendance_id": found.id, "activity_id": found.activity_id, "volunteer_id": found.volunteer_id,
        "unit_id": found.unit_id, "category": found.category, "year": found.year, "minutes": minutes})
    return found


def of_activity(session, activity_id, params):
    query = select(Attendance).where(Attendance.activity_id == activity_id)
    if params.get("status"):
        query = query.where(Attendance.status == AttendanceStatus(params["status"]))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page, size = params["page"], params["page_size"]
    found = session.scalars(query.order_by(Attendance.checked_in_at, Attendance.id)
                            .offset((page - 1) * size).limit(size)).all()
    return found, total


def snapshot(found):
    return {"signup_id": found.signup_id, "status": found.status.value,
            "checked_in_at": found.checked_in_at.isoformat(),
            "checked_out_at": found.checked_out_at.isoformat() if found.checked_out_at else None,
            "proposed_minutes": found.proposed_minutes, "confirmed_minutes": found.confirmed_minutes}


def view(found):
    return dict(snapshot(found), id=found.id, activity_id=found.activity_id, volunteer_id=found.volunteer_id,
                team_id=found.team_id, unit_id=found.unit_id, organiser_unit_id=found.organiser_unit_id,
                category=found.category, year=found.year, confirmed_by_account=found.confirmed_by_account,
                confirmed_at=found.confirmed_at.isoformat() if found.confirmed_at else None)


# --- totals ------------------------------------------------------------------------------------

GROUPS = {"volunteer": Attendance.volunteer_id, "team": Attendance.team_id, "unit": Attendance.unit_id,
          "category": Attendance.category, "year": Attendance.year}


def totals(session, scope, params):
    """Confirmed minutes grouped by ``params["group_by"]``: a page of groups, most minutes first.

    One read: the groups in the order of the group's covering index, then window sums over them, so
    only the page's rows come back (with the count of groups and the sums of all)."""
    key = GROUPS[params["group_by"]]
    where = [Attendance.status == AttendanceStatus.CONFIRMED, Attendance.unit_id.in_(scope)]
    if params.get("year"):
        where.append(Attendance.year == params["year"])
    if params.get("category"):
        where.append(Attendance.category == params["category"])
    if params.get("team_id"):
        where.append(Attendance.team_id == params["team_id"])
    groups = select(key.label("key"), func.sum(Attendance.confirmed_minutes).label("minutes"),
                    func.count().label("attendances")).where(*where).group_by(key).subquery()
    page, size = params["page"], params["page_size"]
    rows = session.execute(
        select(groups.c.key, groups.c.minutes, groups.c.attendances, func.count().over(),
               func.sum(groups.c.minutes).over(), func.sum(groups.c.attendances).over())
        .order_by(groups.c.minutes.desc(), groups.c.key).offset((page - 1) * size).limit(size)).all()
    if rows:
        count, minutes, attended = rows[0][3], int(rows[0][4]), int(rows[0][5])
    else:  # past the last page (or nothing at all): the sums on their own
        count, minutes, attended = session.execute(
            select(func.count(), func.coalesce(func.sum(groups.c.minutes), 0),
                   func.coalesce(func.sum(groups.c.attendances), 0))).one()
        minutes, attended = int(minutes), int(attended)
    labels = _labels(session, params["group_by"], [r[0] for r in rows])
    items = [{"key": str(r[0]), "label": labels.get(r[0]), "minutes": int(r[1]), "hours": round(int(r[1]) / 60, 2),
              "attendances": r[2]} for r in rows]
    return {"group_by": params["group_by"], "items": items, "total": count, "page": page, "page_size": size,
            "pages": (count + size - 1) // size, "total_minutes": minutes, "total_hours": round(minutes / 60, 2),
            "attendances": attended}


def _labels(session, group_by, keys):
    if not keys or group_by not in ("volunteer", "team"):
        return {}
    model = Volunteer if group_by == "volunteer" else Team
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(keys))).all())


# --- a volunteer's record as CSV -----------------------------------------------------------------

COLUMNS = ["activity_id", "title", "category", "organiser_unit_id", "place", "starts_at", "ends_at",
           "volunteer_id", "team_id", "status", "checked_in_at", "checked_out_at", "proposed_minutes",
           "confirmed_minutes", "confirmed_hours"]


def record_csv(session, volunteer_id, scope):
    member = corps.volunteer(session, volunteer_id, scope)
    key = activities.person_key(member)
    rows = session.execute(select(Attendance, Activity).join(Activity, Activity.id == Attendance.activity_id)
                           .where(Attendance.person_key == key, Attendance.unit_id.in_(scope))
                           .order_by(Attendance.checked_in_at, Attendance.id)).all()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for found, act in rows:
        confirmed = found.confirmed_minutes
        writer.writerow([cell(v) for v in (
            act.id, act.title, act.category.value, act.organiser_unit_id, act.place, act.starts_at.isoformat(),
            act.ends_at.isoformat(), found.volunteer_id, found.team_id, found.status.value,
            found.checked_in_at.isoformat(), found.checked_out_at.isoformat() if found.checked_out_at else None,
            found.proposed_minutes, confirmed, f"{confirmed // 60}.{confirmed % 60 * 100 // 60:02d}"
            if confirmed is not None else None)])
    return out.getvalue()
