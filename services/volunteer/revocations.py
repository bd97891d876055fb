"""When the registry revokes a person's last honour (``honour_revoked`` with ``active_honours_left`` 0),
the roles that require honouree status end; the history stays.

- Every active honouree membership (kind ``honouree``) of the person ends (``ended``, with the reason).
- Their live sign-ups for activities that have not begun, and that are not checked in, are cancelled with
  the same reason; each freed place goes to the waitlist's first.
- Attendances, confirmed hours, sign-ups of activities that began, and the ended memberships stay as they
  are: the totals keep the hours served. Memberships of other people (kind ``public``) are not concerned.

The chassis' inbox makes the handler idempotent; a second revocation with none left finds nothing
active, and ends nothing. Rows are locked in the order sign-ups take them: activities, then memberships.
"""
from sqlalchemy import select

from services.chassis.actor import SYSTEM
from services.chassis.schemas import load

from . import activities, corps
from .models.activities import LIVE, Activity, Signup
from .models.attendance import Attendance
from .models.corps import Volunteer, VolunteerKind, VolunteerStatus
from .schemas.revocations import HonourRevokedSchema

REASON = "所有荣誉已撤销 (no active honour left)"


def end_roles(uow, event):
    """End the person's honouree roles if no active honour is left; returns what ended."""
    event = load(HonourRevokedSchema(), event, "honour_revoked")
    honouree_id = event["honouree_id"]
    if event["active_honours_left"] > 0:
        return {"honouree_id": honouree_id, "ended": False, "active_honours_left": event["active_honours_left"]}
    session, now = uow.session, uow.database.clock.now()
    memberships = select(Volunteer.id).where(Volunteer.kind == VolunteerKind.HONOUREE,
                                             Volunteer.honouree_id == honouree_id)
    future = session.execute(
        select(Signup.id, Signup.activity_id).join(Activity, Activity.id == Signup.activity_id)
        .where(Signup.volunteer_id.in_(memberships), Signup.status.in_(LIVE), Activity.starts_at > now,
               Signup.id.not_in(select(Attendance.signup_id)))).all()
    locked = {a: session.get(Activity, a, with_for_update=True, populate_existing=True)
              for a in sorted({row.activity_id for row in future})}
    members = session.scalars(select(Volunteer).where(Volunteer.id.in_(memberships))
                              .order_by(Volunteer.id).with_for_update()).all()
    cancelled, promoted = [], []
    for signup_id, activity_id in sorted(future):
        found = session.get(Signup, signup_id, with_for_update=True, populate_existing=True)
        if found.status in LIVE:
            _, moved = activities.withdraw(uow, SYSTEM, found, locked[activity_id], REASON)
            cancelled.append(found.id)
            promoted += [m.id for m in moved]
    ended = [corps.end_membership(uow, SYSTEM, m, REASON).id for m in members if m.status is VolunteerStatus.ACTIVE]
    if ended or cancelled:
        uow.record_event("volunteer_roles_ended", {
            "honouree_id": honouree_id, "revocation_id": event.get("revocation_id"), "volunteer_ids": ended,
            "cancelled_signup_ids": cancelled, "promoted_signup_ids": promoted})
    return {"honouree_id": honouree_id, "ended": True, "volunteer_ids": ended, "cancelled_signup_ids": cancelled,
            "promoted_signup_ids": promoted}
