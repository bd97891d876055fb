"""The association's business figure for Prometheus: members in good standing (在会)."""
from sqlalchemy import func, select

from .models.membership import Membership, MembershipStatus


def figures(session, today):
    members = session.scalar(select(func.count(Membership.id)).where(Membership.status == MembershipStatus.ACTIVE))
    return [("laomo_association_members_active", "Members of the association in good standing.", {}, members)]
