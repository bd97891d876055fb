"""The registry's business figures for Prometheus (``laomo_honourees_active`` and the rest).

Read at scrape time by :class:`services.chassis.metrics.BusinessGauges`; city-wide counts, no
labels beyond the honour level, so no series names a person or a unit.
"""
from sqlalchemy import exists, func, or_, select

from .models import Honour, Honouree
from .people import EmploymentStatus, HonourStatus


def figures(session, today):
    living = Honouree.employment_status != EmploymentStatus.DECEASED
    holds_an_honour = exists().where(Honour.honouree_id == Honouree.id, Honour.status == HonourStatus.ACTIVE)
    active = session.scalar(select(func.count(Honouree.id)).where(living, holds_an_honour))
    due = session.scalar(select(func.count(Honouree.id)).where(living))
    overdue = session.scalar(select(func.count(Honouree.id)).where(
        living, or_(Honouree.verified_year.is_(None), Honouree.verified_year < today.year)))
    samples = [
        ("laomo_honourees_active", "Living honourees holding at least one active honour.", {}, active),
        ("laomo_verifications_due", "Living records due this calendar year's verification (年度更新).", {}, due),
        ("laomo_verifications_overdue", "Living records not yet verified this calendar year.", {}, overdue),
    ]
    for level, count in session.execute(
            select(Honour.level, func.count(Honour.id)).join(Honouree, Honouree.id == Honour.honouree_id)
            .where(living, Honour.status == HonourStatus.ACTIVE).group_by(Honour.level)):
        samples.append(("laomo_honours_active", "Active honours of living holders, by level.",
                        {"level": level.value}, count))
    return samples
