"""The volunteer corps' business figure for Prometheus: active team memberships (在队)."""
from sqlalchemy import func, select

from .models.corps import Volunteer, VolunteerStatus


def figures(session, today):
    volunteers = session.scalar(select(func.count(Volunteer.id)).where(Volunteer.status == VolunteerStatus.ACTIVE))
    return [("laomo_volunteers_active", "Active volunteers, one per team membership.", {}, volunteers)]
