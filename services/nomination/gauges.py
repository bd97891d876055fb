"""Nomination's business figure for Prometheus: objections (异议) waiting for a decision."""
from sqlalchemy import func, select

from .models import Objection
from .vocabulary import ObjectionStatus


def figures(session, today):
    open_objections = session.scalar(select(func.count(Objection.id)).where(Objection.status == ObjectionStatus.OPEN))
    return [("laomo_objections_open", "Objections to candidates not yet upheld or dismissed.", {}, open_objections)]
